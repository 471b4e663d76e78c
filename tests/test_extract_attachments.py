"""Attachments: real files in every format portals serve; the Chinese text must come back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from pipelines import attachments
from pipelines.attachments import read_attachment, sniff_format
from pipelines.document import extract_document

FIXTURES = Path(__file__).parent / "fixtures" / "attachments"
URL = "http://www.example.gov.cn/xxgk/202001/P020200120123456789012"


def make_pdf(pages: list[list[str]], *, title: str | None = None, encrypt: str | None = None) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    if title:
        c.setTitle(title)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        y = 780
        for line in lines:
            c.drawString(72, y, line)
            y -= 20
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(title: str | None = None) -> bytes:
    d = docx.Document()
    if title:
        d.core_properties.title = title
    d.add_paragraph("关于做好2019年政务公开工作的通知")
    d.add_paragraph("各村、各站所：现将有关事项通知如下。")
    t = d.add_table(rows=3, cols=3)
    rows = [["项目", "2018年", "历年累计"], ["主动公开文件数", "208", "2758"], ["合计", "", ""]]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    t.cell(2, 1).merge(t.cell(2, 2))
    t.cell(2, 1).text = "见附表"
    d.add_paragraph("金贵镇人民政府")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def make_xlsx(rows: list[list[str | int | float]], sheet: str = "统计表") -> bytes:
    """A minimal valid .xlsx with inline strings (no writer library needed)."""

    def col(i: int) -> str:
        return chr(65 + i)

    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, v in enumerate(row):
            ref = f"{col(c)}{r}"
            if isinstance(v, int | float):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = "http://schemas.openxmlformats.org"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{"".join(xml_rows)}'
        f"</sheetData></worksheet>",
    }
    return _zip(parts)


def _zip(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


def make_ofd(pages: list[list[tuple[float, float, str]]]) -> bytes:
    """An OFD package: OFD.xml → Document.xml → one Content.xml per page of (x, y, text) runs."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    parts: dict[str, str | bytes] = {
        "OFD.xml": f"<ofd:OFD {ns} Version='1.0' DocType='OFD'><ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID>"
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f"<ofd:Document {ns}><ofd:Pages>"
        + "".join(f"<ofd:Page ID='{i + 1}' BaseLoc='Pages/Page_{i}/Content.xml'/>" for i in range(len(pages)))
        + "</ofd:Pages></ofd:Document>",
    }
    for i, runs in enumerate(pages):
        objs = "".join(
            f"<ofd:TextObject ID='{k}' Boundary='{x} {y} 100 6' Font='1' Size='4'>"
            f"<ofd:TextCode X='0' Y='5'>{text}</ofd:TextCode></ofd:TextObject>"
            for k, (x, y, text) in enumerate(runs)
        )
        parts[f"Doc_0/Pages/Page_{i}/Content.xml"] = (
            f"<ofd:Page {ns}><ofd:Content><ofd:Layer ID='0'>{objs}</ofd:Layer></ofd:Content></ofd:Page>"
        )
    return _zip(parts)


def zip_with_gbk_names(members: dict[str, bytes]) -> bytes:
    """A zip as Chinese Windows tools write it: member names in GBK, no UTF-8 flag."""
    placeholders = {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (name, data) in enumerate(members.items()):
            raw = name.encode("gbk")
            ph = (f"{i:02d}" + "X" * len(raw))[: len(raw)].encode("ascii")
            placeholders[ph] = raw
            z.writestr(ph.decode("ascii"), data)
    out = buf.getvalue()
    for ph, raw in placeholders.items():
        out = out.replace(ph, raw)
    return out


# ---- PDF


def test_pdf_cjk_text_pages_and_title() -> None:
    body = make_pdf(
        [
            ["高桥镇2018年政府信息公开工作年度报告", "发布时间：2019-01-22"],
            ["第二页：主动公开政府信息208条。"],
        ],
        title="高桥镇2018年政府信息公开工作年度报告",
    )
    c = read_attachment(body, filename="P020190122.pdf")
    assert (c.format, c.error, c.pages, c.title) == ("pdf", None, 2, "高桥镇2018年政府信息公开工作年度报告")
    assert (
        c.text
        == "高桥镇2018年政府信息公开工作年度报告\n发布时间：2019-01-22\f第二页：主动公开政府信息208条。"
    )


def test_pdf_served_as_octet_stream_is_sniffed() -> None:
    body = make_pdf([["盐池县人民政府"]])
    assert sniff_format(body, "download.do", "application/octet-stream") == "pdf"


def test_encrypted_pdf_is_reported() -> None:
    body = make_pdf([["保密文件"]], encrypt="secret")
    c = read_attachment(body, filename="x.pdf")
    assert (c.format, c.text, c.error) == ("pdf", None, "encrypted (password required)")


def test_pdf_without_text_layer_is_reported() -> None:
    c = read_attachment(make_pdf([[]]), filename="scan.pdf")
    assert (c.text, c.error) == ("", "no text layer (scanned PDF?)")


def test_corrupt_pdf_gives_a_row_with_extraction_error() -> None:
    body = make_pdf([["高桥镇"]])[:400]
    row = extract_document(
        URL + ".pdf",
        {"Content-Type": "application/pdf"},
        body,
        status=200,
        parent_url="http://www.example.gov.cn/xxgk/t1.html",
    )
    assert (row["kind"], row["content_type"], row["text"]) == ("attachment", "application/pdf", None)
    assert row["extraction_error"].startswith("pdf: unreadable PDF")
    assert row["parent_url"] == "http://www.example.gov.cn/xxgk/t1.html"


def test_pdf_row_title_from_content_disposition() -> None:
    body = make_pdf([["附件正文"]])
    row = extract_document(
        URL,
        {
            "content-type": "application/octet-stream",
            "Content-Disposition": "attachment; filename*=UTF-8''%E9%99%84%E4%BB%B6.pdf",
        },
        body,
    )
    assert (row["kind"], row["title"], row["text"], row["text_length"], row["extraction_error"]) == (
        "attachment",
        "附件",
        "附件正文",
        4,
        None,
    )


def test_pdf_tables_are_opt_in() -> None:
    body = make_pdf([["甲 乙"]])
    assert read_attachment(body, filename="x.pdf").tables == []
    assert isinstance(read_attachment(body, filename="x.pdf", pdf_tables=True).tables, list)


# ---- Word, WPS


def test_docx_paragraphs_and_tables_in_order() -> None:
    c = read_attachment(make_docx(title="政务公开通知"), filename="a.docx")
    assert (c.format, c.error, c.title) == ("docx", None, "政务公开通知")
    assert c.text == (
        "关于做好2019年政务公开工作的通知\n各村、各站所：现将有关事项通知如下。\n"
        "项目\t2018年\t历年累计\n主动公开文件数\t208\t2758\n合计\t见附表\n金贵镇人民政府"
    )
    assert c.tables == [
        [["项目", "2018年", "历年累计"], ["主动公开文件数", "208", "2758"], ["合计", "见附表"]]
    ]


def test_doc_binary_chinese_text() -> None:
    # written by LibreOffice from a python-docx document (tests/fixtures/attachments)
    c = read_attachment((FIXTURES / "jingui_summary.doc").read_bytes(), filename="jingui_summary.doc")
    assert (c.format, c.error, c.title) == ("doc", None, "金贵镇2018年政务公开工作总结")
    assert c.text == (
        "贺兰县金贵镇2018年政务公开工作总结暨2019年工作计划\n"
        "2018年以来，我镇全面贯彻党的十九大精神，坚持以公开为常态、不公开为例外的原则。\n"
        "项目\t2018\t历年累计\n主动公开文件数\t208\t2758\n政府网站公开数\t200\t2624\n"
        "金贵镇人民政府\n2018年12月7日"
    )


def test_wps_is_read_as_word_binary() -> None:
    c = read_attachment((FIXTURES / "jingui_summary.doc").read_bytes(), filename="总结.wps")
    assert (c.format, c.error) == ("wps", None)
    assert "坚持以公开为常态" in c.text


def test_doc_with_damaged_streams_reports_error() -> None:
    body = bytearray((FIXTURES / "jingui_summary.doc").read_bytes())
    body[600:5000] = b"\x00" * 4400
    c = read_attachment(bytes(body), filename="x.doc")
    assert c.format == "doc" and c.error is not None and c.text is None


# ---- spreadsheets


def test_xlsx_rows_as_tab_separated_lines() -> None:
    body = make_xlsx([["指标", "单位", "数量"], ["主动公开政府信息", "条", 165], ["收取费用", "万元", 0.5]])
    c = read_attachment(body, filename="统计表.xlsx")
    assert (c.format, c.error) == ("xlsx", None)
    assert c.text == "统计表\n指标\t单位\t数量\n主动公开政府信息\t条\t165\n收取费用\t万元\t0.5"
    assert c.tables == [
        [["指标", "单位", "数量"], ["主动公开政府信息", "条", "165"], ["收取费用", "万元", "0.5"]]
    ]


def test_xls_and_et() -> None:
    body = (FIXTURES / "stats.xls").read_bytes()
    rows = [["指标", "单位", "数量"], ["主动公开政府信息", "条", "165"], ["受理申请", "件", "0"]]
    for name, fmt in (("stats.xls", "xls"), ("统计.et", "et")):
        c = read_attachment(body, filename=name)
        assert (c.format, c.error, c.tables) == (fmt, None, [rows])


# ---- OFD, ZIP, TXT


def test_ofd_text_by_lines_and_pages() -> None:
    body = make_ofd(
        [
            [(20, 30, "报告"), (20, 20, "高桥镇年度"), (60, 20, "政府信息公开")],  # y 20 is the first line
            [(20, 20, "第二页")],
        ]
    )
    c = read_attachment(body, filename="x.ofd")
    assert (c.format, c.error, c.pages) == ("ofd", None, 2)
    assert c.text == "高桥镇年度政府信息公开\n报告\f第二页"


def test_ofd_missing_parts_is_an_error() -> None:
    c = read_attachment(
        _zip({"OFD.xml": "<OFD><DocBody><DocRoot>Doc_0/Document.xml</DocRoot></DocBody></OFD>"}),
        filename="x.ofd",
    )
    assert (c.format, c.text) == ("ofd", None) and "Doc_0/Document.xml" in c.error


def test_zip_gbk_member_names_nested_and_bounded() -> None:
    inner = zip_with_gbk_names({"附表.xlsx": make_xlsx([["合计", 3]], sheet="附表")})
    body = zip_with_gbk_names(
        {
            "年报.pdf": make_pdf([["年度报告正文"]]),
            "说明.txt": "附件说明：共两个文件。".encode("gbk"),
            "内层.zip": inner,
            "坏文件.doc": b"\x00\x01\x02 not a doc",
        }
    )
    c = read_attachment(body, filename="附件.zip")
    assert c.format == "zip" and c.error is None
    assert [name for name, _ in c.members] == ["年报.pdf", "说明.txt", "内层.zip", "坏文件.doc"]
    by_name = dict(c.members)
    assert by_name["年报.pdf"].text == "年度报告正文"
    assert (by_name["说明.txt"].text, by_name["说明.txt"].encoding) == ("附件说明：共两个文件。", "gb18030")
    assert by_name["内层.zip"].members[0][1].text == "附表\n合计\t3"
    assert by_name["坏文件.doc"].error is not None
    assert (
        "== 年报.pdf ==\n年度报告正文" in c.text
        and "== 内层.zip ==\n== 附表.xlsx ==\n附表\n合计\t3" in c.text
    )


def test_zip_depth_and_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    level3 = _zip({"c.zip": _zip({"d.txt": "最深处"})})
    c = read_attachment(_zip({"b.zip": level3}), filename="a.zip")
    assert c.members[0][1].members[0][1].error == "nested archive too deep"
    monkeypatch.setattr(attachments, "ZIP_MAX_MEMBER_BYTES", 10)
    c = read_attachment(_zip({"big.txt": "很长的文本" * 10}), filename="a.zip")
    assert c.members[0][1].error == "too large to unpack" and c.error == "big.txt: too large to unpack"


def test_xls_that_is_an_html_export() -> None:
    body = (
        "<html><head><meta charset='gbk'></head><body><p>2019年预算表</p><table><tr><td>科目</td><td>金额</td></tr>"
        "<tr><td>一般公共服务</td><td>12.5</td></tr></table></body></html>"
    ).encode("gbk")
    c = read_attachment(body, filename="预算.xls", content_type="application/vnd.ms-excel")
    assert (c.format, c.error, c.encoding) == ("xls", None, "gb18030")
    assert c.text == "2019年预算表\n科目\t金额\n一般公共服务\t12.5"
    assert c.tables == [[["科目", "金额"], ["一般公共服务", "12.5"]]]


def test_xls_that_is_tab_separated_text() -> None:
    c = read_attachment("科目\t金额\n一般公共服务\t12.5\n".encode("gbk"), filename="预算.xls")
    assert (c.format, c.error, c.text) == ("xls", None, "科目\t金额\n一般公共服务\t12.5")


def test_txt_gbk() -> None:
    c = read_attachment(
        "政府信息公开指南\r\n第二行".encode("gbk"), filename="指南.txt", content_type="text/plain"
    )
    assert (c.format, c.text, c.encoding, c.error) == ("txt", "政府信息公开指南\n第二行", "gb18030", None)


# ---- what cannot be read


@pytest.mark.parametrize(
    ("body", "name", "fmt", "error"),
    [
        (b"", "x.pdf", "unknown", "empty file"),
        (b"Rar!\x1a\x07\x00rest", "a.rar", "rar", "RAR archives are not supported"),
        (
            b"<!DOCTYPE html><html><title>404</title></html>",
            "a.pdf",
            "html",
            "got an HTML page, not the attachment (error page?)",
        ),
        (b"\x00\x01binary", "a.pdf", "pdf", "not a valid PDF file (signature missing)"),
        (b"\x00\x01binary", "a.bin", "unknown", "unknown file format"),
        (b"PK\x03\x04broken", "a.zip", "zip", None),  # error text comes from zipfile
    ],
)
def test_unreadable_files_return_an_error_never_raise(
    body: bytes, name: str, fmt: str, error: str | None
) -> None:
    c = read_attachment(body, filename=name)
    assert c.format == fmt and c.text is None and c.error
    if error:
        assert c.error == error
