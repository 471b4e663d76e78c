"""CrawlState reads rows into UrlState field by field, and stamps times to the second."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import UTC, datetime

from crawler.state import CrawlState, UrlState, now_iso


def test_rows_read_back_whole(tmp_path):
    state = CrawlState(tmp_path / "state.sqlite")
    state.saw_link("http://x/a", "detail", "http://x/", "r1")
    state.fetched("http://x/a", "detail", 200, {"filename": "f.warc.gz", "offset": 1}, "r1")
    state.captured(
        "http://x/a",
        version=2,
        run_id="r1",
        etag='"e"',
        last_modified="Mon",
        payload_digest="sha1:AB",
        record_id="<urn:uuid:1>",
        capture_date="2024-01-01T00:00:00Z",
    )
    state.removed("http://x/a", "gone", "r2")
    by_name = dict(state.db.execute("SELECT * FROM urls WHERE url = ?", ("http://x/a",)).fetchone())
    got = state.get("http://x/a")
    assert asdict(got) == asdict(UrlState(**by_name))
    assert got.ref == {"filename": "f.warc.gz", "offset": 1} and got.version == 2 and got.status == 200
    assert state.removals("r2") == [got]
    assert state.get("http://x/none") is None


def test_now_iso():
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = now_iso()
    after = datetime.now(UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    assert before <= datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) <= after
