"""Small portals on loopback built from real CMS templates: a route map served as it is.

`StaticPortal(routes)` serves ``{"/path?query": (body bytes, content type)}`` on 127.0.0.1 and records
every request, so a test can check what a crawl reached and that it asked for nothing else.
`trs_template_portal` and `data_listing_portal` build the two shapes issue 13 names: TRS's
classic count-only pager script (``var countPage = N`` + ``document.write`` of 下一页/尾页) and a
集约化 listing whose articles exist only as JSON in a script.
"""

from __future__ import annotations

import json
import subprocess
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson

Routes = dict[str, tuple[bytes, str]]
HTML = "text/html; charset=utf-8"


class StaticPortal:
    def __init__(self, routes: Routes):
        self.routes = routes
        self.requests: list[tuple[str, str]] = []  # (method, path with query)
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                portal.requests.append((self.command, self.path))
                found = portal.routes.get(self.path) or portal.routes.get(self.path.split("?", 1)[0] + "?*")
                if found is None:
                    self.send_error(404)
                    return
                body, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _answer

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> StaticPortal:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


# TRS WCM's classic listing pager, as its templates publish it: the count and the page index are
# written into the page, the links only by the script (首页/上一页/下一页/尾页, never the numbers).
TRS_PAGER = """<script language="JavaScript">
var currentPage = {current};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {count}//共多少页
document.write("共"+countPage+"页&nbsp;&nbsp;");
//设置上一页代码
if(countPage>1&&currentPage!=0&&currentPage!=1)
	document.write("<a href=\\"index.html\\">首页</a>&nbsp;<a href=\\"index"+"_" + prevPage + "."+"html\\">上一页</a>&nbsp;");
else if(countPage>1&&currentPage!=0&&currentPage==1)
	document.write("<a href=\\"index.html\\">首页</a>&nbsp;<a href=\\"index.html\\">上一页</a>&nbsp;");
else
	document.write("首页&nbsp;上一页&nbsp;");
//设置下一页代码
if(countPage>1&&currentPage!=(countPage-1))
	document.write("<a href=\\"index"+"_" + nextPage + "."+"html\\">下一页</a>&nbsp;<a href=\\"index_" + (countPage-1) + ".html\\">尾页</a>&nbsp;");
else
	document.write("下一页&nbsp;尾页&nbsp;");
</script>"""

TRS_DETAIL_FIELDS = ("索引号", "发布机构", "发文字号", "发布日期")


def trs_detail(number: int) -> tuple[str, dict[str, str]]:
    """A TRS detail page with the `<li>label：<font>value</font>` metadata block, and its values."""
    values = {
        "索引号": f"640122001/2024-{number:05d}",
        "发布机构": "贺兰县人民政府办公室",
        "发文字号": f"贺政办发〔2024〕{number}号",
        "发布日期": f"2024-01-{number % 28 + 1:02d}",
    }
    block = "".join(f"<li>{label}：<font>{values[label]}</font></li>" for label in TRS_DETAIL_FIELDS)
    title = f"关于第{number}项工作的通知"
    html = (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div class="xxgk_info"><ul>{block}</ul></div><h1>{title}</h1>'
        f'<div class="TRS_Editor"><p>各乡镇人民政府，县直各部门：现将第{number}项工作有关事项通知如下。</p>'
        "<p>一、总体要求。二、工作措施。三、保障措施。</p></div></body></html>"
    )
    return html, values


def trs_template_portal(
    count: int = 3, per_page: int = 10, served: int | None = None
) -> tuple[Routes, list[str], dict[str, dict[str, str]]]:
    """A 信息公开 root with one TRS column whose listing pages only a script links.

    ``served`` pages of the ``count`` the pager claims exist (the rest answer 404).
    Returns routes, the listing page paths, and each detail path's metadata."""
    served = count if served is None else served
    routes: Routes = {}
    listings: list[str] = []
    details: dict[str, dict[str, str]] = {}
    routes["/xxgk/"] = (
        b'<html><head><meta charset="utf-8"><title>\xe4\xbf\xa1\xe6\x81\xaf\xe5\x85\xac\xe5\xbc\x80</title></head>'
        b'<body><a href="tzgg/">\xe9\x80\x9a\xe7\x9f\xa5\xe5\x85\xac\xe5\x91\x8a</a></body></html>',
        HTML,
    )
    for index in range(count):
        name = "index.html" if index == 0 else f"index_{index}.html"
        items = []
        for slot in range(per_page):
            number = index * per_page + slot + 1
            path = f"/xxgk/tzgg/202401/t202401{number % 28 + 1:02d}_{9000 + number}.html"
            html, values = trs_detail(number)
            routes[path] = (html.encode(), HTML)
            details[path] = values
            items.append(
                f'<li><a href="./202401/t202401{number % 28 + 1:02d}_{9000 + number}.html">{values["发文字号"]}</a></li>'
            )
        page = (
            '<html><head><meta charset="utf-8"><title>通知公告</title></head><body>'
            f'<ul class="list">{"".join(items)}</ul><div class="page">'
            + TRS_PAGER.replace("{current}", str(index)).replace("{count}", str(count))
            + "</div></body></html>"
        )
        listings.append(f"/xxgk/tzgg/{name}")
        if index < served:
            routes[f"/xxgk/tzgg/{name}"] = (page.encode(), HTML)
            if index == 0:
                routes["/xxgk/tzgg/"] = routes[f"/xxgk/tzgg/{name}"]
    return routes, listings, details


def data_listing_portal(total: int = 50, per_page: int = 20) -> tuple[Routes, list[str], list[str]]:
    """A 集约化 column page whose articles exist only as JSON in a script (nested-escaped ``urls``,
    ``articleFiles``), paged by the data's own ``current`` parameter on the same page.

    Returns routes, the listing URLs (path + query) and the detail and attachment paths."""
    routes: Routes = {}
    pages = -(-total // per_page)
    listings: list[str] = []
    targets: list[str] = []
    for current in range(1, pages + 1):
        articles = []
        for number in range((current - 1) * per_page + 1, min(current * per_page, total) + 1):
            path = f"/col/col123/content/content_{180000 + number}.html"
            files = []
            if number % 10 == 0:
                files.append({"fileName": f"附件{number}.pdf", "url": f"/uploadfiles/2024/{number}.pdf"})
                routes[files[-1]["url"]] = (b"%PDF-1.4\n% test\n", "application/pdf")
                targets.append(files[-1]["url"])
            articles.append(
                {
                    "title": f"第{number}号公告",
                    "urls": json.dumps({"pc": path}),
                    "articleFiles": files,
                    "publishedTime": "2024-03-01",
                }
            )
            html, _ = trs_detail(number)
            routes[path] = (html.encode(), HTML)
            targets.append(path)
        # an entry elsewhere (another site's article): out of scope, never fetched
        articles.append(
            {
                "title": "转载",
                "urls": json.dumps({"pc": "http://www.example.gov.cn/art/2024/3/1/art_1_1.html"}),
            }
        )
        data = {"total": total, "perPage": per_page, "current": current, "articleList": articles}
        page = (
            '<html><head><meta charset="utf-8"><title>政策文件</title></head><body><div id="list"></div>'
            f"<script>var listData = {json.dumps(data, ensure_ascii=False)};\n"
            "renderList(listData);</script></body></html>"
        )
        query = "" if current == 1 else f"?current={current}"
        routes[f"/col/col123/index.html{query}"] = (page.encode(), HTML)
        listings.append(f"/col/col123/index.html{query}")
    return routes, listings, targets


@dataclass
class PortalCrawl:
    base_url: str
    proc: subprocess.CompletedProcess
    requests: list[tuple[str, str]]  # (method, path) the portal answered
    out: Path
    name: str

    def paths(self) -> set[str]:
        return {path for _, path in self.requests}

    def rows(self) -> list[dict]:
        data = self.out / "datasets" / self.name / "documents.jsonl"
        return [orjson.loads(line) for line in data.read_bytes().splitlines() if line.strip()]


def crawl_portal(routes: Routes, seed_path: str, out: Path, name: str = "p", *extra: str) -> PortalCrawl:
    """`xxgk crawl` of the routes served on loopback from ``seed_path`` (requisites off: these
    pages reference none)."""
    from tests.support.runner import FAST, xxgk

    with StaticPortal(routes) as portal:
        seed = portal.url(seed_path)
        proc = xxgk(
            "crawl", seed, "--out", str(out), "--name", name, *FAST, "-s", "XXGK_REQUISITES=False", *extra
        )
        return PortalCrawl(portal.base_url, proc, list(portal.requests), out, name)
