"""The flat annual_reports row (one per report) and its column list for Parquet."""

from __future__ import annotations

from pipelines.fields import Field
from pipelines.reports import labels as L

_ROW_ALIAS = {
    "normative_documents": "normative",
    "central_procurement": "procurement",
    "other_mgmt_services": "other_mgmt",
}
_ROW_ZH = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_mgmt_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "central_procurement": "政府集中采购",
}
_COL_ZH = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "处理决定数量",
    "amount": "金额",
    "new_made": "本年新制作数量",
    "new_published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "prev_items": "上一年项目数量",
    "change": "本年增/减",
    "projects": "采购项目数量",
}

_TOTALS: list[tuple[str, str, str]] = [  # flat name, Chinese label, how it is read
    ("new_received_total", "本年新收申请数（总计）", "t3 new_received.total; legacy 收到/受理申请数"),
    ("carried_over_total", "上年结转申请数（总计）", "t3 carried_over.total"),
    ("granted_total", "予以公开（总计）", "t3 granted.total; legacy 同意公开"),
    ("partial_total", "部分公开（总计）", "t3 partial.total; legacy 同意部分公开"),
    ("denied_total", "不予公开（总计）", "sum of t3 denied.* totals; legacy 不同意/不予公开"),
    ("unable_total", "无法提供（总计）", "sum of t3 unable.* totals"),
    ("not_processed_total", "不予处理（总计）", "sum of t3 not_processed.* totals"),
    ("other_total", "其他处理（总计）", "t3 other (gb2019) or sum of other.* (gb2021)"),
    ("processed_total", "办理结果总计", "t3 processed_total.total (as printed); legacy 申请答复数"),
    ("carried_forward_total", "结转下年度继续办理（总计）", "t3 carried_forward.total"),
    ("review_total", "行政复议总计", "t4 review.total; legacy 行政复议数(量)"),
    (
        "litigation_total",
        "行政诉讼总计",
        "t4 litigation_direct.total + litigation_after_review.total; legacy 行政诉讼数(量)",
    ),
]


def _proactive_fields() -> list[Field]:
    out: dict[str, Field] = {}
    for fmt in ("gb2021", "gb2019"):
        for row, cols in L.SEC2_COLUMNS[fmt].items():
            for col, kind in cols:
                name = f"proactive_{_ROW_ALIAS.get(row, row)}_{col}"
                if name in out:
                    continue
                label = f"{_ROW_ZH[row]}：{_COL_ZH[col]}"
                typ = "float64" if kind == "money" else "int64"
                unit = "（万元）" if row == "fees" and col == "amount" else ""
                out[name] = Field(name, label + unit, typ, "0", f"section 二 {row}.{col} ({fmt} and later)")
                if row == "central_procurement" and col == "amount":
                    out[name + "_unit"] = Field(
                        name + "_unit", "采购总金额单位", "string", "元", "unit as printed"
                    )
    return list(out.values())


FLAT_FIELDS: list[Field] = [
    Field("url", "网址", "string", "http://example.gov.cn/…", "URL of the report (page or attachment)"),
    Field("warc_record_id", "WARC 记录编号", "string", "<urn:uuid:…>", "WARC-Record-ID of the response"),
    Field("fetched_at", "抓取时间", "timestamp", "2026-11-25T09:14:00Z", "WARC-Date of the response"),
    Field("title", "标题", "string", "XX镇2023年政府信息公开工作年度报告", "title of the report"),
    Field("organ", "报告机关", "string", "XX镇人民政府", "organ that filed the report"),
    Field(
        "organ_kind",
        "机关类型",
        "string",
        "township",
        "government | department | township | subdistrict | other",
    ),
    Field("region_code", "行政区划代码", "string", "640122", "division code, if known"),
    Field(
        "report_year",
        "报告年度",
        "int64",
        "2023",
        "statistical year (from the title, not the publication date)",
    ),
    Field("published_date", "发布日期", "date", "2024-01-25", "发布日期"),
    Field("index_no", "索引号", "string", "", "索引号"),
    Field("doc_no", "文号", "string", "", "文号"),
    Field("doc_type", "文档类型", "string", "annual_report", "annual_report | work_summary | other"),
    Field(
        "format",
        "年报格式",
        "string",
        "gb2021",
        "gb2021 | gb2019 | legacy_national_2014 | legacy_fujian | prose | unknown",
    ),
    Field(
        "table_layout",
        "表格形态",
        "string",
        "html_table",
        "html_table | tsv | vertical | flattened | spaced | none",
    ),
    *[Field(n, zh, "int64", "0", d) for n, zh, d in _TOTALS],
    Field(
        "totals_source",
        "总数来源",
        "list<string>",
        "granted_total:derived",
        "totals not read as printed in the table: name:derived (blank total = row sum) | name:prose",
    ),
    *_proactive_fields(),
    Field(
        "proactive_published_total",
        "主动公开政府信息数",
        "int64",
        "312",
        "legacy tables: 主动公开政府信息数 / 主动公开文件数",
    ),
    Field("proactive_published_cumulative", "主动公开历年累计", "int64", "2758", "legacy_fujian: 历年累计"),
    Field(
        "info_processing_fee_amount",
        "信息处理费",
        "float64",
        "0",
        "section 六 信息处理费, in info_processing_fee_unit",
    ),
    Field("info_processing_fee_unit", "信息处理费单位", "string", "元", "元 | 万元"),
    Field(
        "prose_applications_received",
        "正文：收到申请数",
        "int64",
        "31",
        "first 收到/受理申请N件 in the prose",
    ),
    Field(
        "prose_proactive_published",
        "正文：主动公开信息数",
        "int64",
        "165",
        "first 主动公开政府信息N条 in the prose",
    ),
    Field(
        "checks_failed", "未通过校验数", "int64", "0", "number of checks with status fail (H*, S*, T*, Y1)"
    ),
    Field("checks_failed_ids", "未通过校验", "list<string>", "H2:total", "id:scope of every failed check"),
    Field(
        "checks_not_assessable",
        "无法校验数",
        "int64",
        "0",
        "checks that could not be assessed (missing cells)",
    ),
    Field(
        "recovered_cells",
        "恢复单元格数",
        "int64",
        "0",
        "cells read by splitting run-together digits or as lost blanks",
    ),
    Field(
        "ambiguous_cells",
        "歧义单元格数",
        "int64",
        "0",
        "cells left null because several readings fit the checks",
    ),
    Field("parser_warnings", "解析警告", "list<string>", "label_variant:商业机构", "parser.warnings"),
    Field("parser_version", "解析器版本", "string", "xxgk.reports/0.1", "parser.version"),
]
FLAT_FIELD_NAMES: list[str] = [f.name for f in FLAT_FIELDS]


def _get(d: dict | None, *path):
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


def _legacy(report: dict, key: str, field: str = "value"):
    for it in _get(report, "legacy", "items") or []:
        if it.get("key") == key:
            return it.get(field)
    return None


# prose figure → flat total, for reports with no statistics table (format "prose")
_PROSE_TOTALS = {
    "new_received_total": "applications_received",
    "processed_total": "applications_processed",
    "carried_over_total": "applications_carried_over",
    "carried_forward_total": "applications_carried_forward",
    "review_total": "review_cases",
    "litigation_total": "litigation_cases",
}
_GB_TOTAL_ROWS = {  # flat total → (table, row prefix, column) of the cells it is read from
    "new_received_total": ("t3", "new_received", "total"),
    "carried_over_total": ("t3", "carried_over", "total"),
    "granted_total": ("t3", "granted", "total"),
    "partial_total": ("t3", "partial", "total"),
    "denied_total": ("t3", "denied.", "total"),
    "unable_total": ("t3", "unable.", "total"),
    "not_processed_total": ("t3", "not_processed.", "total"),
    "other_total": ("t3", "other", "total"),
    "processed_total": ("t3", "processed_total", "total"),
    "carried_forward_total": ("t3", "carried_forward", "total"),
    "review_total": ("t4", "review_litigation", "review.total"),
    "litigation_total": ("t4", "review_litigation", "litigation_"),
}


def _gb_source(report: dict, name: str) -> str:
    table, row, col = _GB_TOTAL_ROWS[name]
    for c in report.get("cells") or []:
        if (
            c["table"] == table
            and c["row"].startswith(row)
            and c["col"].startswith(col)
            and c.get("derived")
            and (c["col"] == col or col.endswith("_"))
        ):
            return "derived"
    return "table"


def totals(report: dict) -> dict[str, dict]:
    """The twelve flat totals, each {value, source}: source "table" (as printed), "derived" (a blank
    total cell taken as the sum of its row) or "prose" (a sentence of a report without a table, or
    an outcome total a gb table leaves open that the prose gives and H2 confirms)."""
    fmt = (report.get("doc") or {}).get("format")
    row = _flat_totals(report)
    table = _table_totals(report)
    prose_row = _prose_totals(report) if fmt == "prose" else {}
    out: dict[str, dict] = {}
    for name, _zh, _how in _TOTALS:
        value = row.get(name)
        if fmt in ("gb2019", "gb2021") and value is not None and table.get(name) is None:
            source = "prose"
        elif fmt in ("gb2019", "gb2021"):
            source = _gb_source(report, name) if value is not None else None
        elif fmt == "prose":
            value = prose_row.get(name)
            source = "prose" if value is not None else None
        else:
            source = "table" if value is not None else None
        out[name] = {"value": value, "source": source}
    return out


# the outcome categories (H2's terms) as the prose states them
_PROSE_OUTCOMES = {
    "granted_total": "outcome_granted",
    "partial_total": "outcome_partial",
    "denied_total": "outcome_denied",
    "unable_total": "outcome_unable",
    "not_processed_total": "outcome_not_processed",
    "other_total": "outcome_other",
}


def _prose_outcomes(report: dict, row: dict) -> None:
    """gb: outcome totals the table leaves open, from the prose of section 一 — only when, with
    the table's own figures, they close H2 exactly (processed = the six categories) and the prose
    agrees with every category the table does give."""
    missing = [n for n in _PROSE_OUTCOMES if row.get(n) is None]
    if not missing or row.get("processed_total") is None:
        return
    said: dict = {}
    for f in report.get("prose_figures") or []:
        said.setdefault(f["key"], f["value"])
    values = {n: row[n] if row.get(n) is not None else said.get(k) for n, k in _PROSE_OUTCOMES.items()}
    if any(v is None for v in values.values()) or sum(values.values()) != row["processed_total"]:
        return
    if any(row.get(n) is not None and said.get(k, row[n]) != row[n] for n, k in _PROSE_OUTCOMES.items()):
        return
    row.update({n: values[n] for n in missing})


def _prose_totals(report: dict) -> dict:
    """A report without a table: the totals its sentences state. The outcome categories count
    only when they do not contradict the number processed (their sum, where all six are said)."""
    said: dict = {}
    for f in report.get("prose_figures") or []:
        said.setdefault(f["key"], f["value"])
    row = {name: said.get(key) for name, key in _PROSE_TOTALS.items()}
    outcomes = {name: said.get(key) for name, key in _PROSE_OUTCOMES.items()}
    known = [v for v in outcomes.values() if v is not None]
    processed = row.get("processed_total")
    if processed is not None and (
        sum(known) > processed or (len(known) == len(outcomes) and sum(known) != processed)
    ):
        outcomes = dict.fromkeys(outcomes)
    return {**row, **outcomes}


def _flat_totals(report: dict) -> dict:
    row = _table_totals(report)
    if (report.get("doc") or {}).get("format") in ("gb2019", "gb2021"):
        _prose_outcomes(report, row)
        # a table the text does not hold at all (cut off, or printed as an image): what the
        # sentences state stands for it, as in a report without tables
        # (or cut: a copy that ends inside the table gives its missing rows from the sentences)
        found = (report.get("parser") or {}).get("completeness") or {}
        cut = "text_ends_in_table:t3" in ((report.get("parser") or {}).get("warnings") or [])
        prose_row = _prose_totals(report)
        for table, names in (("t3", _T3_TOTALS), ("t4", ("review_total", "litigation_total"))):
            if (found.get(table) or {}).get("found") == 0 or (cut and table == "t3"):
                row.update({n: prose_row.get(n) for n in names if row.get(n) is None})
    return row


_T3_TOTALS = (*[n for n in _GB_TOTAL_ROWS if _GB_TOTAL_ROWS[n][0] == "t3"],)


def _table_totals(report: dict) -> dict:
    row: dict = {}
    fmt = (report.get("doc") or {}).get("format")
    if fmt in ("gb2019", "gb2021"):
        rows = _get(report, "applications", "rows") or {}
        derived = _get(report, "applications", "derived") or {}
        for name, key in (
            ("new_received_total", "new_received"),
            ("carried_over_total", "carried_over"),
            ("granted_total", "granted"),
            ("partial_total", "partial"),
            ("processed_total", "processed_total"),
            ("carried_forward_total", "carried_forward"),
        ):
            row[name] = _get(rows, key, "total")
        for name, key in (
            ("denied_total", "denied"),
            ("unable_total", "unable"),
            ("not_processed_total", "not_processed"),
            ("other_total", "other"),
        ):
            row[name] = _get(derived, key, "total")
        rl = report.get("review_litigation") or {}
        row["review_total"] = _get(rl, "review", "total")
        a, b = _get(rl, "litigation_direct", "total"), _get(rl, "litigation_after_review", "total")
        row["litigation_total"] = None if a is None or b is None else a + b
    elif fmt in ("legacy_national_2014", "legacy_fujian"):
        for name, key in L.LEGACY_CROSSWALK.items():
            row[name] = _legacy(report, key)
    return row


def flat_row(report: dict) -> dict:
    """The annual_reports row: identity, key totals, section 二 figures and check counts."""
    row = dict.fromkeys(FLAT_FIELD_NAMES)
    doc = report.get("doc") or {}
    for k in (
        "url",
        "warc_record_id",
        "fetched_at",
        "title",
        "organ",
        "organ_kind",
        "region_code",
        "report_year",
        "published_date",
        "index_no",
        "doc_no",
        "doc_type",
        "format",
        "table_layout",
    ):
        row[k] = doc.get(k)
    fmt = doc.get("format")
    marked = report.get("totals") or totals(report)
    for name, total in marked.items():
        row[name] = total["value"]
    row["totals_source"] = [
        f"{n}:{t['source']}" for n, t in marked.items() if t["source"] not in (None, "table")
    ]
    if fmt in ("gb2019", "gb2021"):
        for r, cols in L.SEC2_COLUMNS[fmt].items():
            for col, kind in cols:
                name = f"proactive_{_ROW_ALIAS.get(r, r)}_{col}"
                v = _get(report, "proactive", r, col)
                if kind == "money":
                    row[name] = None if v is None else float(v["value"])
                    if name + "_unit" in row:
                        row[name + "_unit"] = None if v is None else v.get("unit")
                else:
                    row[name] = v
    elif fmt in ("legacy_national_2014", "legacy_fujian"):
        row["proactive_published_total"] = _legacy(report, "proactive.total")
        row["proactive_published_cumulative"] = _legacy(report, "proactive.total", "cumulative")
    fee = _get(report, "info_processing_fee", "amount")
    if fee:
        row["info_processing_fee_amount"] = float(fee["value"])
        row["info_processing_fee_unit"] = fee.get("unit")
    for name, key in (
        ("prose_applications_received", "applications_received"),
        ("prose_proactive_published", "proactive_published"),
    ):
        row[name] = next((f["value"] for f in report.get("prose_figures") or [] if f["key"] == key), None)
    checks = report.get("checks") or []
    failed = [c for c in checks if c.get("status") == "fail"]
    row["checks_failed"] = len(failed)
    row["checks_failed_ids"] = [f"{c['id']}:{c['scope']}" for c in failed]
    row["checks_not_assessable"] = sum(1 for c in checks if c.get("status") == "not_assessable")
    cells = report.get("cells") or []
    row["recovered_cells"] = sum(1 for c in cells if c.get("recovered") and not c.get("ambiguous"))
    row["ambiguous_cells"] = sum(1 for c in cells if c.get("ambiguous"))
    parser = report.get("parser") or {}
    row["parser_warnings"] = list(parser.get("warnings") or [])
    row["parser_version"] = parser.get("version")
    return row
