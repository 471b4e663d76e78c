"""Label data: what portals print in their 信息公开 metadata blocks, and which field each means.

Pure data, no logic (the matching lives in `metadata.py`), so adding a portal's variant is a
one-line change. Labels are written without spaces or colons: matching first removes every
kind of whitespace (索 引 号, 索&nbsp;引&nbsp;号) and trailing colons (: ：).
"""

from __future__ import annotations

# field name -> labels, most common first. A label maps to exactly one field.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "信息索引号", "索取号", "索引编号", "信息索引", "统一编号"),
    "doc_no": ("文号", "发文字号", "发文文号", "文件编号", "文件文号", "发文编号", "文件字号"),
    "publish_date": (
        "发布日期",
        "发布时间",
        "公开日期",
        "公开时间",
        "发文日期",
        "发布于",
        "信息发布日期",
        "信息发布时间",
        "上传时间",
        "日期",
    ),
    "publisher": (
        "发布机构",
        "发文机关",
        "发布单位",
        "发文单位",
        "发布部门",
        "发文机构",
        "制发机关",
        "发布机关",
        "公开主体",
        "信息公开主体",
        "发布主体",
        "所属机构",
        "责任部门",
        "公开单位",
        "信息发布机构",
    ),
    "written_date": ("成文日期", "生成日期", "生成时间", "成文时间", "印发日期", "签发日期"),
    "category": ("主题分类", "所属分类", "信息分类", "分类", "所属类别", "主题类别", "信息类别", "组配分类"),
    "genre": ("体裁分类", "体裁", "文种", "公文种类"),
    "keywords": ("关键词", "主题词", "关键字"),
    "validity": ("有效性", "时效性", "效力状态", "有效状态"),
    "disclosure_term": ("公开时限",),
    "disclosure_scope": ("公开方式", "公开范围", "公开形式", "公开类型"),
    "source": ("来源", "信息来源", "文章来源", "稿件来源", "来源单位"),
    "title": ("标题", "名称", "文件名称", "信息名称", "文件标题", "公文标题"),
    "column": ("所属栏目", "栏目", "所在栏目"),
}

# A field's own name beats its looser aliases when a page prints both (Jiangxi's 集约化 platform
# prints 公开方式：主动公开 before 公开范围：面向全社会; the scope is the second).
PREFERRED_LABELS: frozenset[str] = frozenset({"公开范围"})

# Labels too common in prose and listing headers to trust without a colon or a metadata block
# around them (see metadata._accepted).
GENERIC_LABELS: frozenset[str] = frozenset(
    {
        "日期",
        "名称",
        "标题",
        "分类",
        "来源",
        "栏目",
        "体裁",
        "文种",
        "发布于",
        "关键字",
        "上传时间",
        "所属机构",
        "责任部门",
    }
)

# Labels that look like ours but are something else: a row "发布日期" followed by one of these
# is a listing's header row, not a value.
NOT_VALUES: frozenset[str] = frozenset(
    {
        "浏览次数",
        "访问量",
        "点击数",
        "阅读次数",
        "字号",
        "字体",
        "打印",
        "关闭",
        "分享到",
        "责任编辑",
        "作者",
        "编辑",
        "审核",
        "签发",
        "点击率",
        "浏览量",
        "访问次数",
    }
)

# A 文号 printed with no label, alone on one of the first lines of the body (柘政〔2018〕16号 above
# the headline, as the paper document prints it): read only when the page labels none.
UNLABELLED_DOC_NO_LINES = 3

# <meta name=…> as written by TRS WCM (and gov.cn's firstpublishedtime) -> field, compared lowercased.
META_TAGS: dict[str, str] = {
    "articletitle": "title",
    "pubdate": "publish_date",
    "publishdate": "publish_date",
    "firstpublishedtime": "publish_date",
    "contentsource": "source",
    "keywords": "keywords",
    "columnname": "column",
}

# <meta> names that are page-specific only on CMSs that write per-article meta (TRS WCM and its
# imitators); elsewhere <meta name="keywords"> is the site's SEO list, not the document's 关键词.
TRS_MARKER_META: frozenset[str] = frozenset({"articletitle", "pubdate", "contentsource"})
TRS_ONLY_META: frozenset[str] = frozenset({"keywords"})

# <meta name="others" content="页面生成时间 …">: the platform's page build time. A PubDate meta equal
# to it is when the page was last rebuilt, not when the document was published (Jiangxi's 集约化
# platform rebuilds old pages: 发布日期 2017-05-15 printed, PubDate 2022-04-24 = 页面生成时间).
PAGE_BUILD_TIME_META: dict[str, str] = {"others": "页面生成时间"}

# Breadcrumb markers (您当前的位置：首页 > 政务公开 > …) and their crumb separators.
BREADCRUMB_PREFIXES: tuple[str, ...] = (
    "您当前的位置",
    "您当前位置",
    "您的位置",
    "您当前浏览位置",
    "当前位置",
    "您现在的位置",
    "您所在的位置",
    "所在位置",
    "当前所在位置",
    "现在位置",
)
BREADCRUMB_SEPARATORS: str = ">＞»›→/"
# Crumbs that name no column.
NON_COLUMN_CRUMBS: frozenset[str] = frozenset(
    {"正文", "详情", "内容", "详细内容", "阅读", "正文内容", "首页", "网站首页"}
)

# Site-name hints: a short <title> part or heading ending like this is the portal's name.
SITE_NAME_SUFFIXES: tuple[str, ...] = (
    "人民政府",
    "人民政府网",
    "人民政府网站",
    "人民政府门户网站",
    "政府网",
    "政府门户网站",
    "门户网站",
    "政务网",
    "网站",
    "首页",
)
# Weaker hints, trusted only for <title> parts after the first (a document may be called
# "2018年政务公开", but "…_政府信息公开_贺兰县人民政府" names sections of the site).
SITE_SECTION_SUFFIXES: tuple[str, ...] = (
    "政府信息公开",
    "信息公开平台",
    "信息公开网",
    "政府信息公开平台",
    "政务公开",
    "网",
)

# Separators between the document title and the site name in <title>.
TITLE_SEPARATORS: tuple[str, ...] = ("_", " - ", "-", "|", "｜", " — ", "—", "--", "——", "::", " · ")

# Class/id fragments of the element that holds a detail page's headline.
TITLE_CLASS_HINTS: tuple[str, ...] = (
    "title",
    "tit",
    "bt",
    "headline",
    "biaoti",
    "article-title",
    "xl_tit",
    "detail-title",
    "news_title",
    "content-title",
    "con-title",
    "wzbt",
    "xxgk_title",
    "zw-title",
)
