"""The fast text path: the body container's text with lxml, no trafilatura pass.

County portals put a detail page's body in a few well-known containers (`pipelines/text_containers.py`:
TRS `TRS_Editor`, Hanweb `#zoom`, gkmlpt `article-content` …). When a page has exactly one of them,
its text is rendered here the way trafilatura's plain-text output reads it — a line per block,
whitespace collapsed, table rows as cells (colspan/rowspan padded as trafilatura pads them), list
items as "- ", the subtrees trafilatura always cleans left out, short link-dense blocks dropped by
trafilatura's own link-density rule — and `pipelines.text` then tidies it with the same `_tidy`
(tab-separated cells, furniture lines, the title), so a row's text does not depend on the path.

trafilatura stays the fallback and the judge (`SiteJudge`): on each site, the first pages whose
container was found go through both paths; the fast path is used once they agree, and a page in
every `RECHECK_EVERY` is judged again. A site whose pages have none of the known containers, or
whose known container the judge rejected, gets one learned from its first such pages: an element
with an id or class whose rendering equals trafilatura's text. `XXGK_FAST_TEXT=0` turns the fast path off (trafilatura for every page).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from lxml import etree
from trafilatura.settings import MANUALLY_CLEANED

from pipelines.boilerplate import compact
from pipelines.metadata import BLOCK_TAGS as METADATA_BLOCK_TAGS
from pipelines.text_containers import CONTAINERS

# Subtrees trafilatura always cleans away (its MANUALLY_CLEANED: scripts, forms, nav, aside, label …).
SKIP_TAGS: frozenset[str] = frozenset(MANUALLY_CLEANED) | {"template", "title"}
# Elements that start and end a line of text (the page segmentation's blocks; the rest — span, b,
# font, a … — are inline), less <address>, whose tags trafilatura strips so that its text runs on.
BLOCK_TAGS: frozenset[str] = METADATA_BLOCK_TAGS - {"address"}
# List items, which trafilatura's text starts with "- ".
ITEM_TAGS: frozenset[str] = frozenset({"li", "dt", "dd"})
# Empty elements, neither text nor block: trafilatura's cleaning removes them before it tests siblings.
VOID_TAGS: frozenset[str] = frozenset({"meta", "link", "base", "wbr", "col", "colgroup", "param", "source"})
# Blocks whose text trafilatura (with xxgk's configuration) leaves out: see `compare`.
HEADING_TAGS: tuple[str, ...] = ("h1", "h2", "h3", "h4", "h5", "h6", "center")
# Blocks trafilatura tests for link density (its div, list and p passes).
LINK_TESTED: frozenset[str] = frozenset({"div", "p", "ul", "ol"})
MAX_SPAN = 100  # trafilatura's cap on colspan/rowspan

# The judge: pages of a site (and container) that go through both paths before the fast path is
# trusted, how often a trusted container is judged again, and the agreement it must keep.
JUDGE_PAGES = 3
RECHECK_EVERY = 64
MAX_DISAGREEMENT = 0.1
# What trafilatura may add above the container's text for the fast path's text to count as better.
HEAD_LINES = 4
HEAD_LINE_CHARS = 20
# Learning a container: pages of a site without a known container that are searched for one.
LEARN_PAGES = 5
LEARN_MAX_RATIO = 1.5  # a candidate's text is at most this much longer than trafilatura's
LEARN_TAGS: frozenset[str] = frozenset({"div", "td", "article", "section", "main", "span"})
MAX_SITES = 20_000  # site profiles kept (a crawl of more hosts starts the oldest again)


class NestedTable(Exception):
    """A table inside a table cell: trafilatura's placement of it is not reproduced here."""


def enabled() -> bool:
    return os.environ.get("XXGK_FAST_TEXT", "1").strip().lower() not in ("0", "false", "no", "off")


@cache
def _ranks() -> tuple[dict[str, int], dict[str, int]]:
    """(id → rank, class token → rank) of the container table."""
    ids, classes = {}, {}
    for rank, (_, attr, value, _) in enumerate(CONTAINERS):
        (ids if attr == "id" else classes).setdefault(value, rank)
    return ids, classes


@cache
def _values() -> tuple[str, ...]:
    """The ids and class tokens of the container table."""
    return tuple(value for _, _, value, _ in CONTAINERS)


@cache
def _candidates() -> etree.XPath:
    """The elements that may be containers of the table (class tokens checked after): a walk of
    every element, for a tree whose text is not at hand."""
    tests = [
        f"@id='{value}'" if attr == "id" else f"contains(@class, '{value}')"
        for _, attr, value, _ in CONTAINERS
    ]
    return etree.XPath(f"//*[{' or '.join(tests)}]")


def find_container(tree: etree._Element, html: str | None = None) -> tuple[str, etree._Element] | None:
    """(name, element) of the first container of the table that occurs once in the page, or whose
    other occurrences are inside the first.

    html: the page's text, if at hand: only the containers whose names it holds are looked for,
    among the elements whose tag names the markup shows around those names (substring tests; a walk
    of every element costs more than the rest of the text path)."""
    ids, classes = _ranks()
    if html is None:
        elements = _candidates()(tree)
    else:
        tags = _tags_around(html, _values())
        if not tags:
            return None
        elements = tree.iter(*tags)
    hits: dict[int, list[etree._Element]] = {}
    for el in elements:
        rank = ids.get(el.get("id") or "")
        if rank is not None:
            hits.setdefault(rank, []).append(el)
        for token in set((el.get("class") or "").split()):
            rank = classes.get(token)
            if rank is not None:
                hits.setdefault(rank, []).append(el)
    for rank in sorted(hits):
        outer, *inner = hits[rank]
        # one element, or one with the others inside it (TRS nests an editor div in an editor div)
        if all(any(anc is outer for anc in el.iterancestors()) for el in inner):
            return CONTAINERS[rank][0], outer
    return None


_TAG_NAME = re.compile(r"<([A-Za-z][^\s/>]*)")


def _tags_around(html: str, values: tuple[str, ...]) -> set[str]:
    """Lower-cased names of the tags in whose markup `values` occur: every element that carries one
    as its id or class is among them (and, harmlessly, tags that hold one in another attribute or in
    their text). Empty: no value occurs in the page."""
    tags: set[str] = set()
    for value in values:
        at = html.find(value)
        while at >= 0:
            match = _TAG_NAME.match(html, html.rfind("<", 0, at))
            if match:
                tags.add(match.group(1).lower())
            at = html.find(value, at + len(value))
    return tags


# --- rendering -------------------------------------------------------------------------------


def _inline(el: etree._Element, parts: list[str], skip: set) -> None:
    """All text below `el` (not its tail) as one run, blocks and <br> as spaces."""
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag not in SKIP_TAGS and child not in skip:
            if tag == "br" or tag in BLOCK_TAGS:
                parts.append(" ")
            _inline(child, parts, skip)
            if tag in BLOCK_TAGS:
                parts.append(" ")
        if child.tail:
            parts.append(child.tail)


def _cell_text(cell: etree._Element, skip: set) -> str:
    parts: list[str] = []
    _inline(cell, parts, skip)
    return " ".join("".join(parts).split())


def _span(cell: etree._Element, attr: str) -> int:
    value = cell.get(attr, "1")
    return min(int(value), MAX_SPAN) if value.isdecimal() else 1


def table_lines(table: etree._Element, skip: set) -> list[str]:
    """The table's rows as trafilatura lays them out: a spanned cell is followed by empty cells
    (colspan, rowspan), rows are padded to the widest, rows without text are left out."""
    if table.find(".//table") is not None:
        raise NestedTable
    rows: list[list[etree._Element]] = []
    grid: list[list[str]] = []
    for child in table:
        if child.tag == "tr":
            rows.append([c for c in child if c.tag in ("td", "th")])
        elif child.tag in ("tbody", "thead", "tfoot"):
            rows.extend([c for c in r if c.tag in ("td", "th")] for r in child if r.tag == "tr")
        elif child.tag == "caption" and child not in skip:
            grid.append([_cell_text(child, skip)])
    width = min(max((sum(_span(c, "colspan") for c in r) for r in rows), default=0), MAX_SPAN)
    spanned: dict[int, int] = {}  # column → rows below a rowspan that it still covers

    def phantoms(row: list[str]) -> None:
        while (col := len(row)) in spanned:
            row.append("")
            spanned[col] -= 1
            if not spanned[col]:
                del spanned[col]

    for cells in rows:
        row: list[str] = []
        for cell in cells:
            phantoms(row)
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            if rowspan > 1:
                for col in range(len(row), len(row) + colspan):
                    spanned[col] = rowspan - 1
            row.append("" if cell in skip else _cell_text(cell, skip))
            row.extend([""] * (colspan - 1))
        phantoms(row)
        grid.append(row)
    out = []
    for row in grid:
        row.extend([""] * (width - len(row)))
        if any(row):  # trafilatura's row syntax, which `_tidy` turns into tab-separated cells
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    return out


def _next_content(el: etree._Element) -> etree._Element | None:
    """The next sibling trafilatura keeps (it has dropped <meta>, scripts … by the time it tests)."""
    nxt = el.getnext()
    while nxt is not None and (not isinstance(nxt.tag, str) or nxt.tag in SKIP_TAGS or nxt.tag in VOID_TAGS):
        nxt = nxt.getnext()
    return nxt


def _trim_len(el: etree._Element) -> int:
    return len(" ".join(el.text_content().split()))


def _link_dense(el: etree._Element, links: list[etree._Element]) -> bool:
    """trafilatura's link-density rule (htmlprocessing.link_density_test and delete_by_link_density,
    favouring recall): a short block made mostly of link text is navigation, not the document."""
    length = _trim_len(el)
    lengths = [n for n in map(_trim_len, links) if n]
    if len(links) == 1 and lengths and lengths[0] > 100 and lengths[0] > length * 0.9:
        return True
    last = _next_content(el) is None
    limit = (60 if last else 30) if el.tag == "p" else (300 if last else 100)
    if length >= limit:
        return False
    if not lengths:
        return True
    short = sum(1 for n in lengths if n < 10)
    if sum(lengths) > length * 0.8 or (len(lengths) > 1 and short / len(lengths) > 0.8):
        return True
    return el.tag == "div" and len(el) >= 3 and length < 100  # trafilatura's backtracking on divs


def link_dense_blocks(container: etree._Element) -> set:
    """Blocks inside the container that trafilatura drops for their link density."""
    candidates: dict[etree._Element, list[etree._Element]] = {}
    for link in container.iter("a"):
        for anc in link.iterancestors():
            if anc is container:
                break
            if anc.tag in LINK_TESTED:
                candidates.setdefault(anc, []).append(link)
    out = set()
    for el, links in candidates.items():
        parent = el.getparent()
        if el.tag == "p" and parent is not None and parent.tag in ("li", "td", "th"):
            continue  # trafilatura keeps a paragraph holding a list item's or a cell's content
        if _link_dense(el, links):
            out.add(el)
    return out


def render(container: etree._Element, skip: set) -> str:
    """The container's text in trafilatura's plain-text layout (before `_tidy`). Elements in `skip`
    are left out; raises NestedTable for a table in a table."""
    skip = skip | link_dense_blocks(container)
    lines: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        if parts:
            line = " ".join("".join(parts).split())
            if line and line != "-":
                lines.append(line)
            parts.clear()

    walker = etree.iterwalk(container, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in SKIP_TAGS or el in skip:
                walker.skip_subtree()
                continue
            if tag == "table":
                flush()
                lines.extend(table_lines(el, skip))
                walker.skip_subtree()
                continue
            if tag == "pre":  # its line breaks are kept, as trafilatura keeps them
                flush()
                _inline(el, parts, skip)
                lines.extend(line.strip() for line in "".join(parts).splitlines() if line.strip())
                parts.clear()
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            if tag in ITEM_TAGS:
                parts.append("- ")
            if el.text:
                parts.append(el.text)
        else:
            if el is container:
                break
            if tag in BLOCK_TAGS:
                flush()
            if el.tail:
                parts.append(el.tail)
    flush()
    return "\n".join(lines)


def normalise(text: str | None) -> str:
    """Whitespace normalised: each line's runs of whitespace as one space, empty lines dropped
    (the rule every figure of fast-path vs trafilatura agreement uses)."""
    return "\n".join(" ".join(line.split()) for line in (text or "").splitlines() if line.strip())


def same_text(a: str | None, b: str | None) -> bool:
    return normalise(a) == normalise(b)


def compare(fast: str | None, slow: str | None, headings: frozenset[str] = frozenset()) -> str:
    """ "equal" (after whitespace normalisation); "better" when trafilatura's text is the fast path's
    less what trafilatura loses of the body — the lines that are the text of a heading or a <center>
    inside the container (`headings`: trafilatura, as configured for short notices, drops <h1>–<h6>
    and <center>) — and with at most HEAD_LINES lines of at most HEAD_LINE_CHARS characters before it
    (page-head furniture above the container, such as a metadata table's label cells); else
    "different"."""
    f, s = normalise(fast), normalise(slow)
    if f == s:
        return "equal"
    if headings:
        f = "\n".join(line for line in f.split("\n") if line not in headings)
    if f == s:
        return "better"
    if f and s.endswith("\n" + f):
        head = s[: -len(f) - 1].split("\n")
        if len(head) <= HEAD_LINES and all(len(compact(line)) <= HEAD_LINE_CHARS for line in head):
            return "better"
    return "different"


def heading_lines(container: etree._Element) -> frozenset[str]:
    """The texts of the headings and <center> blocks in a container, as lines (see `compare`)."""
    return frozenset(" ".join(el.text_content().split()) for el in container.iter(*HEADING_TAGS))


# --- the judge and what it learns per site ---------------------------------------------------


@dataclass
class Verdicts:
    seen: int = 0
    agreed: int = 0  # equal or better (`compare`)
    disagreed: int = 0

    def trusted(self) -> bool:
        return self.agreed >= JUDGE_PAGES and self.disagreed <= MAX_DISAGREEMENT * self.agreed


@dataclass
class SiteProfile:
    containers: dict[str, Verdicts] = field(default_factory=dict)  # container key → verdicts
    learned: list[tuple[str, etree.XPath]] = field(default_factory=list)  # (key, XPath) learned here
    learn_pages: int = 0  # pages searched for a container


class SiteJudge:
    """Per site: which containers the fast path may use, judged against trafilatura."""

    def __init__(self) -> None:
        self.sites: dict[str, SiteProfile] = {}

    def profile(self, site: str) -> SiteProfile:
        prof = self.sites.get(site)
        if prof is None:
            if len(self.sites) >= MAX_SITES:
                self.sites.pop(next(iter(self.sites)))
            prof = self.sites[site] = SiteProfile()
        return prof

    def container(
        self, tree: etree._Element, site: str, *, table: bool = True, html: str | None = None
    ) -> tuple[str, etree._Element] | None:
        """The known container of the page (unless not `table`), else one learned on this site;
        a container the judge has rejected on this site is passed over (so the site may learn
        another)."""
        prof = self.profile(site)
        found = find_container(tree, html) if table else None
        if found is not None and not self.rejected(prof, found[0]):
            return found
        for key, xpath in prof.learned:
            hits = xpath(tree)
            if len(hits) == 1 and not self.rejected(prof, key):
                return key, hits[0]
        return None

    @staticmethod
    def rejected(prof: SiteProfile, key: str) -> bool:
        """Judged on enough pages of the site, and not trusted."""
        v = prof.containers.get(key)
        return v is not None and v.agreed + v.disagreed >= JUDGE_PAGES and not v.trusted()

    def plan(self, site: str, key: str) -> str:
        """ "fast" (use the container), "judge" (both paths, trafilatura's text kept) or "slow"."""
        v = self.profile(site).containers.setdefault(key, Verdicts())
        v.seen += 1
        if v.agreed + v.disagreed < JUDGE_PAGES or v.seen % RECHECK_EVERY == 0:
            return "judge"
        return "fast" if v.trusted() else "slow"

    def verdict(self, site: str, key: str, agree: bool) -> None:
        v = self.profile(site).containers.setdefault(key, Verdicts())
        if agree:
            v.agreed += 1
        else:
            v.disagreed += 1

    def learn(
        self,
        tree: etree._Element,
        site: str,
        reference: str,
        rendered: Callable[[etree._Element], str | None],
    ) -> str | None:
        """On a site's first pages without a known container: find an element (with an id or class
        that picks it alone) whose text, as `rendered` makes it, equals trafilatura's `reference`;
        remember it for the site. Returns its key."""
        prof = self.profile(site)
        if prof.learn_pages >= LEARN_PAGES or not reference:
            return None
        prof.learn_pages += 1
        target = len(compact(reference))
        best: tuple[int, str, etree._Element] | None = None
        for el in tree.iter(*LEARN_TAGS):
            xpath = _selector(el)
            if xpath is None:
                continue
            size = len(compact(el.text_content()))
            if size < target or size > target * LEARN_MAX_RATIO + 200 or (best and size >= best[0]):
                continue
            if len(el.xpath(xpath)) == 1 and same_text(rendered(el), reference):
                best = (size, xpath, el)
        if best is None:
            return None
        key = "learned:" + best[1]
        if all(k != key for k, _ in prof.learned):
            prof.learned.append((key, etree.XPath(best[1])))
        self.verdict(site, key, True)  # this page is its first agreement
        return key


def _selector(el: etree._Element) -> str | None:
    """An XPath naming the element by its id, else its exact class, or None."""
    for attr in ("id", "class"):
        value = el.get(attr)
        if value and value.strip() and "'" not in value:
            return f"//{el.tag}[@{attr}='{value}']"
    return None


JUDGE = SiteJudge()
