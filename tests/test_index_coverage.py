"""The collection is whole after any sequence of kills: every WARC in archive/ is in the index.

A crawl killed before its index merge leaves a finished or open WARC the index does not know;
a crawl killed after recovering such a file used to forget it for good. Every command that
writes a collection now indexes what is missing first, and `xxgk index --check` says whether
anything is.
"""

from __future__ import annotations

import shutil
import signal

from archive.index import collection_files, index_warcs
from archive.index_sink import PENDING_DIR
from tests.support.runner import xxgk
from tests.test_resume_kill import finish, kill_after, served_portal, start_run


def check(collection) -> tuple[int, str]:
    proc = xxgk("index", "--check", str(collection))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, proc.stdout


def test_kills_in_a_row_leave_nothing_unindexed(tmp_path):
    with served_portal(tmp_path, 24, 5) as (portal, sites, out, collection):
        kill_after(start_run(sites, out), portal, 12, signal.SIGKILL)  # leaves an .open file
        code, report = check(collection)
        assert code == 0 and "covers 0 of 0" in report and "still open" in report, report
        # the next run recovers it and is killed at once: the recovered file used to be known only
        # to that run's memory and never indexed; now it is indexed before the run adds to it
        portal.clear_requests()
        kill_after(start_run(sites, out), portal, 3, signal.SIGKILL)
        code, report = check(collection)
        assert code == 0 and "covers 1 of 1" in report and "still open" in report, report
        portal.clear_requests()
        assert finish(start_run(sites, out)) == 0
    code, report = check(collection)
    assert code == 0, report
    archive = collection / "archive"
    files = collection_files(archive)
    assert len(files) >= 2 and not list(archive.glob("*.open"))
    lines = (collection / "indexes" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert lines == index_warcs(files, root=archive)  # equals a rebuild
    assert {f.name for f in files} <= {line.split('"filename": "')[1].split('"')[0] for line in lines}
    assert not (collection / "indexes" / PENDING_DIR).exists()


def test_check_reports_a_foreign_file_and_the_next_crawl_indexes_it(demo_crawl, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(demo_crawl.out, out)
    collection = out / "collections" / "demo"
    code, _ = check(collection)
    assert code == 0
    extra = collection / "archive" / "added-by-hand.warc.gz"
    shutil.copy(sorted((collection / "archive").glob("*.warc.gz"))[0], extra)
    code, report = check(collection)
    assert code == 1 and "not indexed: added-by-hand.warc.gz" in report
    assert xxgk("index", str(collection)).returncode == 0
    code, report = check(collection)
    assert code == 0, report
    extra.unlink()
    code, report = check(collection)
    assert code == 1 and "gone from archive/: added-by-hand.warc.gz" in report
