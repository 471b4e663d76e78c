"""Pagers that a listing's own inline scripts build: run them in a sandbox and read the links.

TRS templates and many home-grown CMSs write their pager at page load:

    var countPage = 3; var currentPage = 0;
    for (var i = 1; i < countPage; i++) document.write("<a href=\\"index_" + i + ".html\\">" …);

or call ``createPageHTML(countPage, …)`` with computed arguments, or build ``location.href`` in a
pager function. One regular expression per variant never ends, so a page whose pager scripts the
pattern rules (trs.PAGER, generic.py) did not expand has them run in QuickJS with stub
``document``/``location``/``window``/``$``: no network, no timers, a time and a memory cap, and a
cap on what they may write (a pager claiming a million pages is a trap). The links they write
(``document.write``, ``innerHTML``, jQuery ``.html()``/``.append()``) and the URLs they navigate to
(``location.href = …`` in pager functions, called with every page number the page claims) are
read back with the same link extraction as plain HTML.

Engine: QuickJS (the `quickjs` package). Measured per listing page, fresh context + stubs + a
30-page TRS pager, on this project's 2-core machine: QuickJS 0.19 ms (13 MB RSS, import 24 ms),
Duktape (dukpy) 0.69 ms, V8 (mini-racer) 3.2 ms and ~95 ms for its first isolate. QuickJS also has
the caps built in (``set_time_limit``, ``set_memory_limit``), so a page's loop cannot stall a crawl.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from crawler.cms import generic, trs
from crawler.cms.base import LISTING, PAGE, Found, Page
from pipelines.pages import iter_links, link_role

NAME = "script"
# Evidence of a pager script (data: extend here). A page without any is never run.
PAGER_EVIDENCE = re.compile(
    r"countPage|createPageHTML|pageCount|page_count|totalPage|total_page|pageTotal|maxPage|pagecount",
    re.I,
)
# …and of a script that writes links or navigates (a count alone is not a pager)
WRITES_LINKS = re.compile(
    r"createPageHTML\(|document\.write|innerHTML|location\.href|location\s*=|\.html\(|\.append\(|href"
)
# (createPageHTML alone is trs.py's evidence: it hands calls with computed arguments over to this module)
MARKERS: tuple[str, ...] = ("countPage", "pageCount", "totalPage", "PageCount", "pagecount", "pageTotal")

INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
NOT_JS = re.compile(
    r"""\b(?:src\s*=|type\s*=\s*["']?(?:text/(?:xml|template|html|x-)|application/json))""", re.I
)
FUNCTION_NAME = re.compile(r"function\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)?")
# a page-number-like segment in a written pager URL: index_3.html, list-3.htm, ?page=3
NUMBERED = re.compile(r"^(.*?[_-])(\d+)(\.\w+)$")
COUNT_GLOBALS: tuple[str, ...] = ("countPage", "pageCount", "totalPage", "pageTotal", "maxPage", "page_count")

MAX_PAGES = 2000  # pages one listing's pager may claim; more is a trap
MAX_WRITES = 5000  # document.write calls (and navigations) one page may make
TIME_LIMIT = 0.5  # seconds of JavaScript per page
MEMORY_LIMIT = 32 << 20
NAVIGATES = re.compile(r"location|window\.open|\.href\s*=")

# The sandbox: what a browser offers a pager script, inert. Writes go to __out, navigations to
# __nav; both stop the script once the cap is reached.
STUBS = r"""
var __out = [], __nav = [], __cap = %(cap)d;
function __push(list, value) { if (__out.length + __nav.length >= __cap) throw "xxgk: cap"; list.push(String(value)); }
function __element() {
  var e = {style: {}, value: "", checked: false, options: [], childNodes: [], attributes: {},
    appendChild: function (c) { return c; }, setAttribute: function (k, v) { if (k == "href") __push(__out, '<a href="' + v + '"></a>'); },
    getAttribute: function () { return ""; }, addEventListener: function () {}, getElementsByTagName: function () { return []; }};
  Object.defineProperty(e, "innerHTML", {get: function () { return ""; }, set: function (v) { __push(__out, v); }});
  Object.defineProperty(e, "outerHTML", {get: function () { return ""; }, set: function (v) { __push(__out, v); }});
  Object.defineProperty(e, "href", {get: function () { return ""; }, set: function (v) { __push(__nav, v); }});
  return e;
}
var __href = %(url)s;
var __loc = {};
Object.defineProperty(__loc, "href", {get: function () { return __href; }, set: function (v) { __push(__nav, v); }});
__loc.assign = __loc.replace = function (v) { __push(__nav, v); };
__loc.reload = function () {};
__loc.toString = function () { return __href; };
(function (u, l) {
  var m = /^(\w+:)\/\/([^\/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/.exec(u) || [];
  l.protocol = m[1] || ""; l.host = l.hostname = m[2] || "";
  l.pathname = m[3] || "/"; l.search = m[4] || ""; l.hash = m[5] || "";
  l.origin = l.protocol + "//" + l.host;
})(__href, __loc);
var document = {
  write: function () { for (var i = 0; i < arguments.length; i++) __push(__out, arguments[i]); },
  getElementById: function () { return __element(); }, createElement: function () { return __element(); },
  getElementsByTagName: function () { return []; }, getElementsByClassName: function () { return []; },
  querySelector: function () { return __element(); }, querySelectorAll: function () { return []; },
  addEventListener: function () {}, cookie: "", referrer: "", title: "", body: __element(), all: {}
};
document.writeln = document.write;
Object.defineProperty(document, "location", {get: function () { return __loc; }, set: function (v) { __push(__nav, v); }});
var window = globalThis, self = globalThis, top = globalThis, parent = globalThis;
Object.defineProperty(globalThis, "location", {get: function () { return __loc; }, set: function (v) { __push(__nav, v); }});
window.open = function (v) { __push(__nav, v); };
window.addEventListener = function () {};
var navigator = {userAgent: "Mozilla/5.0", language: "zh-CN"}, screen = {width: 1920, height: 1080};
var setTimeout = function () {}, setInterval = function () {}, clearTimeout = function () {}, clearInterval = function () {};
var alert = function () {}, confirm = function () { return true; }, console = {log: function () {}};
var XMLHttpRequest = function () { this.open = this.send = this.setRequestHeader = function () {}; };
var __jq = new Proxy(function () {}, {
  get: function (t, name) {
    if (name === "html" || name === "append" || name === "prepend" || name === "after" || name === "before")
      return function (v) { if (typeof v === "string") __push(__out, v); return __jq; };
    if (name === "ready" || name === "load") return function (f) { if (typeof f === "function") f(); return __jq; };
    if (name === "length") return 0;
    if (name === "val" || name === "text" || name === "attr") return function () { return arguments.length ? __jq : ""; };
    return function () { return __jq; };
  },
  apply: function (t, self, args) { if (typeof args[0] === "function") args[0](); return __jq; }
});
var $ = __jq, jQuery = __jq;
// TRS WCM's standard pager (page.js), used when the page does not define its own
function createPageHTML(count, current, name, ext) {
  count = parseInt(count, 10) || 0; name = name || "index"; ext = ext || "html";
  document.write('<a href="' + name + '.' + ext + '">首页</a>');
  for (var i = 1; i < count; i++) document.write('<a href="' + name + '_' + i + '.' + ext + '">' + (i + 1) + '</a>');
}
"""


def _quickjs():
    import quickjs  # imported on first use: most pages never need the engine

    return quickjs


def inline_scripts(text: str) -> list[str]:
    """The page's inline JavaScript, in page order (no src=, no data/template blocks)."""
    return [body for attrs, body in INLINE_SCRIPT.findall(text) if body.strip() and not NOT_JS.search(attrs)]


def pager_scripts(scripts: list[str]) -> list[str]:
    """The scripts that look like pagers: a page count and something that writes links or navigates."""
    return [s for s in scripts if PAGER_EVIDENCE.search(s) and WRITES_LINKS.search(s)]


def _expanded_by_rules(page: Page, pagers: list[str]) -> bool:
    """True when the fast path (pattern rules) already read every pager script of the page."""
    if trs.PAGER.search(page.text):  # a literal createPageHTML(N, …) call: its definition is read too
        pagers = [script for script in pagers if "createPageHTML" not in script]
        if not pagers:
            return True
    return any(found.role == LISTING for found in generic.discover(page))


class Sandbox:
    """One page's scripts in a fresh QuickJS context, capped in time, memory and output."""

    def __init__(self, url: str, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT):
        quickjs = _quickjs()
        self.context = quickjs.Context()
        self.context.set_memory_limit(memory_limit)
        self.context.set_time_limit(time_limit)
        self.context.set_max_stack_size(1 << 20)
        self.errors = 0
        self.context.eval(STUBS % {"cap": MAX_WRITES, "url": json.dumps(url)})

    def run(self, script: str) -> bool:
        """Evaluate one script; an exception (a missing library, the cap, the time limit) ends
        only that script, as in a browser."""
        try:
            self.context.eval(script)
            return True
        except Exception:  # the engine's JSException, or a Python error of the binding
            self.errors += 1
            return False

    def call(self, function: str, argument: int) -> None:
        self.run(f"{function}({argument});")

    def number(self, name: str) -> int | None:
        try:
            value = self.context.eval(f"typeof {name} === 'undefined' ? null : Number({name})")
        except Exception:
            return None
        return int(value) if isinstance(value, int | float) and value == value and 0 < value < 1e9 else None

    def output(self) -> tuple[str, list[str]]:
        """What the scripts wrote (HTML) and the URLs they navigated to."""
        try:
            written = self.context.eval("__out.join('\\n')")
            navigated = json.loads(self.context.eval("JSON.stringify(__nav)"))
        except Exception:
            return "", []
        return str(written or ""), [str(u) for u in navigated]


def claimed_pages(sandbox: Sandbox) -> int | None:
    """The page count the scripts hold in one of the usual globals (countPage …), capped."""
    for name in COUNT_GLOBALS:
        value = sandbox.number(name)
        if value:
            return min(value, MAX_PAGES)
    return None


def run_pagers(page: Page) -> tuple[list[tuple[str, str | None]], int | None]:
    """Links (URL, anchor text) the page's scripts produce, and the page count they claim."""
    scripts = inline_scripts(page.text)
    sandbox = Sandbox(page.url)
    started = time.monotonic()
    for script in scripts:
        if time.monotonic() - started > TIME_LIMIT:
            break  # the page's budget is spent (each script also has the engine's own limit)
        sandbox.run(script)
    count = claimed_pages(sandbox) or _count_in_text(page.text)
    # pager functions defined by the page (location.href = "list_" + n …): ask each for every page
    for name, parameter in {
        m.group(1): m.group(2) for s in scripts for m in FUNCTION_NAME.finditer(s)
    }.items():
        body = next((s for s in scripts if f"function {name}" in s), "")
        if not parameter or not NAVIGATES.search(body) or name == "createPageHTML":
            continue
        for number in range(1, (count or 1) + 1):
            if time.monotonic() - started > TIME_LIMIT:
                break
            sandbox.call(name, number)
    written, navigated = sandbox.output()
    links = list(iter_links(page.url, written))
    for target in navigated:
        target = target.strip()
        if target and not target.lower().startswith(("javascript:", "#")):
            links.append((urljoin(page.url, target).split("#", 1)[0], None))
    return links, count


def _count_in_text(text: str) -> int | None:
    match = generic.TOTAL_PAGES.search(text)
    return min(int(match.group(1)), MAX_PAGES) if match else None


def _fill_range(urls: list[str], count: int | None) -> list[str]:
    """The classic TRS pager writes only 首页/上一页/下一页/尾页: with the count it claims, the
    numbered pages between (index_1 … index_{count-1}) are the same listing's."""
    if not count:
        return []
    out: list[str] = []
    for url in urls:
        parts = urlsplit(url)
        match = NUMBERED.match(parts.path)
        if match and not parts.query:
            before, _, after = match.groups()
            out += [parts._replace(path=f"{before}{n}{after}").geturl() for n in range(1, count)]
            break
    return out


def data_only(page: Page) -> bool:
    return False


def discover(page: Page) -> Iterator[Found]:
    scripts = inline_scripts(page.text)
    pagers = pager_scripts(scripts)
    if not pagers or _expanded_by_rules(page, pagers):
        return
    links, count = run_pagers(page)
    seen: set[str] = set()
    pager_urls: list[str] = []
    for url, text in links:
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        role = link_role(url, text)
        if role is None:
            continue
        if role in (PAGE, LISTING):  # a link a pager script wrote is a page of the listing
            role = LISTING
            pager_urls.append(url)
        yield Found(url, role, text)
        if len(seen) >= MAX_PAGES:
            return
    for url in _fill_range(pager_urls, count):
        if url not in seen:
            seen.add(url)
            yield Found(url, LISTING, "下一页")
