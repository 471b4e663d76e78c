"""Malformed input to every command: one clear error line, a non-zero exit, no traceback,
and existing output left exactly as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.support.runner import FAST, xxgk


def checksums(root: Path) -> dict[str, str]:
    """sha256 of every file under root, except lock files (a crawl's lock holds its pid)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".lock"
    }


def assert_kept(before: dict[str, str], root: Path) -> None:
    """Every file that existed is still there, byte for byte (new run logs may appear)."""
    after = checksums(root)
    changed = {name for name, digest in before.items() if after.get(name) != digest}
    assert not changed, f"output damaged: {sorted(changed)[:10]}"


def error_line(proc, command: str) -> str:
    """The one error line; warnings about what was read may come before it."""
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip() and not line.startswith("warning: ")]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"xxgk {command}: "), lines[0]
    return lines[0]


@pytest.fixture
def existing(demo_crawl, tmp_path) -> Path:
    """A copy of a finished crawl's output root: collections, datasets and runs."""
    out = tmp_path / "existing"
    shutil.copytree(demo_crawl.out, out)
    return out


@pytest.fixture
def bad_warcs(demo_crawl, tmp_path) -> dict[str, Path]:
    good = sorted((demo_crawl.collection / "archive").glob("*.warc.gz"))[0]
    data = good.read_bytes()
    files = {
        "truncated": data[: len(data) // 2],
        "corrupt": data[:3000] + bytes(b ^ 0xFF for b in data[3000:3200]) + data[3200:],
        "not-a-warc": b"<html><body>not an archive</body></html>\n",
        "empty": b"",
        "random": bytes(range(256)) * 64,
    }
    out = {}
    for name, content in files.items():
        path = tmp_path / "bad" / f"{name}.warc.gz"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content)
        out[name] = path
    return out


# -- crawl ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "mailto:x@example.gov.cn",
        "http://exa mple.gov.cn/",
        "http://127.0.0.1:0x50/",
        "//127.0.0.1/xxgk/",
    ],
)
def test_crawl_bad_url_keeps_existing_output(existing, url):
    before = checksums(existing)
    proc = xxgk("crawl", url, "--out", str(existing), "--name", "demo", *FAST)
    assert proc.returncode == 2
    assert "error" in error_line(proc, "crawl")
    assert_kept(before, existing)


def test_crawl_unclosed_ipv6_url(tmp_path):
    proc = xxgk("crawl", "http://[::1/xxgk/", "--out", str(tmp_path))
    assert proc.returncode == 2
    error_line(proc, "crawl")


def test_crawl_bad_setting_keeps_existing_output(existing):
    before = checksums(existing)
    proc = xxgk(
        "crawl",
        "http://127.0.0.1:9/xxgk/",
        "--out",
        str(existing),
        "--name",
        "demo",
        "-s",
        "DOWNLOAD_TIMEOUT=abc",
    )
    assert proc.returncode == 2
    assert "could not start" in error_line(proc, "crawl")
    assert_kept(before, existing)


def test_crawl_bad_collection_name(existing):
    before = checksums(existing)
    proc = xxgk("crawl", "http://127.0.0.1:9/xxgk/", "--out", str(existing), "--name", "../escape")
    assert proc.returncode == 2
    assert "collection name" in error_line(proc, "crawl")
    assert_kept(before, existing)
    assert not (existing.parent / "escape").exists()


# -- parse ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["not-a-warc", "empty", "random"])
def test_parse_unreadable_warc_keeps_existing_datasets(existing, bad_warcs, kind):
    before = checksums(existing)
    proc = xxgk("parse", str(bad_warcs[kind]), "--out", str(existing), "--name", "demo", "--jobs", "1")
    assert proc.returncode == 2
    assert "nothing readable" in error_line(proc, "parse")
    assert_kept(before, existing)


@pytest.mark.parametrize("kind", ["truncated", "corrupt"])
def test_parse_damaged_warc_says_where(existing, bad_warcs, kind, tmp_path):
    # the readable records are parsed into a new dataset; the damage is reported with its offset
    before = checksums(existing)
    proc = xxgk("parse", str(bad_warcs[kind]), "--out", str(tmp_path / "parsed"), "--jobs", "1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings and all(f"{bad_warcs[kind]}@" in w for w in warnings), proc.stderr
    assert_kept(before, existing)


def test_parse_missing_input(existing, tmp_path):
    before = checksums(existing)
    proc = xxgk("parse", str(tmp_path / "no-such.warc.gz"), "--out", str(existing))
    assert proc.returncode == 2
    assert "no such file" in error_line(proc, "parse")
    empty_dir = tmp_path / "empty-dir"
    empty_dir.mkdir()
    proc = xxgk("parse", str(empty_dir), "--out", str(existing))
    assert proc.returncode == 2
    assert "no WARC" in error_line(proc, "parse")
    assert_kept(before, existing)


# -- warc check / ls / show -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["truncated", "corrupt"])
def test_warc_check_reports_damage(bad_warcs, kind):
    path = bad_warcs[kind]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    proc = xxgk("warc", "check", str(path))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{path}: FAILED" in proc.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # a checker never "repairs"


@pytest.mark.parametrize("kind", ["not-a-warc", "empty", "random"])
@pytest.mark.parametrize("command", ["check", "ls"])
def test_warc_check_and_ls_of_a_file_that_is_no_warc(bad_warcs, kind, command):
    """Nothing readable at all: bad input (2), one line on stderr, nothing on stdout."""
    proc = xxgk("warc", command, str(bad_warcs[kind]))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == "" and str(bad_warcs[kind]) in error_line(proc, f"warc {command}")


@pytest.mark.parametrize("command", ["check", "ls"])
def test_warc_check_and_ls_missing_file(tmp_path, command):
    proc = xxgk("warc", command, str(tmp_path / "no-such.warc.gz"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "No such file" in error_line(proc, f"warc {command}")


@pytest.mark.parametrize("kind", ["truncated", "corrupt"])
def test_warc_ls_damaged(bad_warcs, kind):
    proc = xxgk("warc", "ls", str(bad_warcs[kind]))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert str(bad_warcs[kind]) in proc.stderr


@pytest.mark.parametrize("offset", ["17", "-5", "abc", "99999999999"])
def test_warc_show_bad_offset(demo_crawl, offset):
    good = sorted((demo_crawl.collection / "archive").glob("*.warc.gz"))[0]
    proc = xxgk("warc", "show", str(good), offset)
    assert proc.returncode == 2
    error_line(proc, "warc")


# -- extract / report / index / wacz -------------------------------------------------------


@pytest.mark.parametrize("command", ["extract", "report"])
def test_missing_or_directory_file(command, tmp_path):
    proc = xxgk(command, str(tmp_path / "no-such.html"))
    assert proc.returncode == 2
    assert "no such file" in error_line(proc, command)
    proc = xxgk(command, str(tmp_path))
    assert proc.returncode == 2
    assert "directory" in error_line(proc, command)


@pytest.mark.parametrize("command", ["extract", "report"])
def test_garbage_file(command, bad_warcs):
    proc = xxgk(command, str(bad_warcs["random"]))
    assert proc.returncode != 0
    error_line(proc, command)


def test_index_and_wacz_need_a_collection(tmp_path):
    for args in (
        ["index", str(tmp_path / "nope")],
        ["index", str(tmp_path)],
        ["wacz", str(tmp_path), "-o", str(tmp_path / "x.wacz")],
    ):
        proc = xxgk(*args)
        assert proc.returncode == 2, args
        error_line(proc, args[0])
    assert not (tmp_path / "x.wacz").exists()


# -- sites registry (xxgk sites check / xxgk run) -------------------------------------------

BAD_SITES = {
    "not-yaml": b"sites:\n  - name: x\n    seeds: [unclosed\n",
    "not-a-list": b"sites: 5\n",
    "no-seeds": b"sites:\n  - name: x\n",
    "unknown-key": b'sites:\n  - url: "http://x.gov.cn/xxgk/"\n',
    "empty": b"",
    "not-utf8": b"\xff\xfe\x00garbage",
}


@pytest.mark.parametrize("kind", sorted(BAD_SITES))
@pytest.mark.parametrize("command", [("sites", "check"), ("run",)])
def test_bad_sites_file(existing, tmp_path, kind, command):
    sites = tmp_path / f"{kind}.yaml"
    sites.write_bytes(BAD_SITES[kind])
    before = checksums(existing)
    args = [*command, str(sites)] + (["--out", str(existing)] if command == ("run",) else [])
    proc = xxgk(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    # a header, then one line per problem, each naming the file (and line) it is about
    assert lines and lines[0].startswith(f"xxgk {command[0]}"), proc.stderr
    assert all(str(sites) in line for line in lines[1:]) and (len(lines) > 1 or str(sites) in lines[0]), (
        proc.stderr
    )
    assert_kept(before, existing)


def test_missing_sites_file(existing, tmp_path):
    before = checksums(existing)
    for args in (
        ["sites", "check", str(tmp_path / "nope.yaml")],
        ["run", str(tmp_path / "nope.yaml"), "--out", str(existing)],
    ):
        proc = xxgk(*args)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr and "nope.yaml" in proc.stderr
    assert_kept(before, existing)
