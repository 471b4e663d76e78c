"""Shared fixtures: one demo portal on loopback and one real crawl of it per session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from crawler.demo import DemoPortal, DemoSite, RequestRecord, build_site
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
