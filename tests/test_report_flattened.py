"""Cells whose boundaries were lost: split digits and lost blanks, accepted only when the checks decide."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.reports import flat_row, parse_report
from pipelines.reports.candidates import Constraint, Slot, enumerate_candidates, resolve
from pipelines.reports.checks import Relation
from pipelines.reports.rows import Token
from tests.fixtures.reports import build
from tests.fixtures.reports.specs import FLAT_AMBIGUOUS, FLAT_RECOVERED

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def fixture(spec) -> str:
    return (FIXTURES / f"{spec.slug}.txt").read_text(encoding="utf-8")


def test_fixture_files_are_the_builder_output():
    for spec in (FLAT_RECOVERED, FLAT_AMBIGUOUS):
        assert fixture(spec) == build.to_text(spec)


def test_exactly_one_split_fits_the_checks_so_it_is_recovered():
    text = fixture(FLAT_RECOVERED)
    assert "一、本年新收政府信息公开申请数量241000025" in text
    assert "000000000000000" in text
    report = parse_report(text=text)
    assert report["applications"]["rows"] == build.expected(FLAT_RECOVERED)["applications"]
    assert report["review_litigation"] == build.expected(FLAT_RECOVERED)["review_litigation"]
    assert report["doc"]["table_layout"] == "flattened"
    assert "flattened_table_recovered" in report["parser"]["warnings"]
    cells = {(c["table"], c["row"], c["col"]): c for c in report["cells"]}
    c = cells[("t3", "new_received", "natural_person")]
    assert (c["value"], c["raw"], c["recovered"], c["ambiguous"], c.get("split")) == (
        24,
        "24",
        True,
        False,
        True,
    )
    s, e = c["span"]
    assert text[s:e] == "24"  # the two digits inside the run-together token
    total = cells[("t3", "new_received", "total")]
    assert text[total["span"][0] : total["span"][1]] == "25"
    assert not cells[("t3", "partial", "total")]["recovered"]  # printed with separators: read as is
    assert flat_row(report)["recovered_cells"] == 7 * 3 + 15
    assert all(c["status"] != "fail" for c in report["checks"])


def test_several_splits_fit_so_the_disputed_cells_stay_null():
    report = parse_report(text=fixture(FLAT_AMBIGUOUS))
    rows = report["applications"]["rows"]
    for key in ("granted", "partial"):
        assert rows[key] == {
            "natural_person": None,
            "commercial": None,
            "research": None,
            "social_welfare": 0,
            "legal_service": 0,
            "other_org": 0,
            "total": 11,
        }
    amb = {(c["row"], c["col"]): c["candidates"] for c in report["cells"] if c["ambiguous"]}
    assert amb == {
        ("granted", "natural_person"): [1, 10],
        ("granted", "commercial"): [0, 1],
        ("granted", "research"): [0, 10],
        ("partial", "natural_person"): [1, 10],
        ("partial", "commercial"): [0, 1],
        ("partial", "research"): [0, 10],
    }
    assert "ambiguous_cells:6" in report["parser"]["warnings"]
    assert flat_row(report)["ambiguous_cells"] == 6
    # nothing failed: the cells are unknown, not inconsistent
    h2 = {c["scope"]: c["status"] for c in report["checks"] if c["id"] == "H2"}
    assert h2["natural_person"] == "not_assessable" and h2["total"] == "pass"


def test_prose_breaks_a_tie():
    """Section 四 printed as '1 1 1 1' (zeros dropped): H4 allows three pairs of groups; the prose
    '行政复议1件' keeps only the readings with a review, so review.total is known; the litigation
    split between 直接起诉 and 复议后起诉 stays open."""
    from tests.fixtures.reports.specs import DONGHU_2023

    text = build.to_text(DONGHU_2023)
    assert "\n1\t0\t0\t0\t1\t0\t0\t0\t1\t1\t0\t0\t0\t0\t0\n" in text
    text = text.replace("\n1\t0\t0\t0\t1\t0\t0\t0\t1\t1\t0\t0\t0\t0\t0\n", "\n1 1 1 1\n")
    report = parse_report(text=text)
    rl = report["review_litigation"]
    assert rl["review"]["total"] == 1 and rl["review"]["upheld"] is None
    assert rl["litigation_direct"]["total"] is None and rl["litigation_after_review"]["total"] is None
    silent = parse_report(text=text.replace("因政府信息公开申请行政复议1件、行政诉讼1件。", ""))
    assert silent["review_litigation"]["review"]["total"] is None


# ---------------------------------------------------------------- the machinery


def tok(raw: str, glued: bool = False) -> Token:
    return Token(raw, 0, len(raw), glued=glued)


def test_splits_without_leading_zeros():
    cands, truncated = enumerate_candidates([tok("241000025", glued=True)], 7, level=1)
    assert not truncated
    assert (24, 1, 0, 0, 0, 0, 25) in {c.values for c in cands}
    assert all(len(c.values) == 7 for c in cands)
    assert (2, 4, 10, 0, 0, 0, 25) in {c.values for c in cands}
    assert not any(p.raw.startswith("0") and len(p.raw) > 1 for c in cands for p in c.parts)


def test_lost_cells_are_placed_right_edge_first():
    cands, _ = enumerate_candidates([tok("3"), tok("1"), tok("4")], 7, level=2)
    assert cands[0].values == (0, 0, 0, 0, 3, 1, 4)
    assert cands[0].parts[0].token is None
    assert enumerate_candidates([tok("3"), tok("1"), tok("4")], 7, level=1)[0] == []


def _h3(key: str) -> Constraint:
    return Relation("H3", key, [(key, 6)], [(key, c) for c in range(6)]).constraint()


def test_resolve_accepts_a_unique_split_and_rejects_a_dubious_one():
    slots = [Slot("a", 7, [tok("2410000025", glued=True)])]
    res, _ = resolve(slots, [_h3("a")])
    # 2410000025 (the doc's example, one digit longer) has several H3 splits: 2|4|1|0|0|0|0025 is out,
    # but 24|1|0|0|0|0|25 is not among them; whatever survives must satisfy H3 or be null
    vals = res["a"].values
    if None not in vals:
        assert sum(vals[:6]) == vals[6]
    slots = [Slot("a", 7, [tok("241000025", glued=True)])]
    res, _ = resolve(slots, [_h3("a")])
    assert res["a"].values[6] == 25 and res["a"].recovered


def test_resolve_never_changes_a_printed_row():
    slots = [Slot("a", 7, [tok(x) for x in ["1", "2", "3", "0", "0", "0", "9"]])]
    res, _ = resolve(slots, [_h3("a")])
    assert res["a"].values == [1, 2, 3, 0, 0, 0, 9] and not res["a"].recovered  # fails H3, kept as printed


@pytest.mark.parametrize("blank_row", [["", "", "", "", "", "", ""], []])
def test_blank_rows(blank_row):
    tokens = [Token("", 0, 0, blank=True) for _ in blank_row]
    res, _ = resolve([Slot("a", 7, tokens)], [_h3("a")])
    assert res["a"].values == [0] * 7
    assert res["a"].recovered == (not blank_row)  # cells that vanished are read as blanks, and say so


def test_section2_split_decided_by_prose_or_the_year_before():
    """Section 二 cells have no identity inside the table: '行政规范性文件3125' splits as 3|1|25,
    3|12|5 or 31|2|5. Alone it stays ambiguous; the prose '现行有效…25件' or the previous report's
    现行有效件数 (S2: 23 + 3 - 1 = 25) leaves one split."""
    from tests.fixtures.reports.specs import DONGHU_2022, DONGHU_2023

    text = build.to_text(DONGHU_2023)
    assert "行政规范性文件\t3\t1\t25" in text
    text = text.replace("行政规范性文件\t3\t1\t25", "行政规范性文件3125")
    with_prose = parse_report(text=text)
    assert with_prose["proactive"]["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 25}
    text = text.replace("，现行有效行政规范性文件25件", "")
    alone = parse_report(text=text)
    assert alone["proactive"]["normative_documents"] == {"issued": None, "repealed": None, "in_force": None}
    amb = {c["col"]: c["candidates"] for c in alone["cells"] if c["row"] == "normative_documents"}
    assert amb == {"issued": [3, 31], "repealed": [1, 2, 12], "in_force": [5, 25]}
    prev = parse_report(html=build.to_html(DONGHU_2022))
    report = parse_report(text=text, previous=prev)
    assert report["proactive"]["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 25}
    cell = next(c for c in report["cells"] if c["row"] == "normative_documents" and c["col"] == "in_force")
    assert cell["recovered"] and cell["raw"] == "25"


@pytest.mark.parametrize("blank_zero", [False, True])
def test_vertical_table_one_cell_per_line(blank_zero):
    """A matrix printed one cell per line (as seed 002's table). With zeros printed every cell is read;
    with blank zeros the blanks vanish and the checks leave some cells open, never a wrong one."""
    from dataclasses import replace

    from tests.fixtures.reports.specs import DONGHU_2023

    spec = replace(DONGHU_2023, blank_zero=blank_zero)
    lines = []
    for line in build.to_text(spec).split("\n"):
        lines.extend(c for c in line.split("\t") if c.strip()) if "\t" in line else lines.append(line)
    report = parse_report(text="\n".join(lines))
    assert report["doc"]["table_layout"] == "vertical"
    truth = build.expected(spec)["applications"]
    got = report["applications"]["rows"]
    if not blank_zero:
        assert got == truth
    else:
        assert all(v is None or v == truth[k][c] for k, row in got.items() for c, v in row.items())
        assert all(row["total"] == truth[k]["total"] for k, row in got.items())
    assert report["review_litigation"] == build.expected(spec)["review_litigation"]


def test_section4_as_three_small_tables_of_run_together_digits():
    """Section 四 printed as three small tables (复议, 直接起诉, 复议后起诉), each row's five cells run
    together ("271091561" = 27|10|9|15|61, the 沭阳县 2025 report flattened): each group is cut where
    维持+纠正+其他+尚未审结 = 总计, the only such cut, and the cells say they were recovered. A group
    with no such cut leaves the section null with a warning, never a guess."""
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures/reports/corpus/shuyang-2025.flattened.txt").read_text("utf-8")
    assert "\n271091561\n" in text and "\n30003\n" in text and "\n801110\n" in text
    report = parse_report(text=text)
    rl = report["review_litigation"]
    assert rl["review"] == {"upheld": 27, "corrected": 10, "other": 9, "pending": 15, "total": 61}
    assert rl["litigation_direct"]["total"] == 3 and rl["litigation_after_review"]["total"] == 10
    cells = [c for c in report["cells"] if c["table"] == "t4"]
    assert len(cells) == 15 and all(c["recovered"] and c["split"] for c in cells)

    broken = parse_report(text=text.replace("\n271091561\n", "\n27109156\n"))  # a digit lost: no cut adds up
    assert broken["review_litigation"]["review"]["total"] is None
    assert any(w.startswith(("ambiguous_cells", "recovery_")) for w in broken["parser"]["warnings"])
