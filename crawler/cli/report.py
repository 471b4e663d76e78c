"""`xxgk report FILE [--json] [--previous JSON]`: one annual report's figures and checks.

Reads an HTML page, a PDF/DOCX/DOC/WPS attachment or a text file, runs
pipelines.reports.parse_report on it, and prints the figures with the
format's own consistency checks; --json prints the xxgk.annual_report/1
document with the flat annual_reports columns at its top level.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from crawler.cli.errors import CliError, read_input_file

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".jsp", ".asp", ".aspx", ".php")
TEXT_SUFFIXES = (".txt", ".text", ".tsv", ".csv")


def register(subparsers, help_text: str) -> None:
    parser = subparsers.add_parser("report", help=help_text, description=help_text)
    parser.add_argument("file", help="the report: HTML page, PDF, DOCX/DOC/WPS attachment, or plain text")
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the JSON document (schema xxgk.annual_report/1) with the flat columns on top",
    )
    parser.add_argument(
        "--previous",
        metavar="JSON",
        help="the same organ's report for the year before (a --json output): runs checks S1–S4",
    )
    parser.set_defaults(func=run)


def _read(path: Path) -> bytes:
    body = read_input_file(path)
    if not body.strip():
        raise CliError(f"empty file: {path}")
    return body


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head or b"<table" in head


def load_input(path: Path) -> dict:
    """{html=…} or {text=…} for parse_report, plus meta."""
    body = _read(path)
    suffix = path.suffix.lower()
    meta = {"url": path.resolve().as_uri()}
    if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and _looks_like_html(body)):
        from archive.encoding import decode_html

        html, _encoding = decode_html(body, None)
        return {"html": html, "meta": {**meta, "content_type": "text/html"}}
    if suffix in TEXT_SUFFIXES:
        from archive.encoding import decode_bytes

        return {
            "text": decode_bytes(body, None, html=False).text,
            "meta": {**meta, "content_type": "text/plain"},
        }
    try:
        from pipelines.attachments import read_attachment
    except ImportError as exc:  # pragma: no cover - the attachment readers ship with the project
        raise CliError(f"cannot read {path.name}: attachment readers unavailable ({exc})") from exc
    content = read_attachment(body, filename=path.name)
    if content.error or not (content.text or "").strip():
        raise CliError(f"cannot read {path.name}: {content.error or 'no text'}")
    types = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword",
        "wps": "application/vnd.ms-works",
        "txt": "text/plain",
    }
    return {"text": content.text, "meta": {**meta, "content_type": types.get(content.format)}}


def _previous(name: str | None) -> dict | None:
    if not name:
        return None
    raw = _read(Path(name))
    try:
        prev = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise CliError(f"--previous {name}: not JSON ({exc})") from exc
    if not isinstance(prev, dict) or prev.get("schema") != "xxgk.annual_report/1":
        raise CliError(f"--previous {name}: not an annual report JSON (schema xxgk.annual_report/1)")
    return prev


def run(args: argparse.Namespace) -> int:
    from pipelines.reports import flat_row, parse_report

    source = load_input(Path(args.file))
    report = parse_report(previous=_previous(args.previous), **source)
    if args.json:
        flat = flat_row(report)
        out = {"schema": report["schema"], **flat, **{k: v for k, v in report.items() if k != "schema"}}
        sys.stdout.buffer.write(
            orjson.dumps(out, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS) + b"\n"
        )
    else:
        render(report)
    return 0


# ---------------------------------------------------------------- readable output


def _cell_text(report: dict, table: str, row: str, col: str, value) -> str:
    for c in report["cells"]:
        if c["table"] == table and c["row"] == row and c["col"] == col:
            if c.get("ambiguous"):
                return "?" + (
                    "(" + "/".join(map(str, c.get("candidates") or [])) + ")" if c.get("candidates") else ""
                )
            mark = "*" if c.get("recovered") else ""
            return ("" if value is None else str(value)) + mark
    return "—" if value is None else str(value)


def render(report: dict, file=None) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from pipelines.reports import labels as L

    out = file or sys.stdout
    console = Console(file=out, width=None if out.isatty() else 140, highlight=False)
    doc = report["doc"]
    console.print(f"[bold]{doc.get('title') or '(no title)'}[/bold]")
    console.print(
        f"organ: {doc.get('organ')} ({doc.get('organ_kind')})   year: {doc.get('report_year')}   "
        f"published: {doc.get('published_date')}"
    )
    console.print(
        f"doc_type: {doc.get('doc_type')}   format: {doc.get('format')}   layout: {doc.get('table_layout')}"
    )
    if doc.get("doc_type") != "annual_report":
        console.print("not an annual report: no figures read")
        return

    if report.get("proactive"):
        t = Table(title="二、主动公开政府信息情况", box=box.SIMPLE)
        t.add_column("信息内容")
        t.add_column("figures")
        for row, cols in report["proactive"].items():
            parts = []
            for col, v in cols.items():
                shown = f"{v['value']}{v.get('unit') or ''}" if isinstance(v, dict) else v
                parts.append(f"{col}={_cell_text(report, 't2', row, col, shown)}")
            t.add_row(L.SEC2_LABELS_ZH.get(row, row), "  ".join(parts))
        console.print(t)

    if report.get("applications"):
        t = Table(
            title="三、收到和处理政府信息公开申请情况  (* recovered, ? ambiguous, — missing)", box=box.SIMPLE
        )
        t.add_column("")
        for col in report["applications"]["columns"]:
            t.add_column(L.COLUMN_LABELS_ZH[col], justify="right")
        for key, cols in report["applications"]["rows"].items():
            t.add_row(
                L.ROW_LABELS_ZH.get(key, key), *[_cell_text(report, "t3", key, c, v) for c, v in cols.items()]
            )
        console.print(t)

    if report.get("review_litigation"):
        t = Table(title="四、行政复议、行政诉讼", box=box.SIMPLE)
        t.add_column("")
        for col in L.REVIEW_COLUMNS:
            t.add_column(L.REVIEW_LABELS_ZH[col], justify="right")
        for group, cols in report["review_litigation"].items():
            t.add_row(
                L.REVIEW_LABELS_ZH.get(group, group),
                *[_cell_text(report, "t4", "review_litigation", f"{group}.{c}", v) for c, v in cols.items()],
            )
        console.print(t)

    if report.get("legacy"):
        t = Table(title=f"统计表 ({report['legacy']['family']})", box=box.SIMPLE)
        for name in ("指标", "单位", "本年度/统计数", "历年累计"):
            t.add_column(name)
        for it in report["legacy"]["items"]:
            t.add_row(
                it["label"],
                it.get("unit") or "",
                str(it["value"]),
                "" if it.get("cumulative") is None else str(it["cumulative"]),
            )
        console.print(t)

    fee = report.get("info_processing_fee")
    if fee:
        amount = fee.get("amount")
        console.print(
            f"信息处理费: {amount['value']}{amount['unit']}" if amount else f"信息处理费: {fee['text']}"
        )

    if report.get("prose_figures"):
        t = Table(title="正文中的数字", box=box.SIMPLE)
        for name in ("key", "value", "§", "quote"):
            t.add_column(name)
        for f in report["prose_figures"]:
            t.add_row(f["key"], str(f["value"]), str(f.get("section") or ""), f["quote"])
        console.print(t)

    checks = report["checks"]
    summary: dict[str, dict[str, int]] = {}
    for c in checks:
        summary.setdefault(c["id"], {}).setdefault(c["status"], 0)
        summary[c["id"]][c["status"]] += 1
    console.print(
        "checks: "
        + "   ".join(
            f"{cid} " + " ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            for cid, counts in summary.items()
        )
    )
    problems = [c for c in checks if c["status"] == "fail"]
    if problems:
        t = Table(title="failed checks", box=box.SIMPLE)
        for name in ("id", "scope", "lhs", "rhs", "kind", "note"):
            t.add_column(name)
        for c in problems:
            t.add_row(
                c["id"],
                str(c["scope"]),
                str(c.get("lhs")),
                str(c.get("rhs")),
                c.get("kind", ""),
                c.get("quote") or c.get("note") or ", ".join(c.get("cells", [])),
            )
        console.print(t)
    warnings = report["parser"]["warnings"]
    if warnings:
        console.print("warnings: " + ", ".join(warnings))
