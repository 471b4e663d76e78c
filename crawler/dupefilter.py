"""Scrapy's duplicate filter, holding 8 bytes a request instead of ~100.

``RFPDupeFilter`` keeps every request's 20-byte fingerprint in a set of bytes;
this one keeps the fingerprints' first 64 bits in a compact index
(archive/hashindex.py). Everything else (fingerprinting, JOBDIR's
requests.seen, logging) is Scrapy's own.
"""

from __future__ import annotations

from collections.abc import Iterable

from scrapy.dupefilters import RFPDupeFilter

from archive.hashindex import HashIndex, key64


class FingerprintKeys:
    """The part of ``set[bytes]`` that RFPDupeFilter uses, over 64-bit keys."""

    def __init__(self, fingerprints: Iterable[bytes] = ()) -> None:
        self._keys = HashIndex(values=False)
        self.update(fingerprints)

    def __contains__(self, fingerprint: bytes) -> bool:
        return key64(fingerprint) in self._keys

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, fingerprint: bytes) -> None:
        self._keys.add(key64(fingerprint))

    def update(self, fingerprints: Iterable[bytes]) -> None:
        for fingerprint in fingerprints:
            self.add(fingerprint)


class CompactDupeFilter(RFPDupeFilter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._fingerprints = FingerprintKeys(self._fingerprints)  # type: ignore[assignment]
