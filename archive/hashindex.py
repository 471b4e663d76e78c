"""64-bit keys (hashes) → small integers, in about 16 bytes a key: per-URL state of big crawls.

A crawl keeps something for every URL it meets: whether it was scheduled, what
role a link plays, where each payload was archived. In Python dicts and sets
that costs ~100 bytes an entry before the key itself (a URL string, 100 more),
and at a few hundred thousand URLs it is most of a crawler's memory. Heritrix
keeps such state on disk or in a Bloom filter for the same reason; here it is
kept exactly, in sorted numpy arrays (8 bytes a key, 8 a value):

- keys added lately wait in a small dict and are merged into the arrays
  ``batch`` at a time (one linear ``np.insert``, not one per key);
- keys found in the arrays are remembered in a small dict of their own, since a
  crawl asks for the same keys again and again (the navigation links of every
  page), and a dict lookup is ~20x cheaper than a binary search from Python.

Keys are Python ``hash()`` values or digests cut to 64 bits; at a million keys
a collision is ~3e-8 likely, and callers that cannot afford one (payload
deduplication) check what the key leads to.
"""

from __future__ import annotations

import numpy as np

__all__ = ["HashIndex", "key64"]

_MISSING = object()


def key64(data: bytes) -> int:
    """The first 8 bytes of a digest as a signed 64-bit key."""
    return int.from_bytes(data[:8], "big", signed=True)


class HashIndex:
    """A map of signed 64-bit int keys to int values (a set, with ``values=False``)."""

    def __init__(self, *, values: bool = True, batch: int = 8192, hot: int = 4096) -> None:
        self._keys = np.empty(0, dtype=np.int64)
        self._values: np.ndarray | None = np.empty(0, dtype=np.int64) if values else None
        self._new: dict[int, int] = {}  # added since the last merge; never also in the arrays
        self._hot: dict[int, int] = {}  # found in the arrays lately
        self._batch = batch
        self._hot_max = hot

    def __len__(self) -> int:
        return len(self._keys) + len(self._new)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays (the two small dicts come on top, bounded by ``batch`` and ``hot``)."""
        return self._keys.nbytes + (self._values.nbytes if self._values is not None else 0)

    def get(self, key: int, default=None):
        value = self._hot.get(key, _MISSING)
        if value is _MISSING:
            value = self._new.get(key, _MISSING)
            if value is _MISSING:
                at = self._find(key)
                if at < 0:
                    return default
                value = self._values.item(at) if self._values is not None else 0
                if len(self._hot) >= self._hot_max:
                    self._hot.clear()
                self._hot[key] = value
        return value

    def __contains__(self, key: int) -> bool:
        return self.get(key, _MISSING) is not _MISSING

    def __getitem__(self, key: int) -> int:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: int, value: int) -> None:
        if key in self._new:
            self._new[key] = value
            return
        at = self._find(key)
        if at >= 0:
            if self._values is not None:
                self._values[at] = value
            if key in self._hot:
                self._hot[key] = value
            return
        self._new[key] = value
        if len(self._new) >= self._batch:
            self._merge()

    def add(self, key: int, value: int = 0) -> bool:
        """Add the key if it is not there yet (keeping an existing value); True if it was new."""
        if key in self._hot or key in self._new or self._find(key) >= 0:
            return False
        self._new[key] = value
        if len(self._new) >= self._batch:
            self._merge()
        return True

    def _find(self, key: int) -> int:
        """The key's position in the arrays, or -1."""
        keys = self._keys
        if not len(keys):
            return -1
        at = int(keys.searchsorted(key))
        return at if at < len(keys) and keys.item(at) == key else -1

    def _merge(self) -> None:
        new = self._new
        keys = np.fromiter(new.keys(), dtype=np.int64, count=len(new))
        order = np.argsort(keys)
        keys = keys[order]
        at = np.searchsorted(self._keys, keys)
        self._keys = np.insert(self._keys, at, keys)
        if self._values is not None:
            values = np.fromiter(new.values(), dtype=np.int64, count=len(new))[order]
            self._values = np.insert(self._values, at, values)
        new.clear()
