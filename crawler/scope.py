"""Crawl scope: which URLs a portal crawl may fetch.

Pages: the seed's host, below the seed's path prefix. Detail pages listed by an
in-scope listing may sit elsewhere on the same host (CMSs put articles under
/art/… or /content/…), and attachments may sit on another host of the same
site (a file server), so those two get wider, explicit rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.cms.patterns import TRAP_URL_PATTERNS


def path_prefix(path: str) -> str:
    """/xxgk/index.htm → /xxgk/ ; /xxgk/ → /xxgk/ ; /xxgk → /xxgk/ ; '' → /"""
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


@dataclass
class Scope:
    seeds: list[tuple[str, str]]  # (host, path prefix)
    extra_hosts: set[str] = field(default_factory=set)
    include: list[re.Pattern] = field(default_factory=list)
    exclude: list[re.Pattern] = field(default_factory=list)
    out_of_scope: int = 0  # links seen and not fetched, for the run summary

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
        patterns = list(exclude or []) + (TRAP_URL_PATTERNS if traps else [])
        return cls(
            seeds=seeds,
            extra_hosts={h.lower() for h in extra_hosts or []},
            include=[re.compile(p) for p in include or []],
            exclude=[re.compile(p) for p in patterns],
        )

    def excluded(self, url: str) -> bool:
        return any(p.search(url) for p in self.exclude)

    def _host_seeds(self, host: str) -> list[str]:
        return [prefix for seed_host, prefix in self.seeds if seed_host == host]

    def page(self, url: str) -> bool:
        """An HTML page the crawl may fetch and follow links from."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if self.excluded(url):
            return False
        if any(p.search(url) for p in self.include):
            return True
        path = parts.path or "/"
        prefixes = self._host_seeds(host) or (["/"] if host in self.extra_hosts else [])
        return any(path.startswith(prefix) or path + "/" == prefix for prefix in prefixes)

    def detail(self, url: str) -> bool:
        """A detail page linked from an in-scope listing: any path on a seed host."""
        host = (urlsplit(url).hostname or "").lower()
        return not self.excluded(url) and (bool(self._host_seeds(host)) or host in self.extra_hosts)

    def attachment(self, url: str) -> bool:
        """A file linked from a document: any host of the same site."""
        host = (urlsplit(url).hostname or "").lower()
        if host in self.extra_hosts:
            return True
        return any(site_domain(host) == site_domain(seed_host) for seed_host, _ in self.seeds)
