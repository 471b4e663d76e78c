"""Extraction speed: the fast text path against trafilatura alone, text equality, PDF readers.

    python bench/extract_speed.py [--size 5000] [--repeat 2] [--parse]

On the benchmark corpus — every document of the synthetic portal `build_site(size, seed=1)` that
bench/crawl.py serves (detail pages and their PDF/DOCX/XLSX attachments) — in one run:

1. documents per CPU second of `extract_document` with the fast text path (`pipelines/fast_text.py`,
   judged per site as in a crawl), with trafilatura for every page (XXGK_FAST_TEXT=0), and as before
   issue 18 (trafilatura, python-docx), taking turns every 100 documents; the same for detail pages
   alone, and for the text stage alone (`extract_text`);
2. text equality, fast path vs trafilatura, page by page (`pipelines.text.compare_paths`) on the corpus,
   on the corpus with the container table switched off (containers learned per site only), and on
   the real pages of tests/fixtures/pages and tests/fixtures/reports/corpus;
3. PDF text: pypdfium2 (what `read_pdf` uses) vs pdfplumber, ms per PDF and characters that differ;
4. with --parse: `xxgk parse` 1 vs 2 jobs over the WARCs of a demo-portal crawl.

Prints absolute rates and the ratios measured in this run (the machine is noisy: compare ratios,
not absolute numbers, across runs).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crawler.demo import DemoPortal, build_site  # noqa: E402
from pipelines import document as document_module  # noqa: E402
from pipelines import fast_text  # noqa: E402
from pipelines import text as text_module  # noqa: E402
from pipelines.document import extract_document  # noqa: E402

Doc = tuple[str, dict, bytes]
FIXTURE_PAGES = sorted((REPO / "tests/fixtures/pages").glob("*.html")) + sorted(
    (REPO / "tests/fixtures/reports/corpus").glob("*.html")
)


def corpus(size: int, seed: int = 1) -> tuple[list[Doc], list[Doc]]:
    """(every document, the detail pages) of the benchmark portal, as (url, headers, body)."""
    site = build_site(size=size, seed=seed)
    base = "http://127.0.0.1:8000"

    def doc(path: str) -> Doc:
        res = site.resolve(path)
        return base + path, dict(res.response_headers()), res.body

    return [doc(d.path) for d in site.documents], [doc(d.path) for d in site.detail_pages]


# The modes compared: the fast text path; trafilatura for every page; and the pipeline as it was
# before issue 18 (trafilatura for every page, python-docx for DOCX).
MODES = ("before", "trafilatura", "fast path")
TRAFILATURA_ALONE = "trafilatura by itself"


@contextlib.contextmanager
def mode(name: str, judge: fast_text.SiteJudge | None = None) -> Iterator[None]:
    """One of MODES, with `judge` (a fresh one, as a new crawl or parse process starts, if None)."""
    from pipelines import attachments

    saved_env, saved_docx, saved_judge = (
        os.environ.get("XXGK_FAST_TEXT"),
        attachments.read_docx,
        fast_text.JUDGE,
    )
    os.environ["XXGK_FAST_TEXT"] = "1" if name == "fast path" else "0"
    if name == "before":
        attachments.read_docx = attachments._read_docx_python_docx
    fast_text.JUDGE = judge or fast_text.SiteJudge()
    try:
        yield
    finally:
        attachments.read_docx, fast_text.JUDGE = saved_docx, saved_judge
        if saved_env is None:
            os.environ.pop("XXGK_FAST_TEXT", None)
        else:
            os.environ["XXGK_FAST_TEXT"] = saved_env


@contextlib.contextmanager
def text_stage_clock() -> Iterator[list[float]]:
    """CPU seconds spent in extract_text (the text stage) while the block runs: spent[0]."""
    spent = [0.0]
    real = document_module.extract_text

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent[0] += time.process_time() - started

    document_module.extract_text = timed
    try:
        yield spent
    finally:
        document_module.extract_text = real


CHUNK = 100  # documents a mode runs before the next takes its turn


def speed(label: str, documents: list[Doc], repeat: int, alone: bool = False) -> None:
    """Documents per CPU second of each mode, and pages per CPU second of its text stage. The modes
    take turns every CHUNK documents (the first of each turn rotating), each keeping its own judge, so
    that a shared machine's slow spells fall on all of them alike: the ratios hold, the absolute
    rates drift with the machine. alone: also trafilatura by itself, `trafilatura.extract(body)` as
    its README calls it (bytes in, text out, nothing else), on HTML documents only."""
    import trafilatura

    modes = (*MODES, TRAFILATURA_ALONE) if alone else MODES
    spent = {name: [0.0, 0.0] for name in modes}  # CPU s of extract_document, of the text stage
    judges = {name: fast_text.SiteJudge() for name in MODES}
    pages = 0
    for turn, start in enumerate(range(0, len(documents) * repeat, CHUNK)):
        chunk = (documents * repeat)[start : start + CHUNK]
        pages += sum(1 for _, headers, _ in chunk if "html" in str(headers.get("Content-Type", "")))
        for name in modes[turn % len(modes) :] + modes[: turn % len(modes)]:
            if name == TRAFILATURA_ALONE:
                started = time.process_time()
                for _, headers, body in chunk:
                    if "html" in str(headers.get("Content-Type", "")):
                        trafilatura.extract(body)
                spent[name][0] += time.process_time() - started
                continue
            with mode(name, judges[name]), text_stage_clock() as text_cpu:
                started = time.process_time()
                for url, headers, body in chunk:
                    extract_document(url, headers, body)
                spent[name][0] += time.process_time() - started
            spent[name][1] += text_cpu[0]
    n = len(documents) * repeat
    (before, _), (slow, slow_text), (fast, fast_text_cpu) = (spent[m] for m in MODES)
    print(
        f"  {label} ({len(documents)}): before {n / before:.0f}, trafilatura {n / slow:.0f}, "
        f"fast path {n / fast:.0f} documents/CPU s: fast/trafilatura {slow / fast:.2f}x, "
        f"fast/before {before / fast:.2f}x; text stage {pages / slow_text:.0f} vs "
        f"{pages / fast_text_cpu:.0f} pages/CPU s, {slow_text / fast_text_cpu:.2f}x"
    )
    if alone and pages == n:
        by_itself = spent[TRAFILATURA_ALONE][0]
        print(
            f"  {label}, trafilatura by itself (trafilatura.extract(body), text only): {n / by_itself:.0f} "
            f"documents/CPU s; xxgk's whole extraction (metadata, title, links, text) fast path "
            f"{by_itself / fast:.2f}x that, with trafilatura as its text stage {by_itself / slow:.2f}x"
        )


# What extract_document calls, by stage (the names it imported), for `stages`.
STAGES = (
    "decode_bytes",
    "parse_html",
    "segments_of",
    "extract_metadata",
    "choose_title",
    "find_attachment_links",
    "extract_text",
    "read_attachment",
)


def stages(documents: list[Doc]) -> None:
    """CPU ms per document in each stage of extract_document, fast path on: where the time goes."""
    spent = dict.fromkeys(STAGES, 0.0)
    real = {name: getattr(document_module, name) for name in STAGES}

    def clocked(name: str, fn):
        def run(*args, **kwargs):
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - started

        return run

    for name, fn in real.items():
        setattr(document_module, name, clocked(name, fn))
    try:
        with mode("fast path"):
            started = time.process_time()
            for url, headers, body in documents:
                extract_document(url, headers, body)
            total = time.process_time() - started
    finally:
        for name, fn in real.items():
            setattr(document_module, name, fn)
    n = len(documents)
    parts = ", ".join(f"{name} {1000 * t / n:.2f}" for name, t in spent.items())
    rest = total - sum(spent.values())
    print(
        f"  CPU ms per document, fast path ({n} documents, {1000 * total / n:.2f} in all): {parts}, rest {1000 * rest / n:.2f}"
    )


@contextlib.contextmanager
def recording_paths(**options) -> Iterator[dict[str, object]]:
    """While active, extract_document measures both text paths of each page it reads
    (`pipelines.text.compare_paths` with `options`) into the yielded dict: key, fast, slow, verdict. The row
    keeps trafilatura's text."""
    seen: dict[str, object] = {}
    real = document_module.extract_text

    def both(tree, **kwargs):
        kwargs.pop("fast", None)
        site = kwargs.pop("site", None) or ""
        seen["key"], seen["fast"], seen["slow"], seen["verdict"] = text_module.compare_paths(
            tree, site=site, **kwargs, **options
        )
        return seen["slow"]

    document_module.extract_text = both
    try:
        yield seen
    finally:
        document_module.extract_text = real


def both_paths(
    url: str, headers: dict, body: bytes, **options
) -> tuple[str | None, str | None, str | None, str | None]:
    """(container key, fast path's text, trafilatura's text, verdict) of one page (`recording_paths`)."""
    with recording_paths(**options) as seen:
        extract_document(url, headers, body)
    return seen.get("key"), seen.get("fast"), seen.get("slow"), seen.get("verdict")  # type: ignore[return-value]


def equality(label: str, pages: list[Doc], learned_only: bool = False) -> None:
    """Per page with a container: equal / better / different (`fast_text.compare`), and how many are
    equal byte for byte. learned_only: the container table is off; each site learns its container
    from its first pages (which count as pages without one), as a crawl would."""
    verdicts: Counter[str] = Counter()
    by_key: Counter[str] = Counter()
    exact = none = 0
    examples: list[str] = []
    options = {"judge": fast_text.SiteJudge(), "table": False} if learned_only else {}
    for url, headers, body in pages:
        key, fast, slow, verdict = both_paths(url, headers, body, **options)
        if key is None:
            none += 1
            continue
        by_key["learned" if key.startswith("learned:") else key] += 1
        verdicts[verdict] += 1
        exact += fast == slow
        if verdict == "different" and len(examples) < 3:
            examples.append(url)
    n = sum(verdicts.values())

    def pct(k: int) -> str:
        return f"{100 * k / n:.1f} %" if n else "—"

    print(
        f"  {label}: {len(pages)} pages, {n} with a container {dict(by_key)}, {none} without; "
        f"equal {verdicts['equal']} ({pct(verdicts['equal'])}; byte for byte {exact}), "
        f"better {verdicts['better']} ({pct(verdicts['better'])}), "
        f"different {verdicts['different']} ({pct(verdicts['different'])})"
    )
    for url in examples:
        print(f"    different: {url}")


def pdf_readers(documents: list[Doc]) -> None:
    import pdfplumber

    from pipelines.attachments import read_pdf

    pdfs = [body for _, _, body in documents if body[:1024].find(b"%PDF-") >= 0]
    if not pdfs:
        return

    def plumber(body: bytes) -> str:
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            return "\f".join(page.extract_text() or "" for page in pdf.pages)

    def timed(reader) -> tuple[float, list[str]]:
        started = time.process_time()
        texts = [reader(b) or "" for b in pdfs]
        return (time.process_time() - started) / len(pdfs) * 1000, texts

    pdfium_ms, pdfium = timed(lambda b: read_pdf(b).text)
    plumber_ms, plumber_texts = timed(plumber)
    squash = lambda s: "".join(s.split())  # noqa: E731
    same = sum(squash(a) == squash(b) for a, b in zip(pdfium, plumber_texts, strict=True))
    only_plumber = sum(
        sum((Counter(squash(b)) - Counter(squash(a))).values())
        for a, b in zip(pdfium, plumber_texts, strict=True)
    )
    only_pdfium = sum(
        sum((Counter(squash(a)) - Counter(squash(b))).values())
        for a, b in zip(pdfium, plumber_texts, strict=True)
    )
    total = sum(len(squash(b)) for b in plumber_texts)
    print(
        f"PDF text, {len(pdfs)} PDFs: pypdfium2 {pdfium_ms:.2f} ms/PDF, pdfplumber {plumber_ms:.2f} ms/PDF "
        f"({plumber_ms / pdfium_ms:.1f}x slower); same characters (whitespace aside) in {same}/{len(pdfs)}; "
        f"characters only pdfplumber read: {only_plumber} of {total} ({100 * only_plumber / max(total, 1):.2f} %), "
        f"only pypdfium2: {only_pdfium}"
    )


def xxgk(*args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=REPO, check=True, capture_output=True)
    return time.monotonic() - started


def parse_speedup(size: int) -> None:
    site = build_site(size=size, seed=1)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="benchmark portal detail pages")
    parser.add_argument("--repeat", type=int, default=2, help="passes over the corpus per mode")
    parser.add_argument("--parse", action="store_true", help="also time xxgk parse, 1 vs 2 jobs (600 pages)")
    args = parser.parse_args()

    documents, pages = corpus(args.size)
    print(
        f"benchmark corpus: build_site({args.size}, seed=1): {len(documents)} documents, {len(pages)} detail pages"
    )
    print(
        "documents per CPU second of extract_document, the modes taking turns every "
        f"{CHUNK} documents (before: trafilatura and "
        "python-docx; trafilatura: XXGK_FAST_TEXT=0; fast path: the default):"
    )
    speed("all documents", documents, args.repeat)
    speed("detail pages", pages, args.repeat, alone=True)
    stages(documents)
    print("text equality, fast path vs trafilatura (after whitespace normalisation; `fast_text.compare`):")
    fixtures = [
        (f"http://www.example.gov.cn/{p.name}", {"Content-Type": "text/html"}, p.read_bytes())
        for p in FIXTURE_PAGES
    ]
    equality("benchmark corpus", pages)
    equality("benchmark corpus, learned only", pages, learned_only=True)
    equality("real pages (tests/fixtures)", fixtures)
    pdf_readers(documents)
    if args.parse:
        parse_speedup(600)


if __name__ == "__main__":
    main()
