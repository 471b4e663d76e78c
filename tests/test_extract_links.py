"""Attachment link classification (shared with the crawler) and the documents row's identity fields."""

from __future__ import annotations

import pytest

from pipelines.document import decide_kind, extract_document
from pipelines.headers import disposition_filename, header_value, media_type
from pipelines.htmltree import parse_html
from pipelines.links import ATTACHMENT_EXTENSIONS, classify_link, find_attachment_links
from pipelines.urls import canonical_url, doc_id


@pytest.mark.parametrize(
    ("url", "text", "kind"),
    [
        ("http://a.cn/P020190122.pdf", None, "attachment"),
        ("http://a.cn/files/统计表.XLSX", None, "attachment"),
        ("http://a.cn/x.wps", None, "attachment"),
        ("http://a.cn/x.et", None, "attachment"),
        ("http://a.cn/x.ofd", None, "attachment"),
        ("http://a.cn/x.7z", None, "attachment"),
        ("http://a.cn/module/download/downfile.jsp?classid=0&filename=1812.pdf", None, "attachment"),
        ("http://a.cn/download.aspx?id=9", "附件1：统计表.xls", "attachment"),
        ("http://a.cn/art/2019/1/22/art_1_1.html", "关于印发某某.doc的通知.html", "page"),
        ("http://a.cn/index.html", None, "page"),
        ("http://a.cn/logo.png", None, "media"),
        ("javascript:void(0)", None, "skip"),
        ("mailto:a@b.cn", None, "skip"),
    ],
)
def test_classify_link(url: str, text: str | None, kind: str) -> None:
    assert classify_link(url, text) == kind


def test_attachment_extensions_cover_what_portals_serve() -> None:
    assert {
        "pdf",
        "doc",
        "docx",
        "wps",
        "xls",
        "xlsx",
        "et",
        "zip",
        "rar",
        "7z",
        "ofd",
        "txt",
    } <= ATTACHMENT_EXTENSIONS


def test_find_attachment_links_resolves_dedupes_and_keeps_order() -> None:
    tree = parse_html(
        "<html><head><base href='http://www.a.gov.cn/xxgk/202001/'></head><body>"
        "<a href='./P1.pdf'>一</a><a href='javascript:;'>x</a><a href='../img/a.jpg'>图</a>"
        "<a href='/dl?id=3'>附件二.docx</a><a href='./P1.pdf#page=2'>重复</a>"
        "<iframe src='/viewer/P2.ofd'></iframe><a href='t2.html'>下一篇</a></body></html>"
    )
    assert find_attachment_links("http://other/", tree) == [
        "http://www.a.gov.cn/xxgk/202001/P1.pdf",
        "http://www.a.gov.cn/dl?id=3",
        "http://www.a.gov.cn/viewer/P2.ofd",
    ]


def test_attachment_links_named_by_nested_text_and_the_first_base_with_an_href() -> None:
    tree = parse_html(
        "<html><head><base target='_blank'><base href='http://www.a.gov.cn/x/'><base href='/y/'></head>"
        "<body><a href='dl?id=1'><span>附件：</span><b>报告.PDF</b></a><a href='dl?id=2'>通知 .docx </a>"
        "<a href='dl?id=3'><span>通知</span></a><a href='dl?id=4'></a></body></html>"
    )
    assert find_attachment_links("http://other/", tree) == [
        "http://www.a.gov.cn/x/dl?id=1",
        "http://www.a.gov.cn/x/dl?id=2",
    ]
    empty_base = parse_html(
        "<html><head><base href=' '><base href='/y/'></head><body><a href='a.pdf'>a</a></body></html>"
    )
    assert find_attachment_links("http://b.gov.cn/z/p.html", empty_base) == ["http://b.gov.cn/z/a.pdf"]


def test_headers_any_case_repeated_and_pairs() -> None:
    pairs = [("content-type", "text/plain"), ("X-A", "1"), ("Content-Type", "text/html; charset=GBK")]
    assert header_value(pairs, "CONTENT-TYPE") == "text/html; charset=GBK"
    assert header_value({"Content-Type": [b"application/pdf"]}, "content-type") == "application/pdf"
    assert header_value(None, "content-type") is None
    assert media_type("Text/HTML; charset=gbk") == "text/html"


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("attachment; filename*=UTF-8''%E7%BB%9F%E8%AE%A1%E8%A1%A8.xls", "统计表.xls"),
        ('attachment; filename="report.pdf"', "report.pdf"),
        ("attachment; filename=%E5%B9%B4%E6%8A%A5.docx", "年报.docx"),
        # raw GBK bytes in the header, handed over as latin-1 by the HTTP library
        ('attachment; filename="' + "年报.pdf".encode("gbk").decode("latin-1") + '"', "年报.pdf"),
    ],
)
def test_content_disposition_filename(value: str, name: str) -> None:
    assert disposition_filename(value) == name


def test_doc_id_is_stable_over_url_spellings() -> None:
    a = "HTTP://WWW.Example.gov.cn:80/xxgk/中文.pdf?b=2&a=1#frag"
    b = "http://www.example.gov.cn/xxgk/%E4%B8%AD%E6%96%87.pdf?a=1&b=2"
    assert (
        canonical_url(a)
        == canonical_url(b)
        == "http://www.example.gov.cn/xxgk/%E4%B8%AD%E6%96%87.pdf?a=1&b=2"
    )
    assert doc_id(a) == doc_id(b) == "6fce105cc64d63ff"
    assert doc_id("https://www.example.gov.cn/xxgk/a.html") != doc_id("http://www.example.gov.cn/xxgk/a.html")


@pytest.mark.parametrize(
    ("url", "ct", "body", "kind"),
    [
        ("http://a.cn/a.html", "text/html", b"<html></html>", "page"),
        ("http://a.cn/a.pdf", "application/pdf", b"%PDF-1.4\n", "attachment"),
        ("http://a.cn/a.htm", "text/html", b"%PDF-1.4\n", "attachment"),  # bytes win over the label
        ("http://a.cn/a.pdf", "text/html", b"<!DOCTYPE html><title>404</title>", "page"),  # error page
        (
            "http://a.cn/dl?id=1",
            "application/octet-stream",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "attachment",
        ),
        ("http://a.cn/a.txt", "text/plain", "说明".encode(), "attachment"),
        ("http://a.cn/a", None, b"<p>x</p>", "page"),
        ("http://a.cn/a.xls", "application/vnd.ms-excel", b"<html><table></table></html>", "attachment"),
        ("http://a.cn/a.html", "application/octet-stream", b"<!doctype html><p>x</p>", "page"),
    ],
)
def test_kind_by_bytes_then_content_type_then_extension(
    url: str, ct: str | None, body: bytes, kind: str
) -> None:
    assert decide_kind(url, ct, body) == kind


def test_empty_body_row() -> None:
    row = extract_document(
        "http://a.cn/x.pdf",
        {"Content-Type": "application/pdf"},
        b"",
        status=200,
        parent_url="http://a.cn/p.html",
    )
    assert (row["kind"], row["extraction_error"], row["parent_url"], row["status"]) == (
        "attachment",
        "empty body",
        "http://a.cn/p.html",
        200,
    )
