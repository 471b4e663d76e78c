"""Demo portals of the other CMS families county portals run on, and one that mixes them.

    build_family_site("hanweb" | "gkmlpt" | "generic" | "mixed" | "traps", size=24)

Same documents machinery as build_site (docgen, pages.detail_page, the same ground truth
in DemoSite.documents / listing_pages), different listings:

* hanweb: Hanweb JCMS column pages /col/col<N>/index.html embedding the first group of
  records in <script type="text/xml"><datastore>…; further groups only by POST to
  /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage= (DemoSite.handlers);
  details /art/Y/M/D/art_<N>_<id>.html.
* gkmlpt: a catalogue page /gkmlpt/index whose column tree is only in window._CONFIG;
  listings only from the JSON API /gkmlpt/api/all/<column>?page=N&sid=<SID>; details
  /gkmlpt/content/0/<SID>/post_<id>.html with their metadata only in _CONFIG.DETAIL.
* generic: pagers that are not links — a <select> page jump, javascript:goPage(N) with
  the URL template in the page's script — and a plain 下一页/尾页 &pageNo=N pager.
* mixed: one 信息公开 root (/xxgk/) with a TRS column, a Hanweb column, a gkmlpt tree and
  a generic column: recognition has to come from each page's evidence.
* traps: the generic portal plus calendars, search, print/share variants, parameter
  permutations, session ids and a query string that grows on every click.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from crawler.demo import chrome, pages
from crawler.demo.assets import DISALLOWED, static_files
from crawler.demo.columns import ColumnDef
from crawler.demo.docgen import DocSpec, attachment_for, generate_document
from crawler.demo.model import Column, DemoSite, ListingPage, Resource
from crawler.demo.site import _Builder

FAMILIES: tuple[str, ...] = ("hanweb", "gkmlpt", "generic", "mixed", "traps")
HANWEB_PROXY = "/module/web/jpage/dataproxy.jsp"
GKMLPT_SID = "963"
HANWEB_UNIT = "41273"
GROUP_PAGES = 3  # Hanweb embeds (and the proxy serves) three pages' worth of records per group
NO_COUNT_COLUMNS = frozenset({1230})  # older jpage: no <totalrecord>, groups are asked for until one is short

# (code, name, style, kind, weight, column id): style says how the column is listed.
COLUMN_SETS: dict[str, tuple[tuple[str, str, str, str, int, int], ...]] = {
    "hanweb": (
        ("hwzcwj", "政策文件", "hanweb", "policy", 3, 1229),
        ("hwtzgg", "通知公告", "hanweb", "notice", 2, 1230),
    ),
    "gkmlpt": (
        ("gkzcfg", "政策法规", "gkmlpt", "policy", 3, 1821),
        ("gkghjh", "规划计划", "gkmlpt", "plan", 2, 1822),
    ),
    "generic": (
        ("bmwj", "部门文件", "select", "policy", 2, 41),
        ("tzgg", "通知公告", "gopage", "notice", 2, 42),
        ("czxx", "财政信息", "pageno", "finance", 2, 43),
    ),
    "mixed": (
        ("tzgg", "通知公告", "trs", "notice", 2, 51),
        ("zcwj", "政策文件", "hanweb", "policy", 4, 1229),
        ("gkzcfg", "政策法规", "gkmlpt", "rules", 2, 1821),
        ("bmwj", "部门文件", "select", "policy", 2, 41),
    ),
}
COLUMN_SETS["traps"] = COLUMN_SETS["generic"]
ROOTS = {"hanweb": "/col/col1228/index.html", "gkmlpt": "/gkmlpt/index"}
LAYOUTS = {"hanweb": (("table-hanweb", 1),), "trs": (("trs", 1),)}
DEFAULT_LAYOUTS = (("table-v1", 1), ("table-v2", 1), ("table-v3", 1))


def _columns(family: str) -> list[ColumnDef]:
    return [
        ColumnDef(
            code,
            name,
            style,
            kind,
            weight,
            cid=cid,
            detail_style=style,
            layouts=LAYOUTS.get(style, DEFAULT_LAYOUTS),
        )
        for code, name, style, kind, weight, cid in COLUMN_SETS[family]
    ]


def _entry(family: str, col: ColumnDef) -> str:
    """Where a column is linked (gkmlpt columns have no page: only the tree and the API)."""
    if col.detail_style == "hanweb" and family == "hanweb":
        return f"/col/col{col.cid}/index.html"
    if col.detail_style == "gkmlpt":
        return f"/gkmlpt/api/all/{col.cid}?page=1&sid={GKMLPT_SID}"
    return f"/xxgk/{col.code}/index.html" if col.detail_style != "trs" else f"/xxgk/{col.code}/index.htm"


def _listing_path(family: str, col: ColumnDef, n: int) -> str:
    style = col.detail_style
    if style == "gkmlpt":
        return f"/gkmlpt/api/all/{col.cid}?page={n}&sid={GKMLPT_SID}"
    if style == "hanweb":  # later groups are POSTs, named by their record range (listings())
        return _entry(family, col)
    if style == "trs":
        return f"/xxgk/{col.code}/index.htm" if n == 1 else f"/xxgk/{col.code}/index_{n - 1}.htm"
    if style == "select":
        return f"/xxgk/{col.code}/index.html" if n == 1 else f"/xxgk/{col.code}/index_{n - 1}.html"
    if style == "gopage":
        return f"/xxgk/{col.code}/index.html" if n == 1 else f"/xxgk/{col.code}/list_{n}.html"
    return f"/xxgk/{col.code}/index.html" if n == 1 else f"/xxgk/{col.code}/list.jsp?cid={col.cid}&pageNo={n}"


def _detail_path(col: ColumnDef, spec: DocSpec) -> str:
    when, style = spec.when, col.detail_style
    if style == "hanweb":
        return f"/art/{when.year}/{when.month}/{when.day}/art_{col.cid}_{spec.doc_id}.html"
    if style == "gkmlpt":
        return f"/gkmlpt/content/0/{GKMLPT_SID}/post_{spec.doc_id}.html"
    if style == "trs":
        return f"/xxgk/{col.code}/{when:%Y%m}/t{when:%Y%m%d}_{spec.doc_id}.htm"
    return f"/xxgk/{col.code}/detail/{spec.doc_id}.html"


def _attachment_path(col: ColumnDef, spec: DocSpec, n: int, ext: str) -> str:
    if col.detail_style == "hanweb":
        return f"/module/download/downfile.jsp?classid=0&filename=hw{spec.doc_id}{n}.{ext}"
    if col.detail_style == "gkmlpt":
        return f"/attachment/0/{spec.doc_id // 1000}/{spec.doc_id}/{spec.doc_id}{n}.{ext}"
    return f"/xxgk/uploadfiles/{spec.when:%Y%m}/{spec.doc_id}{n}.{ext}"


def _script(obj: Any) -> str:
    # JSON inside <script>: "</" must not end the element
    return json.dumps(obj, ensure_ascii=False).replace("</", "<\\/")


class _FamilyBuilder(_Builder):
    def __init__(
        self, family: str, size: int, seed: int, page_size: int, file_base: str | None = None
    ) -> None:
        super().__init__(size, seed, f"demo-{family}", page_size, False, None, 0)
        self.family = family
        self.file_base = file_base.rstrip("/") if file_base else ""
        self.page_size = page_size
        self.cols = _columns(family)
        self.specs = {}
        self.hanweb_groups: dict[int, list[DocSpec]] = {}  # column id → its records, newest first
        self.handlers: dict[str, Callable[[str, str, bytes], Resource]] = {}

    # -- documents -------------------------------------------------------------

    def make(self) -> None:
        weights = sum(c.weight for c in self.cols)
        used: set[str] = set()
        next_id = 3000
        everything: list[DocSpec] = []
        for i, col in enumerate(self.cols):
            rng = self.rng("family-column", col.code)
            count = max(1, round(self.size * col.weight / weights))
            for j in range(count):
                spec = generate_document(rng, col, used, column_path=col.name)
                if j % 4 == 1 or (i == 0 and j == 0):  # every column has files, of each kind
                    exts = ("pdf", "docx", "xlsx")
                    spec.attachments.append(attachment_for(rng, spec, 1, exts[(i + j) % 3]))
                self.specs.setdefault(col.code, []).append(spec)
                everything.append(spec)
        for spec in sorted(everything, key=lambda s: (s.when, s.title)):
            next_id += 1 + self.rng("id", spec.title).randrange(17)
            spec.doc_id = next_id
            spec.path = _detail_path(spec.col, spec)
            for n, att in enumerate(spec.attachments, start=1):
                # on a file server (file_base), attachments are named by their full URL
                att.path = att.href = self.file_base + _attachment_path(spec.col, spec, n, att.ext)
        for specs in self.specs.values():
            specs.sort(key=lambda s: (s.when, s.title), reverse=True)

    def trail(self, col: ColumnDef) -> list[tuple[str | None, str]]:
        return [(self.root, "政府信息公开"), (_entry(self.family, col), col.name)]

    @property
    def root(self) -> str:
        return ROOTS.get(self.family, "/xxgk/")

    def details(self) -> None:
        for col in self.cols:
            for spec in self.specs.get(col.code, []):
                if col.detail_style == "gkmlpt":
                    html = self._gkmlpt_detail(col, spec)
                else:
                    view = pages.DetailView(
                        title=spec.title,
                        column_name=col.name,
                        trail=self.trail(col),
                        layout=spec.layout,
                        blocks=spec.blocks,
                        meta_rows=spec.meta_rows,
                        pub_meta=spec.pub_meta,
                        info_line=spec.info_line,
                        source=spec.source,
                        attachments=[(a.href, a.link_text, a.inline) for a in spec.attachments],
                        print_href=f"/xxgk/print.jsp?id={spec.doc_id}",
                        description=spec.title,
                    )
                    html = pages.detail_page(view)
                self.pages[spec.path] = self._html(html, "utf-8", "utf-8", spec.when)
                self.documents.append(self._page_truth(spec))
                for att in spec.attachments:
                    self.pages[att.path.removeprefix(self.file_base)] = self._attachment_resource(spec, att)
                    self.documents.append(self._attachment_truth(spec, att))

    def _gkmlpt_detail(self, col: ColumnDef, spec: DocSpec) -> str:
        """The platform's page: metadata only in _CONFIG.DETAIL (its table is drawn by script)."""
        v = spec.values
        detail = {
            "id": spec.doc_id,
            "title": spec.title,
            "identifier": v.get("index_no") or "",
            "document_number": v.get("doc_no") or "",
            "publisher": v.get("publisher") or "",
            "created_at": f"{spec.when:%Y-%m-%d %H:%M}:00",
        }
        # what the page shows is the ground truth: DETAIL's fields, nothing the template hides
        shown = {
            "title",
            "index_no",
            "doc_no",
            "doc_no_issuer",
            "doc_no_year",
            "doc_no_serial",
            "publisher",
            "region_code",
            "column",
        }
        for name in list(v):
            if name not in shown:
                v[name] = None
        v["publish_date"] = spec.when.date().isoformat()
        v["publish_time"] = spec.when.replace(second=0).isoformat()
        head = f"<script>window._CONFIG = {_script({'SID': GKMLPT_SID, 'DETAIL': detail})};</script>\n"
        files = "".join(
            f'<li><a href="{escape(a.href)}">{escape(a.link_text)}</a></li>' for a in spec.attachments
        )
        main = (
            chrome.breadcrumb(self.trail(col))
            + f'<div class="article"><h1 class="article-title">{escape(spec.title)}</h1>'
            + '<table class="gkml-meta" id="gkml-meta"></table>'
            + f'<div class="article-content" id="zoom">{pages.body_html(spec.blocks)}</div>'
            + (f'<div class="article-files"><ul>{files}</ul></div>' if files else "")
            + "</div>"
        )
        return chrome.page(f"{spec.title}_{chrome.PORTAL_TITLE}", main, head_extra=head)

    # -- listings ----------------------------------------------------------------

    def render_family_listings(self) -> None:
        for col in self.cols:
            specs = self.specs.get(col.code, [])
            per = self.page_size * (GROUP_PAGES if col.detail_style == "hanweb" else 1)
            chunks = [specs[i : i + per] for i in range(0, len(specs), per)] or [[]]
            render = getattr(self, f"_listing_{col.detail_style}")
            paths = []
            for n, chunk in enumerate(chunks, start=1):
                path = _listing_path(self.family, col, n)
                if col.detail_style == "hanweb" and n > 1:
                    start = (n - 1) * per + 1
                    # without a count, the last group is asked for in full (endrecord past the end)
                    end = start + (per if col.cid in NO_COUNT_COLUMNS else len(chunk)) - 1
                    path = f"{HANWEB_PROXY}?startrecord={start}&endrecord={end}&perpage={self.page_size}"
                else:
                    self.pages[path] = render(col, chunk, n, len(chunks), len(specs))
                paths.append(path)
                self.listings.append(
                    ListingPage(
                        path, col.code, col.detail_style, n, len(chunks), tuple(s.path for s in chunk)
                    )
                )
            if col.detail_style == "hanweb":
                self.hanweb_groups[col.cid or 0] = specs
            self.columns.append(
                Column(
                    col.code,
                    col.name,
                    col.detail_style,
                    _entry(self.family, col),
                    cid=col.cid,
                    listing_paths=tuple(paths),
                    document_paths=tuple(s.path for s in specs),
                )
            )
        if any(c.detail_style == "hanweb" for c in self.cols):
            self.handlers[HANWEB_PROXY] = self._dataproxy

    def _frame(self, col: ColumnDef | None, title: str, body: str, head: str = "") -> Resource:
        trail = self.trail(col) if col else [(None, "政府信息公开")]
        tree = "".join(
            f'<li><a href="{escape(_entry(self.family, c))}">{escape(c.name)}</a></li>'
            for c in self.cols
            if c.detail_style != "gkmlpt"
        )
        main = (
            chrome.breadcrumb(trail)
            + f'<div class="side fl"><ul class="side-tree">{tree}</ul></div>'
            + f'<div class="list-main fr"><h2>{escape(title)}</h2>{body}</div>'
        )
        html = chrome.page(f"{title}_{chrome.PORTAL_TITLE}", main, head_extra=head)
        return self._html(html, "utf-8", "utf-8", datetime(2024, 1, 2, 9, 0))

    @staticmethod
    def _items(chunk: list[DocSpec]) -> str:
        return "".join(
            f'<li><a href="{escape(s.path)}" title="{escape(s.title)}">{escape(s.title)}</a>'
            f"<span>{s.when:%Y-%m-%d}</span></li>"
            for s in chunk
        )

    def _record(self, spec: DocSpec) -> str:
        return (
            f'<record><![CDATA[<li><a href="{escape(spec.path)}" target="_blank" title="{escape(spec.title)}">'
            f"{escape(spec.title)}</a><span>{spec.when:%Y-%m-%d}</span></li>]]></record>"
        )

    def _datastore(self, col: ColumnDef, chunk: list[DocSpec], total: int) -> str:
        query = (
            f"col=1&appid=1&webid=1&path=%2F&columnid={col.cid}&sourceContentType=1"
            f"&unitid={HANWEB_UNIT}&webname=%E8%B4%BA%E5%85%B0%E5%8E%BF&permissiontype=0"
        )
        count = (
            ""
            if col.cid in NO_COUNT_COLUMNS
            else f"<totalrecord>{total}</totalrecord><totalpage>{math.ceil(total / self.page_size)}</totalpage>"
        )
        return (
            f'<datastore><nextgroup><![CDATA[<a href="{HANWEB_PROXY}?{query}"></a>]]></nextgroup>'
            f"{count}<recordset>{''.join(self._record(s) for s in chunk)}</recordset></datastore>"
        )

    def _listing_hanweb(
        self, col: ColumnDef, chunk: list[DocSpec], n: int, pages_: int, total: int
    ) -> Resource:
        body = (
            f'<div id="{HANWEB_UNIT}"><script type="text/xml">{self._datastore(col, chunk, total)}</script>'
            '<script language="javascript" src="/module/web/jpage/jpage.js"></script>'
            f"<script>var pageJs = {{perpage: {self.page_size}, unitid: {HANWEB_UNIT}, "
            f'dataproxy: "{HANWEB_PROXY}"}};</script></div>'
        )
        return self._frame(col, col.name, body)

    def _dataproxy(self, method: str, query: str, body: bytes) -> Resource:
        """POST dataproxy.jsp?startrecord=N&endrecord=M&perpage=K with the column's form fields."""
        if method != "POST":
            return Resource(b"", "text/html", status=405)
        args = dict(parse_qsl(query))
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        specs = self.hanweb_groups.get(int(form.get("columnid", "0") or 0))
        try:
            start, end = int(args["startrecord"]), int(args["endrecord"])
        except (KeyError, ValueError):
            specs = None
        if specs is None:
            return Resource(b"<datastore><recordset></recordset></datastore>", "text/xml; charset=utf-8")
        col = next(c for c in self.cols if c.cid == int(form["columnid"]))
        xml = self._datastore(col, specs[start - 1 : end], len(specs))
        return Resource(xml.encode("utf-8"), "text/xml; charset=utf-8")

    def _listing_gkmlpt(
        self, col: ColumnDef, chunk: list[DocSpec], n: int, pages_: int, total: int
    ) -> Resource:
        articles = [
            {
                "id": s.doc_id,
                "title": s.title,
                "url": s.path,
                "created_at": f"{s.when:%Y-%m-%d %H:%M}:00",
                "identifier": s.values.get("index_no"),
            }
            for s in chunk
        ]
        data = {"total": total, "page": n, "articles": articles}
        return Resource(
            json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"
        )

    def _listing_trs(self, col: ColumnDef, chunk: list[DocSpec], n: int, pages_: int, total: int) -> Resource:
        items = "".join(
            f'<li><a href="./{escape(s.path.split(f"/{col.code}/", 1)[1])}">{escape(s.title)}</a></li>'
            for s in chunk
        )
        body = (
            f'<ul>{items}</ul>{pages.TRS_PAGER_JS}<div class="pager"><script>'
            f'createPageHTML({pages_}, {n - 1}, "index", "htm");</script></div>'
        )
        return self._frame(col, col.name, body)

    def _listing_select(
        self, col: ColumnDef, chunk: list[DocSpec], n: int, pages_: int, total: int
    ) -> Resource:
        options = "".join(
            f'<option value="{escape(_listing_path(self.family, col, i).rsplit("/", 1)[1])}"'
            f"{' selected' if i == n else ''}>第{i}页</option>"
            for i in range(1, pages_ + 1)
        )
        body = (
            f'<ul>{self._items(chunk)}</ul><div class="pager">共{pages_}页 跳转到'
            f'<select onchange="window.location.href=this.value">{options}</select></div>'
        )
        return self._frame(col, col.name, body)

    def _listing_gopage(
        self, col: ColumnDef, chunk: list[DocSpec], n: int, pages_: int, total: int
    ) -> Resource:
        script = (
            '<script>function goPage(page) { if (page == 1) { window.location.href = "index.html"; return; }'
            ' window.location.href = "list_" + page + ".html"; }</script>'
        )
        links = [
            f'<a href="javascript:goPage({i})">{i}</a>' for i in range(max(1, n - 1), min(pages_, n + 1) + 1)
        ]
        if n < pages_:
            links += [
                f'<a href="javascript:goPage({n + 1})">下一页</a>',
                f'<a href="javascript:goPage({pages_})">尾页</a>',
            ]
        body = f'<ul>{self._items(chunk)}</ul>{script}<div class="pager">{" ".join(links)} 共{pages_}页</div>'
        return self._frame(col, col.name, body)

    def _listing_pageno(
        self, col: ColumnDef, chunk: list[DocSpec], n: int, pages_: int, total: int
    ) -> Resource:
        links = []
        if n < pages_:
            links += [
                f'<a href="{escape(_listing_path(self.family, col, n + 1))}">下一页</a>',
                f'<a href="{escape(_listing_path(self.family, col, pages_))}">尾页</a>',
            ]
        body = f'<ul>{self._items(chunk)}</ul><div class="pager">{" ".join(links)} 共{pages_}页</div>'
        return self._frame(col, col.name, body)

    # -- root ------------------------------------------------------------------------

    def navigation(self) -> None:
        gk = [c for c in self.cols if c.detail_style == "gkmlpt"]
        head = ""
        if gk:
            tree = [
                {
                    "id": 1820,
                    "name": "信息公开目录",
                    "children": [{"id": c.cid, "name": c.name, "children": []} for c in gk],
                }
            ]
            # a catalogue node lists nothing of its own
            empty = {"total": 0, "page": 1, "articles": []}
            self.pages[f"/gkmlpt/api/all/1820?page=1&sid={GKMLPT_SID}"] = Resource(
                json.dumps(empty).encode(), "application/json; charset=utf-8"
            )
            head = f"<script>window._CONFIG = {_script({'SID': GKMLPT_SID, 'TREE': tree})};</script>\n"
        links = "".join(
            f'<li><a href="{escape(_entry(self.family, c))}">{escape(c.name)}</a></li>'
            for c in self.cols
            if c.detail_style != "gkmlpt"
        )
        latest = sorted(
            (s for specs in self.specs.values() for s in specs), key=lambda s: s.when, reverse=True
        )
        body = (
            f'<ul class="columns">{links}</ul><div id="gkml-tree"></div>'
            f'<ul class="latest">{self._items(latest[:5])}</ul>'
            '<p><a href="/">网站首页</a> <a href="http://www.example.gov.cn/">兄弟单位</a></p>'
        )
        self.pages[self.root] = self._frame(None, "政府信息公开", body, head)
        self.pages["/"] = self._html(
            pages.simple_page(chrome.PORTAL_TITLE, [], ["门户首页。"], [(self.root, "政府信息公开")]),
            "utf-8",
            "utf-8",
            datetime(2024, 1, 2),
        )
        for path, (content, ctype) in static_files().items():
            self.pages[path] = Resource(content, ctype, modified=self._modified(datetime(2016, 1, 4)))

    def build_family(self) -> DemoSite:
        self.make()
        self.details()
        self.render_family_listings()
        self.navigation()
        if self.family == "traps":
            from crawler.demo.traps import add_traps  # the trap pages wrap this site's pages

            add_traps(self.pages, self.handlers, [(c.code, c.cid or 0) for c in self.cols])
        return DemoSite(
            name=self.name,
            seed=self.seed,
            size=len([d for d in self.documents if d.kind == "page"]),
            title=chrome.PORTAL_TITLE,
            root_path=self.root,
            pages=self.pages,
            documents=self.documents,
            listing_pages=self.listings,
            columns=self.columns,
            redirects={"/xxgk": "/xxgk/"},
            broken_links=(),
            disallowed_prefixes=DISALLOWED,
            options={"family": self.family, "page_size": self.page_size},
            handlers=self.handlers,
        )


def build_family_site(
    family: str, size: int = 24, seed: int = 0, *, page_size: int = 4, file_base: str | None = None
) -> DemoSite:
    """A demo portal of one CMS family (or "mixed", or "traps"), about `size` detail pages.

    page_size: items per listing page (Hanweb groups are three pages' worth, as jpage.js asks).
    file_base: "http://host:port" of a file server: attachments are linked there (serve the
    same site on it too), and their Document.path is the full URL."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}: one of {', '.join(FAMILIES)}")
    return _FamilyBuilder(family, size, seed, page_size, file_base).build_family()
