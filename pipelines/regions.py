"""Administrative-division code (GB/T 2260) of a 索引号, looked up in the shipped table.

A 索引号 starts with the publishing body's identifier. Two forms carry a division code:
  * a 6-digit division code followed by a separator: 640122-150/2018-93016;
  * an 18-character 统一社会信用代码 (GB 32100), whose characters 3–8 are the division code:
    11640323MB1851234X/2021-00007 (accepted only if its check character is right).
Anything else (9-digit 组织机构代码, site-specific codes) yields no region: we do not guess.
The table is `data/divisions.tsv` (see `data/make_divisions.py` for sources and versions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_SIX_DIGITS_RE = re.compile(r"^\s*(\d{6})(?=[-/_—－–.\s]|$)")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(rf"^\s*([{_USCC_ALPHABET}]{{2}}\d{{6}}[{_USCC_ALPHABET}]{{10}})(?![0-9A-Z])")
# First two digits of every province-level code ever issued (71 台湾, 81 香港, 82 澳门 included).
PROVINCE_PREFIXES: frozenset[str] = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)


@dataclass(frozen=True)
class Region:
    code: str
    name: str | None
    status: str  # "current" | "retired" | "unknown"


@cache
def division_table() -> dict[str, tuple[str, str]]:
    """code -> (full name, status), loaded once from the shipped TSV."""
    table: dict[str, tuple[str, str]] = {}
    text = resources.files("pipelines").joinpath("data/divisions.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("code\t"):
            continue
        code, name, status, _last_seen = line.split("\t")
        table[code] = (name, status)
    return table


def uscc_is_valid(code: str) -> bool:
    """Check character of a 统一社会信用代码 (GB 32100-2015)."""
    if len(code) != 18 or any(c not in _USCC_ALPHABET for c in code):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def lookup(code: str) -> Region:
    """The division `code` names, marked current, retired (kept with its last name) or unknown."""
    hit = division_table().get(code)
    if hit is None:
        return Region(code, None, "unknown")
    return Region(code, hit[0], hit[1])


def region_from_index_no(index_no: str | None) -> Region | None:
    """Region of the body that issued a 索引号, or None when the 索引号 carries no division code."""
    if not index_no:
        return None
    s = index_no.strip().upper()
    m = _USCC_RE.match(s)
    if m and uscc_is_valid(m.group(1)):
        code = m.group(1)[2:8]
    else:
        m = _SIX_DIGITS_RE.match(s)
        if not m:
            return None
        code = m.group(1)
    if code[:2] not in PROVINCE_PREFIXES:
        return None  # not a division code at all (a date, a serial): no region rather than a wrong one
    return lookup(code)
