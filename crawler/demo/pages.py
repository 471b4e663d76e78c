"""HTML of every page type: detail pages, both listing families, column and root pages.

Renderers take plain view objects and return `str`; the site builder encodes
them (UTF-8 or GBK). Nothing here is random: every choice arrives in the view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from crawler.demo import chrome
from crawler.demo.corpus import Block
from crawler.demo.layouts import TITLE_FIRST, MetaRow, meta_block

Link = tuple[str, str]  # (href, text)


@dataclass
class DetailView:
    title: str
    column_name: str
    trail: list[tuple[str | None, str]]  # breadcrumb after 首页
    layout: str  # a layouts.TEMPLATES key, or "trs"
    blocks: tuple[Block, ...]
    meta_rows: list[MetaRow] = field(default_factory=list)  # table/list layouts
    pub_meta: str | None = None  # trs: <meta name="PubDate"> value
    info_line: str | None = None  # trs: 发布时间：… | 来源：…
    source: str | None = None  # trs: ContentSource
    attachments: list[tuple[str, str, bool]] = field(default_factory=list)  # (href, text, inline in body)
    prev: Link | None = None
    next: Link | None = None
    related: list[Link] = field(default_factory=list)
    print_href: str = ""
    meta_charset: str | None = "utf-8"
    description: str = ""
    raw_body: str | None = None  # HTML body given as-is (extra report pages) instead of blocks


def body_html(blocks: tuple[Block, ...]) -> str:
    out = []
    for block in blocks:
        if isinstance(block, str):
            out.append(f'<p style="text-indent:2em;">{escape(block)}</p>')
            continue
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c) if c else '&nbsp;'}</td>" for c in row) + "</tr>"
            for row in block
        )
        out.append(
            '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
            f'style="border-collapse:collapse;width:100%;"><tbody>{rows}</tbody></table>'
        )
    return "\n".join(out)


def _attachments_html(view: DetailView) -> tuple[str, str]:
    """(inline paragraph inside the body, block below the body)."""
    inline = [(h, t) for h, t, is_inline in view.attachments if is_inline]
    below = [(h, t) for h, t, is_inline in view.attachments if not is_inline]
    inline_html = ""
    if inline:
        # TRS writes inline attachment links with OLDSRC/OLDID attributes
        links = "<br>".join(
            f'<a href="{escape(h)}" OLDSRC="/protect{escape(h.lstrip("."))}" OLDID="{i}">{escape(t)}</a>'
            for i, (h, t) in enumerate(inline, start=1)
        )
        inline_html = f'<p style="text-indent:2em;">附件：{links}</p>'
    below_html = ""
    if below:
        items = "".join(
            f'<li><a href="{escape(h)}" target="_blank" title="{escape(t)}">{escape(t)}</a></li>'
            for h, t in below
        )
        below_html = (
            f'<div class="attachments"><span class="att-label">附件下载：</span><ul>{items}</ul></div>'
        )
    return inline_html, below_html


def detail_page(view: DetailView) -> str:
    head = [f'<meta name="ColumnName" content="{escape(view.column_name)}">\n']
    if view.layout == "trs":
        head.append(f'<meta name="ColumnType" content="{escape(view.column_name)}">\n')
        head.append(f'<meta name="ArticleTitle" content="{escape(view.title)}">\n')
        head.append(f'<meta name="PubDate" content="{escape(view.pub_meta or "")}">\n')
        head.append(f'<meta name="ContentSource" content="{escape(view.source or "")}">\n')
    head.append(f'<meta name="Description" content="{escape(view.description)}">\n')
    inline_att, below_att = _attachments_html(view)
    title_html = f'<h1 class="article-title">{escape(view.title)}</h1>\n'
    if view.layout == "table-hanweb":
        title_html = f'<h1 class="article-title"><!--<$[标题名称]>begin-->{escape(view.title)}<!--<$[标题名称]>end--></h1>\n'
    parts = [chrome.breadcrumb(view.trail), '\n<div class="article">\n']
    if view.layout == "trs":
        parts += [
            title_html,
            f'<div class="article-info"><span class="info-text">{escape(view.info_line or "")}</span>'
            '<span class="font-size">【字体：<a href="javascript:doZoom(18)">大</a> '
            '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span></div>\n',
        ]
    elif TITLE_FIRST[view.layout]:
        parts += [title_html, meta_block(view.layout, view.meta_rows)]
    else:
        parts += [meta_block(view.layout, view.meta_rows), title_html]
    content = view.raw_body if view.raw_body is not None else body_html(view.blocks)
    if view.layout == "trs":
        content = f'<div class="TRS_Editor">{content}{inline_att}</div>'
    elif view.layout == "table-hanweb":
        content = f'<!--ZJEG_RSS.content.begin--><meta name="ContentStart">{content}{inline_att}<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->'
    else:
        content += inline_att
    parts.append(f'<div class="article-content" id="zoom">\n{content}\n</div>\n')
    parts.append(below_att)
    parts.append(
        f'<div class="article-tools"><a href="{escape(view.print_href)}" target="_blank">【打印本页】</a></div>\n'
    )
    pn = []
    for label, link in (("上一篇", view.prev), ("下一篇", view.next)):
        if link:
            pn.append(
                f'<p>{label}：<a href="{escape(link[0])}" title="{escape(link[1])}">{escape(link[1])}</a></p>'
            )
        else:
            pn.append(f"<p>{label}：没有了</p>")
    parts.append('<div class="prev-next">' + "".join(pn) + "</div>\n")
    if view.related:
        items = "".join(
            f'<li><a href="{escape(h)}" target="_blank">{escape(t)}</a></li>' for h, t in view.related
        )
        parts.append(f'<div class="related"><h3>相关信息</h3><ul>{items}</ul></div>\n')
    parts.append("</div>\n")
    return chrome.page(
        f"{view.title}_{chrome.PORTAL_TITLE}",
        "".join(parts),
        meta_charset=view.meta_charset,
        head_extra="".join(head),
        body_class="page-detail",
        share=True,
    )


def sidebar(tree: list[tuple[int, str, str]], current: str | None) -> str:
    """The 信息公开目录 tree: (depth, href, name)."""
    items = []
    for depth, href, name in tree:
        cls = "on" if href == current else ""
        items.append(f'<li class="lv{depth} {cls}"><a href="{escape(href)}">{escape(name)}</a></li>')
    return f'<div class="side fl"><div class="side-title">政府信息公开目录</div><ul class="side-tree">{"".join(items)}</ul></div>\n'


# TRS WCM writes this function into every listing template; browsers then build
# the page links from the createPageHTML(...) call below it — the links are not
# in the HTML. Kept verbatim-style (note the call inside the function body is
# not a page count: crawlers must take the numeric call only).
TRS_PAGER_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0){
		document.write("<span class=\\"disabled\\">首页</span>&nbsp;<span class=\\"disabled\\">上一页</span>&nbsp;");
	}else{
		var nPreIndex = nCurrIndex - 1;
		var sPreFileExt = nPreIndex == 0 ? "" : ("_" + nPreIndex);
		document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
		document.write("<a href=\\""+_sPageName+ sPreFileExt+"."+_sPageExt+"\\">上一页</a>&nbsp;");
	}
	if(nCurrIndex == (_nPageCount-1)){
		document.write("<span class=\\"disabled\\">下一页</span>&nbsp;<span class=\\"disabled\\">尾页</span>");
	}else{
		var nNextIndex = nCurrIndex + 1;
		document.write("<a href=\\""+_sPageName+"_" + nNextIndex + "."+_sPageExt+"\\">下一页</a>&nbsp;");
		document.write("<a href=\\""+_sPageName+"_" + (_nPageCount-1) + "."+_sPageExt+"\\">尾页</a>");
	}
	document.write("&nbsp;共" + _nPageCount + "页&nbsp;当前第" + (nCurrIndex + 1) + "页");
}
</script>
"""


@dataclass
class ListingView:
    column_name: str
    trail: list[tuple[str | None, str]]
    tree: list[tuple[int, str, str]]
    current: str  # sidebar entry to highlight
    family: str  # "trs" | "query"
    style: str  # "list" | "table"
    items: list[tuple[str, str, str, str, str]]  # (href, title, date, index_no, doc_no)
    number: int  # 1-based
    total_pages: int
    total_items: int
    query_base: str = ""  # query family: "?cid=12"
    per_page: int = 20
    meta_charset: str | None = "utf-8"


def _short(title: str, limit: int = 32) -> str:
    # listings truncate long titles; the full one is in the title attribute
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _items_html(view: ListingView) -> str:
    if not view.items:
        return '<div class="no-data">暂无信息</div>'
    if view.style == "table":
        head = "<tr><th>序号</th><th>索引号</th><th>标题</th><th>文号</th><th>发布日期</th></tr>"
        start = (view.number - 1) * view.per_page
        rows = "".join(
            f'<tr><td>{start + i}</td><td>{escape(ix)}</td><td class="title"><a href="{escape(h)}" target="_blank" '
            f'title="{escape(t)}">{escape(_short(t))}</a></td><td>{escape(dn)}</td><td>{escape(d)}</td></tr>'
            for i, (h, t, d, ix, dn) in enumerate(view.items, start=1)
        )
        return f'<table class="xxgk-list" width="100%"><thead>{head}</thead><tbody>{rows}</tbody></table>'
    lis = "".join(
        f'<li><a href="{escape(h)}" target="_blank" title="{escape(t)}">{escape(_short(t))}</a><span class="date">{escape(d)}</span></li>'
        for h, t, d, _, _ in view.items
    )
    return f'<ul class="news-list">{lis}</ul>'


def _query_pager(view: ListingView) -> str:
    def href(n: int) -> str:
        return escape(view.query_base if n == 1 else f"{view.query_base}&page={n}")

    n, total = view.number, view.total_pages
    parts = [f"<span>共{view.total_items}条</span> <span>共{total}页</span> <span>当前第{n}/{total}页</span>"]
    if n > 1:
        parts.append(f'<a href="{href(1)}">首页</a> <a href="{href(n - 1)}">上一页</a>')
    else:
        parts.append('<span class="disabled">首页</span> <span class="disabled">上一页</span>')
    if n < total:
        parts.append(f'<a href="{href(n + 1)}">下一页</a> <a href="{href(total)}">尾页</a>')
    else:
        parts.append('<span class="disabled">下一页</span> <span class="disabled">尾页</span>')
    parts.append(
        '跳转到<input type="text" id="jumpPage" size="3" value=""><a href="javascript:void(0);" '
        f"onclick=\"var p=document.getElementById('jumpPage').value;if(p)location.href='{escape(view.query_base)}&amp;page='+p;\">GO</a>"
    )
    return '<div class="pagination">' + " ".join(parts) + "</div>"


def listing_page(view: ListingView) -> str:
    main = [
        sidebar(view.tree, view.current),
        '<div class="content fr">',
        chrome.breadcrumb(view.trail),
        f'<div class="column-title"><h2>{escape(view.column_name)}</h2></div>',
        _items_html(view),
    ]
    if view.family == "trs":
        main.append(
            '<div class="page"><script type="text/javascript">\n//<![CDATA[\n'
            f'createPageHTML({view.total_pages}, {view.number - 1}, "index", "htm");\n//]]>\n</script></div>'
        )
    else:
        main.append(_query_pager(view))
    main.append("</div>\n")
    head = f'<meta name="ColumnName" content="{escape(view.column_name)}">\n'
    if view.family == "trs":
        head += TRS_PAGER_JS
    return chrome.page(
        f"{view.column_name}_{chrome.PORTAL_TITLE}",
        "\n".join(main),
        meta_charset=view.meta_charset,
        head_extra=head,
        body_class="page-list",
    )


def overview_page(
    name: str,
    trail: list[tuple[str | None, str]],
    tree: list[tuple[int, str, str]],
    current: str,
    blocks: list[tuple[str, str, list[Link]]],  # (column name, more href, latest items)
    extra: str = "",
) -> str:
    """A parent column (or the 信息公开 root): a block per sub-column with its latest items."""
    html_blocks = []
    for col_name, more, items in blocks:
        lis = "".join(
            f'<li><a href="{escape(h)}" target="_blank" title="{escape(t)}">{escape(_short(t, 28))}</a></li>'
            for h, t in items
        )
        html_blocks.append(
            f'<div class="col-block"><div class="col-head"><h3>{escape(col_name)}</h3>'
            f'<a class="more" href="{escape(more)}">更多&gt;&gt;</a></div><ul>{lis or "<li>暂无信息</li>"}</ul></div>'
        )
    main = [
        sidebar(tree, current),
        '<div class="content fr">',
        chrome.breadcrumb(trail),
        f'<div class="column-title"><h2>{escape(name)}</h2></div>',
        extra,
        '<div class="col-blocks clearfix">' + "".join(html_blocks) + "</div>",
        "</div>\n",
    ]
    return chrome.page(f"{name}_{chrome.PORTAL_TITLE}", "\n".join(main), body_class="page-column")


def simple_page(
    title: str, trail: list[tuple[str | None, str]], paragraphs: list[str], links: list[Link] | None = None
) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if links:
        body += (
            "<ul>" + "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in links) + "</ul>"
        )
    main = f'{chrome.breadcrumb(trail)}<div class="article"><h1 class="article-title">{escape(title)}</h1><div class="article-content">{body}</div></div>'
    return chrome.page(f"{title}_{chrome.PORTAL_TITLE}", main, body_class="page-simple")


def print_page(title: str, blocks: tuple[Block, ...]) -> str:
    """The print view (/xxgk/print/…): robots.txt disallows it; only the body, no chrome."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><meta name="robots" content="noindex"></head>'
        f'<body onload="window.print();"><h1>{escape(title)}</h1>{body_html(blocks)}</body></html>\n'
    )


def not_found_page() -> str:
    main = (
        '<div class="error-page"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>'
        '<p><a href="/">返回首页</a> <a href="/xxgk/">政府信息公开</a></p></div>'
    )
    return chrome.page(f"页面不存在_{chrome.PORTAL_TITLE}", main, body_class="page-404")


def search_page(query: str, results: list[Link], total: int) -> str:
    items = "".join(f'<li><a href="{escape(h)}" target="_blank">{escape(t)}</a></li>' for h, t in results)
    main = (
        f'{chrome.breadcrumb([(None, "站内搜索")])}<div class="search-result"><p>搜索“{escape(query)}”，'
        f"共找到 {total} 条结果</p><ul>{items}</ul></div>"
    )
    return chrome.page(f"站内搜索_{chrome.PORTAL_TITLE}", main, body_class="page-search")
