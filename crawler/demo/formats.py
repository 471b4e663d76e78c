"""How real portals print dates, 文号, 索引号 and 关键词 — one variant per call.

Every function takes the `random.Random` of the page it renders, so the choice
is deterministic, and returns the text exactly as it appears on the page; the
ground truth keeps the normalised value beside it.
"""

from __future__ import annotations

import random
from datetime import datetime

_CN_DIGITS = "〇一二三四五六七八九"


def cn_year(year: int) -> str:
    """2019 -> 二〇一九 (digit by digit, as on official documents)."""
    return "".join(_CN_DIGITS[int(d)] for d in str(year))


def cn_number(n: int) -> str:
    """1..31 -> 一 … 三十一 (month and day numerals)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return head + "十" + (_CN_DIGITS[ones] if ones else "")


def cn_date(d: datetime) -> str:
    return f"{cn_year(d.year)}年{cn_number(d.month)}月{cn_number(d.day)}日"


# Each style: (name, has_time). "cn" is the Chinese-numeral style of 成文日期.
DATE_STYLES: tuple[str, ...] = ("iso", "iso_minute", "zh", "zh_padded", "cn", "slash")


def format_date(d: datetime, style: str) -> str:
    """Print `d` in one of DATE_STYLES."""
    if style == "iso":
        return d.strftime("%Y-%m-%d")
    if style == "iso_minute":
        return d.strftime("%Y-%m-%d %H:%M")
    if style == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "zh_padded":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "cn":
        return cn_date(d)
    if style == "slash":
        return d.strftime("%Y/%m/%d")
    raise ValueError(f"unknown date style {style!r}")


def pick_publish_style(rng: random.Random) -> str:
    # ISO forms dominate on CMS output; the others come from hand-typed fields.
    return rng.choices(
        ("iso", "iso_minute", "zh", "zh_padded", "cn", "slash"), weights=(40, 25, 12, 12, 5, 6)
    )[0]


def pick_written_style(rng: random.Random) -> str:
    return rng.choices(("iso", "zh", "zh_padded", "cn"), weights=(35, 25, 15, 25))[0]


# 文号 brackets as typed by different clerks: the correct 六角括号 and its look-alikes.
DOC_NO_BRACKETS: tuple[tuple[str, str], ...] = (
    ("〔", "〕"),
    ("[", "]"),
    ("【", "】"),
    ("(", ")"),
    ("［", "］"),
    ("（", "）"),
)


def format_doc_no(rng: random.Random, issuer: str, year: int, serial: int) -> str:
    """金政发〔2018〕293号 and its variants (other brackets, 第293号)."""
    left, right = rng.choices(DOC_NO_BRACKETS, weights=(50, 12, 10, 10, 8, 10))[0]
    number = f"第{serial}号" if rng.random() < 0.15 else f"{serial}号"
    return f"{issuer}{left}{year}{right}{number}"


def format_index_no(style: str, region_code: str, org: int, year: int, serial: int) -> str:
    """索引号: always starts with the 6-digit 行政区划代码 of the publisher."""
    if style == "slash":  # 640122-150/2018-93016 (seed 003)
        return f"{region_code}-{org:03d}/{year}-{serial:05d}"
    if style == "dash":  # 640181-021-2019-000087
        return f"{region_code}-{org:03d}-{year}-{serial:06d}"
    if style == "compact":  # 640104/2019-00123
        return f"{region_code}/{year}-{serial:05d}"
    raise ValueError(f"unknown index style {style!r}")


KEYWORD_SEPARATORS: tuple[str, ...] = ("；", ";", "、", ",", "，", " ")


def format_keywords(rng: random.Random, keywords: list[str]) -> str:
    return rng.choice(KEYWORD_SEPARATORS).join(keywords)
