"""The document's title, never the site's name.

Evidence in order: the CMS's ArticleTitle meta, a 标题/名称 row of the metadata block, a
heading of the page that <title> confirms (so a truncated <title> yields the full heading),
<title> with the site-name part removed, then the first title-like heading of the content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import html as lxml_html

from pipelines.labels import SITE_NAME_SUFFIXES, SITE_SECTION_SUFFIXES, TITLE_CLASS_HINTS, TITLE_SEPARATORS

_HINT_RE = re.compile(
    rf"(^|[\s_\-])({'|'.join(map(re.escape, TITLE_CLASS_HINTS))})\d*($|[\s_\-])|title", re.IGNORECASE
)
# capturing, so split() keeps the separators and a title can be rebuilt exactly
_SPLIT_RE = re.compile(
    "(" + "|".join(re.escape(s) for s in sorted(TITLE_SEPARATORS, key=len, reverse=True)) + ")"
)
HEADING_TAGS = ("h1", "h2", "h3", "h4")
MIN_TITLE, MAX_TITLE = 4, 300


def _norm(text: str) -> str:
    return " ".join(text.replace("\u3000", " ").replace("\xa0", " ").split())


def looks_like_site_name(text: str, site_names: set[str], *, section: bool = False) -> bool:
    """A known site name, or short and ending like one (贺兰县人民政府, 盐池县人民政府门户网站);
    with section=True also a site section (…政府信息公开)."""
    t = _norm(text)
    if t in site_names:
        return True
    suffixes = SITE_NAME_SUFFIXES + SITE_SECTION_SUFFIXES if section else SITE_NAME_SUFFIXES
    return len(t) <= 24 and t.endswith(suffixes)


def split_title_tag(title: str, site_names: set[str]) -> tuple[str | None, set[str], list[str]]:
    """(document part, site-name parts, all parts) of a <title> like "文件名_栏目_贺兰县人民政府"."""
    tokens = _SPLIT_RE.split(_norm(title))  # parts and separators alternate
    parts = [t.strip() for t in tokens[::2]]
    site = {p for i, p in enumerate(parts) if p and looks_like_site_name(p, site_names, section=i > 0)}
    keep = [i for i, p in enumerate(parts) if p and p not in site]
    if not keep:
        return None, site, parts
    first_site = next((i for i, p in enumerate(parts) if p in site), len(parts))
    if first_site > 0:
        keep = [i for i in keep if i < first_site]
    # rebuild with the page's own separators: a title may itself contain "-" (2018-2019年…)
    lo, hi = keep[0], keep[-1]
    doc = "".join(tokens[2 * lo : 2 * hi + 1]).strip()
    return doc or None, site, parts


_NOT_TITLES = frozenset({"script", "style", "a", "title", "img", "input", "option"})


def _heading_candidates(tree: lxml_html.HtmlElement) -> Iterator[str]:
    """The texts of the body's headings and title-hinted elements, in page order (lazily: the
    first that fits usually ends the search)."""
    body = tree.find("body")
    root = body if body is not None else tree
    for el in root.iter():
        tag = el.tag
        if tag in _NOT_TITLES:
            continue
        if tag not in HEADING_TAGS:
            cls, ident = el.get("class"), el.get("id")
            if not (cls or ident) or not _HINT_RE.search(f"{cls or ''} {ident or ''}"):
                continue
        text = _norm(el.text_content())
        if MIN_TITLE <= len(text) <= MAX_TITLE:
            yield text


def choose_title(
    tree: lxml_html.HtmlElement,
    meta_title: str | None = None,
    block_title: str | None = None,
    site_name: str | None = None,
) -> str | None:
    """Pick the document title (see module doc); None when the page has none we can trust."""
    site_names = {_norm(site_name)} if site_name else set()
    title_el = tree.find(".//title")
    raw_title = _norm(title_el.text_content()) if title_el is not None else ""
    doc_part, site_parts, parts = split_title_tag(raw_title, site_names) if raw_title else (None, set(), [])
    site_names |= site_parts

    for candidate in (meta_title, block_title):
        if candidate and not looks_like_site_name(candidate, site_names):
            return _norm(candidate)

    headings = (h for h in _heading_candidates(tree) if not looks_like_site_name(h, site_names))
    if doc_part:
        for h in headings:
            if h in (doc_part, parts[0]) or (len(doc_part) >= 8 and h.startswith(doc_part.rstrip("…. "))):
                return h
        return doc_part
    for h in headings:
        # a heading that repeats a breadcrumb or says 正文/详情 is no title
        if h not in ("正文", "详情", "内容") and not h.startswith(("当前位置", "您当前")):
            return h
    return None
