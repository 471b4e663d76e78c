"""Which links on a page are attachments (附件), as data the crawler shares to decide what to fetch.

A link is an attachment when its path ends with an attachment extension, when a download
script names the file in its query (TRS `downfile.jsp?filename=x.pdf`, `download.aspx?file=…`),
or when the anchor text is a file name (`<a href="/dl?id=9">统计表.xls</a>`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from lxml import html as lxml_html

ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset(
    {
        "pdf",
        "ofd",
        "doc",
        "docx",
        "wps",
        "wpt",
        "rtf",
        "txt",
        "xls",
        "xlsx",
        "et",
        "ett",
        "csv",
        "ppt",
        "pptx",
        "dps",
        "zip",
        "rar",
        "7z",
        "tar",
        "gz",
        "tgz",
        "bz2",
        "odt",
        "ods",
        "odp",
        "ceb",
        "caj",
    }
)
# Extensions of pages. A static page is never an attachment, whatever its link text says;
# a script (download.aspx?id=9) is one when its link text is a file name.
STATIC_PAGE_EXTENSIONS: frozenset[str] = frozenset({"htm", "html", "shtml", "xhtml"})
PAGE_EXTENSIONS: frozenset[str] = STATIC_PAGE_EXTENSIONS | {"jsp", "asp", "aspx", "php", "do", "action"}
# Media the 信息公开 datasets do not need; the crawler may still archive them as page requisites.
MEDIA_EXTENSIONS: frozenset[str] = frozenset(
    {
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "webp",
        "svg",
        "ico",
        "tif",
        "tiff",
        "mp3",
        "mp4",
        "avi",
        "wmv",
        "flv",
        "mov",
        "swf",
        "css",
        "js",
        "woff",
        "woff2",
        "ttf",
        "eot",
        "otf",
    }
)
# Query parameters in which download scripts carry the file name.
FILENAME_PARAMS: frozenset[str] = frozenset(
    {
        "filename",
        "file",
        "fileName",
        "filepath",
        "filePath",
        "name",
        "fn",
        "path",
        "attachname",
        "fjmc",
        "downname",
    }
)
# Elements/attributes that point at an attachment.
LINK_ATTRIBUTES: dict[str, str] = {"a": "href", "iframe": "src", "embed": "src", "object": "data"}
SKIP_SCHEMES: tuple[str, ...] = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "vbscript:")

_FILENAME_IN_TEXT_RE = re.compile(r"\.([A-Za-z0-9]{2,4})\s*$")


def extension(path_or_name: str | None) -> str | None:
    """Lower-case extension of a URL path or file name ("pdf"), None if it has none."""
    if not path_or_name:
        return None
    name = posixpath.basename(unquote(path_or_name).rstrip("/"))
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[1].strip().lower()
    return ext if ext.isalnum() and len(ext) <= 5 else None


@lru_cache(maxsize=1 << 14)
def _url_attachment_extension(url: str) -> tuple[str | None, bool]:
    """(the attachment extension the URL alone names, whether a link text may still make it one).
    Memoised: a site's pages repeat the same navigation links, ~58 a page."""
    parts = urlsplit(url)
    ext = extension(parts.path)
    if ext in ATTACHMENT_EXTENSIONS:
        return ext, False
    if ext in MEDIA_EXTENSIONS:
        return None, False
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key in FILENAME_PARAMS or key.lower() in FILENAME_PARAMS:
            qext = extension(value)
            if qext in ATTACHMENT_EXTENSIONS:
                return qext, False
    return None, ext not in STATIC_PAGE_EXTENSIONS


def _text_attachment_extension(link_text: str | None) -> str | None:
    if link_text:
        m = _FILENAME_IN_TEXT_RE.search(link_text.strip())
        if m and m.group(1).lower() in ATTACHMENT_EXTENSIONS:
            return m.group(1).lower()
    return None


def attachment_extension(url: str, link_text: str | Callable[[], str] | None = None) -> str | None:
    """The attachment extension a link points at, or None if it is not an attachment link.
    link_text: the anchor's text, or a function giving it (asked only when the URL leaves it open)."""
    ext, text_decides = _url_attachment_extension(url)
    if not text_decides:
        return ext
    return _text_attachment_extension(link_text() if callable(link_text) else link_text)


def is_attachment_url(url: str, link_text: str | None = None) -> bool:
    return attachment_extension(url, link_text) is not None


def classify_link(url: str, link_text: str | None = None) -> str:
    """ "attachment", "media", "skip" (javascript:, mailto:…) or "page"."""
    if url.strip().lower().startswith(SKIP_SCHEMES):
        return "skip"
    if attachment_extension(url, link_text):
        return "attachment"
    if extension(urlsplit(url).path) in MEDIA_EXTENSIONS:
        return "media"
    return "page"


def base_url(url: str, tree: lxml_html.HtmlElement) -> str:
    """The URL relative links resolve against (a <base href> wins over the page URL)."""
    for base in tree.iter("base"):  # the first <base> with an href (a filtered walk in C, no XPath)
        href = base.get("href")
        if href is not None:
            href = href.strip()
            return urljoin(url, href) if href else url
    return url


def _anchor_text(el: lxml_html.HtmlElement) -> str:
    """An anchor's text_content(); most anchors have no child element, and their .text is it at a
    third of the cost."""
    return (el.text or "") if len(el) == 0 else el.text_content()


def find_attachment_links(url: str, html_tree: lxml_html.HtmlElement) -> list[str]:
    """Absolute URLs of the attachments a page links to, in page order, without duplicates."""
    base = base_url(url, html_tree)
    found: dict[str, None] = {}
    for el in html_tree.iter(*LINK_ATTRIBUTES):
        raw = (el.get(LINK_ATTRIBUTES[el.tag]) or "").strip()
        if not raw or raw.lower().startswith(SKIP_SCHEMES):
            continue
        if attachment_extension(raw, (lambda el=el: _anchor_text(el)) if el.tag == "a" else None) is None:
            continue
        try:
            absolute = urljoin(base, raw)
        except ValueError:  # malformed (e.g. bad IPv6 host): not a link we can fetch
            continue
        found.setdefault(absolute.split("#", 1)[0], None)
    return list(found)
