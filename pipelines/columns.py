"""Which column (栏目) each page is in, so attachments can take their page's.

An attachment's bytes never name a column; its page's row does. The live
pipeline and `xxgk parse` both keep page URL → column while rows stream by,
in ~16 bytes a page (URL hashes in archive/hashindex.py, each column name once),
since a big portal has hundreds of thousands of pages and a few hundred columns.
"""

from __future__ import annotations

from archive.hashindex import HashIndex


class PageColumns:
    def __init__(self) -> None:
        self._pages = HashIndex()  # hash of the page URL → number of its column in _names
        self._names: list[str | None] = []
        self._numbers: dict[str | None, int] = {}

    def __contains__(self, url: str) -> bool:
        return hash(url) in self._pages

    def set(self, url: str, column: str | None) -> None:
        number = self._numbers.get(column)
        if number is None:
            number = self._numbers[column] = len(self._names)
            self._names.append(column)
        self._pages[hash(url)] = number

    def get(self, url: str) -> str | None:
        number = self._pages.get(hash(url))
        return None if number is None else self._names[number]
