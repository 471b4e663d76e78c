"""Additional annual-report pages from crawler/demo/data/reports/*.html.

Another part of the project renders annual reports as HTML tables into that
directory. Each file becomes one more detail page of the 政府信息公开年报
column: its <title> (or first heading) is the page title, its <body> the
article body, served as-is inside the portal frame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html

from crawler.demo.corpus import DATA_DIR

REPORTS_DIR = DATA_DIR / "reports"


@dataclass(frozen=True)
class ExtraReport:
    filename: str
    title: str
    body_html: str
    paragraphs: tuple[str, ...]  # visible text, block by block
    report_year: int | None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _read(path: Path) -> ExtraReport | None:
    text = _decode(path.read_bytes())
    if not text.strip():
        return None
    root = lxml.html.document_fromstring(text)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    title = ""
    for xpath in ("//title", "//h1", "//h2", "//caption"):
        found = [" ".join(e.text_content().split()) for e in root.xpath(xpath)]
        found = [t for t in found if t]
        if found:
            title = found[0]
            break
    title = title or path.stem
    body = root.find("body")
    container = body if body is not None else root
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in container)
    if container.text and container.text.strip():
        inner = container.text + inner
    paragraphs: list[str] = []
    for el in container.iter("p", "h1", "h2", "h3", "h4", "caption", "tr", "li"):
        if el.tag == "tr":
            cells = [" ".join(c.text_content().split()) for c in el.iterchildren("td", "th")]
            line = "\t".join(cells)
        else:
            line = " ".join(el.text_content().split())
        if line.strip():
            paragraphs.append(line)
    m = re.search(r"(20\d\d)\s*年", title)
    return ExtraReport(
        filename=path.name,
        title=title,
        body_html=inner,
        paragraphs=tuple(paragraphs),
        report_year=int(m.group(1)) if m else None,
    )


def load_extra_reports(directory: Path | None = None) -> list[ExtraReport]:
    """Every readable *.html in `directory` (default: data/reports), sorted by file name."""
    directory = REPORTS_DIR if directory is None else directory
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.html")):
        report = _read(path)
        if report is not None:
            out.append(report)
    return out
