"""Errors the CLI reports as one line and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

from archive.errors import ArchiveError
from pipelines.errors import ExtractionError


class CliError(Exception):
    """A user-facing error: bad arguments, unwritable output, unreachable seed."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


# Library errors whose message is already written for the user.
KNOWN_ERRORS: tuple[type[Exception], ...] = (
    ArchiveError,
    ExtractionError,
    FileNotFoundError,
    PermissionError,
)


def read_input_file(path: Path) -> bytes:
    """The bytes of a file named on the command line, or a CliError saying why not."""
    if not path.exists():
        raise CliError(f"no such file: {path}")
    if path.is_dir():
        raise CliError(f"is a directory, not a file: {path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
