"""DOCX read with lxml gives what python-docx gave: text, tables (merged cells), title; python-docx
still reads (and words the errors of) what the lean reader declines."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.enum.text import WD_BREAK

from pipelines import attachments
from pipelines.attachments import read_attachment, read_docx


def _save(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _merged_table_docx() -> bytes:
    document = docx.Document()
    document.core_properties.title = "关于2023年政务公开工作的报告"
    document.add_heading("关于2023年政务公开工作的报告", level=1)
    p = document.add_paragraph("第一段：")
    run = p.add_run("制发件数")
    run.add_tab()
    run.add_text("12")
    run.add_break()  # a line break
    run.add_text("第二行")
    run.add_break(WD_BREAK.PAGE)  # not text
    document.add_paragraph("（二）收到和处理政府信息公开申请情况")
    table = document.add_table(rows=4, cols=4)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"r{r}c{c}"
    table.cell(0, 0).merge(table.cell(0, 2))  # gridSpan 3
    table.cell(1, 0).merge(table.cell(3, 0))  # vMerge over three rows
    table.cell(2, 2).merge(table.cell(3, 3))  # both
    table.cell(1, 3).paragraphs[0].add_run("  多余   空白 ")
    table.cell(1, 3).add_paragraph("第二段")
    document.add_paragraph("")
    document.add_paragraph("特此报告。")
    return _save(document)


def test_lean_docx_reader_equals_python_docx_on_merged_cells_tabs_and_breaks() -> None:
    body = _merged_table_docx()
    fast, slow = read_docx(body), attachments._read_docx_python_docx(body)
    assert (fast.text, fast.tables, fast.title, fast.error) == (
        slow.text,
        slow.tables,
        slow.title,
        slow.error,
    )
    assert "制发件数\t12\n第二行" in fast.text
    assert fast.tables[0][0] == ["r0c0 r0c1 r0c2", "r0c3"]
    assert [row[0] for row in fast.tables[0][1:]] == ["r1c0 r2c0 r3c0"] * 3  # merged text in every row


def test_docx_the_lean_reader_declines_goes_to_python_docx(monkeypatch) -> None:
    body = _merged_table_docx()
    calls = []
    real = attachments._read_docx_python_docx
    monkeypatch.setattr(attachments, "_read_docx_python_docx", lambda b: calls.append(1) or real(b))
    # the main part declared with another content type (a macro-enabled document, say)
    src = zipfile.ZipFile(io.BytesIO(body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"document.macroEnabled.main+xml")
            dst.writestr(info, data)
    content = read_attachment(out.getvalue(), filename="x.docx")
    assert calls == [1]
    assert content.format == "docx" and content.error and content.error.startswith("unreadable DOCX")
    assert read_attachment(body, filename="x.docx").error is None and calls == [1]
