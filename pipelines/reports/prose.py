"""Numbers quoted in the running text ("共收到申请31件"), each with its quote.

Matched on a normalised copy of the prose (so "165 条" and "行\n政复议" read as
written), quoted from the original text.
"""

from __future__ import annotations

import re

from pipelines.reports import labels as L
from pipelines.reports.source import Source
from pipelines.reports.textnorm import cn_to_int, norm_with_map

_COMPILED = [
    (spec[0], re.compile(spec[1]), re.compile(spec[2]) if len(spec) > 2 else None) for spec in L.PROSE_FIGURES
]
_CONTEXT = 40
_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}、.{0,38}$")
_ZEROS = [(key, re.compile(p)) for key, p in L.PROSE_ZEROS]


def _number(s: str) -> int | float | None:
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d+\.\d+", s):
        return float(s)
    return cn_to_int(s)


def prose_text(source: Source, is_table_line) -> tuple[str, list[int]]:
    """The non-table lines joined by newlines, with each line's start offset."""
    parts, starts = [], []
    for i, ln in enumerate(source.lines):
        if is_table_line(i):
            continue
        parts.append(source.text[ln.start : ln.end])
        starts.append(ln.start)
    return "\n".join(parts), starts


def figures(source: Source, is_table_line, section_of) -> list[dict]:
    """[{key, value, section, quote, span}] in text order."""
    text, starts = prose_text(source, is_table_line)
    # paragraphs are joined across line breaks: PDF text breaks sentences mid-word
    nt = norm_with_map(text)
    taken: list[tuple[int, int, str]] = []
    found: list[dict] = []

    def original(o: int) -> int:
        # offset in the joined prose → offset in source.text
        line_no = text.count("\n", 0, o)
        line_start = text.rfind("\n", 0, o) + 1
        return starts[line_no] + (o - line_start)

    def add(key: str, value, start: int, end: int, *, zero: bool = False) -> None:
        # a figure's words are not read twice; a zero sentence may state several ("无…行政复议、行政诉讼")
        if any(s < end and start < e and (not zero or k == key) for s, e, k in taken):
            return
        taken.append((start, end, key))
        o_start, o_end = nt.span(start, end)
        quote = re.sub(r"\s+", "", text[o_start:o_end])
        src_start, src_end = original(o_start), original(o_end - 1) + 1
        found.append(
            {
                "key": key,
                "value": value,
                "section": section_of(src_start),
                "quote": quote,
                "span": [src_start, src_end],
            }
        )

    for key, rx, before in _COMPILED:
        for m in rx.finditer(nt.text):
            if before is not None and not before.search(nt.text[max(0, m.start() - _CONTEXT) : m.start()]):
                continue
            value = _number(m.group(m.lastindex or 0))
            if value is not None:
                add(key, value, m.start(), m.end())
    for key, rx in _ZEROS:
        for m in rx.finditer(nt.text):
            add(key, 0, m.start(), m.end(), zero=True)
    found.sort(key=lambda f: f["span"][0])
    return found


def fee_sentence(source: Source, is_table_line, prose: list[dict]) -> dict | None:
    """六: 信息处理费 (gb2021). {"amount": {value, unit, raw} | None, "text": sentence}."""
    text, _ = prose_text(source, is_table_line)
    # headings end without a full stop: keep them out of the sentence that follows
    text = "\n".join(ln if not _HEADING.match(ln.strip()) else ln + "。" for ln in text.split("\n"))
    for sentence in re.split(r"(?<=[。；;！!])", text):
        if L.FEE_SENTENCE in re.sub(r"\s+", "", sentence):
            clean = re.sub(r"\s+", "", sentence)
            fee = next((f for f in prose if f["key"] == "info_processing_fee" and f["quote"] in clean), None)
            amount = None
            if fee is not None:
                unit = "万元" if "万元" in fee["quote"] else "元"
                raw = re.search(r"\d+(?:\.\d+)?", fee["quote"])
                amount = {"value": fee["value"], "unit": unit, "raw": raw.group(0) if raw else fee["quote"]}
            return {"amount": amount, "text": clean.lstrip("。")}
    return None
