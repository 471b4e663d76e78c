"""Extraction speed: documents/s per core for HTML pages and PDF attachments, and the
speed-up of `xxgk parse` from 1 to 2 jobs over the WARCs of a demo-portal crawl.

    python bench/extract_speed.py [--size 600]

Prints absolute rates and the ratios measured in this run (the machine is noisy:
compare ratios, not absolute numbers, across runs).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawler.demo import DemoPortal, build_site  # noqa: E402
from pipelines.document import extract_document  # noqa: E402


def rate(documents: list[tuple[str, dict, bytes]], min_seconds: float = 3.0) -> tuple[float, int]:
    """Documents per second of CPU time for extract_document over the list (repeated to min_seconds)."""
    done = 0
    started = time.process_time()
    while True:
        for url, headers, body in documents:
            extract_document(url, headers, body)
            done += 1
        spent = time.process_time() - started
        if spent >= min_seconds:
            return done / spent, done


def xxgk(*args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=REPO, check=True, capture_output=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=600, help="demo portal detail pages")
    args = parser.parse_args()

    site = build_site(size=args.size, seed=1)
    base = "http://127.0.0.1:8000"
    html = [
        (base + d.path, dict(site.resolve(d.path).response_headers()), site.resolve(d.path).body)
        for d in site.detail_pages
    ]
    pdfs = [
        (base + d.path, dict(site.resolve(d.path).response_headers()), site.resolve(d.path).body)
        for d in site.attachments
        if d.path.endswith(".pdf")
    ]
    html_rate, html_n = rate(html)
    pdf_rate, pdf_n = rate(pdfs)
    print(
        f"extract_document, one core: HTML {html_rate:7.1f} docs/s ({html_n} docs), "
        f"PDF {pdf_rate:6.1f} docs/s ({pdf_n} docs); PDF/HTML = {pdf_rate / html_rate:.3f}"
    )

    with tempfile.TemporaryDirectory() as tmp, DemoPortal(site) as portal:
        out = Path(tmp)
        xxgk(
            "crawl",
            portal.root_url,
            "--out",
            str(out / "crawl"),
            "--name",
            "bench",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        )
        collection = str(out / "crawl" / "collections" / "bench")
        timings = {
            jobs: xxgk("parse", collection, "--out", str(out / f"p{jobs}"), "--jobs", str(jobs))
            for jobs in (1, 2)
        }
    n = len(site.documents)
    print(
        f"xxgk parse over the crawl's WARCs ({n} documents): 1 job {n / timings[1]:.1f} docs/s, "
        f"2 jobs {n / timings[2]:.1f} docs/s; speed-up 1→2 jobs = {timings[1] / timings[2]:.2f}×"
    )


if __name__ == "__main__":
    main()
