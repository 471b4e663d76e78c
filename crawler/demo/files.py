"""Attachment files as portals publish them: PDF, DOCX and XLSX with real Chinese text.

All three are byte-for-byte deterministic for the same input (fixed document
dates, ZIP entry times and PDF ids), so the demo site is reproducible.

PDF uses reportlab's built-in CID font STSong-Light (UniGB-UCS2-H, not
embedded): pdfium and pdfminer map it back to Unicode, so the text is
extractable without any system font installed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from crawler.demo.corpus import Block

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_CID_FONT = "STSong-Light"
_font_registered = False


def _register_font() -> None:
    global _font_registered
    if not _font_registered:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(_CID_FONT))
        _font_registered = True


def make_pdf(title: str, blocks: Sequence[Block], *, author: str = "", date: datetime | None = None) -> bytes:
    """A text PDF: title, paragraphs, and tables as ruled grids (so table readers work)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_font()
    title_style = ParagraphStyle(
        "t", fontName=_CID_FONT, fontSize=16, leading=24, alignment=1, wordWrap="CJK"
    )
    body_style = ParagraphStyle(
        "b", fontName=_CID_FONT, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK"
    )
    cell_style = ParagraphStyle("c", fontName=_CID_FONT, fontSize=8, leading=10, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=title,
        author=author,
        creator="Microsoft Word",
        invariant=1,  # no creation date / random id: same input, same bytes
    )
    story: list = [Paragraph(escape(title), title_style), Spacer(1, 6 * mm)]
    for block in blocks:
        if isinstance(block, str):
            story.append(Paragraph(escape(block), body_style))
            continue
        width = max(len(r) for r in block)
        rows = [[Paragraph(escape(c), cell_style) for c in (*r, *("",) * (width - len(r)))] for r in block]
        table = Table(rows, colWidths=[doc.width / width] * width, repeatRows=0)
        table.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            )
        )
        story.extend([Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)])
    doc.build(story)
    return buf.getvalue()


def _rezip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed entry times (python-docx stamps the current time)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def make_docx(
    title: str, blocks: Sequence[Block], *, author: str = "", date: datetime | None = None
) -> bytes:
    """A Word document: title, paragraphs, tables as real Word tables."""
    import docx

    document = docx.Document()
    props = document.core_properties
    stamp = date or datetime(2020, 1, 1)
    props.author, props.title, props.created, props.modified, props.last_modified_by = (
        author,
        title,
        stamp,
        stamp,
        author,
    )
    props.comments = ""
    document.add_heading(title, level=1)
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(r) for r in block)
        table = document.add_table(rows=len(block), cols=width)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, block, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                cell.text = text
    buf = io.BytesIO()
    document.save(buf)
    return _rezip(buf.getvalue())


def _col_name(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def make_xlsx(sheet_name: str, rows: Sequence[Sequence[str | int | float]]) -> bytes:
    """A minimal, valid .xlsx (inline strings, one sheet) — no extra dependency."""
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col_name(c)}{r}"
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(
                zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME), text.encode("utf-8"), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()
