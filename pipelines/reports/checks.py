"""The formats' own arithmetic (annual-reports.md §6, §11), recorded, never applied.

Every relation is a linear identity lhs = rhs over table cells (plus a
constant, for the cross-year ones). The same relations drive the recovery of
flattened cells (candidates.py) and the checks written into the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipelines.reports import labels as L
from pipelines.reports.candidates import Constraint

Ref = tuple[str, int]  # (row key, column index) inside one table
_EPS = 1e-6


@dataclass
class Relation:
    id: str
    scope: str
    lhs: list[Ref]
    rhs: list[Ref]
    kind: str = "hard"  # hard | soft
    lhs_const: float = 0
    rhs_const: float = 0
    note: str | None = None
    alternatives: list[list[Ref]] = field(
        default_factory=list
    )  # other acceptable rhs (prose: new or new+carried)

    @property
    def keys(self) -> frozenset[str]:
        refs = self.lhs + self.rhs + [r for alt in self.alternatives for r in alt]
        return frozenset(k for k, _ in refs)

    def _sum(self, refs: list[Ref], values: dict[str, tuple], const: float) -> float | None:
        total = const
        for key, col in refs:
            row = values.get(key)
            v = row[col] if row is not None else None
            if v is None:
                return None
            total += v
        return total

    def sides(self, values: dict[str, tuple]) -> tuple[float | None, float | None]:
        lhs = self._sum(self.lhs, values, self.lhs_const)
        rhs = self._sum(self.rhs, values, self.rhs_const)
        if lhs is not None and self.alternatives and (rhs is None or abs(lhs - rhs) > _EPS):
            for alt in self.alternatives:
                a = self._sum(alt, values, self.rhs_const)
                if a is not None and abs(lhs - a) <= _EPS:
                    return lhs, a
        return lhs, rhs

    def holds(self, values: dict[str, tuple]) -> bool | None:
        lhs, rhs = self.sides(values)
        if lhs is None or rhs is None:
            return None
        return abs(lhs - rhs) <= _EPS

    def constraint(self) -> Constraint:
        linear = None if self.alternatives else (self.lhs, self.rhs, self.lhs_const, self.rhs_const)
        return Constraint(self.keys, self.holds, soft=self.kind == "soft", linear=linear)

    def result(self, values: dict[str, tuple]) -> dict:
        lhs, rhs = self.sides(values)
        ok = self.holds(values)
        status = "not_assessable" if ok is None else ("pass" if ok else "fail")
        out = {
            "id": self.id,
            "scope": self.scope,
            "status": status,
            "kind": self.kind,
            "lhs": _num(lhs),
            "rhs": _num(rhs),
        }
        if self.note:
            out["note"] = self.note
        return out


def _num(v: float | None) -> int | float | None:
    if v is None:
        return None
    return round(v) if abs(v - round(v)) <= _EPS else round(v, 6)


# ---------------------------------------------------------------- within one report


def matrix_relations(fmt: str, present: set[str]) -> list[Relation]:
    """H1, H2 per column; H3 per row."""
    cols = L.MATRIX_COLUMNS
    rows = L.MATRIX_ROW_KEYS[fmt]
    results = [
        k for k in rows if k not in ("new_received", "carried_over", "processed_total", "carried_forward")
    ]
    if (
        fmt == "gb2021"
        and not {"other.no_correction", "other.unpaid_fee", "other.other"} & present
        and "other" in present
    ):
        # a 2019-shaped (六) row printed in a 2021 report
        results = [k for k in results if not k.startswith("other.")] + ["other"]
    rels: list[Relation] = []
    for c, col in enumerate(cols):
        rels.append(
            Relation(
                "H1",
                col,
                [("new_received", c), ("carried_over", c)],
                [("processed_total", c), ("carried_forward", c)],
            )
        )
    for c, col in enumerate(cols):
        rels.append(Relation("H2", col, [("processed_total", c)], [(k, c) for k in results]))
    for key in [*rows, *(["other"] if "other" in present and "other" not in rows else [])]:
        rels.append(Relation("H3", key, [(key, 6)], [(key, c) for c in range(6)]))
    return rels


def review_relations() -> list[Relation]:
    """H4: each of the three groups sums to its 总计 (one 15-cell row)."""
    rels = []
    for g, group in enumerate(L.REVIEW_GROUPS):
        base = g * 5
        rels.append(
            Relation(
                "H4",
                group,
                [("review_litigation", base + 4)],
                [("review_litigation", base + i) for i in range(4)],
            )
        )
    return rels


def nonnegative(cells: list[dict], tables: tuple[str, ...]) -> list[dict]:
    """H5: counts are non-negative integers (本年增/减 may be negative; money is decimal)."""
    out = []
    for table in tables:
        mine = [c for c in cells if c["table"] == table and c.get("value") is not None]
        if not mine:
            out.append(
                {
                    "id": "H5",
                    "scope": table,
                    "status": "not_assessable",
                    "kind": "hard",
                    "lhs": None,
                    "rhs": None,
                }
            )
            continue
        bad = []
        for c in mine:
            kind = c.get("kind", "count")
            v = c["value"]
            if kind == "money":
                ok = v >= 0
            elif kind == "signed":
                ok = float(v).is_integer()
            else:
                ok = float(v).is_integer() and v >= 0
            if not ok:
                bad.append(f"{c['row']}.{c['col']}={c.get('raw')}")
        out.append(
            {
                "id": "H5",
                "scope": table,
                "status": "fail" if bad else "pass",
                "kind": "hard",
                "lhs": len(mine) - len(bad),
                "rhs": len(mine),
                **({"cells": bad} if bad else {}),
            }
        )
    return out


def legacy_national_relations() -> list[Relation]:
    """S5: the 2014 table's own sums."""
    return [
        Relation("S5", total, [(total, 0)], [(p, 0) for p in parts], kind="soft")
        for total, parts in L.LEGACY_NATIONAL_SUMS
    ]


# ---------------------------------------------------------------- across years (same organ)

Getter = Callable[[str, str], float | None]


def _prev_matrix(prev: dict, row: str, col: str) -> float | None:
    try:
        return prev["applications"]["rows"][row][col]
    except (KeyError, TypeError):
        return None


def _prev_t2(prev: dict, row: str, col: str) -> float | None:
    try:
        return prev["proactive"][row][col]
    except (KeyError, TypeError):
        return None


def cross_year(fmt: str, prev: dict | None, year: int | None) -> tuple[list[Relation], list[dict], list[str]]:
    """(relations over this report's cells with the previous values as constants,
    fixed results for what cannot be assessed, warnings)."""
    if prev is None:
        return [], [], []
    pdoc = prev.get("doc") or {}
    pfmt, pyear = pdoc.get("format"), pdoc.get("report_year")
    warnings: list[str] = []
    if year is not None and pyear is not None and pyear != year - 1:
        return (
            [],
            [
                {
                    "id": "S",
                    "scope": "previous",
                    "status": "not_assessable",
                    "kind": "soft",
                    "lhs": pyear,
                    "rhs": year - 1,
                    "note": "previous report is not for the year before",
                }
            ],
            ["previous_not_year_before"],
        )
    rels: list[Relation] = []
    fixed: list[dict] = []
    if fmt in ("gb2019", "gb2021") and pfmt in ("gb2019", "gb2021"):
        for c, col in enumerate(L.MATRIX_COLUMNS):
            pv = _prev_matrix(prev, "carried_forward", col)
            if pv is None:
                fixed.append(
                    {
                        "id": "S1",
                        "scope": col,
                        "status": "not_assessable",
                        "kind": "soft",
                        "lhs": None,
                        "rhs": None,
                    }
                )
            else:
                rels.append(
                    Relation(
                        "S1",
                        col,
                        [("carried_over", c)],
                        [],
                        kind="soft",
                        rhs_const=pv,
                        note="t3: carried_over(Y) = carried_forward(Y-1)",
                    )
                )
    if fmt == "gb2021":
        for row in ("regulations", "normative_documents"):
            pv = _prev_t2(prev, row, "in_force") if pfmt == "gb2021" else None
            if pv is None:
                note = (
                    "previous report is gb2019: 对外公开总数量 is not 现行有效件数"
                    if pfmt == "gb2019"
                    else None
                )
                fixed.append(
                    {
                        "id": "S2",
                        "scope": row,
                        "status": "not_assessable",
                        "kind": "soft",
                        "lhs": None,
                        "rhs": None,
                        **({"note": note} if note else {}),
                    }
                )
            else:
                # in_force(Y) + repealed(Y) = in_force(Y-1) + issued(Y)
                rels.append(
                    Relation(
                        "S2",
                        row,
                        [(row, 2), (row, 1)],
                        [(row, 0)],
                        kind="soft",
                        rhs_const=pv,
                        note="t2: in_force(Y) = in_force(Y-1) + issued(Y) - repealed(Y)",
                    )
                )
    if fmt == "gb2019" and pfmt == "gb2019":
        for row in ("licensing", "other_mgmt_services", "penalty", "coercion", "fees"):
            a, b = _prev_t2(prev, row, "prev_items"), _prev_t2(prev, row, "change")
            if a is None or b is None:
                fixed.append(
                    {
                        "id": "S3",
                        "scope": row,
                        "status": "not_assessable",
                        "kind": "soft",
                        "lhs": None,
                        "rhs": None,
                    }
                )
            else:
                rels.append(
                    Relation(
                        "S3",
                        row,
                        [(row, 0)],
                        [],
                        kind="soft",
                        rhs_const=a + b,
                        note="t2: prev_items(Y) = prev_items(Y-1) + change(Y-1)",
                    )
                )
    return rels, fixed, warnings


def fujian_cross_year(items: list[dict], prev: dict | None, year: int | None = None) -> list[dict]:
    """S4: this_year <= cumulative; cumulative(Y) = cumulative(Y-1) + this_year(Y)."""
    out = []
    for it in items:
        if it.get("key") and it["value"] is not None and it.get("cumulative") is not None:
            ok = it["value"] <= it["cumulative"]
            out.append(
                {
                    "id": "S4",
                    "scope": f"{it['key']}:this_year<=cumulative",
                    "status": "pass" if ok else "fail",
                    "kind": "soft",
                    "lhs": it["value"],
                    "rhs": it["cumulative"],
                }
            )
    if prev is None:
        return out
    pyear = (prev.get("doc") or {}).get("report_year")
    if year is not None and pyear is not None and pyear != year - 1:
        out.append(
            {
                "id": "S4",
                "scope": "previous",
                "status": "not_assessable",
                "kind": "soft",
                "lhs": pyear,
                "rhs": year - 1,
                "note": "previous report is not for the year before",
            }
        )
        return out
    prev_items = {i.get("key"): i for i in ((prev.get("legacy") or {}).get("items") or []) if i.get("key")}
    for it in items:
        p = prev_items.get(it.get("key"))
        if p is None or it.get("cumulative") is None:
            continue
        if p.get("cumulative") is None or it["value"] is None:
            status, rhs = "not_assessable", None
        else:
            rhs = p["cumulative"] + it["value"]
            status = "pass" if abs(it["cumulative"] - rhs) <= _EPS else "fail"
        out.append(
            {
                "id": "S4",
                "scope": it["key"],
                "status": status,
                "kind": "soft",
                "lhs": it["cumulative"],
                "rhs": rhs,
                "note": "cumulative(Y) = cumulative(Y-1) + this_year(Y)",
            }
        )
    return out
