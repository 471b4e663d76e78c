"""WARC digest labels (``algorithm:value``): parse them and compare them with data.

WARC 1.1 §5.8-5.9 leave the encoding open. Writers differ: base32 is the common
form (Heritrix, wget, warcio, pywb, us), warcprox writes hex, some tools write
base64. Comparing decoded digest bytes accepts all three.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

__all__ = ["DigestLabelError", "compute", "matches", "parse_label"]

# WARC writers use these spellings; hashlib wants the canonical names.
_ALIASES = {"sha-1": "sha1", "sha-256": "sha256", "sha-512": "sha512", "sha-384": "sha384", "md-5": "md5"}


class DigestLabelError(ValueError):
    """A digest label that cannot be understood (unknown algorithm, bad encoding)."""


def _algorithm(name: str) -> str:
    algo = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        hashlib.new(algo)
    except ValueError:
        raise DigestLabelError(f"unknown digest algorithm {name!r}") from None
    return algo


def parse_label(label: str) -> tuple[str, bytes]:
    """(hashlib algorithm name, raw digest bytes) of ``sha1:B2LT…``-style labels."""
    name, sep, value = label.strip().partition(":")
    if not sep or not value:
        raise DigestLabelError(f"digest {label!r} is not 'algorithm:value'")
    algo = _algorithm(name)
    size = hashlib.new(algo).digest_size
    value = value.strip()
    try:
        if len(value) == size * 2:
            return algo, bytes.fromhex(value)
        if len(value) == (size * 8 + 4) // 5 or len(value.rstrip("=")) == (size * 8 + 4) // 5:
            padded = value.upper().rstrip("=")
            padded += "=" * (-len(padded) % 8)
            return algo, base64.b32decode(padded)
        decoded = base64.b64decode(
            value + "=" * (-len(value) % 4), altchars=b"-_" if "-" in value or "_" in value else None
        )
    except (binascii.Error, ValueError):
        raise DigestLabelError(f"digest value of {label!r} is neither base32, hex nor base64") from None
    if len(decoded) != size:
        raise DigestLabelError(f"digest {label!r} has the wrong length for {algo}")
    return algo, decoded


def compute(algo: str, data: bytes) -> bytes:
    return hashlib.new(_algorithm(algo), data).digest()


def matches(label: str, data: bytes) -> bool:
    """Whether ``label`` is the digest of ``data``; DigestLabelError if unreadable."""
    algo, expected = parse_label(label)
    return hashlib.new(algo, data).digest() == expected
