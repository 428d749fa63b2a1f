"""The demo candidate's websites, as routes for the demo web server.

Planted on https://www.alexmarlowe.example/: the home address split across <span>s with the
postcode lower-case and unspaced (about), a tel: link to the personal mobile (about), JSON-LD
Person with the home address (about), a Google Maps embed pinned near the home (home page),
a leaflet PDF whose imprint gives the home address and whose Author is the candidate, a
photo with EXIF GPS near the home, a page listed only in sitemap.xml with the personal
email obfuscated, and no HSTS or other protective headers (but a chatty Server header).
Decoys that must not be flagged: the party office address and a neighbour's house number.
"""

from __future__ import annotations

import json

from auditor.demo import candidate as c
from auditor.demo.content.documents import BIMI_LOGO, canvassing_photo, leaflet_pdf
from auditor.demo.web_server import Request, Response, Route, html, redirect, text

SITE = f"www.{c.DOMAIN}"
WEAK_HEADERS = (("Server", "Apache/2.4.29 (Ubuntu)"), ("X-Powered-By", "PHP/7.2.34"))
HSTS = (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)

NAV = (
    '<nav><a href="/">Home</a> | <a href="/about">About Alex</a> | '
    '<a href="/contact">Contact</a> | <a href="/leaflets/spring-leaflet.pdf">Our leaflet</a></nav>'
)


def page(title: str, body: str, head: str = "", nav: str = NAV) -> str:
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
        f"{head}</head><body>{nav}<main>{body}</main>"
        f"<footer>Promoted by {c.AGENT} on behalf of {c.NAME}, both of "
        f"{', '.join(c.OFFICE_LINES)}, {c.OFFICE_POSTCODE}.</footer></body></html>"
    )


def home_page() -> str:
    # The "find me" map is centred on the home, not the office: a real and common slip.
    maps = (
        "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2436.2"
        f"!2d{c.HOME_LON + 0.0002:.5f}!3d{c.HOME_LAT - 0.0001:.5f}"
        "!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1!3m3!1m2!1s0x0%3A0x0!2zSG9sbGluIFZhbGU!5e0!3m2!1sen!2suk"
    )
    body = (
        f"<h1>{c.NAME} for {c.WARD}</h1>"
        f"<p>Standing for {c.COUNCIL}, {c.WARD} ward, for the {c.PARTY}.</p>"
        '<img src="/images/canvassing.jpg" alt="Alex out canvassing" width="320">'
        "<h2>Come and say hello</h2><p>Drop in most Saturday mornings:</p>"
        f'<iframe src="{maps}" width="400" height="300" loading="lazy"></iframe>'
    )
    return page(f"{c.NAME} for {c.WARD}", body)


def about_page() -> str:
    person = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": c.NAME,
        "jobTitle": f"Candidate for {c.WARD} ward",
        "email": c.CAMPAIGN_EMAIL,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": c.HOME_LINES[0],
            "addressLocality": c.HOME_TOWN,
            "postalCode": c.HOME_POSTCODE,
            "addressCountry": "GB",
        },
    }
    head = f'<script type="application/ld+json">{json.dumps(person)}</script>'
    postcode = c.HOME_POSTCODE.replace(" ", "").lower()
    body = (
        f"<h1>About {c.NAME}</h1>"
        f"<p>I have lived in {c.WARD} for twelve years with my family and our dog, Biscuit.</p>"
        "<p>Residents are welcome to write to me at home: "
        f'<span class="addr">{c.HOME_NUMBER}</span> <span class="addr">{c.HOME_STREET}</span>,'
        f" <span>{c.HOME_LOCALITY}</span>, <span>{c.HOME_TOWN}</span> <span>{postcode}</span></p>"
        f'<p>Or call me any time: <a href="tel:{c.MOBILE}">ring Alex</a></p>'
    )
    return page(f"About {c.NAME}", body, head)


def contact_page() -> str:
    office = ", ".join(c.OFFICE_LINES)
    body = (
        "<h1>Contact the campaign</h1>"
        f"<p>Campaign office: {office}, {c.OFFICE_POSTCODE}. Phone {c.OFFICE_PHONE_DISPLAY}.</p>"
        f'<p>Email <a href="mailto:{c.CAMPAIGN_EMAIL}">{c.CAMPAIGN_EMAIL}</a>.</p>'
        f"<p>Street stall this Saturday outside {c.NEIGHBOUR_ADDRESS}, by kind permission of "
        "our neighbours.</p>"
    )
    return page("Contact", body)


def volunteers_page() -> str:
    user, _, domain = c.PERSONAL_EMAIL.partition("@")
    name, _, suffix = domain.rpartition(".")
    obfuscated = f"{user} [at] {name} [dot] {suffix}"
    body = (
        "<h1>Thank you, volunteers!</h1><p>Leaflet rounds are sorted. If you can help on "
        f"polling day, email me directly at {obfuscated}.</p>"
    )
    return page("Volunteers", body)


def sitemap() -> str:
    paths = ("/", "/about", "/contact", "/volunteers-thank-you", "/leaflets/spring-leaflet.pdf")
    urls = "".join(f"<url><loc>https://{SITE}{p}</loc></url>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def https_only(response: Response, host: str) -> Route:
    """Plain HTTP answers with a redirect to HTTPS; HTTPS serves ``response``."""

    def serve(request: Request) -> Response:
        if request.scheme == "http":
            query = f"?{request.query}" if request.query else ""
            return redirect(f"https://{host}{request.path}{query}")
        return response

    return serve


def campaign_routes() -> dict[tuple[str, str], Route]:
    pages: dict[str, Response] = {
        "/": html(home_page(), headers=WEAK_HEADERS),
        "/about": html(about_page(), headers=WEAK_HEADERS),
        "/contact": html(contact_page(), headers=WEAK_HEADERS),
        "/volunteers-thank-you": html(volunteers_page(), headers=WEAK_HEADERS),
        "/sitemap.xml": text(sitemap(), content_type="application/xml"),
        "/robots.txt": text(f"User-agent: *\nDisallow:\nSitemap: https://{SITE}/sitemap.xml\n"),
        "/leaflets/spring-leaflet.pdf": Response(
            200, (("Content-Type", "application/pdf"), *WEAK_HEADERS), leaflet_pdf()
        ),
        "/images/canvassing.jpg": Response(
            200, (("Content-Type", "image/jpeg"), *WEAK_HEADERS), canvassing_photo()
        ),
        "/bimi/logo.svg": text(BIMI_LOGO, content_type="image/svg+xml"),
    }
    routes: dict[tuple[str, str], Route] = {
        (SITE, path): https_only(response, SITE) for path, response in pages.items()
    }
    routes[(c.DOMAIN, "/")] = redirect(f"https://{SITE}/")
    mta_sts = f"mta-sts.{c.DOMAIN}"
    policy = (
        "version: STSv1\nmode: testing\nmx: mx1.mailhost.example\nmx: mx2.mailhost.example\n"
        "max_age: 86400\n"
    )
    routes[(mta_sts, "/.well-known/mta-sts.txt")] = text(policy)
    return routes


def other_routes() -> dict[tuple[str, str], Route]:
    parked_redirect = Response(301, (("Location", f"https://{SITE}/"), *HSTS))
    party_site = f"www.{c.PARTY_DOMAIN}"
    party_page = page(
        f"{c.NAME} — {c.PARTY}",
        f"<h1>{c.NAME}</h1><p>Our candidate for {c.WARD}.</p>"
        f"<p>Party office: {', '.join(c.OFFICE_LINES)}, {c.OFFICE_POSTCODE}.</p>"
        f"<p>Alex is happy to take calls at home on {c.LANDLINE_DISPLAY} (evenings).</p>"
        f'<p><a href="{c.WEBSITE}">Alex\'s campaign website</a></p>',
        nav='<nav><a href="/">Home</a></nav>',
    )
    spoof_site = f"www.{c.LOOKALIKES[0]}"
    spoof_page = page(
        f"Donate to {c.NAME}",
        f"<h1>Support {c.NAME}</h1><p>Please donate to the campaign today.</p>"
        '<form action="/donate" method="post"><input name="card"><button>Donate</button></form>',
        nav="",
    )
    return {
        (f"www.{c.PARKED_DOMAIN}", "/"): parked_redirect,
        (c.PARKED_DOMAIN, "/"): parked_redirect,
        (party_site, "/people/alex-marlowe"): html(party_page, headers=HSTS),
        (party_site, "/"): html(page(c.PARTY, f"<h1>{c.PARTY}</h1>", nav=""), headers=HSTS),
        (spoof_site, "/"): html(spoof_page),
        (c.LOOKALIKES[0], "/"): redirect(f"https://{spoof_site}/"),
        (f"www.{c.LOOKALIKES[1]}", "/"): html(
            page("Parked", "<h1>This domain is for sale</h1>", nav="")
        ),
    }


def site_hostnames() -> tuple[str, ...]:
    return tuple(dict.fromkeys(host for host, _ in (*campaign_routes(), *other_routes())))
