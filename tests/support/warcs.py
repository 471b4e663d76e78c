"""Reading test WARCs back with warcio, blocks untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


def records(collection_dir: Path) -> list[dict]:
    """Every record of every WARC in a collection: headers, whole block, file and offset."""
    out = []
    for path in sorted((collection_dir / "archive").glob("*.warc*")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh, no_record_parse=True)
            for record in it:
                block = record.raw_stream.read()
                out.append(
                    {
                        "file": path.name,
                        "offset": it.get_record_offset(),
                        "type": record.rec_type,
                        "headers": dict(record.rec_headers.headers),
                        "uri": record.rec_headers.get_header("WARC-Target-URI"),
                        "block": block,
                    }
                )
    return out


def assert_valid_warcs(files: list[Path]) -> None:
    """Each file passes `warcio check`, and all of them `xxgk warc check`."""
    from tests.support.runner import xxgk

    assert files
    for path in files:
        proc = subprocess.run(
            [sys.executable, "-m", "warcio.cli", "check", str(path)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = xxgk("warc", "check", *map(str, files))
    assert proc.returncode == 0, proc.stdout + proc.stderr
