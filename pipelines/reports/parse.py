"""parse_report: one document → the xxgk.annual_report/1 JSON document (annual-reports.md §10).

Where the note is silent:
- objects a format does not have are null: proactive/applications/review_litigation for legacy and
  prose reports, legacy for gb ones; a non-report keeps doc.* (doc_type work_summary|other,
  format null) and nothing else;
- cells: text input gives `span` (offsets into the text passed in), HTML gives `loc` {table, row,
  col, line} and span null; extra keys: kind (count|signed|money), split (digits cut out of a run),
  lost (a cell missing from the text, read as a blank), candidates (ambiguous cells);
  section 四 cells are row "review_litigation", col "<group>.<column>";
- checks: {id, scope, status, kind hard|soft, lhs, rhs[, note, quote, cells]}; ids H1–H5, S1–S5 as
  in the note, T1–T7 prose vs table, Y1 year sanity; S-checks need `previous`;
- doc.table_layout adds "spaced" (cells separated by spaces, as PDF text layers give them);
- parser.completeness {table: {expected, found}} counts the non-null cells;
- totals: the twelve flat totals as {value, source}, source table | derived | prose; a total cell
  printed blank on a row with figures is that row's sum, its cell marked derived=true,
  source "derived" (every other cell: source "table").
"""

from __future__ import annotations

import bisect
import re

from pipelines.errors import ExtractionError
from pipelines.reports import checks as C
from pipelines.reports import docmeta, flat, gb, legacy, prose
from pipelines.reports import labels as L
from pipelines.reports.candidates import Constraint, Resolved, Slot, resolve
from pipelines.reports.classify import detect_format, doc_type
from pipelines.reports.source import Source, from_html, from_text

SCHEMA = "xxgk.annual_report/1"
PARSER_VERSION = "xxgk.reports/0.1"

_META_PROVENANCE = ("url", "warc_record_id", "fetched_at", "content_type")

# prose figure → the table cells it quotes (T checks, soft). rhs alternatives: prose N may be
# new only or new + carried (annual-reports.md §6).
_TEXT_VS_GB: list[tuple[str, str, str, list, list]] = [
    (
        "applications_received",
        "T1",
        "t3",
        [("new_received", 6)],
        [[("new_received", 6), ("carried_over", 6)]],
    ),
    (
        "applications_processed",
        "T2",
        "t3",
        [("processed_total", 6)],
        [[("new_received", 6), ("carried_over", 6)]],
    ),
    ("review_cases", "T3", "t4", [("review_litigation", 4)], []),
    ("litigation_cases", "T4", "t4", [("review_litigation", 9), ("review_litigation", 14)], []),
    (
        "in_force",
        "T5",
        "t2",
        [("normative_documents", 2)],
        [[("regulations", 2), ("normative_documents", 2)]],
    ),
]
_TEXT_VS_LEGACY: list[tuple[str, str, str]] = [  # prose key, check id, legacy item key ("#c" = cumulative)
    ("applications_received", "T1", "applications.received"),
    ("applications_processed", "T2", "applications.answered"),
    ("review_cases", "T3", "review.total"),
    ("litigation_cases", "T4", "litigation.total"),
    ("proactive_published", "T6", "proactive.total"),
    ("proactive_published_cumulative", "T6", "proactive.total#c"),
    ("proactive_normative", "T7", "proactive.normative"),
    ("proactive_website", "T7", "proactive.website"),
    ("proactive_weibo", "T7", "proactive.weibo"),
    ("proactive_weixin", "T7", "proactive.weixin"),
    ("proactive_other_channels", "T7", "proactive.other"),
]


def parse_report(
    *,
    text: str | None = None,
    html: str | None = None,
    meta: dict | None = None,
    previous: dict | None = None,
) -> dict:
    """Read one document into the annual-report JSON document.

    text: plain text, or text read from a PDF/DOCX attachment (table rows tab-separated, pages split by \\f);
    html: the page; meta: the documents row (title, url, publish_date, publisher, …) for doc.* provenance;
    previous: the same organ's report for the year before (this function's output) for checks S1–S4.
    """
    meta = dict(meta or {})
    if html is not None:
        source = from_html(html)
    elif text is not None:
        source = from_text(text)
    else:
        raise ExtractionError("parse_report needs text= or html=")
    return _Parser(source, meta, previous).run()


class _Parser:
    def __init__(self, source: Source, meta: dict, previous: dict | None) -> None:
        self.s = source
        self.meta = meta
        self.previous = previous
        self.warnings: list[str] = []
        self.checks: list[dict] = []
        self.cells: list[dict] = []
        self.table_lines: set[int] = set()
        self.derived: set[tuple[str, str, str]] = set()  # (table, row, col) of totals derived from blanks

    # ------------------------------------------------------------ identity
    def _doc(self) -> dict:
        s, meta = self.s, self.meta
        title, title_line = docmeta.find_title(s, meta)
        known_title = (
            meta.get("title")
            or s.html_meta.get("ArticleTitle")
            or (title if title_line is not None else None)
        )
        if known_title is None and s.html_title:
            known_title = title
        dtype = doc_type(known_title, s.text)
        year, _ = docmeta.report_year(title, s)
        if year is None:  # no title in the text: the statistics period names the year
            year = docmeta.period_year(s) or docmeta.narrative_year(s)
        organ = docmeta.find_organ(title, title_line, s, meta)
        doc = {k: meta.get(k) for k in _META_PROVENANCE}
        if doc["content_type"] is None:
            doc["content_type"] = "text/html" if s.kind == "html" else "text/plain"
        doc.update(
            {
                "title": title,
                "organ": organ,
                "organ_kind": docmeta.organ_kind(organ),
                "region_code": meta.get("region_code"),
                "report_year": year,
                "published_date": docmeta.published_date(s, meta),
                "index_no": meta.get("index_no") or docmeta.labelled_field(s, "索引号"),
                "doc_no": meta.get("doc_no") or docmeta.labelled_field(s, r"文\s*号"),
                "doc_type": dtype,
                "format": None,
                "format_evidence": [],
                "table_layout": "none",
            }
        )
        return doc

    def is_table_line(self, i: int) -> bool:
        return self.s.lines[i].in_table or i in self.table_lines

    # ------------------------------------------------------------ main
    def run(self) -> dict:
        doc = self._doc()
        report = {
            "schema": SCHEMA,
            "doc": doc,
            "sections": [],
            "proactive": None,
            "applications": None,
            "review_litigation": None,
            "info_processing_fee": None,
            "legacy": None,
            "prose_figures": [],
            "totals": None,
            "cells": self.cells,
            "checks": self.checks,
            "parser": {"version": PARSER_VERSION, "warnings": self.warnings, "completeness": {}},
        }
        if not self.s.lines:
            self.warnings.append("empty_document")
            return report
        if doc["doc_type"] != "annual_report":
            self.warnings.append("not_an_annual_report")
            return report
        fmt, evidence = detect_format(self.s.text)
        doc["format"], doc["format_evidence"] = fmt, evidence
        if fmt in ("gb2019", "gb2021"):
            self._gb(report, fmt)
        elif fmt in ("legacy_national_2014", "legacy_fujian"):
            self._legacy(report, fmt)
        elif fmt == "unknown":
            self.warnings.append("format_unknown")
        heads = docmeta.headings(self.s, self.is_table_line)
        report["sections"] = docmeta.sections(self.s, heads)
        starts = [self.s.lines[h.line].start for h in heads]

        def section_of(offset: int) -> int | None:
            k = bisect.bisect_right(starts, offset) - 1
            return heads[k].no if k >= 0 else None

        figures = prose.figures(self.s, self.is_table_line, section_of)
        report["prose_figures"] = figures
        report["info_processing_fee"] = prose.fee_sentence(self.s, self.is_table_line, figures)
        self._text_vs_table(report, fmt, figures)
        self._year_check(doc)
        self._summarise(report)
        report["totals"] = flat.totals(report)
        if fmt in ("legacy_national_2014", "legacy_fujian", "prose"):
            # pre-2019 tables and prose state only some totals; the rest stay null, and say so
            missing = [name for name, t in report["totals"].items() if t["value"] is None]
            if missing:
                self.warnings.append("totals_not_stated:" + ",".join(missing))
        return report

    # ------------------------------------------------------------ gb2019 / gb2021
    def _gb(self, report: dict, fmt: str) -> None:
        read = gb.read(self.s, fmt)
        self.table_lines |= read.table_lines
        self.warnings.extend(read.warnings)
        year = report["doc"]["report_year"]
        cross, fixed, w = C.cross_year(fmt, self.previous, year)
        self.warnings.extend(w)
        prefs = self._prose_prefs()

        # section 三
        present = {s.key for s in read.t3 if s.tokens is not None}
        t3_rel = C.matrix_relations(fmt, present)
        t3_soft = [r for r in cross if r.id == "S1"] + [rel for t, rel in prefs if t == "t3"]
        r3 = self._resolve(read.t3, t3_rel + t3_soft)
        for slot in read.t3:
            self._derive_blank_total("t3", slot, r3[slot.key], [(0, 6, 6)], "total")
        v3 = {k: tuple(r.values) for k, r in r3.items()}
        if read.displaced and not all(
            rel.result(v3)["status"] == "pass" for rel in t3_rel if rel.id in ("H1", "H2")
        ):
            # figures found away from their labels are kept only when the table's identities
            # confirm the whole reading
            for key in sorted(read.displaced):
                width = len(r3[key].values)
                r3[key] = Resolved([None] * width, [None] * width, ambiguous={i: [] for i in range(width)})
            self.warnings.append("displaced_rows_unconfirmed:" + ",".join(sorted(read.displaced)))
            v3 = {k: tuple(r.values) for k, r in r3.items()}
        # section 四
        t4_rel = C.review_relations()
        r4 = self._resolve([read.t4] if read.t4 else [], t4_rel + [rel for t, rel in prefs if t == "t4"])
        if read.t4 is not None:
            groups = [(g * 5, g * 5 + 4, g * 5 + 4) for g in range(len(L.REVIEW_GROUPS))]
            names = [f"{g}.total" for g in L.REVIEW_GROUPS]
            for group, name in zip(groups, names, strict=True):
                self._derive_blank_total("t4", read.t4, r4[read.t4.key], [group], name)
        v4 = {k: tuple(r.values) for k, r in r4.items()}
        # section 二 (no identity binds its cells; the year before's S2/S3 and prose can break ties)
        t2_soft = [r for r in cross if r.id in ("S2", "S3")] + [rel for t, rel in prefs if t == "t2"]
        r2 = self._resolve(read.t2, t2_soft)
        v2 = {k: tuple(r.values) for k, r in r2.items()}

        cols2 = L.SEC2_COLUMNS[fmt]
        proactive: dict = {}
        for slot in read.t2:
            res = r2[slot.key]
            names = [c for c, _ in cols2[slot.key]]
            row: dict = {}
            for i, (col, kind) in enumerate(cols2[slot.key]):
                v = res.values[i]
                if kind == "money":
                    part = res.parts[i]
                    raw = part.raw if part is not None else None
                    row[col] = (
                        None if v is None else {"value": v, "unit": read.units.get(slot.key), "raw": raw}
                    )
                else:
                    row[col] = v
            proactive[slot.key] = row
            self._cells("t2", slot, res, names, [k for _, k in cols2[slot.key]])
        report["proactive"] = proactive

        rows = {}
        for slot in read.t3:
            res = r3[slot.key]
            rows[slot.key] = dict(zip(L.MATRIX_COLUMNS, res.values, strict=True))
            self._cells("t3", slot, res, L.MATRIX_COLUMNS, ["count"] * 7)
        report["applications"] = {
            "columns": list(L.MATRIX_COLUMNS),
            "rows": rows,
            "derived": _derived(rows, fmt),
        }

        rl: dict = {}
        res4 = r4.get("review_litigation")
        names4 = [f"{g}.{c}" for g in L.REVIEW_GROUPS for c in L.REVIEW_COLUMNS]
        for g, group in enumerate(L.REVIEW_GROUPS):
            rl[group] = {
                c: (res4.values[g * 5 + i] if res4 else None) for i, c in enumerate(L.REVIEW_COLUMNS)
            }
        if read.t4 is not None and res4 is not None:
            self._cells("t4", read.t4, res4, names4, ["count"] * 15)
        report["review_litigation"] = rl

        # checks, in the order of §11
        for rel in t3_rel:
            self.checks.append(rel.result(v3))
        for rel in t4_rel:
            self.checks.append(rel.result(v4))
        self.checks.extend(C.nonnegative(self.cells, ("t2", "t3", "t4")))
        for rel in cross:
            self.checks.append(rel.result(v3 if rel.id == "S1" else v2))
        self.checks.extend(fixed)
        self._gb_values = {"t2": v2, "t3": v3, "t4": v4}

        completeness = report["parser"]["completeness"]
        for table, slots, res in (
            ("t2", read.t2, r2),
            ("t3", read.t3, r3),
            ("t4", [read.t4] if read.t4 else [], r4),
        ):
            expected = sum(s.width for s in slots) if table != "t4" else 15
            found = sum(1 for s in slots for v in res[s.key].values if v is not None)
            completeness[table] = {"expected": expected, "found": found}
            missing = [s.key for s in slots if not res[s.key].found]
            if missing:
                self.warnings.append(f"missing_rows:{table}:" + ",".join(missing))
        if read.t4 is None:
            completeness["t4"] = {"expected": 15, "found": 0}
        slots = [*read.t2, *read.t3, *([read.t4] if read.t4 else [])]
        glued = any(t.glued for s in slots for t in s.tokens or [])
        report["doc"]["table_layout"] = self._layout(read.vertical, glued)

    def _derive_blank_total(
        self, table: str, slot: Slot, res: Resolved, spans: list[tuple[int, int, int]], col: str
    ) -> None:
        """A total cell printed blank while its row has figures: some organs fill only the
        applicant columns (annual-reports.md hazard 2). Its value is the row's sum, marked
        derived; a blank whose row has a missing cell stays null rather than a guess."""
        for first, stop, total in spans:
            part = res.parts[total] if total < len(res.parts) else None
            if not res.found or part is None or part.token is None or not slot.tokens:
                continue
            if not slot.tokens[part.token].blank:
                continue
            parts = res.values[first:stop]
            res.values[total] = None if any(v is None for v in parts) else sum(parts)
            self.derived.add((table, slot.key, col))

    def _resolve(self, slots: list[Slot], relations: list) -> dict[str, Resolved]:
        constraints: list[Constraint] = [r.constraint() for r in relations]
        res, w = resolve(slots, constraints)
        self.warnings.extend(w)
        return res

    def _prose_prefs(self) -> list[tuple[str, C.Relation]]:
        """Prose figures as soft preferences among readings of flattened cells."""
        out = []
        figures = prose.figures(self.s, self.is_table_line, lambda _o: None)
        for key, cid, table, refs, alts in _TEXT_VS_GB:
            for f in figures:
                if f["key"] == key:
                    out.append(
                        (
                            table,
                            C.Relation(
                                cid, key, [], refs, kind="soft", lhs_const=f["value"], alternatives=alts
                            ),
                        )
                    )
        return out

    def _cells(self, table: str, slot: Slot, res: Resolved, names: list[str], kinds: list[str]) -> None:
        html = self.s.kind == "html"
        for i, col in enumerate(names):
            part = res.parts[i] if i < len(res.parts) else None
            tok = (
                slot.tokens[part.token]
                if (part is not None and part.token is not None and slot.tokens)
                else None
            )
            if not res.found:
                continue
            cell = {
                "table": table,
                "row": slot.key,
                "col": col,
                "kind": kinds[i],
                "raw": None,
                "value": res.values[i],
                "blank": False,
                "recovered": bool(res.recovered),
                "ambiguous": i in res.ambiguous,
                "span": None,
                "loc": None,
                "source": "table",
            }
            if (table, slot.key, col) in self.derived:
                cell["derived"] = True  # printed blank; the value is the sum of its row
                cell["source"] = "derived"
            if tok is not None:
                cell["raw"] = part.raw if part.raw else ""
                if part.raw != tok.raw or tok.split:
                    cell["split"] = True  # digits of several cells ran together in the text
                    cell["recovered"] = True
                cell["blank"] = tok.blank
                if not html and tok.start >= 0:
                    s = tok.start + part.offset
                    cell["span"] = [s, s + len(part.raw)] if part.raw else [tok.start, tok.start]
                cell["loc"] = tok.loc
            elif part is not None and part.token is None:
                cell["blank"] = True  # a lost cell, read as a blank
                cell["lost"] = True
            if i in res.ambiguous:
                cell["candidates"] = res.ambiguous[i]
                toks = [t for t in (slot.tokens or []) if t.start >= 0]
                if toks and not html:
                    cell["span"] = [toks[0].start, toks[-1].end]
                cell["raw"] = " ".join(t.raw for t in slot.tokens or []) or None
            self.cells.append(cell)

    def _layout(self, vertical: bool, glued: bool) -> str:
        if self.s.kind == "html":
            return "html_table" if self.cells else "none"
        if not self.cells:
            return "none"
        if glued or any(c.get("split") for c in self.cells):
            return "flattened"
        if vertical:
            return "vertical"
        if any(self.s.lines[i].in_table for i in self.table_lines):
            return "tsv"
        return "spaced"

    # ------------------------------------------------------------ legacy
    def _legacy(self, report: dict, fmt: str) -> None:
        read = legacy.read_national(self.s) if fmt == "legacy_national_2014" else legacy.read_fujian(self.s)
        self.table_lines |= read.table_lines
        self.warnings.extend(read.warnings)
        items = read.items
        report["legacy"] = {"family": fmt, "items": items}
        for it in items:
            self.cells.append(
                {
                    "table": "legacy",
                    "row": it["key"] or it["label"],
                    "col": "value",
                    "kind": "count",
                    "raw": it["raw"],
                    "value": it["value"],
                    "blank": it["blank"],
                    "recovered": False,
                    "ambiguous": False,
                    "span": it["span"],
                    "loc": it["loc"],
                }
            )
            if fmt == "legacy_fujian" and it.get("cumulative") is not None:
                self.cells.append(
                    {
                        "table": "legacy",
                        "row": it["key"] or it["label"],
                        "col": "cumulative",
                        "kind": "count",
                        "raw": it.get("raw_cumulative"),
                        "value": it["cumulative"],
                        "blank": False,
                        "recovered": False,
                        "ambiguous": False,
                        "span": it.get("span_cumulative"),
                        "loc": it["loc"],
                    }
                )
        values = _legacy_values(items)
        if fmt == "legacy_national_2014":
            for rel in C.legacy_national_relations():
                if rel.lhs[0][0] in values:
                    self.checks.append(rel.result(values))
        else:
            self.checks.extend(C.fujian_cross_year(items, self.previous, report["doc"]["report_year"]))
        self._legacy_vals = values
        expected = len(L.LEGACY_NATIONAL_ITEMS) if fmt == "legacy_national_2014" else None
        report["parser"]["completeness"]["legacy"] = {"expected": expected, "found": len(items)}
        if self.s.kind == "html":
            report["doc"]["table_layout"] = "html_table" if items else "none"
        elif not items:
            report["doc"]["table_layout"] = "none"
        elif read.vertical:
            report["doc"]["table_layout"] = "vertical"
        else:
            tabbed = any(self.s.lines[i].in_table for i in read.table_lines)
            report["doc"]["table_layout"] = "tsv" if tabbed else "spaced"

    # ------------------------------------------------------------ text vs table, year
    def _text_vs_table(self, report: dict, fmt: str | None, figures: list[dict]) -> None:
        if fmt in ("gb2019", "gb2021"):
            values = getattr(self, "_gb_values", {})
            for key, cid, table, refs, alts in _TEXT_VS_GB:
                for f in figures:
                    if f["key"] != key:
                        continue
                    rel = C.Relation(cid, key, [], refs, kind="soft", lhs_const=f["value"], alternatives=alts)
                    self._text_check(rel.result(values.get(table, {})), f)
        elif fmt in ("legacy_national_2014", "legacy_fujian"):
            values = getattr(self, "_legacy_vals", {})
            for key, cid, item in _TEXT_VS_LEGACY:
                if item not in values and item.split("#")[0] not in values:
                    continue
                for f in figures:
                    if f["key"] == key:
                        rel = C.Relation(cid, key, [], [(item, 0)], kind="soft", lhs_const=f["value"])
                        self._text_check(rel.result(values), f)

    def _text_check(self, result: dict, figure: dict) -> None:
        result["quote"] = figure["quote"]
        self.checks.append(result)
        if result["status"] == "fail":
            self.warnings.append(f"prose_table_disagree:{result['scope']}")

    def _year_check(self, doc: dict) -> None:
        year = doc["report_year"]
        period = docmeta.period_year(self.s)
        pub = doc["published_date"]
        problems, compared = [], []
        if year is None:
            self.checks.append(
                {
                    "id": "Y1",
                    "scope": "report_year",
                    "status": "not_assessable",
                    "kind": "soft",
                    "lhs": None,
                    "rhs": period,
                }
            )
            return
        if period is not None:
            compared.append(f"统计期限 {period}")
            if period != year:
                problems.append("period_year_mismatch")
        if pub and re.match(r"\d{4}-\d{2}", pub):
            py, pm = int(pub[:4]), int(pub[5:7])
            compared.append(f"published {pub}")
            if py != year + 1:
                problems.append("published_year_mismatch")
            elif pm > 3:
                self.warnings.append("published_after_march")
        status = "not_assessable" if not compared else ("fail" if problems else "pass")
        self.checks.append(
            {
                "id": "Y1",
                "scope": "report_year",
                "status": status,
                "kind": "soft",
                "lhs": year,
                "rhs": period if period is not None else (int(pub[:4]) - 1 if pub else None),
                "note": "; ".join(compared) or None,
            }
        )
        self.warnings.extend(problems)

    def _summarise(self, report: dict) -> None:
        amb = sum(1 for c in self.cells if c["ambiguous"])
        rec = sum(1 for c in self.cells if c["recovered"] and not c["ambiguous"])
        if amb:
            self.warnings.append(f"ambiguous_cells:{amb}")
        if rec and any(c.get("split") for c in self.cells):
            self.warnings.append("flattened_table_recovered")
        if any(c.get("lost") for c in self.cells):
            self.warnings.append("lost_cells_read_as_blank")
        self.warnings[:] = list(dict.fromkeys(self.warnings))


def _legacy_values(items: list[dict]) -> dict[str, tuple]:
    values: dict[str, tuple] = {}
    for it in items:
        if it.get("key") and it["key"] not in values:
            values[it["key"]] = (it["value"],)
            if it.get("cumulative") is not None:
                values[it["key"] + "#c"] = (it["cumulative"],)
    return values


def _sum_rows(rows: dict, keys: list[str]) -> dict:
    out = {}
    for col in L.MATRIX_COLUMNS:
        vals = [rows.get(k, {}).get(col) for k in keys]
        out[col] = None if not keys or any(v is None for v in vals) else sum(vals)
    return out


def _derived(rows: dict, fmt: str) -> dict:
    keys = list(rows)
    denied = [k for k in keys if k.startswith("denied.")]
    unable = [k for k in keys if k.startswith("unable.")]
    not_processed = [k for k in keys if k.startswith("not_processed.")]
    other = (
        [k for k in keys if k.startswith("other.")]
        if fmt == "gb2021"
        and any(k.startswith("other.") and any(v is not None for v in rows[k].values()) for k in keys)
        else (["other"] if "other" in rows else [k for k in keys if k.startswith("other.")])
    )
    derived = {
        "denied": _sum_rows(rows, denied),
        "unable": _sum_rows(rows, unable),
        "not_processed": _sum_rows(rows, not_processed),
        "other": _sum_rows(rows, other),
    }
    derived["components_sum"] = _sum_rows(
        rows, ["granted", "partial", *denied, *unable, *not_processed, *other]
    )
    return derived
