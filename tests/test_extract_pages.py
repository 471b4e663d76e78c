"""Detail pages in each real layout → exact documents rows (seeds 000–004 as portals print them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.document import extract_document
from pipelines.fields import DOCUMENT_FIELD_NAMES

PAGES = Path(__file__).parent / "fixtures" / "pages"
BASE = "http://www.example.gov.cn/xxgk/2019/t20190122_1.html"

# Fields a metadata block can fill; every one is asserted for every layout (None included).
META_FIELDS = (
    "title",
    "column",
    "index_no",
    "doc_no",
    "doc_no_issuer",
    "doc_no_year",
    "doc_no_serial",
    "publish_date",
    "publish_time",
    "publisher",
    "written_date",
    "category",
    "genre",
    "keywords",
    "validity",
    "disclosure_term",
    "disclosure_scope",
    "source",
    "region_code",
    "region_name",
    "region_code_status",
)


def row_of(name: str, content_type: str = "text/html", url: str = BASE) -> dict:
    return extract_document(url, [("Content-Type", content_type)], (PAGES / name).read_bytes(), status=200)


def meta(row: dict) -> dict:
    return {k: row[k] for k in META_FIELDS}


def expected(**values: object) -> dict:
    out = dict.fromkeys(META_FIELDS)
    out.update(values)
    return out


def test_table_layout_seed_003() -> None:
    row = row_of("table_helan_jingui.html")
    assert meta(row) == expected(
        title="贺兰县金贵镇2018年政务公开工作总结暨2019年工作计划",
        column="政府工作报告/工作总结",
        index_no="640122-150/2018-93016",
        doc_no="金政发〔2018〕293号",
        doc_no_issuer="金政发",
        doc_no_year=2018,
        doc_no_serial=293,
        publish_date="2018-12-10",
        publisher="金贵镇人民政府",
        category="政府工作报告/工作总结",
        keywords=["工作总结"],
        disclosure_term="长期公开",
        region_code="640122",
        region_name="宁夏回族自治区银川市贺兰县",
        region_code_status="current",
    )
    assert row["attachments"] == [
        "http://www.example.gov.cn/xxgk/2019/P020181210541263359921.doc",
        "http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=1812101541263359.pdf",
    ]
    assert (row["kind"], row["content_type"], row["status"], row["encoding"]) == (
        "page",
        "text/html",
        200,
        "utf-8",
    )
    text = row["text"]
    assert text.startswith("2018年以来,我镇全面贯彻党的十九大")
    assert text.endswith("金贵镇人民政府\n2018年12月7日\n(此件公开发布)")
    assert row["text_length"] == len(text)
    # neither the metadata block nor the page furniture is repeated in the text
    for chrome in (
        "640122-150/2018-93016",
        "索引号",
        "扫一扫",
        "打印本页",
        "关闭窗口",
        "字体",
        "您当前浏览位置",
        "全国文明县城",
        "网站标识码",
        "附件下载",
        "微博",
        "贺兰县金贵镇2018年政务公开工作总结暨",
    ):
        assert chrome not in text, chrome


def test_trs_layout_seed_002_meta_tags_and_info_line() -> None:
    row = row_of("trs_shaxian_gaoqiao.html")
    assert meta(row) == expected(
        title="高桥镇2018年政府信息公开工作年度报告",
        column="政府信息公开年报",
        publish_date="2019-01-22",
        publish_time="2019-01-22T09:14:00",
        keywords=["年度报告", "政府信息公开"],
        source="沙县高桥镇",
    )
    text = row["text"]
    assert text.startswith("2018年,高桥镇政府信息公开工作在县委")
    assert "发布时间" not in text and "分享到" not in text and "扫一扫" not in text
    # the statistics table: one row per line, cells tab-separated, empty cells kept
    assert "单位\t2018\t历年累计\n主动公开文件数\t208\t2758\n" in text
    assert text.endswith("沙县高桥镇人民政府\n2019年1月10日")
    assert row["attachments"] == ["http://www.example.gov.cn/xxgk/2019/P020190122591231213212.xls"]


def test_div_span_layout_gbk_seed_004() -> None:
    row = row_of("divspan_pingluo_tongfu.gbk.html")
    assert meta(row) == expected(
        title="平罗县通伏乡人民政府2018年政府信息公开年度报告",
        column="政府信息公开年报",
        index_no="640221001/2019-00012",  # a 9-digit organisation code: no region is guessed from it
        doc_no="通政发［2019］3号",
        doc_no_issuer="通政发",
        doc_no_year=2019,
        doc_no_serial=3,
        publish_date="2019-01-24",
        publisher="通伏乡人民政府",
        written_date="2019-01-10",
        category="政府信息公开年报",
        keywords=["年报", "信息公开"],
        validity="有效",
    )
    assert row["encoding"] == "gb18030"
    assert row["text"].startswith("本报告由平罗县通伏乡人民政府")
    assert row["text"].endswith("平罗县通伏乡人民政府\n二〇一九年一月十日")
    assert "浏览次数" not in row["text"] and "索" not in row["text"][:5]


def test_dl_layout_seed_001_with_credit_code_index_and_empty_doc_no() -> None:
    row = row_of("dl_yanchi_gaoshawo.html")
    assert meta(row) == expected(
        title="盐池县高沙窝镇2020年政府信息公开工作年度报告",
        column="政府信息公开年报",
        index_no="11640323MB18512347/2021-00007",
        publish_date="2021-01-20",
        publisher="高沙窝镇人民政府",
        written_date="2021-01-15",
        category="综合政务/政务公开",
        genre="报告",
        validity="现行有效",
        disclosure_scope="主动公开",
        region_code="640323",
        region_name="宁夏回族自治区吴忠市盐池县",
        region_code_status="current",
    )
    assert row["attachments"] == [
        "http://www.example.gov.cn/upload/2021/01/gsw-2020-ndbg.docx",
        "http://www.example.gov.cn/upload/2021/01/gsw-2020-tjb.xlsx",
        "http://www.example.gov.cn/upload/2021/01/tj.et?v=2",
    ]
    assert row["text"].startswith("根据《中华人民共和国政府信息公开条例》第五十条之规定")


def test_li_layout_seed_000_site_name_title_tag() -> None:
    row = row_of("li_shapotou_dongyuan.html")
    assert meta(row) == expected(
        # <title> is only the site name: the heading in the content area is the title
        title="中卫市沙坡头区东园镇人民政府2018年政府信息公开工作年度报告",
        column="年度报告",
        index_no="640502006/2019-00003",
        doc_no="东政发(2019)第5号",
        doc_no_issuer="东政发",
        doc_no_year=2019,
        doc_no_serial=5,
        publish_date="2019-01-11",
        publisher="东园镇人民政府",
        written_date="2019-01-10",
        category="政务公开",
        keywords=["年度报告", "政府信息公开"],
        disclosure_scope="面向社会",
    )
    assert "【打印】" not in row["text"] and "关闭" not in row["text"]


def test_inline_pairs_on_one_line_short_notice() -> None:
    row = row_of("inline_short_notice.html")
    assert meta(row) == expected(
        title="关于2019年元旦放假的通知",
        column="通知公告",
        index_no="640122-150/2018-93101",
        publish_date="2018-12-28",
        publish_time="2018-12-28T10:30:00",
        publisher="金贵镇人民政府",
        region_code="640122",
        region_name="宁夏回族自治区银川市贺兰县",
        region_code_status="current",
    )
    # a three-line notice survives (trafilatura's default minimum size would drop it)
    assert (
        row["text"]
        == "各村、各站所：\n2018年12月30日至2019年1月1日放假调休，共3天。\n特此通知。\n金贵镇人民政府办公室"
    )


def test_every_dataset_field_is_present() -> None:
    row = row_of("table_helan_jingui.html")
    assert list(row) == DOCUMENT_FIELD_NAMES
    # provenance is the caller's
    assert all(
        row[k] is None for k in ("fetched_at", "warc_file", "warc_offset", "warc_record_id", "payload_digest")
    )


def test_include_text_false_skips_the_text_pass() -> None:
    row = extract_document(
        BASE,
        {"content-type": "text/html"},
        (PAGES / "table_helan_jingui.html").read_bytes(),
        include_text=False,
    )
    assert row["text"] is None and row["text_length"] is None
    assert row["index_no"] == "640122-150/2018-93016"


# Small synthetic layouts: one concern each.
def _html(body: str, head: str = "<title>测试页面_某某县人民政府</title>") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


def _row(body: str, **kw: str) -> dict:
    return extract_document("http://x.gov.cn/a/b.html", {"Content-Type": "text/html"}, _html(body, **kw))


def test_label_and_value_in_separate_spans_without_colon() -> None:
    row = _row(
        "<div class='info'><span>索引号</span><span>640122-150/2019-1</span></div>"
        "<div class='info'><span>发布机构</span><span>金贵镇人民政府</span></div><p>正文内容。</p>"
    )
    assert (row["index_no"], row["publisher"]) == ("640122-150/2019-1", "金贵镇人民政府")


def test_th_td_rows_and_label_with_spacer_spans() -> None:
    row = _row(
        "<table><tr><th>索<span></span>引<span></span>号：</th><td>640122-1/2019-2</td></tr>"
        "<tr><th>发文字号：</th><td>贺政发〔2019〕12号</td></tr>"
        "<tr><th>成文日期：</th><td>2019年3月5日</td></tr></table><p>正文。</p>"
    )
    assert (row["index_no"], row["doc_no_serial"], row["written_date"]) == (
        "640122-1/2019-2",
        12,
        "2019-03-05",
    )


def test_empty_value_cell_does_not_take_the_next_paragraph() -> None:
    row = _row(
        "<table><tr><th>索引号</th><td>640122-1/2019-2</td></tr><tr><th>关 键 词</th><td></td></tr></table>"
        "<div class='content'><p>各乡镇人民政府，县直各部门：现将有关事项通知如下。</p></div>"
    )
    assert row["keywords"] is None
    assert row["text"] == "各乡镇人民政府，县直各部门：现将有关事项通知如下。"


def test_listing_header_row_is_not_metadata() -> None:
    # a "related documents" table: 名称 / 日期 headers are not labels of this page
    row = _row(
        "<p>正文第一段。</p><table><tr><td>名称</td><td>数量</td></tr><tr><td>日期</td><td>去年</td></tr></table>"
    )
    assert row["title"] == "测试页面" and row["publish_date"] is None


def test_label_inside_prose_is_not_metadata() -> None:
    row = _row("<p>本次会议的发布日期：由办公室另行通知，来源：群众来信。" + "正文" * 300 + "</p>")
    assert (row["publish_date"], row["source"]) == (None, None)


_DOC_NO_ATOP = (
    "<h1>柘城县人民政府关于开发设立公益性务工岗位的实施意见</h1><div class='content'><p>{first}</p>"
    "<p>柘城县人民政府</p><p>关于开发设立公益性务工岗位的实施意见</p><p>各乡（镇）人民政府、街道办事处，"
    "县人民政府有关部门：为扎实推进全县脱贫攻坚工作纵深开展，充分发挥公益性岗位的积极作用，特制定本实施意见。</p></div>"
)


def test_unlabelled_doc_no_atop_the_body_only_when_none_is_labelled() -> None:
    row = _row(_DOC_NO_ATOP.format(first="柘政〔2018〕16号"))
    assert (row["doc_no"], row["doc_no_issuer"], row["doc_no_year"], row["doc_no_serial"]) == (
        "柘政〔2018〕16号",
        "柘政",
        2018,
        16,
    )
    labelled = _row(
        "<div class='info'>文号：柘政〔2018〕17号</div>" + _DOC_NO_ATOP.format(first="柘政〔2018〕16号")
    )
    assert labelled["doc_no"] == "柘政〔2018〕17号"  # the label wins
    assert _row(_DOC_NO_ATOP.format(first="根据柘政〔2018〕16号文件精神，现通知如下"))["doc_no"] is None


def test_the_block_beats_a_sidebar_item_that_comes_first() -> None:
    row = _row(
        "<div class='side'><ul><li>某某通知</li><li>发布时间：2017-03-03</li></ul></div>"
        "<table><tr><td>索引号：</td><td>640122-1/2019-2</td><td>发布日期：</td><td>2019-06-01</td></tr>"
        "<tr><td>发布机构：</td><td>金贵镇人民政府</td></tr></table><p>正文。</p>"
    )
    assert (row["publish_date"], row["index_no"], row["publisher"]) == (
        "2019-06-01",
        "640122-1/2019-2",
        "金贵镇人民政府",
    )


def test_trs_meta_tags_fill_what_the_page_lacks_but_site_keywords_are_ignored() -> None:
    trs = _row(
        "<p>正文。</p>",
        head="<title>x</title><meta name='ArticleTitle' content='关于印发某某办法的通知'>"
        "<meta name='PubDate' content='2020-05-06 08:00'><meta name='ContentSource' content='县政府办'>"
        "<meta name='ColumnName' content='政策文件'><meta name='Keywords' content='办法;通知'>",
    )
    assert (
        trs["title"],
        trs["publish_date"],
        trs["publish_time"],
        trs["source"],
        trs["column"],
        trs["keywords"],
    ) == (
        "关于印发某某办法的通知",
        "2020-05-06",
        "2020-05-06T08:00:00",
        "县政府办",
        "政策文件",
        ["办法", "通知"],
    )
    plain = _row(
        "<p>正文。</p>",
        head="<title>关于某事的通知-某某县人民政府门户网站</title>"
        "<meta name='keywords' content='某某县,人民政府,门户网站'>",
    )
    assert (plain["title"], plain["keywords"]) == ("关于某事的通知", None)


def test_title_is_never_the_site_name() -> None:
    row = _row(
        "<div class='logo'><h1>某某县人民政府</h1></div><p>正文。</p>", head="<title>某某县人民政府</title>"
    )
    assert row["title"] is None


def test_heading_confirmed_by_a_truncated_title_tag() -> None:
    full = "关于进一步加强和改进全县政府信息公开工作的实施意见"
    row = _row(
        f"<h2 class='article-title'>{full}</h2><p>正文。</p>",
        head=f"<title>{full[:12]}…_某某县人民政府</title>",
    )
    assert row["title"] == full


def test_breadcrumb_column_with_gt_entities() -> None:
    row = _row("<div>当前位置：<a>首页</a> &gt; <a>信息公开</a> &gt; <a>财政资金</a></div><p>正文。</p>")
    assert row["column"] == "财政资金"


@pytest.mark.parametrize(
    "body", [b"", b"\x00\x01\x02", b"<html", b"<<<>>>" * 100, "没有标签的纯文本".encode()]
)
def test_garbage_never_raises(body: bytes) -> None:
    row = extract_document("http://x.gov.cn/a.html", {"Content-Type": "text/html"}, body)
    assert row["kind"] == "page" and list(row) == DOCUMENT_FIELD_NAMES
