"""Revisits across crawls, replay in real pywb, a page in real Chromium, and WACZ packaging."""

from __future__ import annotations

import subprocess
import urllib.request
import zipfile

import orjson
import pytest

from archive.reader import iter_records
from archive.replay import PywbServer, ensure_tools_env, tool_path
from tests.support.runner import FAST, xxgk

CHROMIUM = "/usr/bin/chromium"  # Debian's; .ci/run installs it
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic"]


@pytest.fixture(scope="module")
def twice(demo_portal, tmp_path_factory):
    """The demo portal crawled twice into one collection: the second run finds nothing new."""
    _, portal = demo_portal
    out = tmp_path_factory.mktemp("twice")
    first = xxgk("crawl", portal.root_url, "--out", str(out), "--name", "demo", *FAST, check=True)
    files_after_first = set((out / "collections" / "demo" / "archive").glob("*.warc.gz"))
    second = xxgk("crawl", portal.root_url, "--out", str(out), "--name", "demo", *FAST, check=True)
    files = set((out / "collections" / "demo" / "archive").glob("*.warc.gz"))
    [second_file] = files - files_after_first
    [first_file] = files_after_first
    return out, portal, first_file, second_file, first, second


def types(path):
    return [r.type for r in iter_records(path)]


def test_second_crawl_stores_revisits_not_copies(twice):
    _, _, first_file, second_file, _, _ = twice
    first, second = types(first_file), types(second_file)
    assert second.count("response") + second.count("revisit") == first.count("response") + first.count(
        "revisit"
    )
    # every 200 response of the second run repeats a payload of the first: stored as a revisit
    statuses = [r for r in iter_records(second_file) if getattr(r, "type", None) in ("response", "revisit")]
    assert all(r.type == "revisit" for r in statuses if r.status == 200)
    assert second_file.stat().st_size < first_file.stat().st_size / 3
    originals = {r.record_id: r for r in iter_records(first_file)}
    for record in iter_records(second_file):
        if record.type == "revisit":
            original = originals[record.header("WARC-Refers-To")]
            assert original.header("WARC-Payload-Digest") == record.header("WARC-Payload-Digest")
            assert original.date == record.header("WARC-Refers-To-Date")
            assert original.target_uri == record.header("WARC-Refers-To-Target-URI")


def test_second_crawl_still_yields_every_document(twice, demo_portal):
    out, *_ = twice
    site, _ = demo_portal
    rows = [
        orjson.loads(x) for x in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]
    assert len(rows) == 2 * len(site.documents)  # one row per document per run, both traceable


@pytest.fixture(scope="module")
def pywb(twice):
    out = twice[0]
    with PywbServer(out) as server:
        yield server


def test_pywb_replays_the_archived_bytes(pywb, demo_portal):
    site, portal = demo_portal
    for doc in site.detail_pages[:5] + [d for d in site.detail_pages if d.encoding == "gbk"][:2]:
        url = portal.url(doc.path)
        # id_: the original bytes; the latest capture is a revisit, resolved to the original by pywb
        with urllib.request.urlopen(pywb.url("demo", url, timestamp="2", modifier="id_"), timeout=30) as resp:
            body = resp.read()
        assert body == site.resolve(doc.path).body, url


def test_chromium_renders_a_replayed_page(pywb, demo_portal):
    """What a researcher sees: pywb's framed replay in a real browser, the page rendered inside."""
    from playwright.sync_api import sync_playwright

    site, portal = demo_portal
    doc = next(d for d in site.detail_pages if d.encoding == "gbk" and d.metadata.get("title"))
    url = pywb.url("demo", portal.url(doc.path), timestamp="2026")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(url, timeout=60_000)
            frame = page.frame_locator("#replay_iframe")
            frame.locator("body").wait_for(timeout=60_000)
            text = frame.locator("body").inner_text(timeout=60_000)
            title = frame.locator("title").text_content(timeout=60_000)
        finally:
            browser.close()
    assert doc.metadata["title"] in title or doc.metadata["title"] in text  # a GBK page, decoded right
    assert doc.paragraphs[0][:20] in text.replace("\n", "")


def test_a_replayed_page_loads_its_requisites_from_the_archive(pywb, demo_portal):
    """Stylesheets, scripts, images, the icon and what the stylesheets load were archived with the
    page: replayed in Chromium, not one of them fails (the page looks as the public saw it)."""
    from playwright.sync_api import sync_playwright

    site, portal = demo_portal
    doc = site.detail_pages[0]
    origin = portal.base_url
    failed: list[str] = []
    loaded: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on(
                "response",
                lambda response: (failed if response.status >= 400 else loaded).append(response.url),
            )
            page.goto(pywb.url("demo", portal.url(doc.path), timestamp="2026"), timeout=60_000)
            frame = page.frame_locator("#replay_iframe")
            frame.locator("body").wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle", timeout=60_000)
        finally:
            browser.close()
    # URLs that scripts compute at run time (a share widget's cache-busting query, analytics) were
    # never in the markup to archive; every requisite of the markup and its stylesheets was
    mine = [u for u in failed if origin in u and "cdnversion=" not in u]
    assert mine == [], mine
    for requisite in (
        "/css/common.css",
        "/css/xxgk.css",
        "/js/common.js",
        "/images/logo.png",
        "/images/header-bg.png",
    ):
        assert any(u.endswith(origin + requisite) for u in loaded), requisite


def test_requisites_are_archived_once_and_never_documents(twice, demo_portal):
    out, *_ = twice
    _, portal = demo_portal
    rows = [
        orjson.loads(x) for x in (out / "datasets" / "demo" / "documents.jsonl").read_bytes().splitlines()
    ]
    assert not [r for r in rows if r["url"].endswith((".css", ".js", ".png", ".ico"))]
    first_file = twice[2]
    # identical images are revisits of the first (dedup within the crawl): captures, either way
    captures = [
        r.target_uri for r in iter_records(first_file) if getattr(r, "type", None) in ("response", "revisit")
    ]
    assert len(captures) == len(set(captures))  # each URL once
    css = [u for u in captures if u.endswith(".css")]
    assert len(css) == len(set(css)) == 2  # once each, both stylesheets
    assert portal.url("/images/header-bg.png") in captures  # loaded by a stylesheet, not the page


def test_wacz_validates_and_meets_the_spec(twice, tmp_path):
    out = twice[0]
    wacz = tmp_path / "demo.wacz"
    proc = xxgk("wacz", str(out / "collections" / "demo"), "-o", str(wacz))
    assert proc.returncode == 0, proc.stderr
    ensure_tools_env(quiet=True)
    check = subprocess.run(
        [str(tool_path("wacz")), "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert check.returncode == 0 and "is valid" in check.stdout, check.stdout + check.stderr
    with zipfile.ZipFile(wacz) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        warcs = [n for n in infos if n.startswith("archive/")]
        assert len(warcs) == 2 and all(infos[n].compress_type == zipfile.ZIP_STORED for n in warcs)
        lines = zf.read("pages/pages.jsonl").splitlines()
        assert orjson.loads(lines[0])["format"] == "json-pages-1.0"
        pages = [orjson.loads(line) for line in lines[1:]]
        assert all({"url", "ts", "id"} <= p.keys() for p in pages)
        assert any(p.get("title") and p.get("text") for p in pages)
        # attachments too, with their text: ReplayWeb.page's search finds a document by its PDF text
        pdfs = [p for p in pages if p["url"].endswith(".pdf")]
        assert pdfs and all(p["text"] for p in pdfs)
        index = zf.read("indexes/index.cdxj").splitlines()
        assert index == sorted(index)
        package = orjson.loads(zf.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1" and package["profile"] == "data-package"
        assert {r["path"] for r in package["resources"]} == set(infos) - {
            "datapackage.json",
            "datapackage-digest.json",
        }


def test_replay_command_serves_the_collection(twice, demo_portal):
    """`xxgk replay OUT --port 0` as a user runs it: prints the URL, serves the archive, stops on SIGINT."""
    import os
    import signal
    import sys

    from tests.support.runner import REPO

    out = twice[0]
    site, portal = demo_portal
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler.cli", "replay", str(out), "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()  # "pywb is replaying … on http://127.0.0.1:PORT/"
        assert "pywb is replaying" in first, first + proc.stderr.read() if proc.poll() is not None else first
        base = first.rsplit(" on ", 1)[1].strip().rstrip("/")
        doc = site.detail_pages[0]
        with urllib.request.urlopen(f"{base}/demo/2id_/{portal.url(doc.path)}", timeout=30) as resp:
            assert resp.read() == site.resolve(doc.path).body
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    port = base.rsplit(":", 1)[1]
    left = subprocess.run(
        ["pgrep", "-f", f"wayback --bind 127.0.0.1 --port {port}$"], capture_output=True, text=True
    )
    assert not left.stdout.strip(), "pywb outlived `xxgk replay`"
