"""Static files every portal serves besides pages: robots.txt, favicon, CSS, JS, images."""

from __future__ import annotations

import struct
import zlib

from crawler.demo.chrome import PRINT_PATH, SEARCH_PATH

DISALLOWED: tuple[str, ...] = (SEARCH_PATH, PRINT_PATH, "/admin/")


def robots_txt() -> bytes:
    lines = [
        "User-agent: *",
        *(f"Disallow: {p}" for p in DISALLOWED),
        "",
        "User-agent: Baiduspider",
        "Allow: /",
        "",
    ]
    return "\n".join(lines).encode("ascii")


def _png(width: int, height: int, rgba: tuple[int, int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgba) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def favicon() -> bytes:
    """A 16x16 ICO holding a PNG (valid for browsers and image libraries)."""
    png = _png(16, 16, (200, 16, 46, 255))
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(png), 22) + png


_CSS_COMMON = """@charset "utf-8";
body,div,ul,li,p,h1,h2,h3,table,td,th,form,input{margin:0;padding:0;}
body{font:14px/1.8 "Microsoft YaHei","微软雅黑",SimSun,sans-serif;color:#333;background:#f5f5f5;}
a{color:#333;text-decoration:none;}a:hover{color:#c8102e;}
ul,li{list-style:none;}.fl{float:left;}.fr{float:right;}
.clearfix:after{content:"";display:block;clear:both;}
.w1200{width:1200px;margin:0 auto;}
.top-bar{height:36px;line-height:36px;background:#fff;border-bottom:1px solid #e5e5e5;font-size:12px;}
.header{height:140px;background:url(/images/header-bg.png) no-repeat center;}
.nav{background:#c8102e;height:50px;}.nav-item{float:left;position:relative;}
.nav-a{display:block;padding:0 26px;line-height:50px;color:#fff;font-size:17px;}
.nav-sub{display:none;position:absolute;top:50px;left:0;background:#fff;z-index:9;}
.nav-item.hover .nav-sub{display:block;}
.footer{background:#8b0d20;color:#fff;padding:20px 0;font-size:13px;}
.footer a{color:#fff;}
"""

_CSS_XXGK = """@charset "utf-8";
.side{width:260px;background:#fff;}.side-title{background:#c8102e;color:#fff;font-size:18px;padding:10px 20px;}
.side-tree li.lv2{padding-left:30px;}.side-tree li.on a{color:#c8102e;font-weight:bold;}
.content{width:920px;background:#fff;padding:20px;}
.news-list li{border-bottom:1px dashed #ddd;line-height:40px;}.news-list .date{float:right;color:#999;}
.xxgk-list{border-collapse:collapse;}.xxgk-list td,.xxgk-list th{border:1px solid #e5e5e5;padding:6px;}
.table_suoyin{border-collapse:collapse;margin:10px 0;}.table_suoyin th,.table_suoyin td{border:1px solid #d8d8d8;padding:6px 8px;}
.article-title{text-align:center;font-size:24px;color:#c8102e;margin:20px 0;}
.article-info{text-align:center;color:#666;border-bottom:1px solid #e5e5e5;padding-bottom:10px;}
.article-content p{line-height:2;margin:10px 0;}
.page,.pagination{text-align:center;margin:20px 0;}
"""

_JS_COMMON = """/* common.js - portal helpers */
function doZoom(size){var el=document.getElementById("zoom");if(!el){return;}el.style.fontSize=size+"px";}
function setTab(name,cursel,n){for(var i=1;i<=n;i++){var menu=document.getElementById(name+i);var con=document.getElementById("con_"+name+"_"+i);if(menu){menu.className=i==cursel?"hover":"";}if(con){con.style.display=i==cursel?"block":"none";}}}
"""

_JS_STUB = "/* {name}: placeholder of the vendor library for the demo portal */\n"


def static_files() -> dict[str, tuple[bytes, str]]:
    """path -> (body, content type) for the files the chrome references."""
    files: dict[str, tuple[bytes, str]] = {
        "/robots.txt": (robots_txt(), "text/plain; charset=utf-8"),
        "/favicon.ico": (favicon(), "image/x-icon"),
        "/css/common.css": (_CSS_COMMON.encode("utf-8"), "text/css"),
        "/css/xxgk.css": (_CSS_XXGK.encode("utf-8"), "text/css"),
        "/js/common.js": (_JS_COMMON.encode("utf-8"), "application/javascript"),
    }
    for name in ("jquery-1.12.4.min.js", "html5shiv.min.js", "respond.min.js"):
        files[f"/js/{name}"] = (_JS_STUB.format(name=name).encode("ascii"), "application/javascript")
    # Hanweb's pager script (the Hanweb family's listings load it)
    files["/module/web/jpage/jpage.js"] = (
        _JS_STUB.format(name="jpage.js").encode("ascii"),
        "application/javascript",
    )
    colours = {
        "logo": (200, 16, 46, 255),
        "weixin": (0, 0, 0, 255),
        "gaba": (30, 80, 160, 255),
        "dzjg": (220, 30, 30, 255),
        "jiucuo": (240, 240, 240, 255),
        "dot": (200, 16, 46, 255),  # the related-links bullet (chrome.py)
        "header-bg": (200, 16, 46, 255),  # common.css
    }
    for name, rgba in colours.items():
        files[f"/images/{name}.png"] = (_png(4, 4, rgba), "image/png")
    return files
