"""Crawl scope: which URLs a portal crawl may fetch, and under which name.

Pages: the seed's host, below the seed's path prefix. Detail pages listed by an
in-scope listing may sit elsewhere on the same host (CMSs put articles under
/art/… or /content/…), and attachments may sit on another host of the same
site (a file server), so those two get wider, explicit rules.

Settings (all optional, lists may be comma-separated with -s):
  XXGK_INCLUDE       regexes: a page URL matching one is in scope whatever its path (not its host
                     being foreign: hosts still have to be seed or extra hosts)
  XXGK_EXCLUDE       regexes: a URL matching one is never fetched (checked before everything else)
  XXGK_EXTRA_HOSTS   host names treated as seed hosts with the whole site in scope
  XXGK_EXCLUDE_TRAPS False turns off the built-in trap patterns (crawler/cms/patterns.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from crawler.cms.patterns import (
    MAX_PATH_REPEATS,
    MAX_QUERY_LENGTH,
    MAX_SAME_KEY,
    SEED_PREFIX_RULES,
    TRAP_URL_PATTERNS,
)

_SEED_PREFIXES = [(re.compile(pattern), prefix) for pattern, prefix in SEED_PREFIX_RULES]


def path_prefix(path: str) -> str:
    """/xxgk/index.htm → /xxgk/ ; /xxgk/ → /xxgk/ ; /xxgk → /xxgk/ ; '' → / ;
    a CMS column page whose siblings are the section (/col/col1228/index.html) → its rule's prefix."""
    for pattern, prefix in _SEED_PREFIXES:
        if pattern.search(path):
            return prefix
    if not path or path == "/":
        return "/"
    head, _, last = path.rpartition("/")
    if "." in last:  # a file name: its directory
        return head + "/"
    return path if path.endswith("/") else path + "/"


def site_domain(host: str) -> str:
    """The part of a host shared by a site's hosts: www.hl.gov.cn → hl.gov.cn.

    Government hosts are <site>.gov.cn or <site>.<province>.gov.cn; keeping the
    last three labels of a .gov.cn host (two elsewhere) groups a portal's file
    and sub-sites without a public-suffix list. IP addresses stay as they are.
    """
    if re.fullmatch(r"[\d.]+|\[?[0-9a-fA-F:]+\]?", host):
        return host
    labels = host.split(".")
    keep = 3 if host.endswith(".gov.cn") or host.endswith(".com.cn") or host.endswith(".org.cn") else 2
    return ".".join(labels[-keep:])


def growing(url: str) -> bool:
    """Query strings or paths that grow on every click: repeated keys, huge queries, path loops."""
    parts = urlsplit(url)
    if parts.query:
        if len(parts.query) > MAX_QUERY_LENGTH:
            return True
        keys = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True)]
        if len(keys) - len(set(keys)) >= MAX_SAME_KEY:
            return True
    segments = [s for s in parts.path.split("/") if s]
    return len(segments) > 6 and max(segments.count(s) for s in set(segments)) > MAX_PATH_REPEATS


@dataclass
class Scope:
    seeds: list[tuple[str, str]]  # (host, path prefix)
    extra_hosts: set[str] = field(default_factory=set)
    include: list[re.Pattern] = field(default_factory=list)
    exclude: list[re.Pattern] = field(default_factory=list)  # XXGK_EXCLUDE
    traps: bool = True  # also exclude TRAP_URL_PATTERNS and growing URLs
    out_of_scope: int = 0  # links seen and not fetched, for the run summary
    _excluded: re.Pattern | None = field(default=None, init=False, repr=False)
    _user_excluded: re.Pattern | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # one alternation instead of a loop over patterns: this runs for every new link
        user = [p.pattern for p in self.exclude]
        patterns = user + (TRAP_URL_PATTERNS if self.traps else [])
        if patterns:
            self._excluded = re.compile("|".join(f"(?:{p})" for p in patterns))
        if user:
            self._user_excluded = re.compile("|".join(f"(?:{p})" for p in user))

    @classmethod
    def from_seeds(
        cls,
        urls: list[str],
        *,
        extra_hosts: list[str] | None = None,
        include: list[str] | None = None,
        exclude: list[str] | None = None,
        traps: bool = True,
    ) -> Scope:
        seeds = []
        for url in urls:
            parts = urlsplit(url)
            seeds.append(((parts.hostname or "").lower(), path_prefix(parts.path)))
        return cls(
            seeds=seeds,
            extra_hosts={h.strip().lower() for h in extra_hosts or [] if h.strip()},
            include=[re.compile(p) for p in include or []],
            exclude=[re.compile(p) for p in exclude or []],
            traps=traps,
        )

    def excluded(self, url: str) -> bool:
        if self._excluded is not None and self._excluded.search(url):
            return True
        return self.traps and growing(url)

    def _host_seeds(self, host: str) -> list[str]:
        return [prefix for seed_host, prefix in self.seeds if seed_host == host]

    def _known_host(self, host: str) -> bool:
        return bool(self._host_seeds(host)) or host in self.extra_hosts

    def page(self, url: str) -> bool:
        """An HTML page the crawl may fetch and follow links from."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if self.excluded(url):
            return False
        if self.include and self._known_host(host) and any(p.search(url) for p in self.include):
            return True
        path = parts.path or "/"
        prefixes = self._host_seeds(host) or (["/"] if host in self.extra_hosts else [])
        return any(path.startswith(prefix) or path + "/" == prefix for prefix in prefixes)

    def detail(self, url: str) -> bool:
        """A detail page (or a CMS data request) found by an in-scope listing: any path on a seed host."""
        host = (urlsplit(url).hostname or "").lower()
        return not self.excluded(url) and self._known_host(host)

    def attachment(self, url: str) -> bool:
        """A file linked from a document: any host of the same site (XXGK_EXCLUDE still applies;
        trap patterns do not: a file named print-form.pdf is a file)."""
        host = (urlsplit(url).hostname or "").lower()
        if self._user_excluded is not None and self._user_excluded.search(url):
            return False
        if host in self.extra_hosts:
            return True
        return any(site_domain(host) == site_domain(seed_host) for seed_host, _ in self.seeds)
