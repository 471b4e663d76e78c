"""Normalisation of metadata values: dates, 文号, 关键词, and generic value cleaning.

Every function takes the raw printed string and returns None rather than a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from pipelines.labels import UNLABELLED_DOC_NO_LINES

# Chinese numerals as printed in 成文日期 (二〇一九年一月十日). ○ (U+25CB), Ｏ/O and 〇 all stand for zero.
_CN_DIGITS: dict[str, int] = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "O": 0,
    "o": 0,
    "Ｏ": 0,
    "０": 0,
    "◯": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "两": 2,
}
_CN_NUM = "〇○零OoＯ０◯一二三四五六七八九两十"

_ISO_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.－—_年]\s*(?P<m>\d{1,2})\s*[-/.－—_月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:[T\s]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_COMPACT_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_CN_DATE_RE = re.compile(
    rf"(?P<y>[{_CN_NUM}]{{4}})\s*年\s*(?P<m>[{_CN_NUM}]{{1,3}})\s*月\s*(?P<d>[{_CN_NUM}]{{1,3}})\s*日"
)

# Values portals print when a field has nothing in it.
EMPTY_VALUES: frozenset[str] = frozenset(
    {
        "",
        "无",
        "暂无",
        "空",
        "/",
        "-",
        "--",
        "—",
        "——",
        "－",
        "null",
        "none",
        "n/a",
        "无文号",
        "未知",
        "略",
        "\\",
    }
)

# 文号: issuer code, then the year in any kind of bracket, then the serial (第…号 optional).
_BRACKETS_OPEN = "〔[【(（［{｛〖⌈［"
_BRACKETS_CLOSE = "〕]】)）］}｝〗⌉］"
_DOC_NO_RE = re.compile(
    rf"(?P<issuer>[^\s{re.escape(_BRACKETS_OPEN)}]*?)\s*[{re.escape(_BRACKETS_OPEN)}]\s*(?P<year>(?:19|20)\d{{2}})\s*年?\s*"
    rf"[{re.escape(_BRACKETS_CLOSE)}]\s*第?\s*(?P<serial>\d+)\s*号?"
)
# Without brackets: 金政发2018年293号, 国发2018第5号
_DOC_NO_PLAIN_RE = re.compile(
    r"(?P<issuer>[^\d\s]+?)\s*(?P<year>(?:19|20)\d{2})\s*年?\s*第\s*(?P<serial>\d+)\s*号"
    r"|(?P<issuer2>[^\d\s]+?)\s*(?P<year2>(?:19|20)\d{2})\s*年\s*(?P<serial2>\d+)\s*号"
)
# A line that is a 文号 and nothing else: an issuer's code in Chinese characters, the year in
# brackets, the serial and 号 (柘政〔2018〕16号, 国办发[2019]5号); prose that cites one is not.
_DOC_NO_LINE_RE = re.compile(
    rf"[\u4e00-\u9fff]{{1,12}}[{re.escape(_BRACKETS_OPEN)}](?:19|20)\d{{2}}年?[{re.escape(_BRACKETS_CLOSE)}]第?\d+号"
)

_KEYWORD_SPLIT_RE = re.compile(r"[,，;；、|｜/\s]+")
_SPACE_RE = re.compile(r"\s+")


def clean_value(value: str | None) -> str | None:
    """Collapse whitespace (incl. &nbsp; and U+3000), strip separators; None for empty markers."""
    if value is None:
        return None
    value = value.replace("\u200b", "").replace("\u3000", " ").replace("\xa0", " ")
    value = _SPACE_RE.sub(" ", value).strip(" |｜丨:：;；,，")
    if value.lower() in EMPTY_VALUES:
        return None
    return value


def _cn_number(s: str) -> int | None:
    """一→1, 十→10, 十二→12, 二十→20, 三十一→31, 〇九→9 (digit-by-digit when there is no 十)."""
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens) if tens else 1
        o = _CN_DIGITS.get(ones) if ones else 0
        if t is None or o is None:
            return None
        return t * 10 + o
    n = 0
    for ch in s:
        if ch not in _CN_DIGITS:
            return None
        n = n * 10 + _CN_DIGITS[ch]
    return n


def _mkdate(y: int, m: int, d: int) -> date | None:
    if not 1949 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def parse_datetime(value: str | None) -> tuple[date | None, datetime | None]:
    """(date, datetime-if-a-time-is-printed) from any printed form; (None, None) if none is there."""
    if not value:
        return None, None
    s = unicodedata.normalize("NFKC", value)
    m = _ISO_RE.search(s)
    if m:
        d = _mkdate(int(m["y"]), int(m["m"]), int(m["d"]))
        if d is None:
            return None, None
        if m["H"] is not None:
            try:
                t = datetime(d.year, d.month, d.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
            except ValueError:
                t = None
            return d, t
        return d, None
    m = _CN_DATE_RE.search(value)  # not NFKC: it would turn Ｏ into O, which we map anyway
    if m:
        y, mo, dd = (_cn_number(m[g]) for g in ("y", "m", "d"))
        if None not in (y, mo, dd):
            return _mkdate(y, mo, dd), None  # type: ignore[arg-type]
        return None, None
    m = _COMPACT_RE.search(s)
    if m:
        return _mkdate(int(m["y"]), int(m["m"]), int(m["d"])), None
    return None, None


def parse_date(value: str | None) -> date | None:
    """The date printed in `value` (2018-12-10, 2019年1月24日, 二〇一九年一月十日, …) or None."""
    return parse_datetime(value)[0]


@dataclass(frozen=True)
class DocNo:
    raw: str
    issuer: str | None
    year: int | None
    serial: int | None


def parse_doc_no(value: str | None) -> DocNo | None:
    """Split a 文号 (金政发〔2018〕293号, 东政发(2019)第5号, …) into issuer code, year and serial."""
    raw = clean_value(value)
    if raw is None:
        return None
    s = unicodedata.normalize("NFKC", raw).replace(" ", "")
    m = _DOC_NO_RE.search(s)
    if m:
        return DocNo(raw, m["issuer"] or None, int(m["year"]), int(m["serial"]))
    m = _DOC_NO_PLAIN_RE.search(s)
    if m:
        issuer, year, serial = (
            (m["issuer"], m["year"], m["serial"]) if m["issuer"] else (m["issuer2"], m["year2"], m["serial2"])
        )
        return DocNo(raw, issuer, int(year), int(serial))
    return DocNo(raw, None, None, None)


def unlabelled_doc_no(text: str | None) -> DocNo | None:
    """The 文号 printed alone on one of the first lines of a body (labels.UNLABELLED_DOC_NO_LINES),
    with no label before it; None when no such line is there."""
    if not text:
        return None
    lines = [line for line in (raw.strip() for raw in text.split("\n", 2 * UNLABELLED_DOC_NO_LINES)) if line]
    for line in lines[:UNLABELLED_DOC_NO_LINES]:
        if _DOC_NO_LINE_RE.fullmatch(unicodedata.normalize("NFKC", line).replace(" ", "")):
            return parse_doc_no(line)
    return None


def split_keywords(value: str | None) -> list[str] | None:
    """关键词 split on the separators portals use (，、；space …), order kept, duplicates dropped."""
    raw = clean_value(value)
    if raw is None:
        return None
    words = [w.strip() for w in _KEYWORD_SPLIT_RE.split(raw)]
    out = list(dict.fromkeys(w for w in words if w and w.lower() not in EMPTY_VALUES))
    return out or None
