"""One decoder everywhere: a page whose charset label lies reads the same in the spider's link
text (the WARC metadata records), in `xxgk warc show --body` and in the dataset."""

from __future__ import annotations

import orjson

from tests.support.rawserver import RawHttpServer, Route
from tests.support.runner import FAST, xxgk
from tests.support.warcs import records

LISTING = (
    "<html><head><title>政府信息公开 通知公告</title></head><body><ul>"
    "<li><a href='/xxgk/tzgg/202405/t20240501_11.html'>关于做好防汛工作的通知</a></li>"
    "<li><a href='/xxgk/tzgg/202405/t20240502_12.html'>关于秸秆禁烧的通告</a></li>"
    "<li><a href='/xxgk/tzgg/202405/t20240503_13.html'>关于征地补偿标准的公告</a></li>"
    "<li><a href='/files/防汛预案.pdf'>防汛应急预案全文</a></li>"
    "</ul></body></html>"
)
DETAIL = (
    "<html><head><title>{t}</title></head><body><h1>{t}</h1><table><tr><td>索引号：</td>"
    "<td>11640122/2024-0000{n}</td><td>发布机构：</td><td>贺兰县人民政府办公室</td></tr></table>"
    "<div class='TRS_Editor'>{p}</div></body></html>"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(body: bytes, content_type: str) -> Route:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    return Route(head.encode("latin-1") + body)


def detail(n: int, title: str, encoding: str, content_type: str) -> Route:
    text = DETAIL.format(
        t=title, n=n, p=f"<p>{title}：各乡镇人民政府，请认真贯彻执行，确保落实到位。</p>" * 6
    )
    return page(text.encode(encoding), content_type)


ROUTES = {
    "/robots.txt": Route(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    # UTF-8 bytes under a gb2312 label: GBK-decoded they would be mojibake
    "/xxgk/": page(LISTING.encode("utf-8"), "text/html; charset=gb2312"),
    "/xxgk/tzgg/202405/t20240501_11.html": detail(
        1, "关于做好防汛工作的通知", "utf-8", "text/html; charset=gb2312"
    ),
    # GBK bytes under a utf-8 label, and GBK bytes with no label at all
    "/xxgk/tzgg/202405/t20240502_12.html": detail(2, "关于秸秆禁烧的通告", "gbk", "text/html; charset=utf-8"),
    "/xxgk/tzgg/202405/t20240503_13.html": detail(3, "关于征地补偿标准的公告", "gbk", "text/html"),
    "/files/%E9%98%B2%E6%B1%9B%E9%A2%84%E6%A1%88.pdf": page(PDF, "application/pdf"),
}


def test_a_lying_charset_label_reads_right_everywhere(tmp_path):
    with RawHttpServer(ROUTES) as server:
        proc = xxgk("crawl", server.base_url + "/xxgk/", "--out", str(tmp_path), "--name", "enc", *FAST)
    assert proc.returncode == 0, proc.stderr
    collection = tmp_path / "collections" / "enc"
    recs = records(collection)
    # the spider read the listing's links in the right charset: the attachment's link text
    marks = [r for r in recs if r["type"] == "metadata" and r["uri"].endswith(".pdf")]
    assert marks and "xxgk-link-text: 防汛应急预案全文" in marks[0]["block"].decode("utf-8")
    # `warc show --body` decodes as the dataset does
    listing = next(r for r in recs if r["type"] == "response" and r["uri"].endswith("/xxgk/"))
    shown = xxgk(
        "warc", "show", str(collection / "archive" / listing["file"]), str(listing["offset"]), "--body"
    )
    assert shown.returncode == 0 and "关于做好防汛工作的通知" in shown.stdout
    rows = [
        orjson.loads(line)
        for line in (tmp_path / "datasets" / "enc" / "documents.jsonl").read_bytes().splitlines()
    ]
    titles = {r["title"] for r in rows if r["kind"] == "page"}
    assert titles == {"关于做好防汛工作的通知", "关于秸秆禁烧的通告", "关于征地补偿标准的公告"}
    (attachment,) = [r for r in rows if r["kind"] == "attachment"]
    assert attachment["parent_url"] == server.base_url + "/xxgk/"
