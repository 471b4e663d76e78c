"""The 2019/2021 national format: section 二 tables, the section 三 matrix, section 四.

Readers only locate rows and collect their value tokens (rows.py); turning
tokens into numbers, including recovery of lost cell boundaries, happens in
candidates.resolve under the checks of checks.py.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from pipelines.reports import labels as L
from pipelines.reports.candidates import Slot
from pipelines.reports.rows import Row, Token, rows_between
from pipelines.reports.source import Source
from pipelines.reports.textnorm import norm

_MAX_ROW_LABEL = 48  # a matrix row label; longer lines are prose that happen to mention one
# a label line that starts a new item ("4.保护…", "(五)…", "三、…"), not the wrapped rest of one
_NUMBERED = re.compile(r"^(\(?[一二三四五六七八九十]{1,3}[)、]|\d{1,2}[.、])")
_PREFIX = re.compile(r"^(\(?[一二三四五六七八九十\d]{1,3}[)）]?[.、]?)")


@dataclass
class GbRead:
    t2: list[Slot] = field(default_factory=list)
    t3: list[Slot] = field(default_factory=list)
    t4: Slot | None = None
    units: dict[str, str] = field(default_factory=dict)  # t2 money unit by row key
    table_lines: set[int] = field(default_factory=set)
    vertical: bool = False
    warnings: list[str] = field(default_factory=list)
    displaced: set[str] = field(default_factory=set)  # t3 rows whose figures came under no label


def _norms(source: Source) -> list[str]:
    return [norm(ln.text) for ln in source.lines]


def read(source: Source, fmt: str) -> GbRead:
    out = GbRead()
    norms = _norms(source)
    m_row = next(
        (
            i
            for i, n in enumerate(norms)
            if "本年新收" in n
            and (source.lines[i].in_table or len(re.sub(r"[\d\s]", "", n)) <= _MAX_ROW_LABEL)
        ),
        None,
    )
    m_head = next((i for i, n in enumerate(norms) if re.search(L.MATRIX_START, n)), None)
    if m_row is None and m_head is None:
        out.warnings.append("matrix_not_found")
        m_start = len(norms)
    elif m_row is None or (m_head is not None and m_head < m_row and m_row - m_head <= 12):
        m_start = m_head if m_head is not None else len(norms)
    else:
        m_start = m_row
    s2 = next((i for i, n in enumerate(norms[:m_start]) if "第二十条" in n), None)
    if s2 is None:
        s2 = next((i for i, n in enumerate(norms[:m_start]) if re.search(L.SEC2_START, n)), None)
    if s2 is not None:
        _read_sec2(source, s2, m_start, fmt, out)
    else:
        out.warnings.append("section2_not_found")
        out.t2 = [
            Slot(k, len(cols), None, tuple(kind for _, kind in cols))
            for k, cols in L.SEC2_COLUMNS[fmt].items()
        ]
    m_end = _read_matrix(source, m_start, fmt, out) if m_start < len(norms) else len(norms)
    if m_start >= len(norms):
        out.t3 = [Slot(k, 7, None) for k in L.MATRIX_ROW_KEYS[fmt]]
    _read_review(source, m_end, out)
    return out


# ---------------------------------------------------------------- section 二


def _sec2_key(row: Row) -> str | None:
    for text in (row.last, row.norm):
        t = _PREFIX.sub("", text)
        for key, pattern in L.SEC2_ROWS:
            if re.search(pattern, t):
                return key
    return None


def _read_sec2(source: Source, start: int, end: int, fmt: str, out: GbRead) -> None:
    columns = L.SEC2_COLUMNS[fmt]
    found: dict[str, Row] = {}
    current: Row | None = None
    current_key = ""
    amount_unit: str | None = None
    for row in rows_between(source, start, end):
        if row.label:
            key = _sec2_key(row)
            if key is None:
                m = re.search(r"(?:金额|单位)[^万元]{0,6}?" + L.MONEY_UNIT, row.norm)
                if m:
                    amount_unit = m.group(1)
                current = None
                if (
                    row.tokens
                    and any(not t.blank for t in row.tokens)
                    and re.search(r"第二十条|信息内容", row.norm) is None
                ):
                    out.warnings.append(f"unmatched_row:t2:{row.label[:20]}")
                continue
            out.table_lines.add(row.line)
            if key not in columns:
                out.warnings.append(f"row_not_in_format:t2:{key}")
                current = None
                continue
            if key in found and found[key].tokens:
                out.warnings.append(f"duplicate_row:t2:{key}")
                current = None
                continue
            found[key] = row
            current, current_key = row, key
            if amount_unit and any(kind == "money" for _, kind in columns[key]):
                out.units[key] = amount_unit
        elif current is not None and len(current.tokens) < len(columns[current_key]):
            out.table_lines.add(row.line)
            current.tokens = current.tokens + row.tokens
            current.continued = True
            out.vertical = True
    for key, cols in columns.items():
        row = found.get(key)
        tokens = _dedupe_merged(row.tokens, len(cols)) if row else None
        for t in tokens or []:
            if t.unit in ("元", "万元"):
                out.units[key] = t.unit
        out.t2.append(Slot(key, len(cols), tokens, tuple(kind for _, kind in cols)))
    if fmt == "gb2021":
        out.units.setdefault("fees", "万元")  # the format fixes 本年收费金额（单位：万元）


def _dedupe_merged(tokens: list[Token], width: int) -> list[Token]:
    """A cell merged across columns is repeated by some DOCX readers: '350\t350\t350' for one value."""
    if width == 1 and len(tokens) > 1:
        non_blank = [t for t in tokens if not t.blank]
        if non_blank and len({t.raw for t in non_blank}) == 1:
            return [non_blank[0]]
    return tokens


# ---------------------------------------------------------------- section 三


def _matrix_key(row: Row, category: str | None) -> str | None:
    for text in (row.last, row.norm):
        if not text:
            continue
        for key, pattern, _cat in L.MATRIX_ROWS:
            if key == "other.other" and category != "other":
                continue
            if re.search(pattern, text):
                return key
    return None


def _key_by_position(row: Row, category: str | None, fmt: str, found: dict) -> str | None:
    """A numbered sub-row whose wording matches no label ("2.其他法律行政止公开", a real typo):
    the template fixes the order of a category's sub-rows, so its number names the row, when
    that row is still missing and the row prints values."""
    m = re.match(r"^\(?(\d{1,2})\)?[.、]", row.last or row.norm)
    if category is None or m is None or not row.tokens:
        return None
    subrows = [k for k in L.MATRIX_ROW_KEYS[fmt] if k.startswith(category + ".")]
    n = int(m.group(1))
    if not 1 <= n <= len(subrows) or subrows[n - 1] in found:
        return None
    return subrows[n - 1]


def _oldest_waiting(waiting: list[Row], current: Row | None) -> Row:
    """The row a whole row of figures belongs to when several labels still wait for theirs:
    PDF-to-Markdown converters print the labels of several rows first and their figures after.
    Figures that do not follow their own label are marked displaced (kept only if H1/H2 hold)."""
    row = waiting[0]
    if row is not current:
        row.extra["displaced"] = True
    return row


def _is_matrix_header(row: Row) -> bool:
    return bool(re.search(L.MATRIX_HEADER, row.norm)) and not any(not t.blank for t in row.tokens)


def _read_matrix(source: Source, start: int, fmt: str, out: GbRead) -> int:
    keys = L.MATRIX_ROW_KEYS[fmt]
    found: dict[str, Row] = {}
    headers: list[Row] = []
    category: str | None = None
    current: Row | None = None
    closing = False
    end = len(source.lines)
    prefix = ""  # unmatched label lines: the start of a label wrapped over several lines (PDF)
    pending: list[Row] = []  # labelled rows still waiting for their figures, oldest first
    for row in rows_between(source, start, len(source.lines)):
        if closing and (row.label or current is None or len(current.tokens) >= 7):
            end = row.line
            break
        if row.label and len(row.norm) > _MAX_ROW_LABEL + 20 and not row.in_table:
            end = row.line  # prose after the table
            break
        if row.label and _is_matrix_header(row):
            headers.append(row)
            out.table_lines.add(row.line)
            current, prefix = None, ""
            continue
        if row.label and re.search(r"行政复议|行政诉讼|行政法复议", row.norm):
            end = row.line
            break
        waiting = [r for r in pending if not r.tokens]
        if not row.label:
            tokens = row.tokens
            while tokens and tokens[-1].blank and not row.html:
                tokens = tokens[:-1]  # empty cells a text rendering pads a short row with
            row.tokens = tokens
            target = current
            if len(row.tokens) >= 7 and waiting:
                target = _oldest_waiting(waiting, current)  # a whole row of figures under no label
            elif target is not None and 0 < len(target.tokens) < 7 and len(row.tokens) >= 7:
                # a whole row of figures never continues a partial one: what the partial row
                # took was a stray number (a page number inside the table)
                out.warnings.append(f"stray_values:t3:line{target.line}")
                target.tokens = []
            if target is not None and len(target.tokens) < 7:
                take = 7 - len(target.tokens)
                target.tokens = target.tokens + row.tokens[:take]
                target.continued = True
                out.vertical = out.vertical or not row.html
                out.table_lines.add(row.line)
            elif any(not t.blank for t in row.tokens):
                out.warnings.append(f"stray_values:t3:line{row.line}")
            continue
        out.table_lines.add(row.line)
        new_category = None
        for cat, pattern in L.MATRIX_CATEGORIES:
            if re.search(pattern, row.norm):
                new_category = cat
        category = new_category or category
        key = _matrix_key(row, category)
        if key is None and prefix:
            key = _matrix_key(replace(row, norm=prefix + row.norm, last=prefix + row.last), category)
        if key == "processed_total" and not any(k in found for k in ("granted", "partial")):
            key = None  # 总计 among the column headers, not the (七)总计 row
        if key is None:
            key = _key_by_position(row, category, fmt, found)
            if key is not None:
                out.warnings.append(f"row_by_position:t3:{key}")
        if key is None:
            starts_new = _NUMBERED.match(row.norm) is not None
            if waiting and len(row.tokens) >= 7 and not starts_new:
                # the rest of a wrapped label, then its values: the oldest label waiting for them
                _oldest_waiting(waiting, current).tokens = list(row.tokens)
                prefix = ""
                continue
            if current is not None and not current.tokens and not starts_new:
                if row.tokens:
                    current.tokens = list(row.tokens)  # the rest of a wrapped label, then its values
                    prefix = ""
                continue  # more of the label
            current = None
            if any(not t.blank for t in row.tokens):
                out.warnings.append(f"unmatched_row:t3:{row.label[:24]}")
                prefix = ""
            elif new_category or row.tokens:
                prefix = ""
            else:
                prefix = row.norm if starts_new else prefix + row.norm
            continue
        prefix = ""
        # a sub-row names its category: "3.其他" after "2.…缴纳费用…" is (六)3 even where the
        # category's own heading was lost or reworded ("(六) 其他")
        category = dict((k, c) for k, _p, c in L.MATRIX_ROWS)[key]
        if key in found and found[key].tokens:
            if row.tokens:
                out.warnings.append(f"duplicate_row:t3:{key}")
            current = None
            continue
        if key in found and not row.tokens and found[key] is current:
            continue  # the label's second line names the same row ("…确认或" / "重新出具…")
        found[key] = row
        current = row
        if not row.tokens and not (key == "other" and fmt == "gb2021"):  # (六)'s heading holds no figures
            pending.append(row)
        if key == "carried_forward":
            closing = True
    else:  # the text ends inside the table (a cut copy): labels after the last figures are not blanks
        if found:
            out.warnings.append("text_ends_in_table:t3")
        last = max((r.line for r in found.values() if r.tokens), default=-1)
        for key in [k for k, r in found.items() if not r.tokens and r.line > last]:
            del found[key]
            out.warnings.append(f"text_ends_in_table:t3:{key}")
    if fmt == "gb2021" and "other" in found and not found["other"].tokens:
        del found["other"]  # (六)其他处理 is only the heading of its three sub-rows in gb2021
    for key in found:
        if key not in keys and key != "other":
            out.warnings.append(f"row_not_in_format:t3:{key}")
    _header_variants(headers, out)
    # columns are taken in the order every template prints them (自然人 … 其他, 总计)
    for key in [*keys, *(["other"] if "other" in found and "other" not in keys else [])]:
        row = found.get(key)
        tokens = row.tokens if row else None
        if row and not tokens:
            tokens = []  # label printed, every cell lost: blanks dropped by the text layer
        out.t3.append(Slot(key, 7, tokens))
        if row is not None and row.extra.get("displaced"):
            out.displaced.add(key)
    return end


def _header_variants(headers: list[Row], out: GbRead) -> None:
    for row in headers:
        for m in re.finditer(L.COLUMN_HEADER, row.norm):
            if m.group(0) not in L.CANONICAL_HEADERS:
                out.warnings.append(f"label_variant:{m.group(0)}")
    out.warnings[:] = list(dict.fromkeys(out.warnings))


# ---------------------------------------------------------------- section 四


def _read_review(source: Source, start: int, out: GbRead) -> None:
    tokens: list[Token] = []
    groups: list[list[Token]] = [[]]  # tokens per small table, when the three groups are printed apart
    header_seen = False
    for row in rows_between(source, start, len(source.lines)):
        n = row.norm
        if row.label and re.match(r"^[五六七]、", n):
            break
        if row.label and re.search(L.REVIEW_HEADER, n) and not any(not t.blank for t in row.tokens):
            header_seen = True
            if not re.match(r"^[一二三四五六七八九十]、", n):  # the section heading is not a table line
                out.table_lines.add(row.line)
            # a header after a whole group of five (or after glued digits, whose cells cannot be
            # counted) opens the next group's own small table; after a partial group, the table ended
            group = groups[-1]
            whole = (
                not group  # a header of the group just opened
                or len(tokens) % 5 == 0
                or any(t.glued for t in tokens)
                or (
                    len(group) == 1 and group[0].digits_only and len(group[0].raw) >= 5
                )  # 5 cells run together
            )
            if tokens and (len(tokens) >= 15 or not whole):
                break
            if group:
                groups.append([])
            continue  # the next group's own small table (复议, 直接起诉, 复议后起诉 apart)
        if not header_seen:
            continue
        if row.label and len(n) > 12 and not row.in_table:
            if tokens:
                break
            continue
        if row.tokens:
            out.table_lines.add(row.line)
            tokens.extend(row.tokens)
            groups[-1].extend(row.tokens)
            if not row.html and len(row.tokens) == 1 and len(tokens) > 1:
                out.vertical = True
        if len(tokens) >= 15:
            break
    if len(groups) == 3 and all(len(g) == 1 for g in groups):
        split = [_split_group(g[0]) for g in groups]
        if all(split):
            tokens = [t for g in split for t in g]
    out.t4 = Slot("review_litigation", 15, tokens or None)
    if not header_seen:
        out.warnings.append("section4_not_found")


def _split_group(token: Token) -> list[Token] | None:
    """One group of section 四 printed as its own small table whose five cells ran together
    ("271091561"): the only cut into five numbers where 维持+纠正+其他+尚未审结 = 总计, else None."""
    digits = token.raw
    if not (token.digits_only and 5 <= len(digits) <= 15):
        return None
    found = []
    for cuts in itertools.combinations(range(1, len(digits)), 4):
        parts = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, len(digits)), strict=True)]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        values = [int(p) for p in parts]
        if sum(values[:4]) == values[4]:
            found.append((cuts, parts))
    if len(found) != 1:
        return None
    cuts, parts = found[0]
    return [
        replace(
            token, raw=part, start=token.start + a, end=token.start + a + len(part), glued=False, split=True
        )
        for a, part in zip((0, *cuts), parts, strict=True)
    ]
