"""Find the 信息公开 metadata block of a detail page, whatever its layout.

The page is flattened once into *segments*: the text of each block-level element with its
inline children merged (so 索<span/>引<span/>号 reads 索引号). Three patterns then cover the
layouts portals use:
  * a segment that is only a label (索引号, 索 引 号：) and the next segment its value — table
    cells alternating label/value (several pairs per row), <dt>/<dd>, <th>/<td>, label/value divs;
  * "label：value" pairs inside one segment, one or several per line —
    <li><b>索引号：</b>xxx</li>, "发布时间:2019-01-22 09:14 | 来源:沙县高桥镇";
  * a segment whose first inline piece is a label without a colon: <span>索引号</span><span>xxx</span>.
TRS-style <meta name="ArticleTitle|PubDate|ContentSource|…"> tags fill what the visible block
lacks. Values are returned raw (as printed); `normalize.py` turns them into dataset values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from pipelines.boilerplate import compact
from pipelines.labels import (
    BREADCRUMB_PREFIXES,
    BREADCRUMB_SEPARATORS,
    FIELD_LABELS,
    GENERIC_LABELS,
    META_TAGS,
    NON_COLUMN_CRUMBS,
    NOT_VALUES,
    PAGE_BUILD_TIME_META,
    PREFERRED_LABELS,
    TRS_MARKER_META,
    TRS_ONLY_META,
)
from pipelines.normalize import clean_value, parse_date

# Elements that end a line of text. Everything else (span, b, font, a, label…) is inline.
BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "html",
        "body",
        "div",
        "p",
        "td",
        "th",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "form",
        "br",
        "pre",
        "blockquote",
        "center",
        "address",
        "fieldset",
        "legend",
        "figure",
        "figcaption",
        "hr",
        "option",
        "title",
    }
)
# Subtrees that are never document text.
SKIP_TAGS: frozenset[str] = frozenset(
    {
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "select",
        "textarea",
        "button",
        "svg",
        "object",
    }
)

LABEL_TO_FIELD: dict[str, str] = {label: f for f, labels in FIELD_LABELS.items() for label in labels}
# A segment's text starts with what its compact form starts with (it is normalised and stripped):
# a segment whose first character starts no label is no label, without compacting it.
_LABEL_FIRST_CHARS: frozenset[str] = frozenset(label[0] for label in LABEL_TO_FIELD)
# Longest first so 信息来源 wins over 来源 and 公开日期 over 日期 at the same position.
_LABELS_LONGEST_FIRST = sorted(LABEL_TO_FIELD, key=len, reverse=True)
_SP = r"[\s\u3000\xa0\u200b]*"
_LABEL_ALT = "|".join(_SP.join(map(re.escape, label)) for label in _LABELS_LONGEST_FIRST)
# "label：" anywhere in a line (a colon is required: without one a label inside prose is not a label)
_INLINE_RE = re.compile(rf"(?<![\u4e00-\u9fff])(?P<label>{_LABEL_ALT}){_SP}[:：]")
# Where a value printed inline ends: the next "label：" of any kind (浏览次数：, 字号：…) or a separator.
_VALUE_END_RE = re.compile(
    r"[\s\u3000\xa0\u200b|｜丨]+[\u4e00-\u9fffA-Za-z]{2,8}[\s\u3000\xa0\u200b]*[:：]|[\s\u200b][|｜丨][\s\u200b]|【(?:字体|字号|打印|关闭|返回|收藏|分享)"
)

# Metadata some platforms keep only in a script object, the visible table being drawn by
# script (Guangdong gkmlpt: window._CONFIG = {…, DETAIL: {identifier, document_number, …}}).
# (regex ending where the object's "{" starts, {key in the object: field})
SCRIPT_METADATA: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (
        re.compile(r"""(?:_CONFIG\.DETAIL|["']?DETAIL["']?)\s*[:=]\s*(?=\{)"""),
        {
            "title": "title",
            "identifier": "index_no",
            "document_number": "doc_no",
            "publisher": "publisher",
            "created_at": "publish_date",
            "publish_time": "publish_date",
            "write_date": "written_date",
            "classify_main_name": "category",
            "keywords": "keywords",
            "source": "source",
        },
    ),
)

MAX_SEGMENT_FOR_INLINE = 400  # longer segments are prose, not metadata lines
MAX_VALUE_LENGTH: dict[str, int] = {"title": 300, "keywords": 200, "category": 120}
DEFAULT_MAX_VALUE_LENGTH = 100
NEIGHBOURHOOD = 8  # segments: how close a generic bare label must be to another hit


# Joins the text nodes of a segment: invisible, not whitespace, but it marks where one inline
# element ended, so "金贵镇人民政府</span><span>公开时限：" still shows a label boundary.
JOINER = "\u200b"


@dataclass
class Segment:
    text: str  # whitespace-normalised merged text, text nodes joined by JOINER
    parts: list[str]  # the text nodes it was merged from
    element: etree._Element  # innermost block element holding it


@dataclass
class Hit:
    field: str
    value: str
    segment: int  # index of the label's segment
    value_segment: int  # index of the value's segment (== segment for inline pairs)
    colon: bool  # the label was followed by a colon (strong evidence)
    generic: bool
    label: str = ""  # the label as matched (compact)


@dataclass
class PageMetadata:
    values: dict[str, str] = field(default_factory=dict)  # field -> raw value as printed
    meta: dict[str, str] = field(default_factory=dict)  # lowercased <meta name> -> content
    breadcrumb: list[str] | None = None
    block_elements: list[etree._Element] = field(default_factory=list)  # to keep out of the text
    breadcrumb_element: etree._Element | None = None
    segments: list[Segment] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join(text.split())  # str.split() splits at U+3000 and U+00A0 too


def plain(text: str) -> str:
    """Segment text as a reader sees it (without the part joiners)."""
    return _norm(text.replace(JOINER, ""))


def segments_of(tree: lxml_html.HtmlElement) -> list[Segment]:
    """The page's text as block-level segments, in document order (one walk over the tree)."""
    out: list[Segment] = []
    parts: list[str] = []
    stack: list[etree._Element] = [tree]

    def flush() -> None:
        # most block boundaries hold only the markup's indentation: nothing to normalise
        if not "".join(parts).isspace():
            text = _norm(JOINER.join(parts)).strip(JOINER + " ")
            if text.replace(JOINER, ""):
                out.append(Segment(text, [p for p in parts if p.strip()], stack[-1]))
        parts.clear()

    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, el in walker:
        tag = el.tag  # comments and processing instructions are dropped at parse time (htmltree.py)
        if event == "start":
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                if parts:
                    flush()
                stack.append(el)
            text = el.text
            # whitespace before a segment's first text changes nothing in it: not kept
            if text and (parts or not text.isspace()):
                parts.append(text)
        else:
            if tag in BLOCK_TAGS and tag not in SKIP_TAGS:
                if parts:
                    flush()
                if len(stack) > 1:
                    stack.pop()
            tail = el.tail
            if tail and (parts or not tail.isspace()):
                parts.append(tail)
    if parts:
        flush()
    return out


def meta_tags(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """<meta name|property=… content=…> of the page, names lowercased, first occurrence wins."""
    out: dict[str, str] = {}
    for el in tree.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        content = el.get("content")
        if name and content and content.strip() and name not in out:
            out[name] = _norm(content)
    return out


def _label_of(text: str) -> tuple[str, bool] | None:
    """(label, had_colon) when the whole segment is a label like 索 引 号：."""
    if text[:1] not in _LABEL_FIRST_CHARS:
        return None
    c = compact(text)
    colon = c.endswith((":", "："))
    c = c.rstrip(":：")
    return (c, colon) if c in LABEL_TO_FIELD else None


def _is_labelish(text: str) -> bool:
    c = compact(text).rstrip(":：")
    return c in LABEL_TO_FIELD or c in NOT_VALUES or bool(_INLINE_RE.match(text))


def _valid(field_name: str, value: str | None) -> bool:
    if value is None:
        return False
    if len(value) > MAX_VALUE_LENGTH.get(field_name, DEFAULT_MAX_VALUE_LENGTH):
        return False
    if field_name in ("publish_date", "written_date"):
        return parse_date(value) is not None
    if field_name == "index_no":
        return any(ch.isdigit() for ch in value)
    return True


def _inline_hits(i: int, text: str) -> list[Hit]:
    hits = []
    matches = list(_INLINE_RE.finditer(text))
    for k, m in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        value = text[m.end() : end]
        cut = _VALUE_END_RE.search(value)
        if cut:
            value = value[: cut.start()]
        label = compact(m.group("label"))
        hits.append(Hit(LABEL_TO_FIELD[label], value, i, i, True, label in GENERIC_LABELS, label))
    return hits


def _up(el: etree._Element, tags: frozenset[str], max_up: int = 4) -> etree._Element | None:
    """`el` or its nearest ancestor with one of `tags`, looking at most `max_up` levels up."""
    for _ in range(max_up + 1):
        if el is None:
            return None
        if el.tag in tags:
            return el
        el = el.getparent()
    return None


_CELLS = frozenset({"td", "th"})
_DT, _DD = frozenset({"dt"}), frozenset({"dd"})
MAX_PAIR_DISTANCE = 3  # levels from the label to the element shared with its value


def _pairs_up(label_el: etree._Element, value_el: etree._Element) -> bool:
    """Is the segment after a bare label really its value? A label cell's value is a cell of
    the same row; a <dt>'s is a <dd> of the same list; otherwise they must be near relatives.
    (An empty value cell otherwise makes the document's first paragraph the 关键词.)"""
    lcell = _up(label_el, _CELLS)
    if lcell is not None:
        vcell = _up(value_el, _CELLS)
        return vcell is not None and vcell.getparent() is lcell.getparent()
    ldt = _up(label_el, _DT)
    if ldt is not None:
        vdd = _up(value_el, _DD)
        return vdd is not None and vdd.getparent() is ldt.getparent()
    ancestors = []
    el = label_el
    for _ in range(MAX_PAIR_DISTANCE + 1):
        if el is None:
            break
        ancestors.append(el)
        el = el.getparent()
    el = value_el
    for _ in range(MAX_PAIR_DISTANCE + 1):
        if el is None:
            return False
        if any(el is a for a in ancestors):
            return True
        el = el.getparent()
    return False


def find_hits(segments: list[Segment]) -> list[Hit]:
    """Every label/value pair on the page, in document order (unvalidated)."""
    hits: list[Hit] = []
    n = len(segments)
    for i, seg in enumerate(segments):
        text = seg.text
        if len(text) > MAX_SEGMENT_FOR_INLINE:
            continue
        lab = _label_of(text)
        if lab:
            label, colon = lab
            value = None
            if (
                i + 1 < n
                and not _is_labelish(segments[i + 1].text)
                and _pairs_up(seg.element, segments[i + 1].element)
            ):
                value = plain(segments[i + 1].text)
            hits.append(
                Hit(LABEL_TO_FIELD[label], value or "", i, i + 1, colon, label in GENERIC_LABELS, label)
            )
            continue
        inline = _inline_hits(i, text) if ":" in text or "：" in text else None  # a colon is required
        if inline:
            hits.extend(inline)
            continue
        if len(seg.parts) >= 2:  # <span>索引号</span><span>640122-…</span>
            first = compact(seg.parts[0])
            if first in LABEL_TO_FIELD:
                value = _norm(JOINER.join(seg.parts[1:]))
                hits.append(Hit(LABEL_TO_FIELD[first], value, i, i, False, first in GENERIC_LABELS, first))
    return hits


def _accepted(hits: list[Hit]) -> list[Hit]:
    """Drop bare generic labels (名称, 日期, 来源 without a colon) that stand alone: table headers."""
    strong = [h.segment for h in hits if h.colon or not h.generic]
    out = []
    for h in hits:
        if h.generic and not h.colon and not any(0 < abs(s - h.segment) <= NEIGHBOURHOOD for s in strong):
            continue
        out.append(h)
    return out


_BLOCK_CONTAINERS = frozenset({"table", "dl", "ul", "ol"})


def _block_key(seg: Segment) -> etree._Element:
    """The container a label sits in: its table/list, else its element's parent. (The element
    itself is the key, not id(): a temporary lxml proxy's id can be reused by the next one.)"""
    el = _up(seg.element, _BLOCK_CONTAINERS)
    if el is None:
        parent = seg.element.getparent()
        el = parent if parent is not None else seg.element
    return el


def _by_block(hits: list[Hit], segments: list[Segment]) -> list[Hit]:
    """Hits of the metadata block first, then the rest in page order. The block is the
    container (table, list, parent element) whose hits name the most distinct fields: a sidebar
    item's lone "发布时间：" that comes first in the page must not beat the document's block."""
    groups: dict[etree._Element, list[Hit]] = {}
    for h in hits:
        groups.setdefault(_block_key(segments[h.segment]), []).append(h)
    if len(groups) <= 1:
        return hits
    best = max(
        groups.values(), key=lambda g: len({h.field for h in g if clean_value(h.value)})
    )  # first of equals
    return best + [h for h in hits if not any(h is b for b in best)]


_BREADCRUMB_FIRST_CHARS = tuple({prefix[0] for prefix in BREADCRUMB_PREFIXES})


def _breadcrumb(segments: list[Segment]) -> tuple[list[str], etree._Element] | None:
    for seg in segments:
        if not seg.text.lstrip(JOINER + " ").startswith(_BREADCRUMB_FIRST_CHARS):
            continue  # a breadcrumb prefix starts with one of these (whitespace apart)
        c = plain(seg.text)
        cc = compact(c)
        for prefix in BREADCRUMB_PREFIXES:
            if cc.startswith(prefix):
                rest = re.split(r"[:：]", c, maxsplit=1)
                trail = rest[1] if len(rest) == 2 else c[len(prefix) :]
                seps = re.escape(BREADCRUMB_SEPARATORS.replace("/", ""))
                crumbs = [x.strip() for x in re.split(rf"[{seps}]|\s/\s", trail)]
                return [x for x in crumbs if x], seg.element
    return None


def script_metadata(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """Field -> raw value from the platform objects of SCRIPT_METADATA in inline scripts."""
    out: dict[str, str] = {}
    for script in tree.iter("script"):
        text = script.text or ""
        if not text or script.get("src"):
            continue
        for pattern, keys in SCRIPT_METADATA:
            match = pattern.search(text)
            if not match:
                continue
            try:
                obj, _ = json.JSONDecoder().raw_decode(text, match.end())
            except ValueError:  # a JavaScript literal, not JSON: the visible page is all we have
                continue
            if not isinstance(obj, dict):
                continue
            for key, fname in keys.items():
                value = obj.get(key)
                if isinstance(value, str) and value.strip():
                    out.setdefault(fname, value.strip())
    return out


def _page_build_time(meta: dict[str, str]) -> str | None:
    """The page build time a platform writes in a <meta> (PAGE_BUILD_TIME_META), if any."""
    for name, prefix in PAGE_BUILD_TIME_META.items():
        content = (meta.get(name) or "").strip()
        if content.startswith(prefix):
            return content[len(prefix) :].strip() or None
    return None


def extract_metadata(tree: lxml_html.HtmlElement, segments: list[Segment] | None = None) -> PageMetadata:
    """Raw metadata values of a detail page: visible block first, TRS <meta> tags as fallback."""
    segs = segments if segments is not None else segments_of(tree)
    result = PageMetadata(meta=meta_tags(tree), segments=segs)
    used: dict[str, Hit] = {}  # field -> the hit its value came from
    block: list[Hit] = []  # every hit taken, replaced ones too: all are the block, not the text
    for hit in _by_block(_accepted(find_hits(segs)), segs):
        if hit.field in result.values and not (
            hit.label in PREFERRED_LABELS and used[hit.field].label not in PREFERRED_LABELS
        ):
            continue
        value = clean_value(hit.value)
        if _valid(hit.field, value):
            result.values[hit.field] = value  # type: ignore[assignment]
            used[hit.field] = hit
            block.append(hit)
    trs = any(name in result.meta for name in TRS_MARKER_META)
    built = _page_build_time(result.meta)
    for name, fname in META_TAGS.items():
        content = result.meta.get(name)
        if name in TRS_ONLY_META and not trs:
            continue
        if fname == "publish_date" and built and content and content.strip() == built:
            continue  # the page's build time, not the document's
        if content and fname not in result.values and clean_value(content):
            result.values.setdefault(fname, clean_value(content))  # type: ignore[arg-type]
    for fname, value in script_metadata(tree).items():
        if fname not in result.values and clean_value(value):
            result.values[fname] = clean_value(value)  # type: ignore[assignment]
    # ArticleTitle is the CMS's own record of the title: it beats a 标题 row or a heading.
    if result.meta.get("articletitle"):
        result.values["title"] = _norm(result.meta["articletitle"])

    # The elements holding the block, so text extraction can leave them out.
    for hit in block:
        for idx in {hit.segment, hit.value_segment}:
            if idx < len(segs):
                result.block_elements.append(segs[idx].element)
    crumb = _breadcrumb(segs)
    if crumb:
        crumbs = [c for c in crumb[0] if c not in NON_COLUMN_CRUMBS]
        result.breadcrumb = crumbs or None
        result.breadcrumb_element = crumb[1]
    return result


def column_of(meta: PageMetadata, title: str | None) -> str | None:
    """栏目: the CMS's ColumnName, a 栏目 row, or the breadcrumb's last crumb (if not the title)."""
    if meta.values.get("column"):
        return meta.values["column"]
    if meta.breadcrumb:
        last = meta.breadcrumb[-1]
        if last != title and len(last) <= 40:
            return last
    return None
