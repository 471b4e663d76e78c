"""Main text of a detail page: trafilatura on the shared tree, then furniture removed.

trafilatura's defaults are tuned for news articles: a document under MIN_EXTRACTED_SIZE (250
characters) triggers fallbacks and short results may be discarded. A 信息公开 notice is often
three lines, so the sizes are lowered and recall is favoured. The metadata block found by
`metadata.py` is pruned from the tree first so 索引号… is not repeated in the text. When
trafilatura finds nothing, the page's own text segments (less furniture) are the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import use_config

from pipelines import fast_text
from pipelines.boilerplate import FOOTER_LINE_RE, compact, is_boilerplate_line

PRUNE_ATTR = "data-xxgk-prune"
_PRUNE_XPATH = f"//*[@{PRUNE_ATTR}]"
# trafilatura renders table rows as "| a | b | "; the dataset uses tab-separated cells everywhere.
_TABLE_ROW_RE = re.compile(r"^\|\s?(.*?)\s?\|\s*$")
# the Markdown delimiter row trafilatura writes under a table's header row: not text
_TABLE_RULE_RE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")
_BLANK_RUN_RE = re.compile(r"\n{3,}")
# Lines before the title that are this short are navigation headings (信息公开目录), not text.
LEAD_CHROME_MAX = 30
LEAD_SEARCH_LINES = 6


# the page's text blocks, for when trafilatura finds nothing: a list, or a function making it
FallbackTexts = list[str] | Callable[[], list[str]] | None


@cache
def trafilatura_config():  # -> configparser.ConfigParser
    cfg = use_config()
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", "10")  # default 250 drops short notices
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    cfg.set("DEFAULT", "MIN_EXTRACTED_COMM_SIZE", "1")
    cfg.set("DEFAULT", "MIN_OUTPUT_COMM_SIZE", "1")
    cfg.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal-based timeout: we may run in threads
    cfg.set("DEFAULT", "MAX_TREE_SIZE", "")
    return cfg


def mark_for_pruning(
    elements: list[etree._Element],
    *,
    max_ratio: float = 2.0,
    slack: int = 40,
    own_text: dict[object, int] | None = None,
) -> list[etree._Element]:
    """Mark elements to leave out of the text, unless an element holds much more than its own
    segment (a metadata line written straight into the content <div>): pruning that would lose
    the document."""
    marked = []
    for el in elements:
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        expected = (own_text or {}).get(el)
        total = len(compact(el.text_content()))
        if expected is not None and total > expected * max_ratio + slack:
            continue
        el.set(PRUNE_ATTR, "1")
        marked.append(el)
    return marked


def _unmark(elements: list[etree._Element]) -> None:
    for el in elements:
        el.attrib.pop(PRUNE_ATTR, None)


def _tidy(text: str, title: str | None) -> str:
    lines = []
    for line in text.splitlines():
        if _TABLE_RULE_RE.match(line):
            continue
        m = _TABLE_ROW_RE.match(line)
        # table rows keep their empty cells: column positions carry meaning in statistics tables;
        # a "|" in a cell comes escaped ("\|") so that it does not split the row
        line = (
            "\t".join(c.strip().replace("\\|", "|") for c in m.group(1).split(" | ")) if m else line.rstrip()
        )
        if line.strip() and is_boilerplate_line(line):
            continue
        lines.append(line)
    # Drop the title (and any navigation heading above it): the dataset has `title` already.
    if title:
        t = compact(title)
        head = [i for i, ln in enumerate(lines[:LEAD_SEARCH_LINES]) if ln.strip()]
        for i in head:
            if compact(lines[i]) == t:
                if all(len(compact(x)) <= LEAD_CHROME_MAX for x in lines[:i]):
                    lines = lines[i + 1 :]
                break
    # Footer lines trafilatura kept at the very end.
    while lines and (not lines[-1].strip() or FOOTER_LINE_RE.match(compact(lines[-1]))):
        lines.pop()
    out = "\n".join(lines).strip("\n")
    return _BLANK_RUN_RE.sub("\n\n", out).strip()


def fallback_text(segment_texts: list[str]) -> str:
    """The page's text blocks less furniture: used when trafilatura returns nothing."""
    return "\n".join(
        t for t in segment_texts if not is_boilerplate_line(t) and not FOOTER_LINE_RE.match(compact(t))
    )


def extract_text(
    tree: lxml_html.HtmlElement,
    *,
    prune: list[etree._Element] | None = None,
    prune_sizes: dict[object, int] | None = None,
    title: str | None = None,
    fallback_segments: FallbackTexts = None,
    site: str | None = None,
    fast: bool | None = None,
    html: str | None = None,
) -> str | None:
    """Main text of the page in `tree` (not modified), None if the page has no text at all.

    site: the page's host, whose profile the fast path keeps (`pipelines.fast_text`); fast: use the
    fast path where the judge allows (None: unless XXGK_FAST_TEXT=0), False: trafilatura only;
    html: the text `tree` was parsed from, if at hand (the fast path looks up its containers in it)."""
    marked = mark_for_pruning(prune or [], own_text=prune_sizes)
    try:
        if fast_text.enabled() if fast is None else fast:
            return _judged_text(tree, marked, title, fallback_segments, site or "", html)
        return _trafilatura_text(tree, marked, title, fallback_segments)
    finally:
        _unmark(marked)


def _trafilatura_text(
    tree: lxml_html.HtmlElement,
    marked: list[etree._Element],
    title: str | None,
    fallback_segments: FallbackTexts,
) -> str | None:
    raw = trafilatura.extract(
        tree,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
        with_metadata=False,
        output_format="txt",
        prune_xpath=_PRUNE_XPATH if marked else None,
        config=trafilatura_config(),
    )
    text = _tidy(raw, title) if raw else ""
    texts = fallback_segments() if callable(fallback_segments) else fallback_segments
    if not text and texts:
        text = _tidy(fallback_text(texts), title)
    return text or None


def compare_paths(
    tree: lxml_html.HtmlElement,
    *,
    prune: list[etree._Element] | None = None,
    prune_sizes: dict[object, int] | None = None,
    title: str | None = None,
    fallback_segments: FallbackTexts = None,
    judge: fast_text.SiteJudge | None = None,
    site: str = "",
    table: bool = True,
    html: str | None = None,
) -> tuple[str | None, str | None, str | None, str | None]:
    """(container key, the fast path's text, trafilatura's text, `fast_text.compare`'s verdict) of one
    page, for measuring the fast path against its judge; all but trafilatura's text are None when the
    page has no container.

    judge: containers learned on the site are tried too, and a page without any container is
    searched for one (for the site's later pages), as in a crawl. table=False: the container table
    is left out (learned containers only)."""
    marked = mark_for_pruning(prune or [], own_text=prune_sizes)
    try:
        skip = set(marked)
        slow = _trafilatura_text(tree, marked, title, fallback_segments)
        found = (
            judge.container(tree, site, table=table, html=html)
            if judge
            else fast_text.find_container(tree, html)
        )
        if found is None:
            if judge and slow:
                judge.learn(tree, site, slow, lambda el: container_text(el, skip, title))
            return None, None, slow, None
        fast = container_text(found[1], skip, title)
        return found[0], fast, slow, fast_text.compare(fast, slow, fast_text.heading_lines(found[1]))
    finally:
        _unmark(marked)


def container_text(container: etree._Element, skip: set, title: str | None) -> str | None:
    """The fast path's text of one container, tidied as trafilatura's is; None when the container
    cannot stand for trafilatura here (inside a pruned element, a table in a table, no text)."""
    if any(anc in skip for anc in container.iterancestors()):
        return None
    try:
        return _tidy(fast_text.render(container, skip), title) or None
    except fast_text.NestedTable:
        return None


def _judged_text(
    tree: lxml_html.HtmlElement,
    marked: list[etree._Element],
    title: str | None,
    fallback_segments: FallbackTexts,
    site: str,
    html: str | None = None,
) -> str | None:
    """The fast path where the site's judge trusts the page's container, else trafilatura's text
    (judging the container, or learning one for the site, on the way)."""
    judge, skip = fast_text.JUDGE, set(marked)
    found = judge.container(tree, site, html=html)
    if found is None:
        text = _trafilatura_text(tree, marked, title, fallback_segments)
        if text:
            judge.learn(tree, site, text, lambda el: container_text(el, skip, title))
        return text
    key, container = found
    plan = judge.plan(site, key)
    fast = container_text(container, skip, title) if plan != "slow" else None
    if plan == "fast" and fast:
        return fast
    text = _trafilatura_text(tree, marked, title, fallback_segments)
    if plan == "judge" and fast is not None:
        agree = fast_text.compare(fast, text, fast_text.heading_lines(container)) != "different"
        judge.verdict(site, key, agree)
        if agree:  # the text a trusted container gives, so a site's rows do not depend on page order
            return fast
    return text
