"""One model for every input: a text with lines, each line a list of cells.

Plain text (and text read from PDF/DOCX attachments) gives one cell per
tab-separated field. HTML is rendered to text the same way, but from the real
table grid: rowspan/colspan are expanded so that a spanned slot is a *covered*
placeholder (never a blank value), and each cell keeps its table position.
Only leaf tables (no nested table) are read as grids: county portals still lay
whole pages out with tables, and those must read as running text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

# A PDF page number left at a page boundary ("- 3 -", "3", "第 3 页 共 9 页"): it would
# otherwise read as a table value when the page break falls inside a table.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|\d{1,3}|\d{1,3}\s*/\s*\d{1,3})\s*$")
_PIPE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_PIPE_CELLS = re.compile(r"\S\s\|\s|\s\|$|\|\|")
_PIPE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*(?::?-{3,}:?\s*)?$")
_PAGE_NUMBER_ANYWHERE = re.compile(r"^\s*第\s*\d{1,3}\s*页(?:\s*[,，]?\s*共\s*\d{1,3}\s*页)?\s*$")

_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "head",
    "template",
    "iframe",
    "select",
    "button",
    "textarea",
    "svg",
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "blockquote",
        "pre",
        "form",
        "center",
        "address",
        "figure",
        "figcaption",
        "hr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "body",
        "html",
    }
)


@dataclass
class Cell:
    text: str  # as printed, surrounding whitespace stripped
    start: int  # offsets into Source.text
    end: int
    loc: dict | None = None  # HTML only: {"table", "row", "col", "line"}
    covered: bool = False  # a slot covered by another cell's rowspan/colspan


@dataclass
class Line:
    cells: list[Cell]
    start: int
    end: int
    in_table: bool  # a row of a real table, or a tab-separated row
    page_break_before: bool = False

    @property
    def text(self) -> str:
        return "\t".join(c.text for c in self.cells if not c.covered)


@dataclass
class Source:
    text: str
    lines: list[Line]
    kind: str  # "text" | "html"
    html_title: str | None = None
    html_meta: dict[str, str] = field(default_factory=dict)


def from_text(text: str) -> Source:
    lines: list[Line] = []
    pos = 0
    page_break = False
    for raw in re.split(r"(\n|\f)", text):
        if raw in ("\n", "\f"):
            page_break = page_break or raw == "\f"
            pos += 1
            continue
        start = pos
        pos += len(raw)
        body = raw.rstrip("\r")
        if not body.strip() or _PIPE_RULE.match(body) or not body.strip().strip("|"):
            continue  # blank, a Markdown rule, or a bare run of pipes (an empty row)
        cells = []
        offset = start
        end = start + len(body)
        # table rows as Markdown ("| a | b |") or as page text that joins cells with " | "
        # ("规章 | 0 | 0 | 0 |"): cells between the pipes, an outer pipe opens or closes the row
        pipe = _PIPE_ROW.match(body) or (_PIPE_CELLS.search(body) and "\t" not in body)
        if pipe:
            lead = len(body) - len(body.lstrip())
            inner = body.strip()
            offset += lead + (1 if inner.startswith("|") else 0)
            body = inner[1 if inner.startswith("|") else 0 : -1 if inner.endswith("|") else None]
        for field_text in body.split("|" if pipe else "\t"):
            stripped = field_text.strip()
            lead = len(field_text) - len(field_text.lstrip())
            cells.append(Cell(stripped, offset + lead, offset + lead + len(stripped)))
            offset += len(field_text) + 1
        lines.append(Line(cells, start, end, in_table=len(cells) > 1, page_break_before=page_break))
        page_break = False
    return Source(text, _drop_page_numbers(text, lines), "text")


def _drop_page_numbers(text: str, lines: list[Line]) -> list[Line]:
    """Drop page numbers printed at page boundaries.

    A bare number is a page number only if it is the number of the page it ends or starts:
    a table cell "0" or "1" continuing on the next page must survive.
    """
    if "\f" not in text:
        return [ln for ln in lines if not _PAGE_NUMBER_ANYWHERE.match(ln.text)]
    page_of = []
    page = 1
    for ln in lines:
        if ln.page_break_before:
            page += text.count("\f", _prev_end(page_of, lines), ln.start) or 1
        page_of.append(page)
    keep = []
    for i, ln in enumerate(lines):
        last_on_page = i + 1 < len(lines) and lines[i + 1].page_break_before
        if _PAGE_NUMBER_ANYWHERE.match(ln.text):
            continue
        if ln.page_break_before or last_on_page:
            m = _PAGE_NUMBER.match(ln.text)
            digits = re.sub(r"\D", " ", ln.text).split()
            if m and digits and (not ln.text.strip().isdigit() or int(digits[0]) == page_of[i]):
                continue
        keep.append(ln)
    return keep


def _prev_end(page_of: list[int], lines: list[Line]) -> int:
    return lines[len(page_of) - 1].end if page_of else 0


# ---------------------------------------------------------------- HTML


class _Renderer:
    """Walks the DOM and emits paragraphs and table rows as lines."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.lines: list[Line] = []
        self.pos = 0
        self.buffer: list[str] = []
        self.table_no = 0

    # text output -------------------------------------------------------
    def _emit(self, s: str) -> int:
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start

    def flush(self) -> None:
        if not self.buffer:
            return
        text = "".join(self.buffer)
        self.buffer = []
        for piece in text.split("\n"):
            piece = re.sub(r"[ \t\r\f\v\u00a0\u3000]+", " ", piece).strip()
            if not piece:
                continue
            start = self._emit(piece)
            self._emit("\n")
            self.lines.append(
                Line([Cell(piece, start, start + len(piece))], start, start + len(piece), False)
            )

    def inline(self, s: str | None) -> None:
        if s:
            self.buffer.append(re.sub(r"\s+", " ", s))

    # DOM walk ------------------------------------------------------------
    def walk(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "br":
            self.buffer.append("\n")
            self.inline(el.tail)
            return
        if tag == "table" and not _has_nested_table(el) and _has_columns(el):
            self.flush()
            self.table(el)
            self.inline(el.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if tag:
            self.inline(el.text)
            for child in el:
                self.walk(child)
        if block:
            self.flush()
        self.inline(el.tail)

    def table(self, table: etree._Element) -> None:
        t = self.table_no
        self.table_no += 1
        occupied: set[tuple[int, int]] = set()
        for r, tr in enumerate(_rows_of(table)):
            cells: list[Cell] = []
            c = 0
            for td in tr:
                if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                    continue
                while (r, c) in occupied:  # slots taken by a rowspan from above
                    cells.append(Cell("", -1, -1, covered=True))
                    c += 1
                rs, cs = _span(td.get("rowspan")), _span(td.get("colspan"))
                cells.append(
                    Cell(_cell_text(td), -1, -1, loc={"table": t, "row": r, "col": c, "line": td.sourceline})
                )
                for dc in range(cs):
                    for dr in range(rs):
                        occupied.add((r + dr, c + dc))
                    if dc:
                        cells.append(Cell("", -1, -1, covered=True))
                c += cs
            while (r, c) in occupied:
                cells.append(Cell("", -1, -1, covered=True))
                c += 1
            real = [cell for cell in cells if not cell.covered]
            if not real or not any(cell.text for cell in real):
                continue
            line_start = self.pos
            for i, cell in enumerate(real):
                if i:
                    self._emit("\t")
                cell.start = self._emit(cell.text)
                cell.end = cell.start + len(cell.text)
            line_end = self.pos
            self._emit("\n")
            self.lines.append(Line(cells, line_start, line_end, in_table=len(real) > 1))


def _has_columns(table: etree._Element) -> bool:
    """A one-column table is layout (a box around paragraphs), not data."""
    return any(
        sum(1 for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")) > 1
        for tr in table.iter("tr")
    )


def _has_nested_table(table: etree._Element) -> bool:
    return any(True for _ in table.iterdescendants("table"))


def _rows_of(table: etree._Element) -> list[etree._Element]:
    return [tr for tr in table.iter("tr")]


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 200))
    except (TypeError, ValueError):
        return 1


def _cell_text(td: etree._Element) -> str:
    pieces: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _DROP_TAGS:
            pieces.append(" ")
        elif tag:
            if tag == "br" or tag in _BLOCK_TAGS:
                pieces.append(" ")
            if el.text:
                pieces.append(el.text)
            for child in el:
                walk(child)
                if child.tail:
                    pieces.append(child.tail)
            if tag in _BLOCK_TAGS:
                pieces.append(" ")

    walk(td)
    return re.sub(r"[\s\u00a0\u3000]+", " ", "".join(pieces)).strip()


def from_html(html: str) -> Source:
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html.strip():
        return Source("", [], "html")
    root = lxml.html.document_fromstring(html)
    title_el = root.find(".//title")
    html_title = _cell_text(title_el) if title_el is not None else None
    meta = {}
    for m in root.iter("meta"):
        name, content = m.get("name"), m.get("content")
        if name and content:
            meta[name.strip()] = content.strip()
    for bad in list(root.iter(*_DROP_TAGS)):
        bad.drop_tree()
    for comment in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        comment.drop_tree()
    renderer = _Renderer()
    body = root.find("body")
    renderer.walk(body if body is not None else root)
    renderer.flush()
    return Source("".join(renderer.parts), renderer.lines, "html", html_title or None, meta)
