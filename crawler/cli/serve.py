"""`xxgk serve DIR`: the researchers' workbench — Datasette over the datasets, pywb beside it.

Each collection's datasets become a SQLite database (pipelines.workbench, rebuilt only when
they changed); Datasette serves them with facets, full-text search (``/NAME/search?q=…``),
SQL, CSV/JSON export and a chart of annual-report figures (``/chart``); every row links to
its capture replayed in pywb, to its raw WARC record and to its other versions. Both servers
bind to 127.0.0.1; Ctrl-C or SIGTERM stops both.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson

from crawler.cli.argtypes import PORT, add_server_arguments
from crawler.cli.errors import CliError


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("serve", help=help_text, description=help_text)
    add_server_arguments(parser, 8001, "workbench")
    parser.add_argument(
        "--replay-port", type=PORT, default=0, help="pywb port on 127.0.0.1 (default: any free one)"
    )
    parser.set_defaults(func=run)


def _free(port: int) -> int:
    """The port to use (0: any free one); a port another server holds is refused."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise CliError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
        return probe.getsockname()[1]


def metadata(databases: list[str], replay_base: str, out: Path) -> dict:
    """Datasette metadata: facets, full-text search, the search query, the links' settings."""
    from pipelines.annual import ANNUAL_REPORT_FIELDS
    from pipelines.workbench import DOCUMENT_FACETS, REPORT_FACETS, SEARCH_SQL

    figures = [
        f.name for f in ANNUAL_REPORT_FIELDS if f.type in ("int64", "float64") and f.name != "report_year"
    ]
    tables = {
        "documents": {
            "facets": list(DOCUMENT_FACETS),
            "fts_table": "documents_fts",
            "fts_pk": "rowid",
            "sort_desc": "publish_date",
            "label_column": "title",
        },
        "annual_reports": {
            "facets": list(REPORT_FACETS),
            "sort_desc": "report_year",
            "label_column": "title",
        },
        "_xxgk": {"hidden": True},
    }
    search = {
        "title": "全文检索 · search titles and texts (pages and attachments)",
        "description": "Any word of one character or more, e.g. 低保, 征地, a 文号 such as 贺政发〔2024〕12号",
        "sql": SEARCH_SQL,
    }
    return {
        "title": "xxgk workbench",
        "description_html": (
            f"Datasets of {out}. Search: <code>/NAME/search?q=…</code>; "
            'annual report figures: <a href="/chart">chart</a>; every row links to its replay (pywb).'
        ),
        "databases": {name: {"tables": tables, "queries": {"search": search}} for name in databases},
        "plugins": {"xxgk": {"replay_base": replay_base, "out": str(out), "figures": figures}},
    }


def _wait(url: str, process: subprocess.Popen, what: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CliError(
                f"{what} exited with {process.returncode}: {log.read_text(errors='replace')[-1500:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise CliError(f"{what} did not answer on {url} within {timeout:.0f} s")


def run(args: argparse.Namespace) -> int:
    from archive.replay import PywbServer
    from pipelines import workbench
    from pipelines.workbench import build_database

    out = Path(args.out)
    datasets = sorted(p for p in (out / "datasets").glob("*") if (p / "documents.jsonl").is_file())
    if not datasets:
        raise CliError(
            f"{out}: no datasets to serve (crawl first: `xxgk demo` or `xxgk crawl URL --out {out}`)"
        )
    port = _free(args.port)
    dbs = [build_database(d) for d in datasets]
    replay = PywbServer(out, port=args.replay_port) if (out / "collections").is_dir() else None
    work = Path(tempfile.mkdtemp(prefix="xxgk-serve-"))
    datasette = None
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops both, as Ctrl-C does
    try:
        if replay is not None:
            replay.start(quiet=False)
        replay_base = replay.base_url if replay is not None else ""
        (work / "metadata.json").write_bytes(orjson.dumps(metadata([d.stem for d in dbs], replay_base, out)))
        package = Path(workbench.__file__).parent  # its templates and Datasette plugin
        log = work / "datasette.log"
        with open(log, "wb") as log_file:
            datasette = subprocess.Popen(
                [sys.executable, "-m", "datasette", "serve", *map(str, dbs), "--host", "127.0.0.1",
                 "--port", str(port), "--metadata", str(work / "metadata.json"),
                 "--template-dir", str(package / "templates"), "--plugins-dir", str(package / "plugins"),
                 "--setting", "sql_time_limit_ms", "10000", "--setting", "max_returned_rows", "5000"],
                stdout=log_file, stderr=subprocess.STDOUT,
            )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        _wait(base + "/-/versions.json", datasette, "datasette", log)
        print(
            f"workbench: {base}/   (search: {base}/{dbs[0].stem}/search?q=…, chart: {base}/chart)", flush=True
        )
        if replay is not None:
            print(f"replay:    {replay.base_url}/", flush=True)
        print("press Ctrl-C to stop", flush=True)
        while datasette.poll() is None:
            time.sleep(0.5)
        return 1  # datasette stopped on its own
    except KeyboardInterrupt:
        return 0
    finally:
        if datasette is not None and datasette.poll() is None:
            datasette.terminate()
            try:
                datasette.wait(10)
            except subprocess.TimeoutExpired:
                datasette.kill()
                datasette.wait()
        if replay is not None:
            replay.stop()
        shutil.rmtree(work, ignore_errors=True)
