"""Exit codes and streams as the README states them, for every command: 0 done (warnings
included), 1 done but found damage, 2 bad input, 3 no seed crawled; errors as one line on
stderr, nothing on stdout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.archive_samples import sample
from tests.support.runner import REPO, xxgk

BAD_NUMBERS = [
    ("crawl", "http://127.0.0.1:9/xxgk/", "--max-pages", "-5"),
    ("crawl", "http://127.0.0.1:9/xxgk/", "--max-pages", "many"),
    ("crawl", "http://127.0.0.1:9/xxgk/", "--processes", "0"),
    ("demo", "--size", "0"),
    ("demo", "--max-pages", "-1"),
    ("parse", "x.warc.gz", "--out", "o", "--jobs", "0"),
    ("replay", ".", "--port", "70000"),
    ("replay", ".", "--port", "-1"),
    ("serve", ".", "--port", "70000"),
    ("serve", ".", "--replay-port", "x"),
]


@pytest.mark.parametrize("args", BAD_NUMBERS, ids=" ".join)
def test_bad_numbers_are_refused_before_anything_runs(args, tmp_path):
    proc = xxgk(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()  # one line, no usage block
    assert line.startswith(f"xxgk {args[0]}: error: argument ") and "--help" in line


def test_unknown_command_and_option():
    for args in (["nosuch"], ["warc", "check", "--nosuch", "x"]):
        proc = xxgk(*args)
        assert proc.returncode == 2 and proc.stdout == "" and len(proc.stderr.splitlines()) == 1


def test_warc_check_mixed_inputs_bad_input_wins(tmp_path):
    """A missing file among good ones: the good ones are still checked; exit 2, not 1 or 0."""
    good = sample("pywb/example.warc.gz")
    proc = xxgk("warc", "check", str(good), str(tmp_path / "missing.warc.gz"))
    assert proc.returncode == 2
    assert f"{good}: OK" in proc.stdout and "missing.warc.gz" in proc.stderr


def test_warnings_are_not_damage(wget_demo_warc):
    """wget's <URI> target URIs: read right, shown as warnings, exit 0 in check, ls and parse."""
    path = wget_demo_warc
    check = xxgk("warc", "check", str(path))
    assert check.returncode == 0 and "warning: WARC-Target-URI in <>" in check.stdout
    assert xxgk("warc", "ls", str(path)).returncode == 0


def test_a_closed_pipe_is_no_error(demo_crawl):
    """`xxgk warc ls … | head -1`: exit 0, no traceback, no "Broken pipe" message."""
    warc = sorted((demo_crawl.collection / "archive").glob("*.warc.gz"))[0]
    proc = subprocess.run(
        f"{sys.executable} -m crawler.cli warc ls {warc} | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and len(proc.stdout.splitlines()) == 1


def test_a_quirk_on_every_record_is_counted_not_listed(wget_demo_warc):
    proc = xxgk("warc", "check", str(wget_demo_warc))
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{wget_demo_warc}: OK") and len(lines) == 5  # summary, 3 examples, a count
    assert "more records with warning: WARC-Target-URI in <>" in lines[-1]


def test_warc_show_finds_a_rows_bare_file_name(demo_crawl):
    """The README's recipe: a dataset row's warc_file and warc_offset lead to its record."""
    import orjson

    row = orjson.loads((demo_crawl.datasets / "documents.jsonl").read_bytes().splitlines()[0])
    proc = xxgk(
        "warc", "show", row["warc_file"], str(row["warc_offset"]), "--out", str(demo_crawl.out), "--headers"
    )
    assert proc.returncode == 0, proc.stderr
    assert f"WARC-Record-ID: {row['warc_record_id']}" in proc.stdout
    missing = xxgk("warc", "show", row["warc_file"], "0", "--out", str(REPO / "nowhere"))
    assert missing.returncode == 2 and "no such file" in missing.stderr and missing.stdout == ""


def test_serve_without_datasets_is_bad_input(tmp_path):
    proc = xxgk("serve", str(tmp_path), "--port", "0")
    assert proc.returncode == 2 and proc.stdout == "" and "no datasets to serve" in proc.stderr
