"""The 信息公开 column tree of the demo portal and where each column's pages live.

Two pagination families share the portal, as on real sites that migrated
part of their content:

* TRS WCM static publishing: ``/xxgk/<dir>/index.htm``, ``index_1.htm`` … with
  the page count only in ``createPageHTML(n, i, "index", "htm")``; details at
  ``./YYYYMM/tYYYYMMDD_<id>.htm`` relative to the column directory.
* A JSP back end: ``/xxgk/list.jsp?cid=N`` then ``&page=2`` … with ordinary
  下一页/尾页 links; details at ``/xxgk/content.jsp?id=N`` or Hanweb-style
  ``/art/Y/M/D/art_<col>_<id>.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "/xxgk/"
LIST_JSP = "/xxgk/list.jsp"
CONTENT_JSP = "/xxgk/content.jsp"


@dataclass(frozen=True)
class ColumnDef:
    code: str
    name: str
    family: str  # "trs" | "query" | "parent"
    kind: str  # title/body vocabulary: policy, notice, plan, finance, org, personnel, news, guide, rules, reports
    weight: int = 0  # share of generated documents
    parent: str | None = None
    cid: int | None = None  # query family
    detail_style: str = "trs"  # "trs" | "content" | "art"
    layouts: tuple[tuple[str, int], ...] = (("trs", 1),)
    listing_style: str = "list"  # "list" | "table" (信息公开目录 with 索引号/文号 columns)
    legacy_gbk: bool = False  # a legacy sub-system: every page of the column in GBK


COLUMN_DEFS: tuple[ColumnDef, ...] = (
    ColumnDef("jgzn", "机构职能", "trs", "org", 2, layouts=(("trs", 1),)),
    ColumnDef("zcwj", "政策文件", "parent", "policy"),
    ColumnDef(
        "xzfwj",
        "县政府文件",
        "trs",
        "policy",
        14,
        parent="zcwj",
        layouts=(("table-v1", 5), ("table-v2", 5)),
        listing_style="table",
    ),
    ColumnDef(
        "xzfbwj",
        "县政府办文件",
        "trs",
        "policy",
        12,
        parent="zcwj",
        layouts=(("table-v1", 4), ("table-v2", 3), ("list-v5", 3)),
        listing_style="table",
    ),
    ColumnDef(
        "bmwj",
        "部门文件",
        "query",
        "policy",
        10,
        parent="zcwj",
        cid=12,
        detail_style="content",
        layouts=(("table-v3", 6), ("list-v5", 4)),
    ),
    ColumnDef(
        "gfxwj",
        "规范性文件",
        "query",
        "rules",
        6,
        parent="zcwj",
        cid=13,
        detail_style="art",
        layouts=(("table-hanweb", 1),),
    ),
    ColumnDef(
        "ghjh",
        "规划计划",
        "query",
        "plan",
        8,
        cid=14,
        detail_style="content",
        layouts=(("table-v3", 1),),
        legacy_gbk=True,
    ),
    ColumnDef("ndbg", "政府信息公开年报", "trs", "reports", 0, listing_style="list"),
    ColumnDef("tzgg", "通知公告", "trs", "notice", 14, layouts=(("trs", 8), ("table-v1", 2))),
    ColumnDef("czzj", "财政资金", "parent", "finance"),
    ColumnDef(
        "yjsgk",
        "预决算公开",
        "query",
        "finance",
        8,
        parent="czzj",
        cid=21,
        detail_style="art",
        layouts=(("table-hanweb", 1),),
    ),
    ColumnDef(
        "sgjf",
        "三公经费",
        "query",
        "finance",
        4,
        parent="czzj",
        cid=22,
        detail_style="content",
        layouts=(("table-v3", 1),),
    ),
    ColumnDef("rsxx", "人事信息", "trs", "personnel", 5, layouts=(("trs", 1),)),
    ColumnDef("gzdt", "工作动态", "query", "news", 12, cid=31, detail_style="content", layouts=(("trs", 1),)),
    ColumnDef("xxgkzn", "政府信息公开指南", "trs", "guide", 1, layouts=(("trs", 1),)),
    ColumnDef("xxgkzd", "政府信息公开制度", "trs", "rules", 3, layouts=(("table-v1", 1),)),
)

COLUMN_BY_CODE: dict[str, ColumnDef] = {c.code: c for c in COLUMN_DEFS}


def column_dir(col: ColumnDef) -> str:
    """TRS directory of a column (and of its details): /xxgk/zcwj/xzfwj/."""
    if col.parent:
        return f"{ROOT}{col.parent}/{col.code}/"
    return f"{ROOT}{col.code}/"


def entry_path(col: ColumnDef) -> str:
    """Where a column is linked: its first listing page, or its overview page."""
    if col.family == "query":
        return f"{LIST_JSP}?cid={col.cid}"
    return column_dir(col) + "index.htm"


def listing_path(col: ColumnDef, number: int) -> str:
    """Page `number` (1-based) of a leaf column's listing."""
    if col.family == "trs":
        return column_dir(col) + ("index.htm" if number == 1 else f"index_{number - 1}.htm")
    if col.family == "query":
        base = f"{LIST_JSP}?cid={col.cid}"
        return base if number == 1 else f"{base}&page={number}"
    raise ValueError(f"{col.code} has no listing")


def children(code: str) -> list[ColumnDef]:
    return [c for c in COLUMN_DEFS if c.parent == code]


def leaf_columns() -> list[ColumnDef]:
    return [c for c in COLUMN_DEFS if c.family != "parent"]


def sidebar_tree() -> list[tuple[int, str, str]]:
    """(depth, href, name) for the 信息公开目录 sidebar, in tree order."""
    tree: list[tuple[int, str, str]] = []
    for col in COLUMN_DEFS:
        if col.parent is None:
            tree.append((1, entry_path(col), col.name))
            tree.extend((2, entry_path(c), c.name) for c in children(col.code))
    return tree


def trail(col: ColumnDef) -> list[tuple[str | None, str]]:
    """Breadcrumb after 首页: 政府信息公开 > [parent] > column."""
    out: list[tuple[str | None, str]] = [(ROOT, "政府信息公开")]
    if col.parent:
        parent = COLUMN_BY_CODE[col.parent]
        out.append((entry_path(parent), parent.name))
    out.append((entry_path(col), col.name))
    return out
