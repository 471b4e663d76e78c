"""How detail pages print their 信息公开 metadata: the label/value templates.

Each template is a real layout family seen on county portals. A template
lists the fields it shows, each with the label variants different sites use;
the generator picks a label per page, and the ground truth keeps exactly the
fields the template shows (a field a page does not print is None).
"""

from __future__ import annotations

from html import escape

# layout -> ((field, label variants), ...) in display order
TEMPLATES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # seed 003: three label/value pairs per row, spaced labels
    "table-v1": (
        ("index_no", ("索 引 号", "索引号")),
        ("doc_no", ("文 号", "文号")),
        ("publish_date", ("发布日期",)),
        ("publisher", ("发布机构",)),
        ("disclosure_term", ("公开时限",)),
        ("category", ("所属分类",)),
        ("keywords", ("关 键 词", "关键词")),
    ),
    # gov.cn 国务院文件 style: two pairs per row, title inside the table
    "table-v2": (
        ("index_no", ("索 引 号", "索引号")),
        ("category", ("主题分类",)),
        ("publisher", ("发文机关",)),
        ("written_date", ("成文日期",)),
        ("title", ("标　　题", "标题")),
        ("doc_no", ("发文字号",)),
        ("publish_date", ("发布日期",)),
        ("validity", ("有 效 性", "有效性")),
        ("genre", ("体裁分类",)),
    ),
    # provincial platform style
    "table-v3": (
        ("index_no", ("信息索引号",)),
        ("category", ("信息分类",)),
        ("publisher", ("发布机构",)),
        ("written_date", ("生成日期",)),
        ("doc_no", ("发文字号", "文号")),
        ("keywords", ("关键词",)),
        ("validity", ("有效性",)),
        ("disclosure_scope", ("公开方式",)),
        ("publish_date", ("发布日期",)),
    ),
    # Hanweb (大汉) jcms: values wrapped in <!--<$[name]>begin--> … <!--<$[name]>end--> markers
    "table-hanweb": (
        ("index_no", ("索引号",)),
        ("publisher", ("发布机构",)),
        ("written_date", ("生成日期",)),
        ("publish_date", ("发布日期",)),
        ("doc_no", ("文号",)),
        ("category", ("主题分类",)),
        ("keywords", ("关键字",)),
    ),
    # label/value spans in a list, no table at all
    "list-v5": (
        ("index_no", ("索引号",)),
        ("doc_no", ("发文字号",)),
        ("publisher", ("发布机构",)),
        ("written_date", ("成文日期",)),
        ("publish_date", ("发布日期",)),
        ("category", ("主题分类",)),
        ("validity", ("有效性",)),
    ),
}

_PAIRS_PER_ROW = {"table-v1": 3, "table-v2": 2, "table-v3": 2, "table-hanweb": 2}
_HANWEB_MARKER = {
    "index_no": "信息索引号",
    "publisher": "发布机构",
    "written_date": "生成日期",
    "publish_date": "发布日期",
    "doc_no": "文号",
    "category": "主题分类",
    "keywords": "关键字",
}
TITLE_FIRST = {"table-v1": True, "table-v2": False, "table-v3": False, "table-hanweb": True, "list-v5": True}

MetaRow = tuple[str, str, str]  # (field, label as printed, value as printed)


def _value_html(layout: str, field: str, value: str) -> str:
    text = escape(value)
    if layout == "table-hanweb":
        marker = _HANWEB_MARKER[field]
        return f"<!--<$[{marker}]>begin-->{text}<!--<$[{marker}]>end-->"
    return text


def meta_block(layout: str, rows: list[MetaRow]) -> str:
    """The metadata block of a detail page in the given template."""
    if layout == "list-v5":
        items = "".join(
            f'<li><span class="lab">{escape(label)}：</span><span class="val">{escape(value)}</span></li>'
            for _, label, value in rows
        )
        return f'<div class="xxgk-info"><ul class="clearfix">{items}</ul></div>\n'
    per_row = _PAIRS_PER_ROW[layout]
    colon = "" if layout == "table-v1" else "："
    out = [
        '<div class="xxgk-meta"><table class="table_suoyin" cellspacing="0" cellpadding="0" width="100%"><tbody>'
    ]
    # the title and the last odd pair span the full row, as the real templates do
    line: list[str] = []
    for field, label, value in rows:
        cell = f"<th>{escape(label)}{colon}</th><td>{_value_html(layout, field, value)}</td>"
        if field == "title":
            if line:
                out.append("<tr>" + "".join(line) + "</tr>")
                line = []
            span = per_row * 2 - 1
            out.append(f'<tr><th>{escape(label)}{colon}</th><td colspan="{span}">{escape(value)}</td></tr>')
            continue
        line.append(cell)
        if len(line) == per_row:
            out.append("<tr>" + "".join(line) + "</tr>")
            line = []
    if line:
        missing = per_row - len(line)
        if missing:
            line[-1] = line[-1].replace("<td>", f'<td colspan="{missing * 2 + 1}">', 1)
        out.append("<tr>" + "".join(line) + "</tr>")
    out.append("</tbody></table></div>\n")
    return "\n".join(out)
