"""`xxgk warc check|ls|show` and `xxgk index`: output, exit codes, messages on bad input."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from archive.reader import read_records
from crawler.cli import main
from tests.archive_samples import gz, http_response, sample, warc_record

REPO = Path(__file__).parents[1]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_good_and_bad_files(capsys):
    good = str(sample("made/chunked-as-transferred.warc"))
    code, out, _ = _run(capsys, "warc", "check", good)
    assert code == 0
    assert out.startswith(f"{good}: OK: 3 records, 3 ok")
    code, out, _ = _run(capsys, "warc", "check", good, str(sample("made/length-mismatch.warc")), "--notes")
    assert code == 1
    assert "length-mismatch.warc: FAILED" in out
    assert "response http://example.com?example=1: Content-Length" in out and "does not match" in out
    assert "chunked body as transferred" in out  # a note, shown with --notes


def test_check_missing_and_non_warc_files(capsys, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    code, out, err = _run(capsys, "warc", "check", str(tmp_path / "missing.warc.gz"), str(text))
    assert code == 2 and out == ""  # bad input: on stderr, one line per file
    assert "cannot read the file: No such file or directory" in err
    assert "not a WARC or ARC file" in err
    assert len(err.splitlines()) == 2 and "Traceback" not in err


def test_ls_lists_records(capsys):
    code, out, err = _run(capsys, "warc", "ls", str(sample("pywb/example.warc.gz")))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 6
    assert lines[1].split() == [
        "333", "response", "2014-01-03T03:03:21Z", "200", "text/html", "1043", "http://example.com?example=1",
    ]  # fmt: skip
    assert lines[2].split()[:4] == ["1376", "request", "2014-01-03T03:03:21Z", "-"]


def test_ls_reports_damage_on_stderr(capsys):
    code, out, err = _run(capsys, "warc", "ls", str(sample("made/whole-file.warc.gz")))
    assert code == 1
    assert len(out.splitlines()) == 3 and out.splitlines()[1].split()[0].startswith("0+")
    assert "several records share one gzip member" in err


def test_ls_not_a_warc(capsys, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html></html>\n")
    code, out, err = _run(capsys, "warc", "ls", str(page), str(sample("pywb/example.arc")))
    assert code == 2  # bad input; the readable file is still listed
    assert f"{page}: not a WARC or ARC file" in err and "http://example.com/" in out


def test_show_headers_and_decoded_body(capsys, tmp_path):
    body = "<html><meta charset=gbk><p>政府信息公开年度报告</p></html>".encode("gbk")
    raw, _ = http_response(
        gz(body), chunked=True, headers="Content-Type: text/html\r\nContent-Encoding: gzip"
    )
    path = tmp_path / "t.warc.gz"
    path.write_bytes(
        gz(warc_record(raw, warc_type="response", content_type="application/http; msgtype=response"))
    )

    code, out, _ = _run(capsys, "warc", "show", str(path), "0", "--headers")
    assert code == 0
    assert out.startswith("WARC/1.1\r\nWARC-Type: response\r\n")
    assert "Transfer-Encoding: chunked" in out and "政府" not in out

    code, out, _ = _run(capsys, "warc", "show", str(path), "0", "--body")
    assert code == 0
    assert out == body.decode("gbk")


def test_show_default_prints_the_stored_record(capsys):
    code, out, _ = _run(capsys, "warc", "show", str(sample("pywb/example.warc.gz")), "1864")
    assert code == 0
    assert "WARC-Type: revisit" in out and "HTTP/1.1 200 OK" in out


def test_show_whole_file_gzip_inner_offset(capsys):
    path = str(sample("made/whole-file.warc.gz"))
    inner = read_records(path)[0][1].inner_offset  # the response, behind the warcinfo record
    code, out, err = _run(capsys, "warc", "show", path, f"0+{inner}", "--body")
    assert code == 0
    assert "<title>Example Domain</title>" in out
    assert f"warning: record starts {inner} bytes into the gzip member at 0" in err


def test_show_bad_offsets(capsys):
    path = str(sample("pywb/dupes.warc.gz"))
    code, _, err = _run(capsys, "warc", "show", path, "17")
    assert code == 2 and "no gzip member starts at offset 17" in err
    code, _, err = _run(capsys, "warc", "show", path, "seventeen")
    assert code == 2 and "OFFSET must be a number" in err
    code, _, err = _run(capsys, "warc", "show", str(sample("pywb/example.warc")), "5")
    assert code == 2 and "no WARC/ARC record starts here" in err
    assert "Traceback" not in err


def test_index_command(capsys, tmp_path):
    coll = tmp_path / "coll"
    (coll / "archive").mkdir(parents=True)
    shutil.copy(sample("pywb/example.warc.gz"), coll / "archive")
    code, out, _ = _run(capsys, "index", str(coll))
    assert code == 0
    assert out.strip() == f"{coll / 'indexes' / 'index.cdxj'}: 3 captures from 1 files"

    shutil.copy(sample("pywb/example-bad.warc.gz.bad"), coll / "archive" / "bad.warc.gz")
    code, out, err = _run(capsys, "index", str(coll))
    assert code == 1
    assert "left out" in err and "bad.warc.gz: cannot be indexed" in err

    code, _, err = _run(capsys, "index", str(tmp_path / "nowhere"))
    assert code == 2 and "no such directory" in err
    code, _, err = _run(capsys, "index", str(tmp_path))
    assert code == 2 and "not a pywb collection" in err


def test_console_command_in_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.cli", "warc", "check", str(sample("made/length-mismatch.warc"))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "FAILED: 3 records, 2 ok" in proc.stdout
    assert proc.stderr == ""
