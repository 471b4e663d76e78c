"""Text normalisation shared by the report readers.

Labels are matched on a normalised form: NFKC (full-width digits and brackets
become ASCII), all whitespace removed (labels arrive broken by spaces, newlines
and <br>). Offsets into the original text are kept so that every figure can be
traced back to the characters it was read from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千"


def norm(s: str) -> str:
    """NFKC, no whitespace: the form every label pattern is written against."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", s) if not ch.isspace())


@dataclass
class NormText:
    """A normalised copy of a text with a map back to original offsets."""

    text: str
    origin: list[int]  # origin[i] = offset in the original of normalised char i
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised [start, end)."""
        if start >= len(self.origin):
            return self.original_length, self.original_length
        o_start = self.origin[start]
        o_end = self.origin[end - 1] + 1 if end > start else o_start
        return o_start, o_end


def norm_with_map(s: str, *, keep_newlines: bool = False) -> NormText:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(s):
        if keep_newlines and ch in "\n\f":
            chars.append("\n")
            origin.append(i)
            continue
        n = unicodedata.normalize("NFKC", ch)
        for c in n:
            if c.isspace():
                continue
            chars.append(c)
            origin.append(i)
    return NormText("".join(chars), origin, len(s))


def cn_to_int(s: str) -> int | None:
    """Small Chinese numerals (二〇一八, 三十五, 一百零二) → int; None if not one."""
    if not s or any(ch not in CN_NUMERAL_CHARS for ch in s):
        return None
    if not any(ch in _CN_UNITS for ch in s):  # positional: 二〇一八
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_number(raw: str) -> int | float | None:
    """'12' → 12, '-3' → -3, '12.50' → 12.5, '1,234' → 1234; anything else → None."""
    s = norm(raw).replace(",", "")
    if not _NUMBER.match(s):
        return None
    return float(s) if "." in s else int(s)
