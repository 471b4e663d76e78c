"""Bad input to `xxgk crawl`: one clear line, a non-zero exit, no traceback, nothing damaged."""

from __future__ import annotations

import socket

import pytest

from tests.support.runner import FAST, xxgk


def one_line_error(proc) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines, "no error message"
    return lines[-1]


@pytest.mark.parametrize("url", ["not a url", "ftp://example.gov.cn/", "http://", "http://host:99999/"])
def test_malformed_url(tmp_path, url):
    proc = xxgk("crawl", url, "--out", str(tmp_path))
    assert proc.returncode == 2
    assert "error" in one_line_error(proc)


def test_unwritable_output():
    # /proc refuses new directories even to root, so this holds for every user
    proc = xxgk("crawl", "http://127.0.0.1:9/", "--out", "/proc/xxgk-no-such-dir/out")
    assert proc.returncode == 2
    assert "cannot write to output directory" in one_line_error(proc)


def test_output_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("keep me")
    proc = xxgk("crawl", "http://127.0.0.1:9/", "--out", str(target))
    assert proc.returncode == 2
    assert "cannot write to output directory" in one_line_error(proc)
    assert target.read_text() == "keep me"


def test_unreachable_seed(tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = xxgk("crawl", f"http://127.0.0.1:{port}/xxgk/", "--out", str(tmp_path), *FAST)
    assert proc.returncode == 3
    assert "no seed could be crawled" in one_line_error(proc)
    assert "refused" in proc.stderr


def test_a_broken_setting_is_one_error_line(tmp_path):
    proc = xxgk(
        "crawl", "http://127.0.0.1:9/", "--out", str(tmp_path), "-s", 'ITEM_PIPELINES={"no.such.Pipeline": 1}'
    )
    assert proc.returncode == 2
    assert "the crawl could not start" in one_line_error(proc)
    bad = xxgk("crawl", "http://127.0.0.1:9/", "--out", str(tmp_path), "-s", "NOEQUALSSIGN")
    assert bad.returncode == 2 and "-s takes NAME=VALUE" in one_line_error(bad)
