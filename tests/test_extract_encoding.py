"""Decoding: declared, undeclared and wrongly declared charsets come out right, never silently wrong."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archive.encoding import decode_bytes, decode_html, normalize_label

PAGES = Path(__file__).parent / "fixtures" / "pages"
TITLE = "平罗县通伏乡人民政府2018年政府信息公开年度报告"


def _gbk_page() -> bytes:
    return (PAGES / "divspan_pingluo_tongfu.gbk.html").read_bytes()


def test_gbk_page_declared_gb2312_in_meta() -> None:
    text, encoding = decode_html(_gbk_page(), "text/html")
    assert encoding == "gb18030"
    assert TITLE in text


def test_gbk_page_without_any_declaration() -> None:
    body = _gbk_page().replace(b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', b"")
    assert b"charset" not in body
    text, encoding = decode_html(body, "text/html")
    assert (encoding, TITLE in text) == ("gb18030", True)


def test_gbk_page_declared_utf8_by_the_server() -> None:
    body = _gbk_page().replace(b"charset=gb2312", b"charset=utf-8")
    d = decode_bytes(body, "text/html; charset=UTF-8")
    assert (d.encoding, d.replaced, d.declared) == ("gb18030", 0, "utf-8")
    assert TITLE in d.text


def test_gbk_page_declared_latin1() -> None:
    text, encoding = decode_html(_gbk_page(), "text/html; charset=ISO-8859-1")
    assert (encoding, TITLE in text) == ("gb18030", True)


def test_utf8_page_declared_gbk_is_utf8() -> None:
    body = (PAGES / "table_helan_jingui.html").read_bytes().replace(b"charset=utf-8", b"charset=gbk")
    text, encoding = decode_html(body, "text/html; charset=gbk")
    assert encoding == "utf-8"
    assert "贺兰县金贵镇2018年政务公开工作总结暨2019年工作计划" in text


def test_bom_wins() -> None:
    text, encoding = decode_html(
        b"\xef\xbb\xbf<html><title>\xe9\x87\x91</title></html>", "text/html; charset=gbk"
    )
    assert (encoding, "金" in text, text.startswith("\ufeff")) == ("utf-8", True, False)


def test_gb2312_label_decodes_characters_outside_gb2312() -> None:
    # 镕 is GBK-only, 𠀀 needs a 4-byte GB18030 sequence: servers labelled gb2312 send both
    body = '<meta charset="gb2312"><p>朱镕基 𠀀</p>'.encode("gb18030")
    text, encoding = decode_html(body, None)
    assert (encoding, "朱镕基 𠀀" in text) == ("gb18030", True)


def test_big5_declared() -> None:
    body = '<meta charset="big5"><p>政府資訊公開</p>'.encode("big5")
    text, encoding = decode_html(body, None)
    assert (encoding, "政府資訊公開" in text) == ("big5hkscs", True)


def test_mostly_utf8_with_one_broken_byte_is_utf8_with_damage_counted() -> None:
    body = ("<p>" + "政府信息公开" * 50 + "</p>").encode("utf-8")
    body = body[:30] + b"\xff" + body[30:]
    d = decode_bytes(body, "text/html; charset=utf-8")
    assert (d.encoding, d.replaced) == ("utf-8", 1)
    assert d.text.count("政府信息公开") >= 49


def test_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="gb2312"?><html><p>索引号</p></html>'.encode("gb18030")
    text, encoding = decode_html(body, None)
    assert (encoding, "索引号" in text) == ("gb18030", True)


def test_ascii_page() -> None:
    assert decode_html(b"<html>plain</html>", "text/html; charset=utf-8") == ("<html>plain</html>", "utf-8")


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("GB2312", "gb18030"),
        ("x-gbk", "gb18030"),
        ("UTF8", "utf-8"),
        ("latin1", "cp1252"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_label_normalisation(label: str | None, codec: str | None) -> None:
    assert normalize_label(label) == codec


def test_random_bytes_never_raise() -> None:
    rng = random.Random(7)
    for _ in range(30):
        body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
        text, encoding = decode_html(
            body, rng.choice([None, "text/html; charset=utf-8", "text/html; charset=bogus"])
        )
        assert isinstance(text, str) and encoding
