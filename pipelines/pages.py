"""Finding the links of a portal page, what each one is, and whether the page is a document.

The live crawl and `xxgk parse` over other tools' WARCs decide with the same
functions, on the page alone.

Work here runs for every link of every page (≈50 per page on county portals,
mostly the same navigation), so it costs one regular-expression scan of the
page, no DOM: like Heritrix's ExtractorHTML, links come from the markup of
``<a>``/``<area>``/``<frame>``/``<iframe>`` tags, with comments, scripts and
styles skipped as a browser's parser skips them. Resolving an href against
the page is memoised per site (`LinkResolver`), and the spider caches each
URL's role, so a navigation link seen before costs two dict lookups.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from functools import lru_cache
from html import unescape
from urllib.parse import urljoin

from pipelines.links import SKIP_SCHEMES, classify_link
from pipelines.page_patterns import (
    DETAIL_LABELS,
    DETAIL_META_NAMES,
    DETAIL_URL_PATTERNS,
    PAGER_TEXTS,
    REQUISITE_ATTRIBUTES,
    REQUISITE_LINK_RELS,
)

# A link's role: what the page it leads to is expected to be.
PAGE, LISTING, DETAIL, ATTACHMENT = "page", "listing", "detail", "attachment"

_DETAIL = re.compile("|".join(f"(?:{p})" for p in DETAIL_URL_PATTERNS))

_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""


def _before(first: str, rest: str) -> str:
    """What ``.*?`` matches before the first ``{first}{rest}`` (re.S), written so that sre skips
    whole runs of other characters instead of trying the end at every one (a lazy loop does):
    the scans below take a third less time. Possessive, so a missing end fails as fast."""
    other = f"[^{re.escape(first)}]*+"
    return f"{other}(?:{re.escape(first)}(?!{rest}){other})*+"


_COMMENT = "!--" + _before("-", "->") + "-->"
_SCRIPT_BODY = _before("<", r"/script\s*>")
_STYLE_BODY = _before("<", r"/style\s*>")


# The scans below start with "<" and a look at the next character: most of a page's tags
# (div, span, p, closing tags) fail there, before sre tries each alternative in turn.
# One pass: what a browser does not parse as markup (skipped), then the tags that link.
# Groups: 1 "a" for anchors, 2-4 <a>/<area> href, 5 the text after the tag up to the next
# tag (an anchor's own text), 6-8 <frame>/<iframe> src, 9-11 <base> href. findall() hands
# them over as tuples in one C call; skipped markup gives a tuple of empty strings.
_SCAN = re.compile(
    r"<(?=[!abfis])(?:"
    rf"{_COMMENT}"
    rf"|script\b[^>]*>{_SCRIPT_BODY}</script\s*>"
    rf"|style\b[^>]*>{_STYLE_BODY}</style\s*>"
    rf"|(?:(a)|area)\b[^>]*?\shref{_VALUE}[^>]*>([^<]*)"
    rf"|i?frame\b[^>]*?\ssrc{_VALUE}[^>]*>"
    rf"|base\b[^>]*?\shref{_VALUE})",
    re.I | re.S,
)
_META = re.compile(r"<meta\b([^>]*)>", re.I)
_BASE = re.compile(rf"<base\b[^>]*?\shref{_VALUE}", re.I)
_ATTRIBUTE = re.compile(rf"([\w:.-]+){_VALUE}")

__all__ = [
    "ATTACHMENT",
    "DETAIL",
    "LISTING",
    "PAGE",
    "LinkResolver",
    "iter_css_urls",
    "iter_links",
    "iter_requisites",
    "link_role",
    "looks_like_detail",
    "meta_tags",
]


def link_role(url: str, text: str | None = None) -> str | None:
    """page | listing | detail | attachment for an absolute URL, or None to skip it."""
    kind = classify_link(url, text)
    if kind == "attachment":
        return ATTACHMENT
    if kind != "page":
        return None  # media, scripts, mailto:
    if _DETAIL.search(url):
        return DETAIL
    if text and text.strip() in PAGER_TEXTS:
        return LISTING
    return PAGE


def _value(match: re.Match, first: int) -> str:
    value = match.group(first) or match.group(first + 1) or match.group(first + 2) or ""
    return unescape(value) if "&" in value else value


class LinkResolver:
    """Absolute URLs (without fragment) of a page's hrefs, memoised across pages.

    The navigation of a portal repeats on every page, so most hrefs were resolved
    before: the key is what the result depends on (the origin for "/x", the base
    directory for "x.html", nothing for absolute URLs), not the page URL.
    """

    # The hits are the navigation (~60 hrefs per site); most other hrefs are met once or twice.
    # A small cap, emptied when full, keeps memory flat on big portals at the price of
    # resolving the navigation again once every few thousand pages.
    def __init__(self, max_entries: int = 20_000):
        self._cache: dict[tuple[str, str], str | None] = {}
        self.max_entries = max_entries

    def resolver(self, base: str):
        """A function href → absolute URL or None (not fetchable) for pages with this base URL."""
        scheme_end = base.find("://")
        path_start = base.find("/", scheme_end + 3) if scheme_end > 0 else -1
        origin = base if path_start < 0 else base[:path_start]
        directory = base.split("?", 1)[0].split("#", 1)[0]
        directory = directory[: directory.rfind("/") + 1] if path_start >= 0 else origin + "/"
        scheme = base[:scheme_end]
        cache = self._cache
        if len(cache) > self.max_entries:
            cache.clear()

        def resolve(href: str) -> str | None:
            first = href[0]
            if first == "/":  # "//host/x" keeps the page's scheme, "/x" its origin
                key = (scheme, href) if href.startswith("//") else (origin, href)
            elif first in "?#":
                key = (base, href)
            elif ":" in href.split("/", 1)[0]:
                key = ("", href)  # absolute: http://…
            else:
                key = (directory, href)
            try:
                return cache[key]
            except KeyError:
                pass
            try:
                absolute: str | None = urljoin(base, href).split("#", 1)[0]
            except ValueError:  # malformed (bad IPv6 literal, bad port): not fetchable
                absolute = None
            cache[key] = absolute
            return absolute

        return resolve


_DEFAULT_RESOLVER = LinkResolver()


def iter_links(url: str, text: str, resolver: LinkResolver | None = None) -> Iterator[tuple[str, str | None]]:
    """(absolute URL without fragment, anchor text) for each link of the page, in page order.

    The anchor text is the text before the anchor's first child element (lxml's
    ``.text``). Script-driven pagers and embedded listings are the CMS families'
    (crawler/cms/registry.py)."""
    links = resolver or _DEFAULT_RESOLVER
    resolve = links.resolver(url)
    for is_a, h1, h2, h3, own_text, f1, f2, f3, b1, b2, b3 in _SCAN.findall(text):
        href = h1 or h2 or h3
        if href:  # <a> or <area>: an <a>'s text up to its first child element
            anchor = (unescape(own_text) if "&" in own_text else own_text) if is_a and own_text else None
        elif f1 or f2 or f3:
            href, anchor = f1 or f2 or f3, None
        else:
            base = b1 or b2 or b3
            base = (unescape(base) if "&" in base else base).strip()
            if base:
                resolve = links.resolver(urljoin(url, base))
            continue  # a <base>, or markup a browser does not parse (comment, script, style)
        if "&" in href:
            href = unescape(href)
        href = href.strip()
        if not href or href.lower().startswith(SKIP_SCHEMES):
            continue
        absolute = resolve(href)
        if absolute is not None:
            yield absolute, anchor


def meta_tags(text: str) -> dict[str, str]:
    """<meta name=… content=…> of a page, first of each name (names as written)."""
    found: dict[str, str] = {}
    for match in _META.finditer(text):
        attributes = {m.group(1).lower(): _value(m, 2) for m in _ATTRIBUTE.finditer(match.group(1))}
        name = attributes.get("name")
        if name and name not in found:
            found[name] = attributes.get("content", "")
    return found


def looks_like_detail(url: str, meta: dict[str, str], text: str, detail_links: int, paged: bool) -> bool:
    """Whether an HTML page is a document page: by URL, TRS meta tags or a metadata block.

    Listings of 信息公开目录 often have 索引号/发布机构 column headers too, so the
    label evidence only counts on pages that are not part of a paged listing
    (reached through a pager or carrying one) and list few documents themselves.
    """
    if _DETAIL.search(url):
        return True
    if any(meta.get(name) for name in DETAIL_META_NAMES):
        return True
    if paged:
        return False
    return detail_links < 3 and any(label in text for label in DETAIL_LABELS)


_REQUISITE_NAMES = ("link", *REQUISITE_ATTRIBUTES)
_REQUISITE_FIRST = "".join(sorted({"s", *(name[0] for name in _REQUISITE_NAMES)}))  # and <style
_REQUISITE_TAGS = re.compile(
    rf"<(?=[!{_REQUISITE_FIRST}])(?:{_COMMENT}"
    rf"|style\b[^>]*>({_STYLE_BODY})</style\s*>"
    rf"|({'|'.join(_REQUISITE_NAMES)})\b([^>]*)>)",
    re.I | re.S,
)
_STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_URL = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.I
)


def _css_hrefs(css: str) -> tuple[str, ...]:
    """The hrefs a stylesheet (or a style attribute) loads, as written: url(…) and @import."""
    out = []
    for groups in _CSS_URL.findall(css):
        href = unescape(next((g for g in groups if g), "").strip())
        if href and not href.lower().startswith(("data:", *SKIP_SCHEMES)):
            out.append(href)
    return tuple(out)


STYLE_BLOCK_MEMO_MAX = 16 * 1024  # a page's <style> blocks up to this size are remembered


@lru_cache(maxsize=1024)
def _style_block_hrefs(css: str) -> tuple[str, ...]:
    """`_css_hrefs` of a page's <style> block, memoised: a portal's pages repeat the same blocks."""
    return _css_hrefs(css)


def iter_css_urls(base: str, css: str) -> Iterator[str]:
    """Absolute URLs a stylesheet (or a style attribute) loads: url(…) and @import."""
    for href in _css_hrefs(css):
        with contextlib.suppress(ValueError):
            yield urljoin(base, href).split("#", 1)[0]


@lru_cache(maxsize=4096)
def _tag_hrefs(tag: str, attributes: str) -> tuple[str, ...]:
    """The hrefs one requisite tag loads, as written (its inline style's included). Memoised: the
    chrome's tags repeat on every page of a portal."""
    values = {m.group(1).lower(): _value(m, 2) for m in _ATTRIBUTE.finditer(attributes)}
    tag = tag.lower()
    if tag == "link":
        rels = set(values.get("rel", "").lower().split())
        names = ("href",) if rels & REQUISITE_LINK_RELS else ()
    else:
        names = REQUISITE_ATTRIBUTES[tag]
    out = []
    for name in names:
        href = values.get(name, "").strip()
        if href and not href.lower().startswith(("data:", *SKIP_SCHEMES)):
            out.append(href)
    style = _STYLE_ATTRIBUTE.search(attributes)
    if style:
        out.extend(_css_hrefs(unescape(style.group(1) or style.group(2))))
    return tuple(out)


def iter_requisites(url: str, text: str, resolver: LinkResolver | None = None) -> Iterator[str]:
    """Absolute URLs of what a browser loads to show the page: stylesheets, scripts, images, icons,
    fonts and what inline styles load (a <base href> respected, comments skipped). resolver: the
    memo the page's links are resolved with (`LinkResolver`)."""
    base = url
    for match in _BASE.finditer(text):
        base = urljoin(url, unescape(match.group(1) or match.group(2) or match.group(3) or "").strip())
        break
    resolve = (resolver or _DEFAULT_RESOLVER).resolver(base)
    for style_block, tag, attributes in _REQUISITE_TAGS.findall(text):
        if style_block:
            memo = len(style_block) <= STYLE_BLOCK_MEMO_MAX  # not a big one: the memo holds its text
            hrefs = _style_block_hrefs(style_block) if memo else _css_hrefs(style_block)
        else:
            hrefs = _tag_hrefs(tag, attributes) if tag else ()
        for href in hrefs:
            absolute = resolve(href)
            if absolute is not None:
                yield absolute
