"""The authenticator-app self-test: a throwaway TOTP secret, its QR code, and a check of two
consecutive codes that also measures the phone's clock drift.

The secret lives only inside a ``SelfTest`` object in memory: it is never logged, never put
in an exception message or a repr, and never written anywhere. Errors are ``TotpError`` with
a plain-English message and no code or secret in it.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime

import pyotp

# Short on purpose: the URI sets the QR code's size, and it must fit an 80x24 terminal.
ISSUER = "Auditor test"
STEP_SECONDS = 30
DEFAULT_WINDOW = 20  # steps either side of now: ±10 minutes of drift is still measured
SECRET_LENGTH = 32  # base32 characters: 160 bits
_CODE = re.compile(r"^[0-9]{6}$")


class TotpError(ValueError):
    """The codes did not check out; the message says why, without the codes or secret."""


@dataclass(frozen=True)
class SelfTestResult:
    step_offset: int  # phone's time step minus ours (0: in step)
    drift_seconds: int  # step_offset × 30: how far ahead (+) or behind (-) the phone is

    def describe(self) -> str:
        if self.step_offset == 0:
            return "Your authenticator app works and its clock is right."
        direction = "ahead of" if self.drift_seconds > 0 else "behind"
        return (
            f"Your authenticator app works, but its clock is about {abs(self.drift_seconds)} "
            f"seconds {direction} this computer's; set the phone's time to automatic."
        )


@dataclass(frozen=True, repr=False)
class SelfTest:
    label: str
    _secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"SelfTest(label={self.label!r}, secret=<hidden>)"

    def _totp(self) -> pyotp.TOTP:
        return pyotp.TOTP(self._secret, issuer=ISSUER, name=self.label)

    def uri(self) -> str:
        """The otpauth:// URI (contains the secret: show it, never store it)."""
        return str(self._totp().provisioning_uri(name=self.label, issuer_name=ISSUER))

    def manual_key(self) -> str:
        """The secret in groups of four, for apps where a QR code cannot be scanned."""
        return " ".join(self._secret[i : i + 4] for i in range(0, len(self._secret), 4))

    def qr_text(self, *, border: int = 2) -> str:
        """The QR code as half-block characters (two modules per character row)."""
        return qr_half_blocks(self.uri(), border=border)

    def code_at(self, when: float | datetime) -> str:
        """The code for ``when`` (tests and demos use it to play the phone's part)."""
        return str(self._totp().generate_otp(_time_step(when)))

    def verify_pair(
        self, code1: str, code2: str, now: float | datetime, *, window: int = DEFAULT_WINDOW
    ) -> SelfTestResult:
        """Check two consecutive codes typed at ``now``; return the clock drift.

        The second code must be the step right after the first. It is the code the phone
        shows "now", so its step against ours gives the drift. Raises TotpError.
        """
        first, second = _clean(code1, "first"), _clean(code2, "second")
        if hmac.compare_digest(first, second):
            raise TotpError(
                "The two codes are the same; wait for the app to show a new code, then type it."
            )
        totp = self._totp()
        current = _time_step(now)
        second_step = _find_step(totp, second, current, window)
        if second_step is None:
            first_step = _find_step(totp, first, current, window)
            if first_step is None:
                raise TotpError(
                    "Neither code matches: check you scanned this self-test's QR code "
                    "(not another account's) and that the phone's clock is right."
                )
            raise TotpError(
                "The second code does not match; type the code shown right after the first."
            )
        if not hmac.compare_digest(first, str(totp.generate_otp(second_step - 1))):
            raise TotpError(
                "The codes are not consecutive: type one code, wait for it to change, "
                "then type the very next code."
            )
        offset = second_step - current
        return SelfTestResult(step_offset=offset, drift_seconds=offset * STEP_SECONDS)


def new_selftest(label: str = "self-test") -> SelfTest:
    """A fresh self-test with a 160-bit random secret (pyotp.random_base32)."""
    return SelfTest(label=label, _secret=pyotp.random_base32(length=SECRET_LENGTH))


def _time_step(now: float | datetime) -> int:
    # Computed here, not with pyotp's TOTP.timecode: pyotp 2.9 and 2.10 accept only a
    # datetime there, and 2.9 is our declared floor.
    seconds = now.timestamp() if isinstance(now, datetime) else float(now)
    return int(seconds // STEP_SECONDS)


def _clean(code: str, which: str) -> str:
    text = "".join(str(code).split())[:20]
    if not _CODE.match(text):
        raise TotpError(f"The {which} code should be six digits.")
    return text


def _find_step(totp: pyotp.TOTP, code: str, current: int, window: int) -> int | None:
    # Nearest steps first, so the smallest drift that explains the code wins.
    for distance in range(window + 1):
        for step in {current + distance, current - distance}:
            if step >= 0 and hmac.compare_digest(code, str(totp.generate_otp(step))):
                return step
    return None


def qr_half_blocks(data: str, *, border: int = 2, light_on_dark: bool = True) -> str:
    """A QR code drawn with ▀ ▄ █ and spaces, two modules per character row.

    Terminals usually print light text on a dark background, so by default the light
    modules (and the quiet zone) are drawn and the dark modules left blank; scanners then
    see dark-on-light. ``light_on_dark=False`` draws the dark modules (for paper or a light
    theme).
    """
    import segno

    # Error correction "l": a code on a screen is never smudged, and the smallest code
    # fits an 80x24 terminal.
    matrix = [
        [bool(module) != light_on_dark for module in row]
        for row in segno.make(data, error="l").matrix_iter(border=border)
    ]
    if len(matrix) % 2:
        matrix.append([light_on_dark is False] * len(matrix[0]))
    glyphs = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    lines = [
        "".join(glyphs[(a, b)] for a, b in zip(top, bottom, strict=True))
        for top, bottom in zip(matrix[::2], matrix[1::2], strict=True)
    ]
    return "\n".join(lines)


def qr_terminal(data: str) -> str:
    """segno's own compact terminal rendering (ANSI colours), captured as a string."""
    import io

    import segno

    buffer = io.StringIO()
    segno.make(data, error="l").terminal(out=buffer, compact=True)
    return buffer.getvalue()
