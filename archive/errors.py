"""Errors raised by the archive package, with messages meant for users."""


class ArchiveError(Exception):
    """A WARC/ARC file, index or collection that cannot be read or written."""


class WarcFormatError(ArchiveError):
    """A record that is not well-formed (bad header, truncated block, bad gzip member)."""
