"""Errors raised by the extraction pipelines, with messages meant for users."""


class ExtractionError(Exception):
    """A document that cannot be read at all (unknown format, unreadable file)."""
