"""Hanweb (大汉) JCMS: listings as an XML island, further pages by POST.

A column page (/col/col1229/index.html) embeds its first group of records:

    <script type="text/xml"><datastore>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=1229&unitid=…"></a>]]></nextgroup>
      <totalrecord>523</totalrecord> …
      <recordset><record><![CDATA[<li><a href="/art/2024/3/5/art_1229_12345.html">…</a></li>]]></record> …</recordset>
    </datastore></script>

and jpage.js asks for the next groups by POST to
``dataproxy.jsp?startrecord=N&endrecord=M&perpage=K`` with the nextgroup link's query
as form fields; the answer is the same <datastore> XML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.cms.base import DETAIL, LISTING, Found, Page

NAME = "hanweb"
MARKERS: tuple[str, ...] = ("<datastore>", "<datastore ")

DATASTORE = re.compile(r"<datastore\b.*?</datastore>", re.S | re.I)
RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S | re.I)
NEXTGROUP = re.compile(r"<nextgroup>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</nextgroup>", re.S | re.I)
TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
# older jpage versions keep the count in the pager's script instead: totalRecord: 523
TOTAL_IN_SCRIPT = re.compile(r"""\btotalRecord\s*[:=]\s*['"]?(\d+)""", re.I)
RANGE = re.compile(r"[?&]startrecord=(\d+)&endrecord=(\d+)")
HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.S | re.I)
TAG = re.compile(r"<[^>]+>")
# jpage.js setting on the page: how many items one page shows (sent as &perpage=).
PERPAGE = re.compile(r"""\bperpage\s*[:=]\s*['"]?(\d+)""", re.I)
DEFAULT_PERPAGE = 15
MAX_RECORDS = 200_000  # a totalrecord beyond this is broken


def data_only(page: Page) -> bool:
    # the proxy's answer is bare XML (text/xml or text/html, depending on the server)
    return page.text.lstrip()[:64].lower().startswith(("<datastore", "<?xml"))


def records(block: str, base: str) -> Iterator[Found]:
    for record in RECORD.finditer(block):
        for href, label in HREF.findall(record.group(1)):
            label = html.unescape(TAG.sub("", label)).strip() or None
            yield Found(urljoin(base, html.unescape(href.strip())), DETAIL, label)


def _form(block: str, base: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The data proxy URL and the form fields jpage.js posts, from <nextgroup>."""
    match = NEXTGROUP.search(block)
    if not match:
        return None
    link = HREF.search(match.group(1)) or re.search(r"""href\s*=\s*["']([^"']+)""", match.group(1))
    if not link:
        return None
    href = urljoin(base, html.unescape(link.group(1)))
    parts = urlsplit(href)
    return parts._replace(query="", fragment="").geturl(), tuple(
        parse_qsl(parts.query, keep_blank_values=True)
    )


def _group_requests(
    proxy: str, fields: tuple[tuple[str, str], ...], starts: range, group: int, total: int, perpage: int
) -> Iterator[Found]:
    for start in starts:
        end = min(start + group - 1, total)
        url = f"{proxy}?startrecord={start}&endrecord={end}&perpage={perpage}"
        yield Found(url, LISTING, None, "POST", fields, api=True)


def discover(page: Page) -> Iterator[Found]:
    for match in DATASTORE.finditer(page.text):
        block = match.group(0)
        found = list(records(block, page.url))
        yield from found
        form = _form(block, page.url)
        if not form or not found:
            continue
        proxy, fields = form
        perpage_match = PERPAGE.search(page.text) or PERPAGE.search(page.url)
        perpage = int(perpage_match.group(1)) if perpage_match else DEFAULT_PERPAGE
        total = TOTAL_RECORD.search(block) or TOTAL_IN_SCRIPT.search(page.text)
        asked = RANGE.search(page.url) if page.method == "POST" else None
        if total and not asked:
            # the column page: it knows the count, so it asks for every group at once
            group, count = len(found), min(int(total.group(1)), MAX_RECORDS)
            yield from _group_requests(
                proxy, fields, range(group + 1, count + 1, group), group, count, perpage
            )
        elif not total:
            # no count anywhere: ask for the next group while groups come back full
            first, last = (int(asked.group(1)), int(asked.group(2))) if asked else (1, len(found))
            group = last - first + 1
            if len(found) >= group and last < MAX_RECORDS:
                yield from _group_requests(
                    proxy, fields, range(last + 1, last + 2), group, MAX_RECORDS, perpage
                )
