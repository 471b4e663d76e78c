"""build_site(): generate a whole demo portal, deterministically.

Same arguments, same bytes: every random choice comes from `random.Random`
seeded with strings derived from (name, seed), and nothing reads the clock.
HTML is rendered eagerly (5,000 detail pages in a few seconds); PDF/DOCX/XLSX
attachments render on first access, since they cost milliseconds each.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from crawler.demo import chrome, files, pages
from crawler.demo.assets import DISALLOWED, static_files
from crawler.demo.columns import (
    COLUMN_BY_CODE,
    COLUMN_DEFS,
    CONTENT_JSP,
    ROOT,
    ColumnDef,
    children,
    column_dir,
    entry_path,
    leaf_columns,
    listing_path,
    sidebar_tree,
    trail,
)
from crawler.demo.corpus import load_seeds
from crawler.demo.docgen import (
    AttSpec,
    DocSpec,
    attachment_for,
    empty_values,
    generate_document,
    seed_document,
)
from crawler.demo.extra_reports import ExtraReport, load_extra_reports
from crawler.demo.model import Column, DemoSite, Document, ListingPage, Resource

CST = timezone(timedelta(hours=8))  # pages carry Beijing time; HTTP dates are GMT
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REVISION_EPOCH = datetime(2025, 7, 1, 9, 0)  # revisions publish after the base site's last day
OLD_GUIDE_PATH = "/xxgk/xxgkzn.htm"  # moved: answers 301 to the column
BROKEN_PATH = "/xxgk/zcjd/index.htm"  # a removed column still linked from the root: 404
APPLY_PATH = "/xxgk/ysqgk/"  # 依申请公开 (a static page)


def _allocate(total: int, cols: list[ColumnDef]) -> dict[str, int]:
    """Split `total` documents over columns by weight (largest remainder), at least
    one each while there are enough."""
    weighted = [c for c in cols if c.weight > 0]
    counts = dict.fromkeys((c.code for c in weighted), 0)
    if total <= 0:
        return counts
    base = min(1, total // len(weighted))
    for c in weighted:
        counts[c.code] = base
    rest = total - base * len(weighted)
    weight_sum = sum(c.weight for c in weighted)
    shares = [(rest * c.weight / weight_sum, c.code) for c in weighted]
    for share, code in shares:
        counts[code] += int(share)
    left = total - sum(counts.values())
    for _, code in sorted(((s - int(s), code) for s, code in shares), key=lambda x: (-x[0], x[1]))[:left]:
        counts[code] += 1
    return counts


def _column_path_name(col: ColumnDef) -> str:
    return f"{COLUMN_BY_CODE[col.parent].name}/{col.name}" if col.parent else col.name


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


class _Builder:
    def __init__(
        self,
        size: int,
        seed: int,
        name: str,
        page_size: int | None,
        wrong_charset: bool,
        reports_dir: Path | None,
        revision: int,
        edits: int = 0,
    ):
        self.size, self.seed, self.name, self.revision = size, seed, name, revision
        self.edits = edits
        self.changed: list[str] = []  # paths corrected by revisions (edits=…)
        self.removed: list[str] = []  # paths withdrawn by revisions (edits=…)
        self.wrong_charset = wrong_charset
        self.reports_dir = reports_dir
        # real portals list 15-20 items a page; small (test) sites list fewer so they still paginate
        self.per_page = {
            "trs": page_size or max(3, min(20, size // 12)),
            "query": page_size or max(3, min(15, size // 16)),
        }
        self.specs: dict[str, list[DocSpec]] = {c.code: [] for c in leaf_columns()}
        self.pages: dict[str, Resource] = {}
        self.documents: list[Document] = []
        self.listings: list[ListingPage] = []
        self.columns: list[Column] = []

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(["xxgk-demo", self.name, str(self.seed), *map(str, parts)]))

    # -- documents -----------------------------------------------------------

    def make_documents(self) -> None:
        ndbg = COLUMN_BY_CODE["ndbg"]
        for seed_doc in load_seeds():
            self.specs["ndbg"].append(seed_document(self.rng("seed", seed_doc.key), seed_doc, ndbg))
        # the five seeds count towards `size`; extra report files come on top, so
        # adding some does not change the generated documents
        counts = _allocate(self.size - len(self.specs["ndbg"]), leaf_columns())
        for i, report in enumerate(load_extra_reports(self.reports_dir)):
            self.specs["ndbg"].append(self._extra_report(i, report, ndbg))
        used_titles = {s.title for s in self.specs["ndbg"]}
        generated: list[DocSpec] = []
        for col in leaf_columns():
            rng = self.rng("column", col.code)
            for _ in range(counts.get(col.code, 0)):
                spec = generate_document(rng, col, used_titles, column_path=_column_path_name(col))
                self._choose_encoding(rng, spec)
                self._choose_attachments(rng, spec)
                self.specs[col.code].append(spec)
                generated.append(spec)
        self._guarantee_variety(generated)
        self._add_revisions(used_titles)
        for specs in self.specs.values():
            specs.sort(key=lambda s: (s.when, s.title), reverse=True)  # listings: newest first

    def _add_revisions(self, used_titles: set[str]) -> None:
        """Revision r publishes new documents after everything before it, so an
        incremental crawl of revision r+1 finds new details on the first listing
        pages while every older detail page keeps its URL."""
        weighted = [c for c in leaf_columns() if c.weight > 0]
        per_revision = max(2, self.size // 20)
        for r in range(1, self.revision + 1):
            rng = self.rng("revision", r)
            start = REVISION_EPOCH + timedelta(days=30 * (r - 1))
            for i in range(per_revision):
                col = rng.choices(weighted, weights=[c.weight for c in weighted])[0]
                when = start + timedelta(days=i % 28, hours=1 + i // 28, minutes=rng.randrange(60))
                spec = generate_document(rng, col, used_titles, column_path=_column_path_name(col), when=when)
                self._choose_encoding(rng, spec)
                self._choose_attachments(rng, spec)
                spec.revision = r
                self.specs[col.code].append(spec)

    def _extra_report(self, i: int, report: ExtraReport, col: ColumnDef) -> DocSpec:
        rng = self.rng("extra-report", report.filename)
        values = empty_values()
        values.update(title=report.title, column=col.name)
        if report.report_year:
            when = datetime(
                report.report_year + 1, 1, 10 + rng.randrange(18), 9 + rng.randrange(8), rng.randrange(60)
            )
            values.update(publish_date=when.date().isoformat(), publish_time=when.isoformat())
            info = f"发布时间：{when:%Y-%m-%d %H:%M}"
            pub_meta: str | None = f"{when:%Y-%m-%d %H:%M}"
        else:
            when, info, pub_meta = datetime(2016, 1, 4, 9, 0) + timedelta(hours=i), "", None
        spec = DocSpec(col=col, title=report.title, when=when, layout="trs", blocks=(), values=values)
        spec.pub_meta, spec.info_line, spec.raw_body = pub_meta, info, report.body_html
        spec.seed = f"reports/{report.filename}"
        spec.blocks = tuple(report.paragraphs)  # ground-truth text only; the page shows raw_body
        return spec

    def _choose_encoding(self, rng: random.Random, spec: DocSpec) -> None:
        if spec.col.legacy_gbk or rng.random() < 0.08:
            spec.encoding = "gbk"
            spec.http_charset, spec.meta_charset, spec.meta_style = rng.choices(
                (("GBK", "gbk", "gbk"), ("gb2312", "gb2312", "http-equiv:gb2312"), (None, "gbk", "gbk")),
                weights=(60, 25, 15),
            )[0]
        elif rng.random() < 0.05:
            spec.http_charset = None  # UTF-8 declared in the page only

    def _choose_attachments(self, rng: random.Random, spec: DocSpec) -> None:
        if rng.random() >= 0.15:
            return
        weights = (30, 20, 50) if spec.col.kind == "finance" else (60, 30, 10)
        for n in range(1, rng.choice((1, 1, 2)) + 1):
            ext = rng.choices(("pdf", "docx", "xlsx"), weights=weights)[0]
            spec.attachments.append(attachment_for(rng, spec, n, ext))

    def _guarantee_variety(self, generated: list[DocSpec]) -> None:
        """Small sites still carry every case tests rely on."""
        if generated and not any(a.ext == "xlsx" for s in generated for a in s.attachments):
            target = next((s for s in generated if s.col.kind == "finance"), generated[0])
            target.attachments.append(
                attachment_for(self.rng("xlsx"), target, len(target.attachments) + 1, "xlsx")
            )
        gbk = [s for s in generated if s.encoding == "gbk"]
        if generated and not gbk:
            target = generated[len(generated) // 2]
            target.encoding, target.http_charset, target.meta_charset, target.meta_style = (
                "gbk",
                "GBK",
                "gbk",
                "gbk",
            )
            gbk = [target]
        if self.wrong_charset:
            # fault injection: the header claims UTF-8, the bytes and <meta> are GBK
            victims = gbk[::2] or [s for s in self.specs["ndbg"] if s.encoding == "gbk"][:1]
            for spec in victims:
                spec.http_charset = "utf-8"

    # -- addresses -----------------------------------------------------------

    def assign_paths(self) -> None:
        everything = sorted(
            (s for specs in self.specs.values() for s in specs), key=lambda s: (s.when, s.title)
        )
        next_id = {"trs": 90000, "content": 1000, "art": 10000}
        for spec in everything:
            style = spec.col.detail_style
            rng = self.rng("path", spec.title)
            next_id[style] += rng.randint(1, 37)  # other sites' documents share the counter
            spec.doc_id = next_id[style]
            when = spec.when
            if style == "trs":
                spec.path = f"{column_dir(spec.col)}{when:%Y%m}/t{when:%Y%m%d}_{spec.doc_id}.htm"
            elif style == "content":
                spec.path = f"{CONTENT_JSP}?id={spec.doc_id}"
            else:
                spec.path = f"/art/{when.year}/{when.month}/{when.day}/art_{1200 + (spec.col.cid or 0)}_{spec.doc_id}.html"
            for att in spec.attachments:
                if style == "trs":
                    fname = f"P0{when:%Y%m%d}{_digits(rng, 12)}.{att.ext}"
                    att.path = spec.path.rsplit("/", 1)[0] + "/" + fname
                    att.href = "./" + fname
                elif style == "content":
                    att.path = att.href = (
                        f"/uploadfiles/{when:%Y%m}/{int(when.timestamp() * 1000) + rng.randrange(999)}.{att.ext}"
                    )
                else:
                    token = "".join(rng.choice("0123456789abcdef") for _ in range(32))
                    att.path = att.href = (
                        f"/module/download/downfile.jsp?classid=0&filename={token}.{att.ext}"
                    )

    def apply_edits(self) -> None:
        """With edits=k, revision r also corrects k older documents (text changes, URL
        stays) and withdraws k others (gone from listings, their URLs answer 404).
        Runs after assign_paths, so every other document keeps its URL."""
        for r in range(1, self.revision + 1 if self.edits else 1):
            rng = self.rng("edits", r)
            candidates = sorted(
                (
                    s
                    for code, specs in self.specs.items()
                    if code != "ndbg"
                    for s in specs
                    if s.revision < r and s.path not in self.changed and s.path not in self.removed
                ),
                key=lambda s: s.path,
            )
            picked = rng.sample(candidates, min(len(candidates), 2 * self.edits))
            for spec in picked[: self.edits]:
                spec.blocks = (*spec.blocks, f"（更正：本文于修订{r}中更正了部分内容。）")
                self.changed.append(spec.path)
            for spec in picked[self.edits :]:
                self.specs[spec.col.code].remove(spec)
                self.removed.append(spec.path)

    # -- rendering -----------------------------------------------------------

    def _modified(self, when: datetime) -> datetime:
        return when.replace(tzinfo=CST)

    def _html(self, html: str, encoding: str, http_charset: str | None, modified: datetime) -> Resource:
        body = html.encode(encoding, errors="xmlcharrefreplace")
        ctype = f"text/html; charset={http_charset}" if http_charset else "text/html"
        return Resource(body, ctype, modified=self._modified(modified))

    def render_details(self) -> None:
        for code, specs in self.specs.items():
            col = COLUMN_BY_CODE[code]
            for i, spec in enumerate(specs):
                prev = (specs[i - 1].path, specs[i - 1].title) if i > 0 else None
                nxt = (specs[i + 1].path, specs[i + 1].title) if i + 1 < len(specs) else None
                related = [(s.path, s.title) for s in (specs[i + 1 : i + 5] or specs[max(0, i - 4) : i])]
                view = pages.DetailView(
                    title=spec.title,
                    column_name=col.name,
                    trail=trail(col),
                    layout=spec.layout,
                    blocks=spec.blocks,
                    meta_rows=spec.meta_rows,
                    pub_meta=spec.pub_meta,
                    info_line=spec.info_line,
                    source=spec.source,
                    attachments=[(a.href, a.link_text, a.inline) for a in spec.attachments],
                    prev=prev,
                    next=nxt,
                    related=related,
                    print_href=f"{chrome.PRINT_PATH}?url={quote(spec.path, safe='/')}",
                    meta_charset=spec.meta_style,
                    description=self._description(spec),
                    raw_body=spec.raw_body,
                )
                html = pages.detail_page(view)
                self.pages[spec.path] = self._html(html, spec.encoding, spec.http_charset, spec.when)
                self.documents.append(self._page_truth(spec))
                for att in spec.attachments:
                    self.pages[att.path] = self._attachment_resource(spec, att)
                    self.documents.append(self._attachment_truth(spec, att))

    @staticmethod
    def _description(spec: DocSpec) -> str:
        first = next((b for b in spec.blocks if isinstance(b, str)), "")
        return first[:80]

    def _attachment_resource(self, spec: DocSpec, att: AttSpec) -> Resource:
        author = spec.values.get("publisher") or spec.source or ""
        render: Callable[[], bytes]
        if att.ext == "pdf":

            def render() -> bytes:
                return files.make_pdf(att.title, att.blocks, author=author, date=spec.when)
        elif att.ext == "docx":

            def render() -> bytes:
                return files.make_docx(att.title, att.blocks, author=author, date=spec.when)
        else:

            def render() -> bytes:
                return files.make_xlsx(att.title[:31], att.rows)

        headers = {}
        if "downfile.jsp" in att.path:
            # a download servlet: the name only travels in Content-Disposition
            headers["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(att.title + '.' + att.ext)}"
            )
        return Resource(render, MIME[att.ext], headers=headers, modified=self._modified(spec.when))

    def _page_truth(self, spec: DocSpec) -> Document:
        return Document(
            path=spec.path,
            kind="page",
            parent=None,
            title=spec.title,
            column=spec.col.name,
            column_code=spec.col.code,
            metadata=dict(spec.values),
            encoding=spec.encoding,
            content_type="text/html",
            layout=spec.layout,
            family=spec.col.family,
            paragraphs=tuple(_block_text(b) for b in spec.blocks),
            attachments=tuple(a.path for a in spec.attachments),
            printed={label: value for _, label, value in spec.meta_rows}
            if spec.meta_rows
            else ({"info_line": spec.info_line} if spec.info_line else {}),
            http_charset=spec.http_charset,
            meta_charset=spec.meta_charset,
            seed=spec.seed,
            revision=spec.revision,
        )

    def _attachment_truth(self, spec: DocSpec, att: AttSpec) -> Document:
        values = empty_values()
        values.update(title=att.title, column=spec.col.name)
        if att.ext == "xlsx":
            paragraphs = tuple("\t".join(str(c) for c in row) for row in att.rows)
        else:
            paragraphs = (att.title, *(_block_text(b) for b in att.blocks))
        return Document(
            path=att.path,
            kind="attachment",
            parent=spec.path,
            title=att.title,
            column=spec.col.name,
            column_code=spec.col.code,
            metadata=values,
            encoding="binary",
            content_type=MIME[att.ext],
            layout=att.ext,
            family=spec.col.family,
            paragraphs=paragraphs,
            seed=spec.seed,
            link_text=att.link_text,
            revision=spec.revision,
        )

    def render_listings(self) -> None:
        tree = sidebar_tree()
        for col in leaf_columns():
            specs = self.specs[col.code]
            per_page = self.per_page[col.family]
            chunks = [specs[i : i + per_page] for i in range(0, len(specs), per_page)] or [[]]
            total = len(chunks)
            newest = specs[0].when if specs else datetime(2016, 1, 4)
            encoding = "gbk" if col.legacy_gbk else "utf-8"
            paths = []
            for number, chunk in enumerate(chunks, start=1):
                path = listing_path(col, number)
                paths.append(path)
                items = []
                for s in chunk:
                    href = "./" + s.path[len(column_dir(col)) :] if col.family == "trs" else s.path
                    items.append(
                        (
                            href,
                            s.title,
                            s.when.strftime("%Y-%m-%d"),
                            s.values.get("index_no") or "",
                            s.values.get("doc_no") or "",
                        )
                    )
                view = pages.ListingView(
                    column_name=col.name,
                    trail=trail(col),
                    tree=tree,
                    current=entry_path(col),
                    family=col.family,
                    style=col.listing_style,
                    items=items,
                    number=number,
                    total_pages=total,
                    total_items=len(specs),
                    query_base=f"?cid={col.cid}",
                    per_page=per_page,
                    meta_charset=encoding,
                )
                self.pages[path] = self._html(pages.listing_page(view), encoding, encoding.upper(), newest)
                self.listings.append(
                    ListingPage(path, col.code, col.family, number, total, tuple(s.path for s in chunk))
                )
            self.columns.append(
                Column(
                    code=col.code,
                    name=col.name,
                    family=col.family,
                    path=entry_path(col),
                    parent=col.parent,
                    cid=col.cid,
                    listing_paths=tuple(paths),
                    document_paths=tuple(s.path for s in specs),
                )
            )

    def _latest(self, cols: list[ColumnDef], n: int) -> list[tuple[str, str]]:
        specs = sorted(
            (s for c in cols for s in self.specs.get(c.code, [])),
            key=lambda s: (s.when, s.title),
            reverse=True,
        )
        return [(s.path, s.title) for s in specs[:n]]

    def render_navigation(self) -> None:
        tree = sidebar_tree()
        newest = max((s.when for specs in self.specs.values() for s in specs), default=datetime(2016, 1, 4))
        for col in COLUMN_DEFS:
            if col.family != "parent":
                continue
            subs = children(col.code)
            blocks = [(c.name, entry_path(c), self._latest([c], 5)) for c in subs]
            html = pages.overview_page(col.name, trail(col), tree, entry_path(col), blocks)
            self.pages[entry_path(col)] = self._html(html, "utf-8", "utf-8", newest)
            self.columns.append(
                Column(col.code, col.name, "parent", entry_path(col), children=tuple(c.code for c in subs))
            )
        order = {c.code: i for i, c in enumerate(COLUMN_DEFS)}
        self.columns.sort(key=lambda c: order[c.code])

        # the 信息公开 root: the tree, a block per top-level column, the latest items
        top = [c for c in COLUMN_DEFS if c.parent is None and c.code not in ("xxgkzn",)]
        blocks = [("最新信息", ROOT, self._latest(leaf_columns(), 10))]
        for c in top:
            cols = children(c.code) or [c]
            blocks.append((c.name, entry_path(c), self._latest(cols, 5)))
        guide = (
            '<div class="xxgk-guide clearfix">'
            f'<a href="{OLD_GUIDE_PATH}" class="guide-item">政府信息公开指南</a>'
            f'<a href="{entry_path(COLUMN_BY_CODE["xxgkzd"])}" class="guide-item">政府信息公开制度</a>'
            f'<a href="{entry_path(COLUMN_BY_CODE["ndbg"])}" class="guide-item">政府信息公开年报</a>'
            f'<a href="{APPLY_PATH}" class="guide-item">依申请公开</a>'
            f'<a href="{BROKEN_PATH}" class="guide-item">政策解读</a>'
            "</div>"
        )
        root_html = pages.overview_page(
            "政府信息公开", [(None, "政府信息公开")], tree, ROOT, blocks, extra=guide
        )
        self.pages[ROOT] = self._html(root_html, "utf-8", "utf-8", newest)
        self.pages[ROOT + "index.htm"] = self.pages[ROOT]  # TRS publishes the directory index too

        home = pages.simple_page(
            chrome.PORTAL_TITLE,
            [],
            ["贺兰县人民政府门户网站。"],
            [("/xxgk", "政府信息公开"), *self._latest(leaf_columns(), 8)],
        )
        self.pages["/"] = self._html(home, "utf-8", "utf-8", newest)
        site_date = datetime(2016, 1, 4, 9, 0)
        for path, name in chrome.portal_page_paths():
            html = pages.simple_page(
                name, [(None, name)], [f"{name}栏目。", "本栏目内容由贺兰县人民政府办公室维护更新。"]
            )
            self.pages[path] = self._html(html, "utf-8", "utf-8", site_date)
        apply_html = pages.simple_page(
            "依申请公开",
            [(ROOT, "政府信息公开"), (None, "依申请公开")],
            [
                "公民、法人或者其他组织可以向贺兰县人民政府申请获取相关政府信息。",
                "申请方式：当面申请、信函申请、网络申请。受理机构：贺兰县人民政府办公室。",
            ],
        )
        self.pages[APPLY_PATH] = self._html(apply_html, "utf-8", "utf-8", site_date)
        for path, (body, ctype) in static_files().items():
            self.pages[path] = Resource(body, ctype, modified=self._modified(site_date))

    def build(self) -> DemoSite:
        self.make_documents()
        self.assign_paths()
        self.apply_edits()
        self.render_details()
        self.render_listings()
        self.render_navigation()
        options: dict[str, Any] = {
            "wrong_charset": self.wrong_charset,
            "per_page": dict(self.per_page),
            "revision": self.revision,
            "changed": tuple(self.changed),
            "removed": tuple(self.removed),
        }
        return DemoSite(
            name=self.name,
            seed=self.seed,
            size=self.size,
            title=chrome.PORTAL_TITLE,
            root_path=ROOT,
            pages=self.pages,
            documents=self.documents,
            listing_pages=self.listings,
            columns=self.columns,
            redirects={"/xxgk": ROOT, OLD_GUIDE_PATH: entry_path(COLUMN_BY_CODE["xxgkzn"])},
            broken_links=(BROKEN_PATH,),
            disallowed_prefixes=DISALLOWED,
            options=options,
        )


def _block_text(block: Any) -> str:
    if isinstance(block, str):
        return block
    return "\n".join("\t".join(row) for row in block)


def build_site(
    size: int = 40,
    seed: int = 0,
    name: str = "demo",
    *,
    page_size: int | None = None,
    wrong_charset: bool = False,
    reports_dir: Path | None = None,
    revision: int = 0,
    edits: int = 0,
) -> DemoSite:
    """Generate a demo portal with about `size` detail pages.

    page_size: items per listing page (default scales with size: 4…20 for the
    TRS columns, three quarters of that for the query columns), so that small
    test sites still paginate. wrong_charset: fault injection — some GBK pages
    are served with ``charset=utf-8`` in the HTTP header. reports_dir: where to
    read extra annual-report HTML files (default crawler/demo/data/reports).
    revision: the same site later on — revision r adds max(2, size // 20) new
    documents per revision, all published after the base site (for incremental
    crawls: old URLs stay, listings shift, new details appear). edits: revision r
    also corrects `edits` older documents and withdraws `edits` others (404);
    their paths are in ``options["changed"]`` / ``options["removed"]``.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    if revision < 0:
        raise ValueError("revision must be >= 0")
    return _Builder(size, seed, name, page_size, wrong_charset, reports_dir, revision, edits).build()
