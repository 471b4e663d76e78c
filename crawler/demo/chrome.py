"""The page frame every portal page shares: head, header navigation, footer.

Real county portals wrap each page in ~15 KB of identical chrome — about 50
navigation links, a search box, 扫一扫在手机打开当前页, share bars, footer with
主办单位 and ICP备案. A crawler must see through it, so the demo reproduces it.
The frame is rendered once per site; pages only fill in the middle.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

PORTAL_TITLE = "贺兰县人民政府"
SITE_CODE = "6401220001"  # 政府网站标识码 (printed in the footer, as required by GB/T 政府网站规范)
ROOT_PATH = "/xxgk/"
SEARCH_PATH = "/search/"
PRINT_PATH = "/xxgk/print/"

# Internal pages of the portal outside 信息公开: (path, name, section).
# Each exists (a short page), so a host-wide crawl meets no 404 in the chrome.
PORTAL_SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "/zjhl/",
        "走进贺兰",
        (
            ("/zjhl/gk/", "贺兰概况"),
            ("/zjhl/lsyg/", "历史沿革"),
            ("/zjhl/xzqh/", "行政区划"),
            ("/zjhl/lyjd/", "旅游景点"),
        ),
    ),
    (
        "/zwgk/",
        "政务公开",
        (
            ("/zwgk/ldxx/", "领导信息"),
            ("/zwgk/zcjd/", "政策解读"),
            ("/zwgk/xwfb/", "新闻发布会"),
            ("/zwgk/rdhy/", "热点回应"),
        ),
    ),
    (
        "/zwfw/",
        "政务服务",
        (
            ("/zwfw/bszn/", "办事指南"),
            ("/zwfw/bmfw/", "便民服务"),
            ("/zwfw/hcp/", "好差评"),
            ("/zwfw/zxbl/", "在线办理"),
        ),
    ),
    (
        "/hdjl/",
        "互动交流",
        (
            ("/hdjl/xzxx/", "县长信箱"),
            ("/hdjl/zxft/", "在线访谈"),
            ("/hdjl/zjdc/", "征集调查"),
            ("/hdjl/rdwd/", "热点问答"),
        ),
    ),
    (
        "/ztzl/",
        "专题专栏",
        (
            ("/ztzl/yhyshj/", "优化营商环境"),
            ("/ztzl/xczx/", "乡村振兴"),
            ("/ztzl/aqsc/", "安全生产"),
            ("/ztzl/ggws/", "公共卫生"),
        ),
    ),
)
FOOTER_PAGES: tuple[tuple[str, str], ...] = (
    ("/wzdt/", "网站地图"),
    ("/lxwm/", "联系我们"),
    ("/gybz/", "关于本站"),
    ("/sybz/", "使用帮助"),
    ("/ysbh/", "隐私保护"),
)
EXTERNAL_LINKS: tuple[tuple[str, str], ...] = (
    ("http://www.gov.cn/", "中国政府网"),
    ("http://www.nx.gov.cn/", "宁夏回族自治区人民政府"),
    ("http://www.yinchuan.gov.cn/", "银川市人民政府"),
    ("http://www.shizuishan.gov.cn/", "石嘴山市人民政府"),
    ("http://www.wuzhong.gov.cn/", "吴忠市人民政府"),
    ("http://www.nxgy.gov.cn/", "固原市人民政府"),
    ("http://www.nxzw.gov.cn/", "中卫市人民政府"),
    ("http://www.xingqing.gov.cn/", "兴庆区人民政府"),
    ("http://www.lingwu.gov.cn/", "灵武市人民政府"),
    ("http://www.pingluo.gov.cn/", "平罗县人民政府"),
    ("http://www.yanchi.gov.cn/", "盐池县人民政府"),
    ("https://zwfw.nx.gov.cn/", "宁夏政务服务网"),
)
HOT_SEARCHES: tuple[str, ...] = ("政务公开", "年度报告", "财政预算", "惠民政策")


def portal_page_paths() -> list[tuple[str, str]]:
    """Every internal page the chrome links outside /xxgk/: (path, name)."""
    out: list[tuple[str, str]] = []
    for path, name, subs in PORTAL_SECTIONS:
        out.append((path, name))
        out.extend(subs)
    out.extend(FOOTER_PAGES)
    return out


def search_href(query: str) -> str:
    return f"{SEARCH_PATH}?q={quote(query)}"


def _nav() -> str:
    items = ['<li class="nav-item"><a href="/" class="nav-a">首页</a></li>']
    for path, name, subs in PORTAL_SECTIONS:
        sub = "".join(f'<li><a href="{p}">{n}</a></li>' for p, n in subs)
        items.append(
            f'<li class="nav-item"><a href="{path}" class="nav-a">{name}</a><ul class="nav-sub">{sub}</ul></li>'
        )
        if path == "/zwgk/":
            # "/xxgk" without the slash: the portal answers 301 to /xxgk/, as many do.
            items.append('<li class="nav-item on"><a href="/xxgk" class="nav-a">政府信息公开</a></li>')
    return '<ul class="nav-list clearfix">' + "".join(items) + "</ul>"


_HEAD_COMMON = f"""<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no">
<meta name="renderer" content="webkit">
<meta name="SiteName" content="{PORTAL_TITLE}">
<meta name="SiteDomain" content="www.nxhl.gov.cn">
<meta name="SiteIDCode" content="{SITE_CODE}">
<link rel="shortcut icon" href="/favicon.ico" type="image/x-icon">
<link rel="stylesheet" type="text/css" href="/css/common.css">
<link rel="stylesheet" type="text/css" href="/css/xxgk.css">
<script type="text/javascript" src="/js/jquery-1.12.4.min.js"></script>
<script type="text/javascript" src="/js/common.js"></script>
<!--[if lt IE 9]><script src="/js/html5shiv.min.js"></script><script src="/js/respond.min.js"></script><![endif]-->
"""

# CMS templates inline their page-specific styles; part of the real page weight.
_INLINE_STYLE = """<style type="text/css">
.w1200{width:1200px;margin:0 auto;}
.position{height:40px;line-height:40px;font-size:14px;color:#666;border-bottom:1px solid #e5e5e5;margin-bottom:15px;}
.position a{color:#666;}.position a:hover{color:#c8102e;}
.article{background:#fff;padding:30px 60px 40px;min-height:600px;}
.article-title{font-size:26px;line-height:40px;color:#c8102e;text-align:center;font-weight:bold;padding:10px 0 15px;}
.article-info{font-size:14px;color:#888;text-align:center;padding:10px 0;border-bottom:1px dashed #ccc;margin-bottom:20px;}
.article-info span{margin:0 10px;}.article-info .font-size a{margin:0 3px;color:#888;}
.article-content{font-size:16px;line-height:2;color:#333;text-align:justify;word-break:break-all;}
.article-content p{margin:0 0 12px;text-indent:2em;}.article-content img{max-width:100%;height:auto;display:block;margin:10px auto;}
.article-content table{border-collapse:collapse;margin:10px auto;max-width:100%;}
.article-content table td,.article-content table th{border:1px solid #333;padding:4px 6px;font-size:14px;line-height:1.6;text-indent:0;}
.xxgk-meta{margin:10px 0 20px;}.table_suoyin{width:100%;border-collapse:collapse;background:#f9f9f9;}
.table_suoyin th{width:90px;background:#f1f1f1;color:#333;font-weight:normal;text-align:right;padding:8px;border:1px solid #e1e1e1;}
.table_suoyin td{padding:8px;border:1px solid #e1e1e1;color:#555;}
.xxgk-info ul li{float:left;width:50%;line-height:36px;border-bottom:1px dotted #ddd;}.xxgk-info .lab{color:#999;}
.attachments{margin:20px 0;padding:10px 15px;background:#f7f7f7;border:1px solid #eee;}.attachments li{line-height:30px;}
.attachments a{color:#1a5fb4;}.attachments a:hover{text-decoration:underline;}
.article-tools{text-align:right;margin:20px 0 10px;font-size:14px;}.article-tools a{margin-left:10px;color:#666;}
.prev-next{border-top:1px solid #e5e5e5;padding-top:15px;font-size:14px;line-height:30px;}
.related{margin-top:25px;}.related h3{font-size:18px;border-bottom:2px solid #c8102e;line-height:40px;}
.related li{line-height:34px;padding-left:12px;background:url(/images/dot.png) no-repeat left center;}
.share-bar{margin:20px 0;height:36px;}.qrcode-box{position:fixed;right:20px;bottom:120px;width:120px;text-align:center;background:#fff;padding:10px;box-shadow:0 0 6px #ccc;}
.qrcode-box p{font-size:12px;color:#666;line-height:20px;}
.col-blocks .col-block{float:left;width:440px;margin:0 20px 20px 0;}.col-head{border-bottom:2px solid #c8102e;height:40px;line-height:40px;}
.col-head h3{float:left;font-size:18px;}.col-head .more{float:right;font-size:13px;color:#999;}
.xxgk-guide a{float:left;width:160px;height:60px;line-height:60px;text-align:center;margin-right:15px;background:#fdf2f2;color:#c8102e;font-size:16px;}
.pagination span,.pagination a{display:inline-block;padding:0 10px;height:30px;line-height:30px;border:1px solid #ddd;margin:0 3px;}
.pagination .disabled{color:#bbb;}.no-data{text-align:center;color:#999;padding:60px 0;}
@media screen and (max-width:768px){.w1200{width:100%;}.side{display:none;}.content{width:auto;float:none;}.article{padding:15px;}.qrcode-box{display:none;}}
</style>
"""

_TOP = """<div class="top-bar"><div class="w1200 clearfix">
<div class="fl top-date"><span id="top-date"></span><span class="weather">贺兰县 晴 -2℃~9℃</span></div>
<div class="fr top-links">
<a href="javascript:void(0);" id="wza" class="wza" title="无障碍浏览">无障碍浏览</a><span class="sep">|</span>
<a href="javascript:void(0);" id="zxms" title="长者模式">长者模式</a><span class="sep">|</span>
<a href="javascript:void(0);" id="jft" title="繁體版">繁體版</a><span class="sep">|</span>
<a href="javascript:void(0);" class="wx-btn" title="政务微信">政务微信<span class="wx-code"><img src="/images/weixin.png" alt="贺兰发布微信二维码"></span></a><span class="sep">|</span>
<a href="https://weibo.com/nxhlfb" target="_blank" title="政务微博">政务微博</a>
</div></div></div>
<div class="header"><div class="w1200 clearfix">
<div class="logo fl"><a href="/" title="{portal}"><img src="/images/logo.png" alt="{portal}"></a></div>
<div class="honor fl">★全国文明县城&nbsp;&nbsp;★国家卫生城市&nbsp;&nbsp;★国家园林县城&nbsp;&nbsp;★西部百强县</div>
<div class="search fr">
<form action="{search}" method="get" target="_blank" name="searchform" id="searchform" onsubmit="return checkSearch(this);">
<input type="text" name="q" id="q" class="search-input" placeholder="请输入关键字" autocomplete="off">
<input type="submit" class="search-btn" value="搜索">
</form>
<div class="hot-words">热门搜索：{hot}</div>
</div>
</div></div>
<div class="nav"><div class="w1200">{nav}</div></div>
""".format(
    portal=PORTAL_TITLE,
    search=SEARCH_PATH,
    hot="".join(f'<a href="{escape(search_href(q))}" target="_blank">{q}</a>' for q in HOT_SEARCHES),
    nav=_nav(),
)

_SHARE = """<div class="share-bar clearfix">
<div class="bdsharebuttonbox fl"><span class="share-label">分享到：</span>
<a href="javascript:void(0);" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a>
<a href="javascript:void(0);" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a>
<a href="javascript:void(0);" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a>
<a href="javascript:void(0);" class="bds_more" data-cmd="more"></a></div>
<div class="page-tools fr">
<a href="javascript:void(0);" onclick="addFavorite();">【收藏本页】</a>
<a href="javascript:window.scrollTo(0,0);">【返回顶部】</a>
<a href="javascript:window.close();">【关闭窗口】</a>
</div>
</div>
<div class="qrcode-box"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div>
<script type="text/javascript">
window._bd_share_config = {"common":{"bdSnsKey":{},"bdText":"","bdMini":"2","bdMiniList":false,"bdPic":"","bdStyle":"1","bdSize":"24"},"share":{}};
with(document)0[(getElementsByTagName('head')[0]||body).appendChild(createElement('script')).src='/static/api/js/share.js?v=89860593.js?cdnversion='+~(-new Date()/36e5)];
$(function(){ if (window.QRCode) { new QRCode(document.getElementById("qrcode"), {text: window.location.href, width: 100, height: 100}); } });
</script>
"""

_FOOTER = """<div class="links-bar"><div class="w1200 clearfix">
<div class="links-title fl">相关链接</div>
<div class="links-list fl">{external}</div>
<select class="links-select fr" onchange="if(this.value){{window.open(this.value);}}">
<option value="">—— 区县政府网站 ——</option>{options}
</select>
</div></div>
<div class="footer"><div class="w1200 clearfix">
<div class="footer-links">{footer_links}</div>
<div class="footer-info">
<p>主办单位：贺兰县人民政府办公室&nbsp;&nbsp;&nbsp;承办单位：贺兰县大数据服务中心&nbsp;&nbsp;&nbsp;联系电话：0951-8066110</p>
<p>地址：宁夏银川市贺兰县富兴南街&nbsp;&nbsp;&nbsp;邮编：750200&nbsp;&nbsp;&nbsp;网站标识码：{code}</p>
<p><a href="https://beian.miit.gov.cn/" target="_blank">宁ICP备05001234号-1</a>&nbsp;&nbsp;&nbsp;<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=64012202000123" target="_blank"><img src="/images/gaba.png" alt="">宁公网安备 64012202000123号</a></p>
<p>建议使用1366×768分辨率，IE10以上浏览器或Chrome、Firefox等浏览器浏览本站</p>
</div>
<div class="footer-badges">
<a href="https://bszs.conac.cn/sitename?method=show&amp;id=0B5C6D1E2F3A4B5C" target="_blank"><img src="/images/dzjg.png" alt="党政机关"></a>
<a href="https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code={code}" target="_blank"><img src="/images/jiucuo.png" alt="政府网站找错"></a>
</div>
</div></div>
<script type="text/javascript">
var _hmt = _hmt || [];
(function() {{
  var hm = document.createElement("script");
  hm.src = "https://hm.baidu.com/hm.js?3a7f5e9c1b2d4f6a8c0e1f3a5b7d9e2c";
  var s = document.getElementsByTagName("script")[0];
  s.parentNode.insertBefore(hm, s);
}})();
$(function() {{
  var d = new Date(), w = ["日","一","二","三","四","五","六"];
  $("#top-date").text(d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日 星期" + w[d.getDay()]);
  $(".nav-item").hover(function() {{ $(this).addClass("hover"); }}, function() {{ $(this).removeClass("hover"); }});
  $("#wza").click(function() {{ if (window.aria) {{ aria.start(); }} }});
  $("#jft").click(function() {{ if (window.zh_tran) {{ zh_tran("t"); }} }});
}});
function checkSearch(f) {{ if (!f.q.value.replace(/\\s/g, "")) {{ alert("请输入搜索关键字"); return false; }} return true; }}
function addFavorite() {{ try {{ window.external.addFavorite(location.href, document.title); }} catch (e) {{ alert("请使用Ctrl+D收藏本页"); }} }}
</script>
""".format(
    external="".join(f'<a href="{u}" target="_blank">{n}</a>' for u, n in EXTERNAL_LINKS[:6]),
    options="".join(f'<option value="{u}">{n}</option>' for u, n in EXTERNAL_LINKS[6:]),
    footer_links='<span class="sep">|</span>'.join(f'<a href="{p}">{n}</a>' for p, n in FOOTER_PAGES),
    code=SITE_CODE,
)


def charset_meta(style: str | None) -> str:
    """The in-page charset declaration: <meta charset>, the http-equiv form, or none."""
    if style is None:
        return ""
    if style.startswith("http-equiv:"):
        return f'<meta http-equiv="Content-Type" content="text/html; charset={style.split(":", 1)[1]}">\n'
    return f'<meta charset="{style}">\n'


def breadcrumb(trail: list[tuple[str | None, str]]) -> str:
    parts = ['<a href="/">首页</a>']
    for href, name in trail:
        parts.append(f'<a href="{href}">{escape(name)}</a>' if href else f"<span>{escape(name)}</span>")
    return '<div class="position">您当前的位置：' + "&nbsp;&gt;&nbsp;".join(parts) + "</div>"


def page(
    title: str,
    main: str,
    *,
    meta_charset: str | None = "utf-8",
    head_extra: str = "",
    body_class: str = "",
    share: bool = False,
) -> str:
    """A complete HTML document: the shared frame around `main`."""
    return "".join(
        (
            '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n',
            charset_meta(meta_charset),
            f"<title>{escape(title)}</title>\n",
            _HEAD_COMMON,
            _INLINE_STYLE,
            head_extra,
            f'</head>\n<body class="{body_class}">\n',
            _TOP,
            '<div class="main w1200 clearfix">\n',
            main,
            _SHARE if share else "",
            "\n</div>\n",
            _FOOTER,
            "</body>\n</html>\n",
        )
    )
