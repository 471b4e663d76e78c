"""The demo portal: a deterministic county-government 信息公开 site served on loopback.

    from crawler.demo import build_site, DemoPortal
    site = build_site(size=40, seed=0)
    with DemoPortal(site) as portal:
        crawl(portal.root_url)          # http://127.0.0.1:PORT/xxgk/
        site.documents                  # ground truth: every detail page and attachment

`python -m crawler.demo serve|export` serves a site by hand or writes it as static files.
"""

from crawler.demo.model import METADATA_FIELDS, Column, DemoSite, Document, ListingPage, Resource
from crawler.demo.server import DemoPortal, RequestRecord
from crawler.demo.site import build_site

__all__ = [
    "METADATA_FIELDS",
    "Column",
    "DemoPortal",
    "DemoSite",
    "Document",
    "ListingPage",
    "RequestRecord",
    "Resource",
    "build_site",
]
