"""The compact per-URL maps (archive/hashindex.py), Scrapy's duplicate filter on top of them, and the
payload-dedup index that keeps only where originals are and reads them back from real WARC files."""

from __future__ import annotations

import random
import tracemalloc

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from archive.dedup import DedupIndex
from archive.hashindex import HashIndex
from archive.writer import OPEN_SUFFIX, Exchange, WarcFileWriter, digest, warc_date
from crawler.dupefilter import CompactDupeFilter


def test_index_agrees_with_a_dict_through_many_merges():
    rng = random.Random(7)
    index, model = HashIndex(batch=64, hot=16), {}
    keys = [rng.randrange(-(2**63), 2**63) for _ in range(3000)] + [-(2**63), 2**63 - 1, 0]
    for step, key in enumerate(keys):
        index[key] = step % 5
        model[key] = step % 5
        if step % 7 == 0:  # overwrite a key that is by now in the arrays, the pending dict or the hot dict
            old = keys[rng.randrange(step + 1)]
            index.get(old)
            index[old] = model[old] = 9
    assert len(index) == len(model)
    assert all(index.get(key) == value for key, value in model.items())
    assert all(index[key] == value for key, value in model.items())  # second pass: from the hot dict
    misses = [rng.randrange(-(2**63), 2**63) for _ in range(500)]
    assert not any(key in index for key in misses if key not in model)
    with pytest.raises(KeyError):
        index[next(k for k in misses if k not in model)]
    assert index.nbytes >= 16 * (len(model) - 64)  # nearly all merged into the arrays


def test_set_add_says_whether_the_key_was_new():
    seen = HashIndex(values=False, batch=8)
    assert [seen.add(k) for k in (5, 6, 5, 7, 6)] == [True, True, False, True, False]
    for k in range(100, 120):
        seen.add(k)
    assert seen.add(5) is False and seen.add(119) is False and 7 in seen and 8 not in seen
    assert seen.get(110) == 0 and len(seen) == 23


def _traced(build) -> tuple[int, object]:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        return tracemalloc.get_traced_memory()[0] - before, kept
    finally:
        tracemalloc.stop()


def test_memory_per_key_is_a_fraction_of_a_python_dict():
    urls = [f"http://example.gov.cn/xxgk/{i}.html" for i in range(50_000)]

    def compact():
        index = HashIndex(batch=1024, hot=256)
        for i, url in enumerate(urls):
            index[hash(url)] = i % 5
        return index

    compact_bytes, index = _traced(compact)
    dict_bytes, _ = _traced(lambda: {hash(url): i % 5 for i, url in enumerate(urls)})  # as the spider had it
    assert compact_bytes < 20 * len(urls) and compact_bytes < dict_bytes / 4  # numpy reports to tracemalloc
    assert len(index) == len(urls)


def test_dupefilter_filters_a_repeat_and_keeps_jobdir(tmp_path):
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    first = CompactDupeFilter.from_crawler(crawler)
    a, b = Request("http://127.0.0.1/a?x=1&y=2"), Request("http://127.0.0.1/a?y=2&x=1")  # same canonical URL
    assert first.request_seen(a) is False
    assert first.request_seen(b) is True
    assert first.request_seen(Request("http://127.0.0.1/a", method="POST", body=b"p=1")) is False
    first.close("finished")
    again = CompactDupeFilter.from_crawler(crawler)  # a resumed job reads requests.seen back
    assert again.request_seen(a) is True and again.request_seen(Request("http://127.0.0.1/b")) is False
    again.close("finished")


def _exchange(url: str, body: bytes) -> Exchange:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body)
    return Exchange(
        url=url,
        request_bytes=b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        response_bytes=head + body,
        entity=body,
        date=warc_date(),
        head_length=len(head),
        payload_digest=digest(body),
    )


def test_dedup_reads_the_original_back_from_the_file_being_written(tmp_path):
    writer = WarcFileWriter(tmp_path, "t")
    index = DedupIndex(tmp_path)
    body = b"the same payload at two URLs"
    ref, _ = writer.write_exchange(_exchange("http://127.0.0.1/one", body))
    index.add(digest(body), ref.filename, ref.offset)
    assert (tmp_path / (ref.filename + OPEN_SUFFIX)).exists()  # not closed yet
    original = index.lookup(digest(body).lower())  # any spelling of the label
    assert (original.target_uri, original.date, original.record_id) == (
        "http://127.0.0.1/one",
        ref.date,
        ref.record_id,
    )
    assert index.lookup(digest(b"never archived")) is None
    writer.close()
    assert DedupIndex(tmp_path).lookup(digest(body)) is None  # a new index knows nothing yet
    fresh = DedupIndex(tmp_path)
    fresh.add(digest(body), ref.filename, ref.offset)
    assert fresh.lookup(digest(body)).record_id == ref.record_id  # the closed file, renamed


def test_dedup_never_points_at_a_record_with_another_digest(tmp_path):
    """A key collision or a stale index: the record read back must carry the digest looked up."""
    writer = WarcFileWriter(tmp_path, "t")
    ref, _ = writer.write_exchange(_exchange("http://127.0.0.1/one", b"payload one"))
    writer.close()
    index = DedupIndex(tmp_path)
    index.add(digest(b"payload two"), ref.filename, ref.offset)  # says two is there; the record holds one
    assert index.lookup(digest(b"payload two")) is None
    index.add(digest(b"payload three"), "missing.warc.gz", 0)
    assert index.lookup(digest(b"payload three")) is None  # unreadable: stored in full, not a revisit
