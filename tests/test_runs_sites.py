"""The sites registry (`xxgk sites check`) and scheduled runs over it (`xxgk run`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from crawler.demo import DemoPortal, build_site
from crawler.runs.lock import CollectionLock
from crawler.sites import SitesError, load_sites
from tests.support.runner import FAST, REPO, xxgk

GOOD = """\
defaults:
  schedule: daily
  politeness: {delay: 1.5, concurrency: 1}
sites:
  - name: helan
    seeds: [http://www.helan.gov.cn/xxgk/]
    region_code: "640122"
    schedule: "0 3 * * 1"
    timezone: Asia/Shanghai
    scope: {exclude: ['/search/']}
  - name: pingluo
    seeds: http://www.pingluo.gov.cn/xxgk/
    politeness: {delay: 3, robots: true}
    settings: {DOWNLOAD_TIMEOUT: 90}
"""

BAD = """\
sites:
  - name: helan
    seeds: [ftp://www.helan.gov.cn/]
    region_code: 6401
  - name: helan
    seeds: [http://a.gov.cn/]
    schedule: every tuesday
  - seeds: [http://b.gov.cn/]
    politeness: {delay: -1, speed: 3}
    colour: blue
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_sites_file_loads_with_defaults_and_overrides(tmp_path):
    helan, pingluo = load_sites(write(tmp_path, GOOD))
    assert helan.name == "helan" and helan.line == 5 and helan.region_code == "640122"
    assert helan.schedule == "0 3 * * 1" and helan.timezone == "Asia/Shanghai"
    assert helan.settings == {
        "DOWNLOAD_DELAY": 1.5,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "XXGK_EXCLUDE": ["/search/"],
    }
    assert pingluo.seeds == ["http://www.pingluo.gov.cn/xxgk/"] and pingluo.schedule == "daily"
    assert pingluo.settings["DOWNLOAD_DELAY"] == 3.0 and pingluo.settings["DOWNLOAD_TIMEOUT"] == 90


def test_bad_sites_file_lists_every_problem_with_its_line(tmp_path):
    with pytest.raises(SitesError) as info:
        load_sites(write(tmp_path, BAD))
    text = "\n".join(info.value.errors)
    assert ":3: sites[0].seeds[0]: not an http(s) URL" in text
    assert ":4: sites[0].region_code: expected 6 digits" in text
    assert ":7: sites[1].schedule: 'every tuesday' is neither" in text
    assert ":8: sites[2]: missing 'name'" in text
    assert ":9: sites[2].politeness.delay: expected a non-negative number" in text
    assert ":9: sites[2].politeness: unknown key 'speed'" in text
    assert ":10: sites[2]: unknown key 'colour'" in text


def test_duplicate_names_and_yaml_syntax_errors_name_lines(tmp_path):
    dup = "sites:\n  - name: a\n    seeds: [http://a.gov.cn/]\n  - name: a\n    seeds: [http://b.gov.cn/]\n"
    with pytest.raises(SitesError, match=r":4: sites\[1\].name: 'a' is already used on line 2"):
        load_sites(write(tmp_path, dup))
    with pytest.raises(SitesError, match=r"sites.yaml:3: not valid YAML"):
        load_sites(write(tmp_path, "sites:\n  - name: a\n  seeds: [http://a.gov.cn/\n"))


def test_sites_check_command(tmp_path):
    proc = xxgk("sites", "check", str(write(tmp_path, GOOD)))
    assert proc.returncode == 0 and "ok: 2 site(s)" in proc.stdout and "sites.yaml:5: helan" in proc.stdout
    proc = xxgk("sites", "check", str(write(tmp_path, BAD)))
    assert proc.returncode == 2 and "sites.yaml:7: sites[1].schedule" in proc.stderr


def test_schedule_decides_whether_a_site_is_due(tmp_path):
    [site] = load_sites(
        write(tmp_path, "sites:\n  - name: a\n    seeds: [http://a.gov.cn/]\n    schedule: weekly\n")
    )
    monday = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert not site.due(monday, now=datetime(2026, 11, 29, 23, 0, tzinfo=UTC))
    assert site.due(monday, now=datetime(2026, 11, 30, 0, 1, tzinfo=UTC))
    assert site.due(None)


@pytest.fixture(scope="module")
def two_portals(tmp_path_factory):
    reports = tmp_path_factory.mktemp("no-extra-reports")
    with (
        DemoPortal(build_site(size=30, seed=1, reports_dir=reports)) as a,
        DemoPortal(build_site(size=30, seed=2, reports_dir=reports)) as b,
    ):
        yield a, b


@pytest.fixture(scope="module")
def ran(two_portals, tmp_path_factory):
    a, b = two_portals
    out = tmp_path_factory.mktemp("run")
    sites = out / "sites.yaml"
    sites.write_text(
        f"sites:\n  - name: alpha\n    seeds: [{a.root_url}]\n    region_code: '640122'\n"
        f"  - name: beta\n    seeds: [{b.root_url}]\n    schedule: hourly\n",
        encoding="utf-8",
    )
    first = xxgk("run", str(sites), "--out", str(out), *FAST)
    second = xxgk("run", str(sites), "--out", str(out), *FAST)
    return out, sites, first, second


def test_run_crawls_every_site_into_its_collection(ran, two_portals):
    out, _, first, _ = ran
    assert first.returncode == 0, first.stdout + first.stderr
    for name in ("alpha", "beta"):
        [run_dir] = (out / "runs" / name).iterdir()
        manifest = orjson.loads((run_dir / "manifest.json").read_bytes())
        assert manifest["collection"] == name and manifest["status"] == "ok"
        assert manifest["finish_reason"] == "finished"
        assert manifest["counts"]["documents"]["new"] > 30
        assert manifest["warc_files"] and all(
            (out / "collections" / name / "archive" / w["file"]).exists() for w in manifest["warc_files"]
        )
        report = (run_dir / "report.html").read_text(encoding="utf-8")
        assert report.count("<svg") >= 5 and name in report
        assert (run_dir / "crawl.log").stat().st_size > 0
    alpha = orjson.loads(next((out / "runs" / "alpha").iterdir()).joinpath("manifest.json").read_bytes())
    assert alpha["site"]["region_code"] == "640122"


def test_a_site_that_is_not_due_is_skipped(ran):
    _, _, _, second = ran
    assert second.returncode == 0
    assert "alpha                not-due" in second.stdout and "beta                 not-due" in second.stdout


def test_only_and_force(ran):
    out, sites, *_ = ran
    proc = xxgk("run", str(sites), "--out", str(out), "--only", "beta", "--force", *FAST)
    assert proc.returncode == 0 and "beta                 ok" in proc.stdout and "alpha" not in proc.stdout
    assert len(list((out / "runs" / "beta").iterdir())) == 2
    proc = xxgk("run", str(sites), "--out", str(out), "--only", "gamma")
    assert proc.returncode == 2 and "no such site" in proc.stderr


def test_lock_prevents_a_concurrent_run(ran):
    out, sites, *_ = ran
    lock = CollectionLock.acquire(out / "collections" / "alpha")  # as a running `xxgk run` holds it
    try:
        proc = xxgk("run", str(sites), "--out", str(out), "--only", "alpha", "--force", *FAST)
    finally:
        lock.release()
    assert proc.returncode == 75, proc.stdout + proc.stderr
    assert "locked" in proc.stdout


def test_lock_between_two_processes(two_portals, tmp_path):
    """A second `xxgk run` on a collection that a live one is crawling exits 75 at once."""
    a, _ = two_portals
    sites = write(tmp_path, f"sites:\n  - name: alpha\n    seeds: [{a.root_url}]\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    slow = ["-s", "DOWNLOAD_DELAY=0.2", "-s", "AUTOTHROTTLE_ENABLED=False"]
    with open(tmp_path / "first.out", "wb") as log:
        first = subprocess.Popen(
            [sys.executable, "-m", "crawler.cli", "run", str(sites), "--out", str(tmp_path), *slow],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        state = tmp_path / "collections" / "alpha" / "state.sqlite"
        deadline = time.monotonic() + 60
        while not state.exists():  # the first run holds the lock before it opens its state
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.05)
        second = xxgk("run", str(sites), "--out", str(tmp_path), "--force")
        assert second.returncode == 75 and "locked" in second.stdout
    finally:
        first.terminate()
        first.wait(timeout=120)


def test_crawl_into_a_locked_collection_is_one_clear_error(ran):
    out, *_ = ran
    lock = CollectionLock.acquire(out / "collections" / "beta")
    try:
        proc = xxgk("crawl", "http://127.0.0.1:9/xxgk/", "--out", str(out), "--name", "beta")
    finally:
        lock.release()
    assert proc.returncode == 2 and "locked by another run" in proc.stderr and "Traceback" not in proc.stderr


def test_a_site_that_cannot_start_fails_alone(two_portals, tmp_path):
    a, b = two_portals
    sites = write(
        tmp_path,
        f"sites:\n  - name: good\n    seeds: [{a.root_url}]\n"
        f"  - name: broken\n    seeds: [{b.root_url}]\n    settings: {{DOWNLOAD_TIMEOUT: abc}}\n",
    )
    proc = xxgk("run", str(sites), "--out", str(tmp_path), *FAST)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "good                 ok" in proc.stdout and "broken               failed" in proc.stdout
    [run_dir] = (tmp_path / "runs" / "broken").iterdir()
    manifest = orjson.loads((run_dir / "manifest.json").read_bytes())
    assert manifest["status"] == "failed" and "could not start" in manifest["start_error"]


def test_sites_sharing_a_host_do_not_crawl_at_once(two_portals, tmp_path):
    a, _ = two_portals
    sites = write(
        tmp_path,
        f"sites:\n  - name: county\n    seeds: [{a.root_url}]\n"
        f"  - name: township\n    seeds: [{a.url('/xxgk/tzgg/')}]\n",
    )
    proc = xxgk("run", str(sites), "--out", str(tmp_path), *FAST)
    assert proc.returncode == 75, proc.stdout + proc.stderr
    assert "county               ok" in proc.stdout
    assert "township             deferred     shares a host with county" in proc.stdout
    proc = xxgk("run", str(sites), "--out", str(tmp_path), *FAST)  # the next start runs it
    assert proc.returncode == 0 and "township             ok" in proc.stdout
