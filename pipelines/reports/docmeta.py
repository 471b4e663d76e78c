"""Identity of a report: title, year, organ, dates, and its sections 一…六."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.reports import labels as L
from pipelines.reports.source import Source
from pipelines.reports.textnorm import cn_to_int, norm

_TITLE_SPLIT = re.compile(r"\s*[_|｜]\s*|\s+[-—–]\s+")
# a header line's label in text exports ("标题: …", "题名：…"): never part of the title
_HEADER_LABEL = re.compile(
    r"^\s*(?:(?:标\s*题|题\s*名|文件名称|名\s*称)\s*[:：]|#{1,6}\s)\s*"
)  # or "# " (Markdown)
_GLUED_LABEL = re.compile(r"^(?:名称|标题|题名)(?=\S)")
_YEAR_FIRST = re.compile(r"^\D{0,30}?(\d{4}|[〇零一二三四五六七八九]{4})年")
_HEAD_LINES = 15


@dataclass
class Heading:
    no: int
    heading: str
    line: int  # index into Source.lines


def _year(s: str) -> int | None:
    v = int(s) if s.isdigit() else cn_to_int(s)
    return v if v and 1990 <= v <= 2100 else None


def find_title(source: Source, meta: dict) -> tuple[str | None, int | None]:
    """(title, line index of the title in the text if it is printed there)."""
    head = source.lines[: _HEAD_LINES * 3]
    for i, line in enumerate(head):
        n = norm(line.text)
        text = line.text
        if len(n) > 60 or not re.search(L.REPORT_HEADING, n):
            # a title wrapped over two lines (PDF): "2024 年上海市科委政府信息公开工作" / "年度报告"
            after = head[i + 1].text if i + 1 < len(head) else ""
            joined = norm(text + after)
            if not (_YEAR_FIRST.match(n) and len(joined) <= 60 and re.search(L.REPORT_HEADING, joined)):
                continue
            text, n = f"{text.strip()}{after.strip()}", joined
        if len(n) <= 60 and re.search(L.REPORT_HEADING, n):
            # a metadata table's row "名称 | <title>": the title is the cell that reads as one
            cells = [
                c.text for c in line.cells if not c.covered and re.search(L.REPORT_HEADING, norm(c.text))
            ]
            title = _HEADER_LABEL.sub("", cells[0] if len(cells) == 1 and text == line.text else text).strip()
            title = _GLUED_LABEL.sub("", title)  # "名称沭阳县…年度报告": a metadata cell run into its label
            # a title broken over two lines: "平罗县通伏乡人民政府" / "2018 年政府信息公开年度报告"
            prev = norm(source.lines[i - 1].text) if i else ""
            if re.match(r"^\d{4}", n) and re.match(L.SIGNATURE_ORGAN, prev):
                title = f"{prev} {title}"
            return (meta.get("title") or title), i
    if meta.get("title"):
        return meta["title"], None
    for key in ("ArticleTitle", "articletitle"):
        if source.html_meta.get(key):
            return source.html_meta[key], None
    if source.html_title:
        return _TITLE_SPLIT.split(source.html_title)[0].strip() or None, None
    for line in source.lines[: _HEAD_LINES * 3]:
        n = norm(line.text)
        if len(n) <= 60 and re.search(L.TITLE_LIKE, n) and not re.search(r"位置|>|首页", n):
            return _HEADER_LABEL.sub("", line.text).strip(), None
    return None, None


def report_year(title: str | None, source: Source) -> tuple[int | None, str | None]:
    """(year, where): from the title, else the first heading-like line."""
    candidates = [title or ""] + [ln.text for ln in source.lines[:_HEAD_LINES]]
    for text in candidates:
        n = norm(text)
        m = re.search(r"(\d{4}|[〇零一二三四五六七八九]{4})年度?.{0,20}(年度报告|年报)", n) or re.search(
            r"(?:信息公开|政务公开)(?:工作)?(\d{4})年度?(?:报告|年报)", n
        )
        if m and _year(m.group(1)):
            return _year(m.group(1)), "title"
    return None, None


def narrative_year(source: Source) -> int | None:
    """A report with neither title nor statistics period: "2017年，我镇…" in its opening."""
    for ln in source.lines[:_HEAD_LINES]:
        m = re.search(
            r"(\d{4})年度?[,，]?(?:我|本)(?:镇|乡|街道|街办|局|委|办|区|县|市|单位|机关)"
            r"|(?:我|本)(?:镇|乡|街道|街办|局|委|办|区|县|市|单位|机关)(\d{4})年度?"
            r"|^(\d{4})年[,，]"  # a paragraph opening "2019年，…"
            r"|截[止至](\d{4})年12月31日",  # "截止2023年12月31日我局…"
            norm(ln.text),
        )
        year = m and (m.group(1) or m.group(2) or m.group(3) or m.group(4))
        if year and _year(year):
            return int(year)
    return None


def period_year(source: Source) -> int | None:
    """统计期限: '(2018 年度)' under a table caption or '…2018年1月1日至2018年12月31日'."""
    for ln in source.lines:
        n = norm(ln.text)
        m = re.search(L.PERIOD_YEAR, n)
        if m:
            y = m.group(1) or m.group(2)
            if y and _year(y):
                return int(y)
    return None


def find_organ(title: str | None, title_line: int | None, source: Source, meta: dict) -> str | None:
    from_title = None
    if title:
        m = re.match(r"^(.*?)\s*(?:关于)?\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年", title.strip())
        if m:
            # "2025湖口县大垅乡2025年度…": a year printed before the organ is not part of it
            from_title = re.sub(r"^\d{4}(?!年)", "", re.sub(r"[\s《“]+", "", m.group(1))).rstrip("的")
            # "…外事办公室政府信息公开工作2022年度报告": the organ ends where the report's name begins
            from_title = re.sub(r"(?:政府信息公开|政务公开|信息公开)(?:工作)?$", "", from_title) or None
        if from_title is None:  # the year first: "2019年上海市人民政府办公厅政府信息公开工作年度报告"
            m = re.match(
                r"^\s*(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年度?\s*(.+?)(?:政府信息公开|政务公开|信息公开)",
                title,
            )
            from_title = re.sub(r"\s+", "", m.group(1)) if m else None
    signature = _signature(source)
    if signature and (not from_title or (from_title in signature and len(signature) > len(from_title))):
        return signature
    if from_title:
        return from_title
    return meta.get("publisher") or source.html_meta.get("ContentSource") or None


def _signature(source: Source) -> str | None:
    """The organ signing the report: a name line followed by a date, near the end."""
    tail = source.lines[-8:]
    for i, ln in enumerate(tail[:-1]):
        n = norm(ln.text)
        if re.match(L.SIGNATURE_ORGAN, n) and re.search(L.DATE, norm(tail[i + 1].text)):
            return n
    return None


def organ_kind(organ: str | None) -> str | None:
    if not organ:
        return None
    for kind, pattern in L.ORGAN_KINDS:
        if re.search(pattern, organ):
            return kind
    return "other"


def published_date(source: Source, meta: dict) -> str | None:
    if meta.get("publish_date"):
        return str(meta["publish_date"])[:10]
    pub = source.html_meta.get("PubDate") or source.html_meta.get("pubdate")
    if pub:
        m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", pub)
        if m:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    for ln in source.lines[: _HEAD_LINES * 2]:
        m = re.search(L.PUBLISHED, ln.text)
        if m:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None


def labelled_field(source: Source, label: str) -> str | None:
    """索引号 / 文号 from a metadata block printed in the page."""
    for ln in source.lines[: _HEAD_LINES * 3]:
        m = re.search(label + r"\s*[:：]?\s*([^\s:：]\S*)", ln.text)  # an empty field gives nothing
        if m and not re.match(r"(发布|文\s*号|索引)", m.group(1)):
            return m.group(1)
    return None


def headings(source: Source, is_table_line) -> list[Heading]:
    """Top-level headings 一、… (numerals may be missing: '、因政府信息公开申请…')."""
    out: list[Heading] = []
    for i, ln in enumerate(source.lines):
        if is_table_line(i):
            continue
        text = ln.text.strip()
        n = norm(text)
        if len(n) > 40 or re.search(L.NOT_HEADINGS, n):
            continue
        m = re.match(r"^([一二三四五六七八九十]{1,3})、", n)
        if m:
            no = cn_to_int(m.group(1)) or 0
        elif n.startswith("、") and out:
            no = out[-1].no + 1  # the numeral was lost (seed 002): count on
        else:
            continue
        if out and no <= out[-1].no:
            continue  # a sub-list restarting at 一、 inside a section
        out.append(Heading(no, text, i))
    return out


def sections(source: Source, heads: list[Heading]) -> list[dict]:
    out = []
    for k, h in enumerate(heads):
        start = source.lines[h.line].end
        end = source.lines[heads[k + 1].line].start if k + 1 < len(heads) else len(source.text)
        out.append({"no": h.no, "heading": h.heading, "text": source.text[start:end].strip()})
    return out
