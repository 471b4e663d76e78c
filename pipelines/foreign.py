"""Documents in WARCs from other tools: what a live crawl would have taken as one, from the pages alone.

xxgk's own WARCs say, in a metadata record beside each capture, whether the crawl took it as
a document, which page linked it and with what text. A wget, Heritrix or Browsertrix crawl
says none of this, so the pages' own evidence decides, by the rules the live crawl applies
(pipelines.pages): a page is a document by its URL, its meta tags or its metadata block, and
a page that pages a listing (or is reached through a pager link) by the first two only. An
attachment is a document when a page links it as one or its type is a document's; its parent
is a document page linking it (else the first page that does) and the link's text its title
hint, as the crawl would have recorded them.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

from pipelines.pages import (
    ATTACHMENT,
    DETAIL,
    LISTING,
    LinkResolver,
    iter_links,
    link_role,
    looks_like_detail,
)
from pipelines.pages import meta_tags as page_meta_tags
from pipelines.urls import canonical_url

# Pages kept as possible parents of one attachment: enough to find a document page among
# a listing, its pager copies and a detail page, bounded for files linked from every page.
_MAX_PARENTS = 8


@dataclass
class _Verdict:
    url: str  # canonical
    sure: bool  # a document by URL or meta tags, whatever links it
    by_labels: bool  # a document by its metadata block, unless a pager link reaches it


@dataclass
class ForeignPages:
    """The link graph and page evidence of the HTML pages of WARCs without xxgk's marks."""

    _links: LinkResolver = field(default_factory=LinkResolver)
    _verdicts: dict[Hashable, _Verdict] = field(default_factory=dict)
    _pager_targets: set[str] = field(default_factory=set)
    # attachment (canonical URL) → [(linking page's key, its URL, link text)], in page order
    _parents: dict[str, list[tuple[Hashable, str, str | None]]] = field(default_factory=dict)

    def add(self, key: Hashable, url: str, text: str) -> None:
        """One archived HTML page (``key`` names its capture), in archive order."""
        detail_links = 0
        pager = False
        for link, anchor in iter_links(url, text, self._links):
            role = link_role(link, anchor)
            if role == DETAIL:
                detail_links += 1
            elif role == LISTING:
                pager = True
                self._pager_targets.add(canonical_url(link))
            elif role == ATTACHMENT:
                parents = self._parents.setdefault(canonical_url(link), [])
                if len(parents) < _MAX_PARENTS:
                    parents.append((key, url, anchor.strip() if anchor else None))
        meta = page_meta_tags(text)
        sure = looks_like_detail(url, meta, text, detail_links, paged=True)
        by_labels = not sure and not pager and looks_like_detail(url, meta, text, detail_links, paged=False)
        self._verdicts[key] = _Verdict(canonical_url(url), sure, by_labels)

    def is_document(self, key: Hashable) -> bool:
        """Whether the live crawl would have taken this page as a document."""
        verdict = self._verdicts.get(key)
        if verdict is None:
            return False
        return verdict.sure or (verdict.by_labels and verdict.url not in self._pager_targets)

    def linked_as_attachment(self, url: str) -> bool:
        return canonical_url(url) in self._parents

    def parent_of(self, url: str) -> tuple[str, str | None] | None:
        """(parent page URL, link text) of an attachment: a document page linking it, else the first page."""
        parents = self._parents.get(canonical_url(url))
        if not parents:
            return None
        chosen = next((p for p in parents if self.is_document(p[0])), parents[0])
        return chosen[1], chosen[2]
