"""Is this document an annual report, and in which format? Decided by content, never by year."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from pipelines.reports import labels as L
from pipelines.reports.textnorm import norm, script_forms, simplified

_HEAD_CHARS = 600  # the title of a report sits in its first lines
_HEADING_MAX = 60  # longer lines are sentences, which may merely mention a report


def doc_type(title: str | None, text: str | None) -> str:
    """annual_report | work_summary | other."""
    t = norm(title or "")
    if t:
        if re.search(L.REPORT_TITLE, t) and not re.search(L.WORK_SUMMARY, t):
            return "annual_report"
        if re.search(L.WORK_SUMMARY, t):
            return "work_summary"
        if re.search(L.NOT_REPORT_TITLE, t):
            return "other"
    if text is None:
        return "other"
    raw_head = text[:_HEAD_CHARS]
    if not _COMPAT_IDEOGRAPHS.search(raw_head) and not any(ch in raw_head for ch in _HEAD_PATTERN_CHARS):
        # no heading, opening sentence or 工作总结 can be in the head: only a table can make a report
        return "annual_report" if _has_report_table_in(text) else "other"
    lines = ["".join(line.split()) for line in simplified(raw_head).splitlines()]  # norm of each line
    head = "".join(lines)  # norm(raw_head)
    # a short heading line near the top; a report filed under a 工作总结 column still has its own title
    heads = [h for h in lines if 4 < len(h) <= _HEADING_MAX]
    if any(
        (re.search(L.REPORT_HEADING, h) or (len(h) <= 40 and re.search(L.REPORT_HEADING_YEARLESS, h)))
        and not re.search(L.WORK_SUMMARY, h)
        for h in heads
    ):
        return "annual_report"
    if any(re.search(L.WORK_SUMMARY, h) and re.search(r"\d{4}年", h) for h in heads):
        return "work_summary"
    # no title: a statistics table of the formats is only ever printed in a report, and its
    # opening sentence names the regulation it is written under ("本报告根据《…政府信息公开条例》")
    if _has_report_table_in(text) or re.search(L.REPORT_OPENING, head):
        return "annual_report"
    if re.search(L.WORK_SUMMARY, head):
        return "work_summary"
    return "other"


# Each of the head's patterns (REPORT_HEADING, REPORT_HEADING_YEARLESS, REPORT_OPENING, WORK_SUMMARY)
# holds 报 (报告, 年报), 结 (总结) or 落 (落实), in simplified or traditional form: a head without any is
# not normalised (NFKC and the script map cost ~100 µs for 600 characters, on every document)
_HEAD_PATTERN_CHARS = "报報结結落"

# NFKC turns these compatibility forms into ideographs: a text holding one is normalised in full
_COMPAT_IDEOGRAPHS = re.compile("[\u2e80-\u2fdf\u3190-\u319f\u3200-\u33ff\uf900-\ufaff\U0002f800-\U0002fa1f]")


@cache
def _in_raw_text(phrase: str) -> re.Pattern[str]:
    """`phrase` as it may stand in a text before `norm`: whitespace between its characters, and
    each character in its simplified or traditional form."""
    return re.compile(r"\s*".join(f"[{''.join(forms)}]" for forms in map(script_forms, phrase)))


def _report_table(has: Callable[[str], bool]) -> bool:
    """Whether a text holds the phrases of a report's statistics table (`has`: holds this phrase)."""
    return (
        (has("本年新收政府信息公开申请数量") and (has("结转下年度") or has("勾稽关系")))
        or (has("统计指标") and has("主动公开政府信息数"))
        or (has("历年累计") and (has("主动公开文件数") or has("主动公开信息数")))
    )


def _has_report_table(body: str) -> bool:
    """In a normalised text (`norm`)."""
    return _report_table(body.__contains__)


def _has_report_table_in(text: str) -> bool:
    """`_has_report_table(norm(text))`, the phrases looked for in the raw text: normalising every
    crawled document's whole text first was most of the pre-filter's cost."""
    if _COMPAT_IDEOGRAPHS.search(text):
        return _has_report_table(norm(text))
    return _report_table(lambda phrase: _in_raw_text(phrase).search(text) is not None)


def is_annual_report(title: str | None, text: str | None) -> bool:
    """Cheap pre-filter for every crawled document: title first, then the head of the text."""
    return doc_type(title, text) == "annual_report"


def detect_format(text: str) -> tuple[str, list[str]]:
    """(format, evidence) for a document already known to be a report."""
    body = norm(text)
    found = {fam: [cue for cue in cues if cue in body] for fam, cues in L.FORMAT_CUES.items()}
    evidence: list[str] = []
    gb = len(found["gb_common"])
    if gb >= 2 or found["gb2021"] or found["gb2019"]:
        g21, g19 = len(found["gb2021"]), len(found["gb2019"])
        if g21 or g19:
            fmt = "gb2021" if g21 > g19 or (g21 == g19 and "逾期不补正" in body) else "gb2019"
            evidence = found[fmt] + found["gb_common"]
            if fmt == "gb2021" and "逾期不补正" in body:
                evidence.append("其他处理 3 sub-rows")
            if not re.search(r"本年新收|第二十条第|结果维持|勾稽关系", body):
                # the format's words in sentences only (its tables were images, or are not in this text)
                return "prose", ["no statistics table", *evidence]
            return fmt, evidence
        if gb >= 2:
            return "unknown", found["gb_common"]
    if len(found["legacy_national_2014"]) >= 2 and ("统计指标" in body or "统计数" in body):
        return "legacy_national_2014", found["legacy_national_2014"]
    if "历年累计" in body and len(found["legacy_fujian"]) >= 2:
        return "legacy_fujian", found["legacy_fujian"]
    return "prose", ["no statistics table"]
