"""Boilerplate of 信息公开 detail pages, as data: page furniture that is not the document.

Patterns match a whole line (or a whole element's text) after all whitespace is removed, so
"【字体：大 中 小】" and "【字体：大中小】" are the same; a line that merely mentions 打印 stays.
"""

from __future__ import annotations

import re

# One alternative per kind of furniture; a line made only of these (in any number) is dropped.
_PIECES: tuple[str, ...] = (
    r"扫一扫在手机(上)?(打开|查看|浏览)(当前|本)?(页|页面)?",
    r"用手机扫描二维码(打开|查看)?(本|当前)?(页|页面)?",
    r"(手机|移动端)?扫码(阅读|查看)?",
    r"【?(打印|打印本页|打印此页|打印页面|打印文章|关闭|关闭窗口|关闭本页|返回|返回顶部|返回列表|收藏|加入收藏|保存|"
    r"纠错|我要纠错|分享|下载|正文下载)】?",
    r"【?(字体|字号|文字|字体大小)[:：]?\[?(大|中|小|默认|放大|缩小|A\+|A-|A)+\]?】?",
    r"\[?(大|中|小)\]?\[?(大|中|小)\]?\[?(大|中|小)\]?",
    r"(分享到|分享)[:：]?",
    r"(微信|微博|新浪微博|腾讯微博|QQ空间|QQ好友|QQ|人人网|豆瓣|朋友圈|复制链接|更多)+",
    r"(附件下载|附件|相关附件|相关文件下载|下载附件|附件列表)[:：]?",
    r"(浏览次数|访问次数|阅读次数|点击数|点击率|浏览量|访问量|阅读量)[:：]?\d*次?",
    r"(上一篇|下一篇|上一条|下一条)[:：]?.{0,60}",
    r"(相关链接|相关文章|相关阅读|相关信息|相关新闻|热点推荐)[:：]?",
    r"(视力保护色|背景色)[:：]?.{0,20}",
)
BOILERPLATE_LINE_RE: re.Pattern[str] = re.compile(rf"^(?:{'|'.join(_PIECES)})+$")

# A breadcrumb line: 您当前的位置：首页 > … ; always furniture.
BREADCRUMB_LINE_RE: re.Pattern[str] = re.compile(
    r"^(您?(当前|现在|所在)?的?(浏览)?(位置|所在位置)|当前所在位置)[:：].{0,200}$"
)

# Lines at the end of a page (footers) that trafilatura sometimes keeps.
FOOTER_LINE_RE: re.Pattern[str] = re.compile(
    r"^(主办单位|主办|承办单位|承办|版权所有|网站标识码|技术支持|联系电话|ICP备|.{0,10}ICP备\d+号|.{0,6}公网安备\d+号)"
)


def compact(text: str) -> str:
    """Text with every kind of whitespace removed, for pattern matching."""
    return "".join(text.replace("\u200b", "").split())


def is_boilerplate_line(line: str) -> bool:
    """True for a line that is only page furniture (share bar, print/close links, QR hint…)."""
    c = compact(line)
    if not c:
        return True
    return bool(BOILERPLATE_LINE_RE.match(c) or BREADCRUMB_LINE_RE.match(c))


# The label a page puts before an attachment's name in its link ("附件1：", "附件二、", "附表："):
# part of the page's list, not of the file's title.
ATTACHMENT_LABEL_RE: re.Pattern[str] = re.compile(
    r"^\s*(?:附件|附表|附)\s*[0-9０-９一二三四五六七八九十]*\s*[:：.．、]\s*"
)
