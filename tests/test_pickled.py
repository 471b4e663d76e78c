"""pipelines/pickled.py: the on-disk list annual reports wait in until the cross-year pass."""

from __future__ import annotations

import os

import pytest

from pipelines.pickled import Concatenated, PickledLog


def test_items_come_back_by_position_and_in_order(tmp_path):
    items = [
        {"n": i, "text": "报告" * (i * 997 % 40_000)} for i in range(60)
    ]  # some bigger than the read-ahead
    with PickledLog(directory=tmp_path) as log:
        for item in items:
            log.append(item)
        assert len(log) == 60
        assert list(log) == items
        assert log[37] == items[37] and log[-1] == items[-1] and log[5:8] == items[5:8]
        assert list(log) == items  # iterating again
    assert os.listdir(tmp_path) == []  # anonymous: nothing left behind


def test_another_process_reads_a_named_log_and_a_cut_last_item_is_left_out(tmp_path):
    path = tmp_path / "shard-0.reports"
    with PickledLog(path) as log:
        for i in range(10):
            log.append(("row", i))
    with open(path, "ab") as fh:  # a writer killed in the middle of an item
        fh.write(b"\x40\x00\x00\x00\x00\x00\x00\x00partial")
    with PickledLog.read(path) as read_back:
        assert list(read_back) == [("row", i) for i in range(10)]
        read_back.append(("row", 10))  # appends after the last whole item
        assert read_back[10] == ("row", 10) and len(read_back) == 11


def test_logs_of_several_processes_read_as_one(tmp_path):
    logs = []
    for part, size in enumerate((3, 0, 4)):  # an empty log in the middle: a process that found no report
        log = PickledLog(tmp_path / f"shard-{part}.reports")
        for i in range(size):
            log.append((part, i))
        logs.append(log)
    both = Concatenated(logs)
    expected = [(0, 0), (0, 1), (0, 2), (2, 0), (2, 1), (2, 2), (2, 3)]
    assert len(both) == 7 and list(both) == expected
    assert [both[i] for i in range(7)] == expected and both[-1] == (2, 3) and both[2:4] == expected[2:4]
    with pytest.raises(IndexError):
        both[7]
    for log in logs:
        log.close()
