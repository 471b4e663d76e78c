"""The documents dataset: field names, types and Chinese labels (the data dictionary).

This list is the single source of truth for the dataset's columns: the
extractors fill these keys, the dataset writers build the Parquet schema from
it, and `docs/data-dictionary.md` is generated from it. Absent = None.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    label_zh: str
    type: str  # "string" | "int64" | "date" | "timestamp" | "list<string>" | "bool"
    example: str
    description: str


DOCUMENT_FIELDS: list[Field] = [
    # identity
    Field(
        "doc_id",
        "文档编号",
        "string",
        "3f2a9c0d1b7e4a55",
        "stable id: first 16 hex digits of SHA-1 over the canonical URL (pipelines.urls)",
    ),
    Field("url", "网址", "string", "http://example.gov.cn/xxgk/202503/t20250310_97791.htm", "URL fetched"),
    Field(
        "kind",
        "类型",
        "string",
        "page",
        "page (HTML) or attachment (PDF, Word, WPS, Excel, OFD, ZIP…), decided by magic bytes, then type, then extension",
    ),
    Field("parent_url", "所属页面", "string", "", "for an attachment: the detail page that links it"),
    Field("content_type", "内容类型", "string", "text/html", "media type as served (without parameters)"),
    Field("status", "HTTP 状态", "int64", "200", "HTTP status code of the archived response"),
    Field(
        "column",
        "栏目",
        "string",
        "政策文件",
        "column (栏目) the page declares (ColumnName meta, 栏目 row, last breadcrumb crumb) or was listed in",
    ),
    # the 信息公开 metadata block
    Field("title", "标题", "string", "关于印发……的通知", "document title from the page, not the site name"),
    Field("index_no", "索引号", "string", "640122-150/2018-93016", "索引号 as printed"),
    Field("doc_no", "文号", "string", "金政发〔2018〕293号", "文号 / 发文字号 as printed"),
    Field("doc_no_issuer", "发文机关代字", "string", "金政发", "文号 issuer code"),
    Field("doc_no_year", "文号年份", "int64", "2018", "文号 year"),
    Field("doc_no_serial", "文号序号", "int64", "293", "文号 serial number"),
    Field(
        "publish_date",
        "发布日期",
        "date",
        "2018-12-10",
        "发布日期 / 发布时间 / 公开日期 (or the PubDate meta), ISO 8601",
    ),
    Field("publish_time", "发布时间", "timestamp", "2019-01-22T09:14:00", "when the page gives a time too"),
    Field("publisher", "发布机构", "string", "金贵镇人民政府", "发布机构 / 发文机关"),
    Field("written_date", "成文日期", "date", "2018-12-06", "成文日期 / 生成日期, ISO 8601"),
    Field("category", "主题分类", "string", "政府工作报告/工作总结", "主题分类 / 所属分类"),
    Field("genre", "体裁分类", "string", "通知", "体裁分类"),
    Field("keywords", "关键词", "list<string>", "工作总结", "关键词, split on separators"),
    Field("validity", "有效性", "string", "有效", "有效性"),
    Field("disclosure_term", "公开时限", "string", "长期公开", "公开时限"),
    Field("disclosure_scope", "公开范围", "string", "面向社会", "公开方式 / 公开范围"),
    Field("source", "来源", "string", "沙县高桥镇", "来源 / 信息来源"),
    Field(
        "region_code",
        "行政区划代码",
        "string",
        "640122",
        "division code from the 索引号: its 6-digit prefix or the digits 3–8 of a 统一社会信用代码",
    ),
    Field(
        "region_name",
        "行政区划名称",
        "string",
        "宁夏回族自治区银川市贺兰县",
        "full name of region_code (for a retired code: its last name), from pipelines/data/divisions.tsv",
    ),
    Field("region_code_status", "区划代码状态", "string", "current", "current | retired | unknown"),
    # content
    Field(
        "text",
        "正文",
        "string",
        "2018年以来，我镇……",
        "main text without the metadata block and page furniture; table rows as tab-separated lines; attachments: full text, PDF pages separated by form feeds",
    ),
    Field("text_length", "正文字数", "int64", "1234", "characters in text"),
    Field(
        "attachments", "附件", "list<string>", "http://…/P020190122.pdf", "attachment URLs linked from a page"
    ),
    Field("encoding", "字符编码", "string", "gb18030", "encoding the page was decoded with"),
    Field(
        "extraction_error",
        "提取错误",
        "string",
        "",
        "why the document (or part of it) could not be read: encrypted, corrupt, unsupported, undecodable bytes",
    ),
    # provenance
    Field("fetched_at", "抓取时间", "timestamp", "2026-11-25T09:14:00Z", "WARC-Date of the response record"),
    Field("warc_file", "WARC 文件", "string", "demo-20261125091400-00000.warc.gz", "WARC file name"),
    Field("warc_offset", "WARC 偏移", "int64", "1234", "offset of the response record in the file"),
    Field("warc_length", "WARC 长度", "int64", "5678", "length of the (compressed) record"),
    Field(
        "warc_record_id", "WARC 记录编号", "string", "<urn:uuid:…>", "WARC-Record-ID of the response record"
    ),
    Field("payload_digest", "内容摘要", "string", "sha1:…", "WARC-Payload-Digest of the response"),
    Field(
        "replay_url",
        "回放地址",
        "string",
        "/demo/20261125091400/http://xxgk.example.gov.cn/a.html",
        "the capture in pywb at its own time, relative to the replay server (`xxgk replay`, `xxgk serve`)",
    ),
    # versions across incremental runs (`xxgk run`; null from `xxgk crawl` and `xxgk parse`)
    Field(
        "version",
        "版本",
        "int64",
        "2",
        "1 for the first capture of the URL, +1 for each changed capture (and for the removal)",
    ),
    Field(
        "change",
        "变化",
        "string",
        "changed",
        "new, changed or removed (an unchanged document gets no new row)",
    ),
    Field(
        "previous_record_id",
        "上一版本记录",
        "string",
        "<urn:uuid:…>",
        "WARC-Record-ID of the previous version's response record",
    ),
    Field(
        "first_seen",
        "首次发现时间",
        "timestamp",
        "2026-11-25T09:14:00Z",
        "when a crawl first found the URL linked or fetched it",
    ),
    Field(
        "removed_reason",
        "删除原因",
        "string",
        "HTTP 404",
        "for change = removed: why the document counts as removed",
    ),
]

DOCUMENT_FIELD_NAMES: list[str] = [f.name for f in DOCUMENT_FIELDS]


def empty_document() -> dict:
    """A row with every field present and None, so absent stays null, not missing."""
    return dict.fromkeys(DOCUMENT_FIELD_NAMES)
