"""exposure.photos: photos on the person's sites that record where they were taken (EXIF or
XMP GPS), and how far that is from the home when the profile has the home's coordinates."""

from __future__ import annotations

import asyncio

from auditor.check import Check, CheckContext, CheckMeta
from auditor.crawl import Crawl, Resource
from auditor.exposure import (
    best_per_location,
    clean_finding,
    exposure_finding,
    extraction_of,
    failure_finding,
    limits_finding,
    no_sites_finding,
    partly_checked_finding,
    scan_segments,
    site_crawls,
    unread_sites,
)
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.standards.content.exif_gps import GpsPoint
from auditor.standards.content.unread import downloaded_only
from auditor.standards.identity.matchers import IdentityMatcher, haversine_m, location_severity
from auditor.vocabulary import Category, ExposureKind, TargetKind

PHOTO_ACTIONS = ("exposure.strip-photo-location", "exposure.search-engine-refresh")
TEXT_ACTIONS = ("exposure.strip-photo-metadata", "exposure.search-engine-refresh")
FAR_M = 2000.0  # beyond this from every home a photo's position is not about the home


class PhotosCheck(Check):
    meta = CheckMeta(
        id="exposure.photos",
        title="Location data in the photos on your sites",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.CRITICAL,
        guidance="https://www.gov.uk/government/collections/candidate-security-guidance-collection",
        description=(
            "Reads the GPS position that cameras and phones write into photos (EXIF and "
            "XMP) for the images on your sites, and measures how far it is from your home; "
            "reads the text fields (description, title, author, contact details) too."
        ),
        timeout=240.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        crawls = await site_crawls(ctx)
        if not crawls:
            return [no_sites_finding(ctx)]
        return await findings_for_photos(ctx, IdentityMatcher.from_profile(ctx.profile), crawls)


def judge(matcher: IdentityMatcher, point: GpsPoint) -> tuple[Severity, str, str, float | None]:
    """(severity, message, home subject, distance in metres) for one photo's position."""
    nearest: tuple[float, str] | None = None
    for home in matcher.home_points:
        assert home.latitude is not None and home.longitude is not None
        distance = haversine_m(point.latitude, point.longitude, home.latitude, home.longitude)
        if nearest is None or distance < nearest[0]:
            nearest = (distance, home.subject)
    if nearest is None:
        message = "This photo records the exact place it was taken (GPS)."
        return Severity.LOW, message, "gps", None
    distance, subject = nearest
    severity = location_severity(distance) or Severity.LOW
    if severity is Severity.CRITICAL:
        message = f"This photo records that it was taken at your home ({distance:,.0f} m away)."
    elif severity is Severity.HIGH:
        message = f"This photo records that it was taken {distance:,.0f} m from your home."
    else:
        message = "This photo records the exact place it was taken (GPS), away from your home."
    return severity, message, subject, distance


async def findings_for_photos(
    ctx: CheckContext, matcher: IdentityMatcher, crawls: list[Crawl]
) -> list[Finding]:
    unread, crawls = unread_sites(ctx, crawls)
    if not crawls:
        return unread
    findings: list[Finding] = list(unread)
    checked = partly = 0
    far = 0
    for crawl in crawls:
        for resource in crawl.of_kind("image"):
            url = resource.final_url
            extraction = await extraction_of(ctx, resource)
            if extraction.unreadable:
                findings.append(
                    ctx.finding(
                        Status.ERROR,
                        f"Could not read this image, so it was not checked: "
                        f"{extraction.unreadable}.",
                        location=url,
                        kind="photo",
                        subject="unreadable",
                    )
                )
                continue
            not_read = extraction.not_read
            if resource.truncated:  # cut at the body cap: only its first part was read
                not_read = (*not_read, downloaded_only(len(resource.body)))
            if not_read:
                partly += 1
                findings.append(partly_checked_finding(ctx, url, not_read, "photo"))
            else:
                checked += 1
            if not matcher.empty:
                sightings = await asyncio.to_thread(
                    scan_segments, matcher, list(extraction.segments), url, resource.fetched_at
                )
                for sighting in best_per_location(sightings):
                    message = (
                        f"Your {ExposureKind.what_of(sighting.match.kind)} is written "
                        f"into this photo's hidden details: {sighting.where}."
                    )
                    findings.append(exposure_finding(ctx, sighting, message, TEXT_ACTIONS))
            gps = next((p for p in extraction.points if p.source in ("exif", "xmp")), None)
            if gps is None:
                continue
            point = GpsPoint(gps.latitude, gps.longitude, gps.source, gps.raw)
            severity, message, subject, distance = judge(matcher, point)
            if distance is not None and distance > FAR_M:
                far += 1  # far from every home: it says nothing about where the person lives
                continue
            findings.append(gps_finding(ctx, resource, point, severity, message, subject, distance))
        findings += [failure_finding(ctx, f, "photo") for f in crawl.failures_of_kind("image")]
    if checked and not any(f.status.is_problem for f in findings):
        findings.append(clean_finding(ctx, crawls, checked, "photos", partly))
    elif (limits := limits_finding(ctx, crawls)) is not None:
        findings.append(limits)  # never "none were found" where the crawl stopped short
    elif not checked and not partly and not findings:  # nothing checked is never "no sign in 0"
        findings.append(
            ctx.finding(
                Status.PASS,
                "No photos were found on your sites.",
                location=", ".join(c.start_url for c in crawls),
                kind="clean",
                subject="no-photos",
            )
        )
    return findings


def gps_finding(
    ctx: CheckContext,
    resource: Resource,
    point: GpsPoint,
    severity: Severity,
    message: str,
    subject: str,
    distance: float | None,
) -> Finding:
    url = resource.final_url
    status = Status.FAIL if severity.rank >= Severity.HIGH.rank else Status.WARN
    detail: dict[str, object] = {"latitude": point.latitude, "longitude": point.longitude}
    if distance is not None:
        detail["distance_m"] = round(distance)
    return ctx.finding(
        status,
        message,
        severity=severity,
        location=url,
        kind="gps-location",
        subject=subject,
        confidence=Confidence.HIGH,
        evidence=[
            Evidence(
                source=point.source,
                location=url,
                snippet=f"GPS {point.raw}",
                fetched_at=resource.fetched_at or None,
                sensitive=(point.raw,),
                detail=detail,
            )
        ],
        actions=PHOTO_ACTIONS,
    )
