"""A run that finishes with work lost says so: status, exit code, manifest, report, summary.

A pipeline placed before xxgk's drops every fifth detail page (tests/support/faulty.py): the
pages are fetched and archived, the spider takes them as documents, no row is written. The run
must not end `ok` with exit 0; the next run (without the fault) repairs them from the WARCs.
"""

from __future__ import annotations

import orjson

from tests.support.runner import xxgk
from tests.test_resume_kill import served_portal

LOSSY = '{"tests.support.faulty.LoseEveryFifthDocument": 100, "crawler.pipelines.DocumentPipeline": 300}'
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]


def test_documents_lost_make_the_run_incomplete_and_the_next_run_repairs_them(tmp_path):
    with served_portal(tmp_path, 30, 21) as (portal, sites, out, _):
        lossy = xxgk("run", str(sites), "--out", str(out), *FAST, "-s", f"ITEM_PIPELINES={LOSSY}")
        assert lossy.returncode == 5, lossy.stdout + lossy.stderr
        assert "incomplete" in lossy.stdout
        (manifest_path,) = (out / "runs" / "demo").glob("*/manifest.json")
        manifest = orjson.loads(manifest_path.read_bytes())
        assert manifest["status"] == "incomplete"
        lost = manifest["unaccounted"]["urls"]
        assert lost and manifest["unaccounted"]["count"] == len(lost)
        rows = {
            orjson.loads(x)["url"] for x in (out / "datasets/demo/documents.jsonl").read_bytes().splitlines()
        }
        assert not set(lost) & rows
        report = (manifest_path.parent / "report.html").read_text(encoding="utf-8")
        assert all(url in report for url in lost)
        # the next run extracts them from their WARC records (the repair pass), nothing is lost
        again = xxgk("run", str(sites), "--out", str(out), "--force", *FAST)
        assert again.returncode == 0, again.stdout + again.stderr
        rows = [
            orjson.loads(x)["url"] for x in (out / "datasets/demo/documents.jsonl").read_bytes().splitlines()
        ]
        expected = {portal.url(d.path) for d in portal.site.documents}
        assert set(rows) == expected and len(rows) == len(expected)


def test_a_capture_only_crawl_loses_nothing_it_was_asked_for(tmp_path):
    """ITEM_PIPELINES={}: archive only, rows later from `xxgk parse`; no row is owed, none is lost."""
    with served_portal(tmp_path, 12, 22) as (portal, _, out, _):
        capture = xxgk(
            "crawl", portal.root_url, "--out", str(out), "--name", "demo", *FAST, "-s", "ITEM_PIPELINES={}"
        )
    assert capture.returncode == 0, capture.stdout + capture.stderr
    assert "UNACCOUNTED" not in capture.stdout
