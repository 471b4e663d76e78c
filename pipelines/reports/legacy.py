"""Pre-2019 statistics tables: 国办 2014 统计表 (label | unit | value) and the Fujian
two-value table (本年度 | 历年累计). Every row is kept verbatim in legacy.items; the
known ones also get a stable key (matched in table order, so a label that repeats in
several sections — 被依法纠错数 — lands in its own section)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.reports import labels as L
from pipelines.reports.rows import Row, Token, assemble, rows_between
from pipelines.reports.source import Source
from pipelines.reports.textnorm import norm, parse_number

_LOOKAHEAD = 12


@dataclass
class LegacyRead:
    items: list[dict] = field(default_factory=list)
    start: int | None = None
    warnings: list[str] = field(default_factory=list)
    vertical: bool = False
    table_lines: set[int] = field(default_factory=set)


_PREFIX = re.compile(r"^(其中[:：]?)?(\(?[一二三四五六七八九十\d]{1,3}[)）]?[.、]?)?")


def _strip_unit(label: str) -> tuple[str, str | None]:
    for unit in L.LEGACY_UNITS:
        m = re.match(r"^(.*?)\s*(?:[\t ]|(?<=\)))" + unit + r"$", label)
        if m:
            return m.group(1).strip(), unit
    return label, None


_HEADER_MAX = 24  # a table header cell or row; prose quoting 历年累计 / 统计指标 is longer


def _start(source: Source, pattern: str) -> int | None:
    for i, ln in enumerate(source.lines):
        n = norm(ln.text)
        if re.search(pattern, n) and (ln.in_table or len(n) <= _HEADER_MAX):
            return i
    return None


def _match(items: list[tuple[str, str]], cursor: int, label: str) -> int | None:
    key_text = _PREFIX.sub("", norm(label))
    for j in range(cursor, min(cursor + _LOOKAHEAD, len(items))):
        if re.search(items[j][1], key_text):
            return j
    return None


def _cell(tok: Token | None) -> dict:
    if tok is None:
        return {"raw": None, "value": None, "blank": False, "span": None, "loc": None}
    return {
        "raw": tok.raw,
        "value": parse_number(tok.raw) if tok.raw else 0,
        "blank": tok.blank,
        "span": [tok.start, tok.end] if tok.start >= 0 else None,
        "loc": tok.loc,
    }


def read_national(source: Source) -> LegacyRead:
    start = _start(source, r"统计指标")
    if start is None:
        start = _start(source, L.LEGACY_NATIONAL_START)
    if start is None:
        return LegacyRead(warnings=["legacy_table_not_found"])
    rows = assemble(rows_between(source, start + 1, len(source.lines)), lambda r: 1 if r.label else 0)
    items: list[dict] = []
    cursor = 0
    for row in rows:
        if not row.label or not row.tokens:
            continue
        label, unit = _strip_unit(row.label)
        value_tokens = [t for t in row.tokens if not t.blank]
        if unit is None and not value_tokens:
            continue  # a section header such as 一、主动公开情况
        tok = row.tokens[-1]
        j = _match(L.LEGACY_NATIONAL_ITEMS, cursor, label)
        key = None
        if j is not None:
            key = L.LEGACY_NATIONAL_ITEMS[j][0]
            cursor = j + 1
        cell = _cell(tok)
        items.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "value": cell["value"],
                "cumulative": None,
                "raw": cell["raw"],
                "blank": cell["blank"],
                "span": cell["span"],
                "loc": cell["loc"],
            }
        )
    lines = {r.line for r in rows if r.tokens}
    return LegacyRead(
        items, start, [] if items else ["legacy_table_empty"], any(r.continued for r in rows), lines
    )


def read_fujian(source: Source) -> LegacyRead:
    start = _start(source, L.LEGACY_FUJIAN_START)
    if start is None:
        return LegacyRead(warnings=["legacy_table_not_found"])
    rows: list[Row] = assemble(
        rows_between(source, start + 1, len(source.lines)), lambda r: 2 if r.label else 0
    )
    items: list[dict] = []
    cursor = 0
    for row in rows:
        if not row.label or not row.tokens:
            continue
        label, unit = _strip_unit(row.label)
        j = _match(L.LEGACY_FUJIAN_ITEMS, cursor, label)
        key = None
        if j is not None:
            key = L.LEGACY_FUJIAN_ITEMS[j][0]
            cursor = j + 1
        this_year = _cell(row.tokens[0])
        cumulative = _cell(row.tokens[1]) if len(row.tokens) > 1 else _cell(None)
        items.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "value": this_year["value"],
                "cumulative": cumulative["value"],
                "raw": this_year["raw"],
                "raw_cumulative": cumulative["raw"],
                "blank": this_year["blank"],
                "span": this_year["span"],
                "span_cumulative": cumulative["span"],
                "loc": this_year["loc"],
            }
        )
    lines = {r.line for r in rows if r.tokens}
    return LegacyRead(
        items, start, [] if items else ["legacy_table_empty"], any(r.continued for r in rows), lines
    )
