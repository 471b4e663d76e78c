"""Shared fixtures: one demo portal on loopback and one real crawl of it per session."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from crawler.demo import DemoPortal, DemoSite, RequestRecord, build_site
from tests.support.pywb_recorder import record_with_pywb
from tests.support.runner import FAST, xxgk


@dataclass
class CrawlRun:
    site: DemoSite
    portal: DemoPortal
    out: Path
    proc: CompletedProcess
    requests: list[RequestRecord]

    @property
    def collection(self) -> Path:
        return self.out / "collections" / "demo"

    @property
    def datasets(self) -> Path:
        return self.out / "datasets" / "demo"


@pytest.fixture(scope="session")
def demo_portal(tmp_path_factory):
    """A 40-document portal (both pagination families, GBK pages, attachments, annual reports)."""
    no_extra_reports = tmp_path_factory.mktemp("no-extra-reports")  # stable ground truth
    site = build_site(size=40, seed=7, reports_dir=no_extra_reports)
    with DemoPortal(site) as portal:
        yield site, portal


@pytest.fixture(scope="session")
def demo_crawl(demo_portal, tmp_path_factory) -> CrawlRun:
    site, portal = demo_portal
    out = tmp_path_factory.mktemp("demo-crawl")
    portal.clear_requests()
    proc = xxgk("crawl", portal.root_url, "--out", str(out), "--name", "demo", *FAST, check=True)
    return CrawlRun(site, portal, out, proc, portal.requests)


@pytest.fixture(scope="session")
def wget_demo_warc(demo_crawl, tmp_path_factory) -> Path:
    """The demo portal as GNU wget archives it (`--recursive --warc-file`), after the live crawl."""
    work = tmp_path_factory.mktemp("wget")
    wget = [
        "wget",
        "--recursive",
        "--level=inf",
        "--no-verbose",
        "--delete-after",
        "--no-directories",
        "--tries=1",
        "--timeout=10",
        "--quota=50m",  # bounded, whatever the portal links
        "--warc-file=demo",
        demo_crawl.portal.root_url,
    ]
    subprocess.run(wget, cwd=work, capture_output=True, timeout=300, check=False)  # exit 8 on any 404
    path = work / "demo.warc.gz"
    assert path.stat().st_size > 0, "wget wrote no WARC"
    return path


@pytest.fixture(scope="session")
def pywb_recorded_warc(tmp_path_factory) -> tuple[Path, str]:
    """(WARC, origin): chunked pages recorded by pywb's recorder (bodies stored de-chunked)."""
    return record_with_pywb(tmp_path_factory.mktemp("pywb-record"))


# CI (.ci/run) sets XXGK_FAIL_ON_SKIP=1: there every test must run, so a skip (a missing
# service, an empty parametrisation) fails the session instead of passing unnoticed.
_FAIL_ON_SKIP = os.environ.get("XXGK_FAIL_ON_SKIP") == "1"


def _skip_as_failure(report) -> None:
    if _FAIL_ON_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and XXGK_FAIL_ON_SKIP=1 forbids skips: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _skip_as_failure(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # a module-level skip (pytest.skip(allow_module_level=True), importorskip) happens while
    # collecting, where no test report is made: without this it would pass in a full run
    outcome = yield
    _skip_as_failure(outcome.get_result())
