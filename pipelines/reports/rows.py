"""Lines → rows: a label and the value tokens that follow it.

A row's values are the cells after its last label cell, plus numbers left at
the end of that label cell: separated by spaces ("数量 24 1 0") or run into the
label ("数量2410000025", a *glued* token whose digits may hold several cells).
Empty cells and dashes are blanks (= 0, and recorded as blank).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pipelines.reports.source import Line, Source
from pipelines.reports.textnorm import norm

# Full-width digits and signs → ASCII, one char for one char (offsets stay valid).
_HALF = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")
BLANK_MARKS = frozenset({"", "-", "—", "——", "–", "/", "／", "无", "－", "\\"})
_VALUE_CELL = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)\s*(万元|元|件|条|个|项|次|人)?$")
_TRAILING = re.compile(r"([+-]?\d+(?:\.\d+)?)(\s*(?:万元|元))?\s*$")
# characters after which a trailing number is still its own cell (not run into a label)
_SEPARATORS = " \t:：|"


@dataclass
class Token:
    raw: str  # digits as printed ("" for a blank cell)
    start: int
    end: int
    loc: dict | None = None
    blank: bool = False
    glued: bool = False  # digits ran into the label: cell boundaries may be lost
    split: bool = False  # cut out of a run of digits by the format's arithmetic (a recovered cell)
    unit: str | None = None

    @property
    def digits_only(self) -> bool:
        return self.raw.isdigit()


@dataclass
class Row:
    label: str  # label cells joined, as printed
    norm: str  # normalised label
    last: str  # normalised last label cell
    tokens: list[Token]
    line: int  # index into Source.lines
    html: bool = False
    in_table: bool = False
    continued: bool = False  # values came from following lines (vertical layout)
    extra: dict = field(default_factory=dict)


def value_cell(text: str) -> tuple[str, str | None] | None:
    """(digits, unit) if the cell holds one value or a blank mark, else None."""
    t = text.translate(_HALF).strip()
    if t in BLANK_MARKS:
        return "", None
    m = _VALUE_CELL.match(t)
    if not m:
        return None
    return m.group(1).replace(",", ""), m.group(2)


def _split_trailing(text: str, start: int) -> tuple[str, list[Token]]:
    """Split numbers off the end of a label cell."""
    t = text.translate(_HALF)
    tokens: list[Token] = []
    end = len(t.rstrip())
    while True:
        m = _TRAILING.search(t, 0, end)
        if not m:
            break
        s = m.start(1)
        prev = t[s - 1] if s else ""
        unit = (m.group(2) or "").strip() or None
        if not prev:  # the whole cell is numbers
            tokens.insert(0, Token(m.group(1), start + s, start + m.end(1), unit=unit))
            end = 0
            break
        glued = prev not in _SEPARATORS and not prev.isspace()
        tokens.insert(0, Token(m.group(1), start + s, start + m.end(1), glued=glued, unit=unit))
        end = len(t[:s].rstrip())
        if glued:
            break
    return text[:end].strip(), tokens


def line_row(source: Source, index: int) -> Row:
    line: Line = source.lines[index]
    cells = [c for c in line.cells if not c.covered]
    last_label = -1
    for i, c in enumerate(cells):
        if c.text and value_cell(c.text) is None:
            last_label = i
    label_parts = [c.text for c in cells[: max(last_label, 0)] if c.text]  # none before no label
    tokens: list[Token] = []
    last_text = ""
    if last_label >= 0:
        cell = cells[last_label]
        last_text, tokens = _split_trailing(cell.text, cell.start)
        for t in tokens:
            t.loc = cell.loc
        if last_text:
            label_parts.append(last_text)
    for c in cells[last_label + 1 :]:
        digits, unit = value_cell(c.text) or ("", None)
        # nobody prints a count with a leading zero: "000000000000000" is fifteen cells run together
        glued = len(digits) > 1 and digits.isdigit() and digits[0] == "0"
        tokens.append(
            Token(
                digits,
                c.start,
                c.end if digits else c.start,
                loc=c.loc,
                blank=not digits,
                glued=glued,
                unit=unit,
            )
        )
    label = " ".join(label_parts)
    return Row(
        label, norm(label), norm(last_text), tokens, index, html=source.kind == "html", in_table=line.in_table
    )


def rows_between(source: Source, start: int, end: int) -> list[Row]:
    return [line_row(source, i) for i in range(start, min(end, len(source.lines)))]


def assemble(rows: list[Row], width: Callable[[Row], int]) -> list[Row]:
    """Join value-only lines to the labelled row above while it still lacks values.

    This reads vertical tables (one cell per line, seed 002) and rows whose
    numbers wrapped onto the next line.
    """
    out: list[Row] = []
    for row in rows:
        if not row.label and not any(not t.blank for t in row.tokens) and not row.html:
            continue
        prev = out[-1] if out else None
        if not row.label and prev is not None and prev.label and len(prev.tokens) < width(prev):
            take = width(prev) - len(prev.tokens)
            prev.tokens = prev.tokens + row.tokens[:take]
            prev.continued = True
            rest = row.tokens[take:]
            if rest:
                out.append(replace(row, tokens=rest))
            continue
        out.append(replace(row, tokens=list(row.tokens)))
    return out
