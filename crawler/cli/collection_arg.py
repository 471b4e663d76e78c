"""Resolving the COLLECTION argument of `wacz`, `replay`, `index` and `parse`."""

from __future__ import annotations

from pathlib import Path

from crawler.cli.errors import CliError


def resolve_collection(value: str) -> Path:
    """A collection directory, given itself or an --out root holding exactly one collection."""
    path = Path(value)
    if (path / "archive").is_dir():
        return path
    collections = path / "collections"
    if collections.is_dir():
        found = sorted(p for p in collections.iterdir() if (p / "archive").is_dir())
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(p.name for p in found)
            raise CliError(f"{path} holds several collections ({names}): give {collections}/NAME")
    raise CliError(f"{path} is not a collection (no archive/ directory) nor an output root with one")


def datasets_dir(collection: Path) -> Path:
    """<out>/datasets/<name> for <out>/collections/<name>."""
    return collection.parent.parent / "datasets" / collection.name
