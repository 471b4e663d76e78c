"""Generic CMS pagers that are not plain links.

Plain pagers (index_N.html, ?page=N, &pageNo=N, 下一页/尾页 anchors) are ordinary <a href>
links and need nothing here. This module reads the two script-driven kinds:

* page jumps: ``<select onchange="location.href=this.value"><option value="index_3.html">``,
  or options holding page numbers for a pager function;
* pager functions: ``<a href="javascript:goPage(3)">`` with the URL template in the page's
  own script, ``function goPage(n) { location.href = "list_" + n + ".html"; }``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import urljoin

from crawler.cms.base import LISTING, Found, Page

NAME = "generic"
# Names portals give their pager functions (with "(" appended, they are the markers).
PAGER_FUNCTIONS: tuple[str, ...] = (
    "goPage",
    "gotoPage",
    "toPage",
    "jumpPage",
    "changePage",
    "turnPage",
    "go_page",
    "goto_page",
    "pageJump",
)
CALL_MARKERS: tuple[str, ...] = tuple(f"{name}(" for name in PAGER_FUNCTIONS)
MARKERS: tuple[str, ...] = ("<select", *CALL_MARKERS)

_NAMES = "|".join(PAGER_FUNCTIONS)
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S | re.I)
OPTION_VALUE = re.compile(r"""<option\b[^>]*?\bvalue\s*=\s*["']([^"']*)["']""", re.I)
NAVIGATES = re.compile(r"location|window\.open|\.href", re.I)
CALL = re.compile(rf"""\b({_NAMES})\(\s*['"]?(\d+)['"]?\s*\)""")
CALL_NAME = re.compile(rf"\b({_NAMES})\(")
# the body runs to the next function or the script's end: pager bodies nest if-blocks
FUNCTION = re.compile(
    rf"function\s+({_NAMES})\s*\(\s*(\w+)[^)]*\)\s*\{{(.*?)(?=\bfunction\b|</script>|$)", re.S
)
TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")
MAX_PAGES = 10_000


def data_only(page: Page) -> bool:
    return False


def _templates(text: str) -> dict[str, tuple[str, str]]:
    """Pager function name → (URL before the page number, URL after it)."""
    out: dict[str, tuple[str, str]] = {}
    for name, var, body in FUNCTION.findall(text):
        # "list_" + page + ".html": the string the page number is put into
        concat = re.search(
            rf"""["']([^"']*)["']\s*\+\s*\(?\s*{re.escape(var)}\b\s*\)?(?:\s*\+\s*["']([^"']*)["'])?""", body
        )
        if concat:
            out[name] = (concat.group(1), concat.group(2) or "")
    return out


def discover(page: Page) -> Iterator[Found]:
    text = page.text
    templates: dict[str, tuple[str, str]] | None = None
    numbers: dict[str, set[int]] = {}  # pager function → page numbers the page offers
    for attrs, options in SELECT.findall(text):
        values = [html.unescape(v).strip() for v in OPTION_VALUE.findall(options)]
        function = CALL_NAME.search(attrs)
        if function:
            numbers.setdefault(function.group(1), set()).update(int(v) for v in values if v.isdigit())
        elif NAVIGATES.search(attrs):
            for value in values:
                if value and not value.lower().startswith("javascript:"):
                    yield Found(urljoin(page.url, value), LISTING, "下一页")
    if any(marker in text for marker in CALL_MARKERS):  # substring tests first: CALL scans slowly
        for name, number in CALL.findall(text):
            numbers.setdefault(name, set()).add(int(number))
    if not numbers:
        return
    total = TOTAL_PAGES.search(text)
    templates = _templates(text)
    for name, seen in numbers.items():
        if name not in templates:
            continue
        before, after = templates[name]
        last = min(max(seen | ({int(total.group(1))} if total else set())), MAX_PAGES)
        for n in range(2, last + 1):  # page 1 is where listings are entered (and often special-cased)
            yield Found(urljoin(page.url, f"{before}{n}{after}"), LISTING, "下一页")
