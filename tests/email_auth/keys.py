"""DKIM test keys, generated with cryptography in the test run, as TXT zone text."""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa


def rsa_p(bits: int) -> str:
    if bits < 1024:
        # cryptography will not generate keys this small; a public key needs only a modulus.
        modulus = (1 << (bits - 1)) | secrets.randbits(bits - 1) | 1
        key = rsa.RSAPublicNumbers(65537, modulus).public_key()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def ed25519_p() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def txt(value: str) -> str:
    """Zone-file TXT rdata: the value split into quoted strings of at most 255 characters."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255)) or '""'
