"""Datasette plugin of the xxgk workbench (loaded by `xxgk serve` with --plugins-dir).

Rows link to what a researcher cites: the capture replayed in pywb at its own time, the raw
WARC record (`xxgk warc show` command), and the document's other versions."""

from __future__ import annotations

from datasette import hookimpl
from markupsafe import Markup, escape


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if not value or table not in ("documents", "search", None):
        return None
    config = datasette.plugin_config("xxgk") or {}
    if column == "replay_url":
        href = escape(config.get("replay_base", "") + value)
        return Markup(f'<a class="xxgk-replay" href="{href}">replay {escape(value.split("/", 3)[2])}</a>')
    if column == "doc_id":
        href = escape(datasette.urls.table(database, "documents") + f"?doc_id={value}")
        return Markup(
            f'<a class="xxgk-versions" href="{href}" title="every version of this document">{escape(value)}</a>'
        )
    if column == "warc_file" and row is not None and "warc_offset" in row.keys():  # noqa: SIM118 (sqlite3.Row)
        command = f"xxgk warc show {value} {row['warc_offset']} --out {config.get('out', 'xxgk-data')}"
        return Markup(f'<code title="the raw record">{escape(command)}</code>')
    return None


@hookimpl
def extra_template_vars(datasette):
    config = datasette.plugin_config("xxgk") or {}
    names = [name for name in datasette.databases if not name.startswith("_")]
    return {"xxgk_databases": names, "xxgk_figures": config.get("figures", [])}
