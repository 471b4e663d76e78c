"""A run's human-readable report: one self-contained HTML file with inline SVG charts.

No plotting library: horizontal bar charts and a capture timeline are a few
SVG rectangles, and the file opens anywhere (no scripts, no external assets).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

BAR = "#3b6ea5"
COLORS = {"new": "#2e8b57", "changed": "#d08c1a", "unchanged": "#8a99a8", "removed": "#b03a2e"}


def bar_chart(
    values: dict[str, float], *, unit: str = "", colors: dict[str, str] | None = None, ordered: bool = False
) -> str:
    """Horizontal bars, one per label: longest first, or in the given order."""
    items = list(values.items()) if ordered else sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return "<p class=empty>none</p>"
    width, label_w, row_h = 640, 220, 22
    top = max(v for _, v in items) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row_h * len(items) + 4}" role="img">'
    ]
    for i, (label, value) in enumerate(items):
        y = i * row_h + 2
        w = max(1.0, (width - label_w - 90) * value / top) if value else 0
        color = (colors or {}).get(label, BAR)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">{escape(_short(label))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12">{value:,.0f}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, size: int = 30) -> str:
    """Keep the distinctive end of long labels (file names differ in their last characters)."""
    return label if len(label) <= size else "…" + label[-(size - 1) :]


def timeline_chart(stamps: list[str], buckets: int = 60) -> str:
    """Captures over the run's duration (14-digit timestamps), as a column histogram."""
    times = [datetime.strptime(s[:14], "%Y%m%d%H%M%S") for s in stamps if len(s) >= 14 and s[:14].isdigit()]
    if not times:
        return "<p class=empty>no captures</p>"
    start, end = min(times), max(times)
    span = max((end - start).total_seconds(), 1.0)
    buckets = min(buckets, int(span) + 1)  # timestamps have whole seconds
    counts = Counter(min(buckets - 1, int((t - start).total_seconds() / span * buckets)) for t in times)
    width, height = 640, 120
    top = max(counts.values())
    col = width / buckets
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20}" role="img">']
    for b in range(buckets):
        h = (height - 4) * counts.get(b, 0) / top
        parts.append(
            f'<rect x="{b * col:.1f}" y="{height - h:.1f}" width="{col - 1:.1f}" height="{h:.1f}" fill="{BAR}"/>'
        )
    parts.append(
        f'<text x="0" y="{height + 15}" font-size="11">{start:%H:%M:%S}</text>'
        f'<text x="{width}" y="{height + 15}" font-size="11" text-anchor="end">{end:%H:%M:%S} UTC '
        f"({len(times)} captures, {span:.0f} s)</text></svg>"
    )
    return "".join(parts)


def render_report(manifest: dict[str, Any], stamps: list[str]) -> str:
    c = manifest["counts"]
    docs = c["documents"]
    title = f"xxgk run {manifest['run_id']} — {manifest['collection']}"
    facts = [
        ("status", manifest["status"]),
        ("finish reason", manifest["finish_reason"]),
        ("resumed", "yes" if manifest["resumed"] else "no"),
        ("started", manifest["started_at"]),
        ("finished", manifest["finished_at"]),
        ("elapsed", f"{manifest['elapsed_seconds']:.1f} s"),
        ("responses", c["responses"]),
        ("conditional requests", c["conditional_requests"]),
        ("revisit records", c["revisits"]),
        ("WARC bytes", f"{c['warc_bytes']:,}"),
        ("seeds", " ".join(manifest["seeds"])),
    ]
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in facts)
    removed = (
        "".join(
            f"<li><code>{escape(r['url'])}</code> — {escape(str(r['reason']))} ({escape(str(r['at']))})</li>"
            for r in manifest["removed"]
        )
        or "<li>none</li>"
    )
    seed_errors = "".join(
        f"<li><code>{escape(u)}</code>: {escape(e)}</li>" for u, e in manifest["seed_errors"].items()
    )
    files = {w["file"]: w["bytes"] for w in manifest["warc_files"]}
    shortfalls = _shortfalls(manifest.get("completeness") or {})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:60em}} th{{text-align:left;padding-right:1em}}
h2{{margin-top:1.6em;font-size:1.1em}} .empty{{color:#888}} code{{font-size:.9em}}</style></head>
<body><h1>{escape(title)}</h1>
<table>{rows}</table>
{f"<h2>Seed errors</h2><ul>{seed_errors}</ul>" if seed_errors else ""}
<h2>Documents: new, changed, unchanged, removed</h2>{bar_chart(docs, colors=COLORS, ordered=True)}
<h2>Document rows per column (栏目)</h2>{bar_chart(c["rows_by_column"])}
<h2>HTTP statuses</h2>{bar_chart(c["statuses"])}
<h2>Errors</h2>{bar_chart(c["errors"])}
<h2>WARC bytes per file</h2>{bar_chart(files, unit=" B")}
<h2>Timeline: captures over time</h2>{timeline_chart(stamps)}
<h2>Removed documents</h2><ul>{removed}</ul>
{_unaccounted(manifest.get("unaccounted") or {})}
{shortfalls}
<p>Machine-readable: <code>manifest.json</code> next to this file.</p>
</body></html>
"""


def _unaccounted(unaccounted: dict[str, Any]) -> str:
    """Documents fetched and archived without a dataset row (work lost), listed."""
    if not unaccounted.get("count"):
        return ""
    items = "".join(f"<li><code>{escape(u)}</code></li>" for u in unaccounted["urls"])
    more = unaccounted["count"] - len(unaccounted["urls"])
    tail = (
        f"<li>… and {more} more (manifest.json lists the first {len(unaccounted['urls'])})</li>"
        if more > 0
        else ""
    )
    return (
        f"<h2>Unaccounted: {unaccounted['count']} document(s) fetched and archived without a row</h2>"
        f"<p>The next run's repair pass extracts them from their WARC records.</p><ul>{items}{tail}</ul>"
    )


def _shortfalls(completeness: dict[str, Any]) -> str:
    """The listings that claim more than the crawl reached (crawler/completeness.py), as a table."""
    if not completeness:
        return ""
    rows = "".join(
        f"<tr><td><code>{escape(f['listing'])}</code></td><td>{escape(str(f['column'] or ''))}</td>"
        f"<td>{f['reached_pages']} / {f['claimed_pages'] if f['claimed_pages'] is not None else '–'}</td>"
        f"<td>{f['reached_records']} / {f['claimed_records'] if f['claimed_records'] is not None else '–'}</td></tr>"
        for f in completeness["shortfalls"]
    )
    head = f"<h2>Completeness: {completeness['listings']} listings state their size, {len(completeness['shortfalls'])} fell short</h2>"
    if not rows:
        return head
    return f"{head}<table><tr><th>listing</th><th>column</th><th>pages reached / claimed</th><th>items reached / claimed</th></tr>{rows}</table>"


def write_report(run_dir: Path, manifest: dict[str, Any], stamps: list[str], suffix: str = "") -> Path:
    path = run_dir / f"report{suffix}.html"
    path.write_text(render_report(manifest, stamps), encoding="utf-8")
    return path
