"""Errors the CLI reports as one line and a non-zero exit, never a traceback."""

from __future__ import annotations

from archive.errors import ArchiveError
from pipelines.errors import ExtractionError


class CliError(Exception):
    """A user-facing error: bad arguments, unwritable output, unreachable seed."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


# Library errors whose message is already written for the user.
KNOWN_ERRORS: tuple[type[Exception], ...] = (ArchiveError, ExtractionError, FileNotFoundError, PermissionError)
