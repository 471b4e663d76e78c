"""The collection's CDXJ index: pywb keys, byte order, merge, atomic replacement, lookup."""

from __future__ import annotations

import json
import shutil

import pytest

import archive.index as index_module
from archive.errors import ArchiveError, WarcFormatError
from archive.index import index_warcs, lookup, update_collection_index
from tests.archive_samples import gz, plain_records, sample, sample_files


def _collection(tmp_path, *names: str):
    coll = tmp_path / "coll"
    (coll / "archive").mkdir(parents=True)
    for name in names:
        shutil.copy(sample(name), coll / "archive")
    return coll


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _is_sorted(lines: list[str]) -> bool:
    encoded = [line.encode("utf-8") for line in lines]
    return encoded == sorted(encoded)


def test_index_lines_are_pywb_cdxj():
    lines = index_warcs([sample("pywb/example.warc.gz")])
    assert _is_sorted(lines)
    key, timestamp, data = lines[0].split(" ", 2)
    assert (key, timestamp) == ("com,example)/?example=1", "20140103030321")
    fields = json.loads(data)
    assert fields == {
        "url": "http://example.com?example=1",
        "mime": "text/html",
        "status": "200",
        "digest": "sha1:B2LTWWPUOYAH7UIPQ7ZUPQ4VMBSVC36A",
        "length": "1043",
        "offset": "333",
        "filename": "example.warc.gz",
    }
    # revisits are indexed (pywb resolves them), requests and warcinfo are not
    assert [json.loads(line.split(" ", 2)[2])["mime"] for line in lines] == [
        "text/html",
        "warc/revisit",
        "text/html",
    ]


def test_resource_and_metadata_records_are_indexed():
    lines = index_warcs([sample("pywb/example-wget-1-14.warc.gz"), sample("pywb/httpbin-resource.warc.gz")])
    urls = [json.loads(line.split(" ", 2)[2])["url"] for line in lines]
    assert "http://httpbin.org/anything/resource.json" in urls
    assert "metadata://gnu.org/software/wget/warc/wget.log" in urls


def test_every_sample_indexes_or_fails_clearly():
    for path in sample_files():
        try:
            lines = index_warcs([path])
        except WarcFormatError as exc:
            assert str(path) in str(exc)
            continue
        assert _is_sorted(lines)


def test_whole_file_gzip_cannot_be_indexed():
    with pytest.raises(WarcFormatError, match="cannot be indexed"):
        index_warcs([sample("made/whole-file.warc.gz")])


def test_rebuild_merge_and_lookup(tmp_path):
    coll = _collection(tmp_path, "pywb/example.warc.gz", "pywb/dupes.warc.gz")
    index = update_collection_index(coll)
    assert index == coll / "indexes" / "index.cdxj"
    first = _lines(index)
    assert _is_sorted(first) and len(first) == 15  # as cdxj-indexer counts them

    shutil.copy(sample("pywb/post-test.warc.gz"), coll / "archive")
    update_collection_index(coll, [coll / "archive" / "post-test.warc.gz"])
    merged = _lines(index)
    assert _is_sorted(merged)
    assert set(first) <= set(merged) and len(merged) == len(first) + 3
    assert any(line.startswith("org,httpbin)/post?__wb_method=post&") for line in merged)  # pywb's POST keys

    # indexing a file again replaces its lines instead of duplicating them
    update_collection_index(coll, [coll / "archive" / "post-test.warc.gz"])
    assert _lines(index) == merged
    # a full rebuild gives the same index
    update_collection_index(coll)
    assert _lines(index) == merged

    captures = lookup(index, "http://example.com?example=1")
    assert [c["timestamp"] for c in captures] == ["20140103030321", "20140103030341"]
    assert captures[0]["filename"] == "example.warc.gz" and captures[0]["offset"] == "333"
    assert lookup(index, "http://www.iana.org/_css/2013.1/screen.css")
    assert lookup(index, "http://example.com/not-archived") == []


def test_merge_into_a_missing_index_and_subdirectories(tmp_path):
    coll = _collection(tmp_path)
    sub = coll / "archive" / "2024"
    sub.mkdir()
    shutil.copy(sample("pywb/example2.warc.gz"), sub)
    index = update_collection_index(coll, [sub / "example2.warc.gz"])
    assert json.loads(_lines(index)[0].split(" ", 2)[2])["filename"] == "2024/example2.warc.gz"


def test_update_is_atomic(tmp_path, monkeypatch):
    coll = _collection(tmp_path, "pywb/example.warc.gz")
    index = update_collection_index(coll)
    before = index.read_bytes()
    shutil.copy(sample("pywb/example2.warc.gz"), coll / "archive")

    def crash(fh, lines):
        fh.write("half a line")
        raise OSError("disk full")

    monkeypatch.setattr(index_module, "_write_unique", crash)
    with pytest.raises(OSError, match="disk full"):
        update_collection_index(coll, [coll / "archive" / "example2.warc.gz"])
    assert index.read_bytes() == before
    assert sorted(p.name for p in index.parent.iterdir()) == [".covered.tsv", ".index.lock", "index.cdxj"]


def test_broken_warc_leaves_index_untouched_unless_skipped(tmp_path):
    coll = _collection(tmp_path, "pywb/example.warc.gz")
    index = update_collection_index(coll)
    before = index.read_bytes()
    shutil.copy(sample("made/whole-file.warc.gz"), coll / "archive")
    with pytest.raises(WarcFormatError):
        update_collection_index(coll, [coll / "archive" / "whole-file.warc.gz"])
    assert index.read_bytes() == before
    skipped = []
    update_collection_index(coll, None, on_error=lambda path, exc: skipped.append(path.name))
    assert skipped == ["whole-file.warc.gz"]
    assert index.read_bytes() == before


def test_unsorted_index_is_rebuilt(tmp_path):
    coll = _collection(tmp_path, "pywb/example.warc.gz", "pywb/example2.warc.gz")
    index = update_collection_index(coll)
    good = _lines(index)
    index.write_text("\n".join(reversed(good)) + "\n", encoding="utf-8")
    update_collection_index(coll, [coll / "archive" / "example2.warc.gz"])
    assert _lines(index) == good


def test_bad_arguments(tmp_path):
    with pytest.raises(ArchiveError, match="not a pywb collection"):
        update_collection_index(tmp_path)
    coll = _collection(tmp_path)
    outside = tmp_path / "x.warc.gz"
    outside.write_bytes(gz(plain_records(1)[0]))
    with pytest.raises(ArchiveError, match="not in the collection's archive directory"):
        update_collection_index(coll, [outside])
    with pytest.raises(FileNotFoundError):
        update_collection_index(coll, [coll / "archive" / "missing.warc.gz"])
