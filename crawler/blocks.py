"""Block, challenge and 验证码 pages of the WAFs government portals sit behind, as data.

A signature names the WAF (or "captcha" / "access_denied"), the statuses it answers with
(None: any), and byte patterns of its page; Chinese patterns are matched in UTF-8 and GBK,
the two encodings such pages come in. Only the first SCAN_BYTES of a body are read, and
weak evidence (a 验证码 prompt) only counts on small pages: a 依申请公开 form with a
验证码 field is a page, a bare 验证码 page of 2 KB is a wall.
"""

from __future__ import annotations

from dataclasses import dataclass

from ahocorasick_rs import BytesAhoCorasick

SCAN_BYTES = 16_384
MAX_BLOCK_PAGE = 65_536  # block pages are small; a bigger body is content, whatever it mentions
# Walls answering 200 (challenges, 验证码) are a few KB; portal pages with their navigation are
# more than this, and skipping them keeps detection off the hot path.
MAX_OK_BLOCK_PAGE = 16_384


@dataclass(frozen=True)
class Signature:
    name: str  # stat key: xxgk/blocked/<name>
    patterns: tuple[str, ...]  # any of them (plain text; ASCII case-insensitive)
    statuses: frozenset[int] | None = None  # None: any status
    max_size: int = MAX_BLOCK_PAGE  # only bodies up to this many bytes


WAF_STATUSES = frozenset({400, 403, 405, 406, 412, 418, 429, 444, 468, 493, 501, 503, 521, 555, 567})

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        "yunaq", ("创宇盾", "yunaq.com", "365cyd", "知道创宇云防御", "jiasule", "__jsl_clearance", "加速乐")
    ),
    Signature("safedog", ("safedog", "安全狗", "网站防火墙拦截", "已被网站管理员设置拦截")),
    Signature("360wzws", ("360wzws", "360网站卫士", "wangzhan.360.cn", "网站卫士")),
    Signature("yunsuo", ("yunsuo_session_verify", "云锁", "yunsuo.com")),
    Signature("aliyun", ("aliyun_waf", "errors.aliyun.com", "阿里云盾")),
    Signature("tencent", ("waf.tencent-cloud.com", "腾讯云网站管家")),
    Signature("safeline", ("safeline", "长亭雷池")),
    Signature("riversecurity", ("$_ts=", "$_ts.nsd"), frozenset({202, 412})),
    Signature("captcha", ("请输入验证码", "人机验证", "滑动验证", "安全验证", "captcha"), max_size=20_000),
    Signature(
        "access_denied",
        ("访问被拒绝", "访问受限", "您的访问已被拦截", "访问过于频繁", "请求过于频繁", "access denied"),
        WAF_STATUSES,
        20_000,
    ),
)


def _literals(signature: Signature) -> tuple[bytes, ...]:
    out: list[bytes] = []
    for text in signature.patterns:
        for encoding in ("utf-8", "gbk"):
            # bytes.lower() as on the body: GBK trail bytes in A-Z change the same way on both sides
            encoded = text.encode(encoding, errors="ignore").lower()
            if encoded and encoded not in out:
                out.append(encoded)
    return tuple(out)


# one Aho-Corasick pass over the lower-cased head finds every literal of every signature
_LITERALS: tuple[tuple[Signature, tuple[bytes, ...]], ...] = tuple((s, _literals(s)) for s in SIGNATURES)
_OWNER: list[int] = [i for i, (_, literals) in enumerate(_LITERALS) for _ in literals]
_AUTOMATON = BytesAhoCorasick([literal for _, literals in _LITERALS for literal in literals])


def detect(status: int, body: bytes) -> str | None:
    """The signature name when the response is a WAF block, challenge or 验证码 page, else None.

    Runs for every response, so a 200 page bigger than any wall is not read at all;
    when several signatures match, the first in SIGNATURES wins."""
    if status == 200 and len(body) > MAX_OK_BLOCK_PAGE:
        return None
    best: int | None = None
    for pattern, _, _ in _AUTOMATON.find_matches_as_indexes(body[:SCAN_BYTES].lower(), overlapping=True):
        index = _OWNER[pattern]
        signature = SIGNATURES[index]
        if (
            (best is None or index < best)
            and len(body) <= signature.max_size
            and (signature.statuses is None or status in signature.statuses)
        ):
            best = index
    return SIGNATURES[best].name if best is not None else None
