"""Documents of the demo portal: titles, metadata as printed, bodies, attachments.

A `DocSpec` is everything the page renderer and the ground truth need about
one detail page. Generated documents draw on a vocabulary of real county
government topics and on paragraphs of the seed documents; the seeds
themselves become the annual-report column with their real metadata.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from crawler.demo import formats
from crawler.demo.columns import ColumnDef
from crawler.demo.corpus import REGIONS, TOPICS, Block, Region, SeedDoc, paragraph_pool
from crawler.demo.layouts import TEMPLATES, MetaRow
from crawler.demo.model import METADATA_FIELDS


@dataclass
class AttSpec:
    ext: str  # pdf | docx | xlsx
    title: str  # heading inside the file
    link_text: str
    blocks: tuple[Block, ...] = ()
    rows: tuple[tuple[str | int | float, ...], ...] = ()  # xlsx
    inline: bool = False  # linked inside the body text rather than in the 附件 block
    path: str = ""
    href: str = ""


@dataclass
class DocSpec:
    col: ColumnDef
    title: str
    when: datetime  # publication time (Asia/Shanghai wall clock)
    layout: str
    blocks: tuple[Block, ...]
    values: dict[str, Any]  # ground-truth metadata (METADATA_FIELDS)
    meta_rows: list[MetaRow] = field(default_factory=list)
    pub_meta: str | None = None  # trs
    info_line: str | None = None  # trs
    source: str | None = None
    encoding: str = "utf-8"
    http_charset: str | None = "utf-8"
    meta_charset: str | None = "utf-8"  # declared name in the HTML
    meta_style: str | None = "utf-8"  # chrome.charset_meta style
    attachments: list[AttSpec] = field(default_factory=list)
    seed: str | None = None
    raw_body: str | None = None  # extra report pages: HTML body as given
    revision: int = 0  # build_site(revision=…) that first published it
    doc_id: int = 0
    path: str = ""


# kind -> title templates (template, 体裁分类). Placeholders: {pub} 发布机构,
# {short} its short name, {county} region name, {year}, {topic}.
TITLE_TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "policy": (
        ("{pub}关于印发《{county}{year}年{topic}实施方案》的通知", "通知"),
        ("{pub}关于做好{year}年{topic}工作的通知", "通知"),
        ("{pub}关于进一步加强{topic}工作的实施意见", "意见"),
        ("{pub}关于调整{topic}工作领导小组成员的通知", "通知"),
        ("{pub}关于开展{year}年{topic}专项行动的通知", "通知"),
    ),
    "rules": (
        ("{county}{topic}管理办法", "办法"),
        ("{pub}{topic}工作制度", "制度"),
        ("{pub}关于印发《{topic}工作规程》的通知", "通知"),
        ("{county}{topic}实施细则（{year}年修订）", "细则"),
    ),
    "notice": (
        ("关于{year}年{topic}的公示", "公示"),
        ("{pub}关于开展{topic}工作的公告", "公告"),
        ("{pub}关于{topic}有关事项的通知", "通知"),
        ("{county}{year}年{topic}资金发放情况公示", "公示"),
    ),
    "plan": (
        ("{county}{year}年{topic}工作计划", "计划"),
        ("{pub}{year}年{topic}工作要点", "计划"),
        ("{short}{year}年{topic}工作安排", "计划"),
    ),
    "finance": (
        ("{pub}{year}年部门预算公开", "预算"),
        ("{pub}{year}年部门决算公开", "决算"),
        ("{pub}{year}年“三公”经费预算情况说明", "说明"),
        ("{pub}关于下达{year}年{topic}补助资金的通知", "通知"),
        ("{short}{year}年{topic}专项资金分配情况公示", "公示"),
    ),
    "org": (
        ("{pub}主要职责", "其他"),
        ("{pub}内设机构及职能", "其他"),
        ("{pub}领导班子成员及分工（{year}年）", "其他"),
    ),
    "personnel": (
        ("{county}{year}年公开招聘{topic}专干公告", "公告"),
        ("{short}{year}年公益性岗位拟聘用人员公示", "公示"),
        ("{pub}关于{year}年{topic}岗位人员调整的通知", "通知"),
    ),
    "news": (
        ("{short}召开{year}年{topic}工作推进会", "其他"),
        ("{short}扎实开展{topic}工作", "其他"),
        ("{short}多措并举推进{topic}", "其他"),
        ("{county}{topic}工作取得阶段性成效", "其他"),
    ),
    "guide": (("{pub}政府信息公开指南（{year}年修订）", "指南"),),
    "reports": (("{pub}{year}年政府信息公开工作年度报告", "报告"),),
}

OPENINGS: dict[str, tuple[str, ...]] = {
    "policy": (
        "各乡镇人民政府，县直各部门、各单位：为进一步做好{topic}工作，根据上级有关文件精神，结合{county}实际，现就{title}有关事项通知如下，请认真贯彻执行。",
        "为深入贯彻落实上级关于{topic}的决策部署，扎实推进{title}所涉各项工作，经研究，现就有关事项通知如下。",
    ),
    "notice": (
        "根据{county}{topic}工作安排，现将{title}有关情况予以公示，公示期为7个工作日。如有异议，请在公示期内向{pub}反映。",
        "为切实做好{topic}工作，{pub}决定开展{title}相关工作，现将有关事项公告如下。",
    ),
    "news": (
        "{date}，{short}召开专题会议，围绕{topic}工作进行安排部署，会议传达学习了上级关于{topic}的文件精神（{title}）。",
        "今年以来，{short}坚持问题导向，多措并举推进{topic}工作，{title}相关工作取得阶段性成效。",
    ),
    "default": (
        "为规范和推进{topic}工作，{pub}结合工作实际，形成{title}，现予以公开。",
        "现将{title}全文公开如下，供社会公众查阅。",
    ),
}

_SIGNED_KINDS = {"policy", "notice", "plan", "finance", "rules", "personnel", "guide"}
START = datetime(2016, 1, 4, 8, 0)
END = datetime(2025, 6, 30, 18, 0)


def short_name(publisher: str) -> str:
    """金贵镇人民政府 -> 金贵镇; 贺兰县人民政府办公室 -> 贺兰县政府办."""
    name = publisher.replace("人民政府办公室", "政府办").replace("人民政府", "")
    return name or publisher


def pick_weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _random_when(rng: random.Random) -> datetime:
    span = (END - START).days
    day = START + timedelta(days=rng.randrange(span))
    while day.weekday() >= 5:  # offices publish on working days
        day += timedelta(days=1)
    return day.replace(hour=rng.randint(8, 18), minute=rng.randrange(60))


def empty_values() -> dict[str, Any]:
    return dict.fromkeys(METADATA_FIELDS)


def _parse_doc_no(doc_no: str) -> tuple[str, int, int]:
    m = re.match(r"^(.*?)[〔\[【(［（](\d{4})[〕\]】)］）]第?(\d+)号$", doc_no)
    assert m, doc_no
    return m.group(1), int(m.group(2)), int(m.group(3))


def table_metadata(
    rng: random.Random, layout: str, candidates: dict[str, tuple[str, Any]]
) -> tuple[list[MetaRow], dict[str, Any]]:
    """Rows a table/list template prints, and the ground truth they imply.

    `candidates` maps field -> (printed text, normalised value or None).
    Fields the template does not print stay None in the ground truth.
    """
    rows: list[MetaRow] = []
    values = empty_values()
    for fld, labels in TEMPLATES[layout]:
        printed, value = candidates.get(fld, ("", None))
        rows.append((fld, rng.choice(labels), printed))
        values[fld] = value
        if fld == "publish_date" and value is not None:
            values["publish_time"] = candidates.get("publish_time", ("", None))[1]
        if fld == "doc_no" and value is not None:
            values["doc_no_issuer"], values["doc_no_year"], values["doc_no_serial"] = _parse_doc_no(value)
        if fld == "index_no" and value is not None:
            values["region_code"] = value[:6]
    return rows, values


def _body(
    rng: random.Random, kind: str, fill: dict[str, str], signer: str | None, written: datetime
) -> tuple[str, ...]:
    pool = paragraph_pool()
    opening = rng.choice(OPENINGS.get(kind, OPENINGS["default"])).format(**fill)
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(8, 15)))
    paras = [opening, *chosen]
    if signer and kind in _SIGNED_KINDS:
        paras += [signer, formats.format_date(written, rng.choice(("zh", "cn")))]
    return tuple(paras)


def generate_document(
    rng: random.Random,
    col: ColumnDef,
    used_titles: set[str],
    *,
    column_path: str,
    when: datetime | None = None,
) -> DocSpec:
    """One generated detail page of column `col` (published at `when`, or a random day)."""
    region: Region = rng.choices(REGIONS, weights=[r.weight for r in REGIONS])[0]
    publisher, issuer, org = rng.choice(region.publishers)
    topic, category, keyword = rng.choice(TOPICS)
    when = when or _random_when(rng)
    templates = TITLE_TEMPLATES[col.kind]
    fill = {"pub": publisher, "short": short_name(publisher), "county": region.short, "topic": topic}
    for _ in range(30):
        template, genre = rng.choice(templates)
        year = when.year - rng.choice((0, 0, 1)) if "预算" in template else when.year
        title = template.format(year=year, **fill)
        if title not in used_titles:
            break
        topic, category, keyword = rng.choice(TOPICS)
        fill["topic"] = topic
    else:  # vocabulary exhausted (huge sites): number the duplicates as portals do
        n = 2
        while f"{title}（{n}）" in used_titles:
            n += 1
        title = f"{title}（{n}）"
    used_titles.add(title)

    layout = pick_weighted(rng, col.layouts)
    written = when - timedelta(days=rng.randint(0, 20), hours=when.hour, minutes=when.minute)
    blocks = _body(
        rng, col.kind, {**fill, "title": title, "date": f"{when.month}月{when.day}日"}, publisher, written
    )
    spec = DocSpec(col=col, title=title, when=when, layout=layout, blocks=blocks, values=empty_values())

    if layout == "trs":
        short = short_name(publisher)
        source = rng.choice((publisher, short, short if region.short in short else region.short + short))
        stamp = when.strftime("%Y-%m-%d %H:%M")
        label = rng.choice(("发布时间", "发布时间", "发布日期", "时间"))
        colon = rng.choice(("：", ":"))
        sep = rng.choice((" | ", "　", "  "))
        spec.pub_meta, spec.source = stamp, source
        spec.info_line = f"{label}{colon}{stamp}{sep}来源{colon}{source}"
        spec.values.update(title=title, publish_date=when.date().isoformat(), source=source)
        spec.values["publish_time"] = when.replace(second=0).isoformat()
    else:
        pub_style = formats.pick_publish_style(rng)
        has_doc_no = rng.random() < (0.8 if col.kind in ("policy", "rules", "finance") else 0.35)
        if has_doc_no:
            doc_no = formats.format_doc_no(rng, issuer, written.year, rng.randint(1, 320))
            doc_no_c: tuple[str, Any] = (doc_no, doc_no)
        else:
            doc_no_c = (rng.choice(("无", "", "无")), None)
        keywords = [keyword] + ([col.name] if rng.random() < 0.4 else [])
        kw_c: tuple[str, Any] = (formats.format_keywords(rng, keywords), keywords)
        if rng.random() < 0.1:
            kw_c = ("", None)
        validity = rng.choices(("有效", "失效", "废止"), weights=(85, 10, 5))[0]
        index_no = formats.format_index_no(
            region.index_style, region.code, org, when.year, rng.randint(1, 99999)
        )
        cat = category if layout != "table-v1" or rng.random() < 0.5 else column_path
        written_style = formats.pick_written_style(rng)
        candidates: dict[str, tuple[str, Any]] = {
            "title": (title, title),
            "index_no": (index_no, index_no),
            "doc_no": doc_no_c,
            "publish_date": (formats.format_date(when, pub_style), when.date().isoformat()),
            "publish_time": ("", when.replace(second=0).isoformat() if pub_style == "iso_minute" else None),
            "publisher": (publisher, publisher),
            "written_date": (formats.format_date(written, written_style), written.date().isoformat()),
            "category": (cat, cat),
            "genre": (genre, genre),
            "keywords": kw_c,
            "validity": (validity, validity),
            "disclosure_term": (rng.choice(("长期公开", "长期公开", "限时公开")),) * 2,
            "disclosure_scope": ("主动公开", "主动公开"),
        }
        spec.meta_rows, spec.values = table_metadata(rng, layout, candidates)
        spec.values["title"] = title
    spec.values["column"] = col.name
    return spec


def attachment_for(rng: random.Random, spec: DocSpec, n: int, ext: str) -> AttSpec:
    """Attachment `n` of a generated document: an annex with its own text."""
    # "…关于印发《X实施方案》的通知" -> "X实施方案"; "…关于做好X工作的通知" -> "做好X工作"
    topic = spec.title.split("关于", 1)[-1].removeprefix("印发《").split("》")[0].removesuffix("的通知")
    names = {
        "pdf": ("实施方案", "工作方案", "情况说明", "任务分解表"),
        "docx": ("申报表", "工作台账", "情况统计表", "报名表"),
        "xlsx": ("资金分配明细表", "项目清单", "预算明细表"),
    }
    title = f"{topic}{rng.choice(names[ext])}"
    pool = paragraph_pool()
    blocks: tuple[Block, ...] = tuple(rng.sample(pool, k=min(len(pool), rng.randint(2, 4))))
    rows: tuple[tuple[str | int | float, ...], ...] = ()
    if ext == "docx":
        table = (
            ("序号", "单位", "工作内容", "完成时限"),
            *(
                (
                    str(i),
                    rng.choice(REGIONS).publishers[0][0],
                    rng.choice(TOPICS)[0],
                    f"{spec.when.year}年{rng.randint(1, 12)}月底前",
                )
                for i in range(1, rng.randint(3, 6))
            ),
        )
        blocks = (*blocks, table)
    if ext == "xlsx":
        rows = (
            (title,),  # the sheet's title row, as budget tables carry it
            ("序号", "项目名称", "实施单位", "金额（万元）"),
            *(
                (
                    i,
                    f"{rng.choice(TOPICS)[0]}项目",
                    rng.choice(REGIONS).publishers[0][0],
                    round(rng.uniform(1, 500), 2),
                )
                for i in range(1, rng.randint(4, 9))
            ),
        )
        blocks = ()
    ext_name = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx"}[ext]
    link = f"附件{n}：{title}{ext_name if rng.random() < 0.7 else ''}"
    return AttSpec(ext=ext, title=title, link_text=link, blocks=blocks, rows=rows, inline=rng.random() < 0.3)


# The five seeds with the metadata their pages carry. Reports are published
# the year after the year they report on.
SEED_PAGES: dict[str, dict[str, Any]] = {
    "000": {
        "layout": "table-v1",
        "when": datetime(2019, 1, 28, 10, 5),
        "rows": {
            "index_no": "640502-110/2019-00012",
            "doc_no": "",
            "publish_date": "2019-01-28",
            "publisher": "沙坡头区东园镇人民政府",
            "disclosure_term": "长期公开",
            "category": "政府信息公开年报",
            "keywords": "年度报告；政府信息公开",
        },
        "keywords": ["年度报告", "政府信息公开"],
        "attachments": ("pdf", "docx"),
    },
    "001": {
        "layout": "table-v3",
        "when": datetime(2021, 1, 20, 16, 30),
        "rows": {
            "index_no": "640323-140/2021-00031",
            "category": "政府信息公开年报",
            "publisher": "盐池县高沙窝镇人民政府",
            "written_date": "2021年1月15日",
            "doc_no": "无",
            "keywords": "年报",
            "validity": "有效",
            "disclosure_scope": "主动公开",
            "publish_date": "2021-01-20",
        },
        "keywords": ["年报"],
        "written": "2021-01-15",
        "attachments": ("pdf", "docx"),
    },
    "002": {
        "layout": "trs",
        "when": datetime(2019, 1, 22, 9, 14),
        "source": "沙县高桥镇",
        "info_line": "发布时间:2019-01-22 09:14 | 来源:沙县高桥镇",
        "attachments": ("pdf", "docx"),
    },
    "003": {
        "layout": "table-v1",
        "when": datetime(2018, 12, 10, 15, 2),
        "rows": {
            "index_no": "640122-150/2018-93016",
            "doc_no": "金政发〔2018〕293号",
            "publish_date": "2018-12-10",
            "publisher": "金贵镇人民政府",
            "disclosure_term": "长期公开",
            "category": "政府工作报告/工作总结",
            "keywords": "工作总结",
        },
        "labels": {"index_no": "索 引 号", "doc_no": "文 号", "keywords": "关 键 词"},
        "keywords": ["工作总结"],
        "attachments": (),
    },
    "004": {
        "layout": "table-v2",
        "when": datetime(2019, 1, 25, 11, 40),
        "rows": {
            "index_no": "640221-130/2019-00008",
            "category": "综合政务/政务公开",
            "publisher": "平罗县通伏乡人民政府",
            "written_date": "2019年1月24日",
            "title": "",
            "doc_no": "",
            "publish_date": "2019-01-25",
            "validity": "有效",
            "genre": "报告",
        },
        "written": "2019-01-24",
        "attachments": ("pdf", "docx"),
        # a GBK page whose HTTP header carries no charset: only <meta charset> tells
        "encoding": ("gbk", None, "gbk"),
    },
}


def seed_document(rng: random.Random, seed: SeedDoc, col: ColumnDef) -> DocSpec:
    """A seed as a detail page of the annual-report column, with its real metadata."""
    conf = SEED_PAGES[seed.key]
    when: datetime = conf["when"]
    spec = DocSpec(
        col=col, title=seed.title, when=when, layout=conf["layout"], blocks=seed.blocks, values=empty_values()
    )
    spec.seed = seed.key
    if spec.layout == "trs":
        spec.pub_meta = when.strftime("%Y-%m-%d %H:%M")
        spec.source = conf["source"]
        spec.info_line = conf["info_line"]
        spec.values.update(
            title=seed.title,
            publish_date=when.date().isoformat(),
            publish_time=when.isoformat(),
            source=conf["source"],
        )
    else:
        rows: dict[str, str] = dict(conf["rows"])
        rows["title"] = seed.title
        candidates: dict[str, tuple[str, Any]] = {}
        for fld, printed in rows.items():
            value: Any = printed if printed not in ("", "无") else None
            if fld == "publish_date":
                value = when.date().isoformat()
            elif fld == "written_date":
                value = conf["written"]
            elif fld == "keywords":
                value = conf["keywords"]
            candidates[fld] = (printed, value)
        spec.meta_rows, spec.values = table_metadata(rng, spec.layout, candidates)
        labels = conf.get("labels", {})
        spec.meta_rows = [(f, labels.get(f, lab), v) for f, lab, v in spec.meta_rows]
        spec.values["title"] = seed.title
    spec.values["column"] = col.name
    if "encoding" in conf:
        spec.encoding, spec.http_charset, spec.meta_charset = conf["encoding"]
        spec.meta_style = spec.meta_charset
    for ext in conf["attachments"]:
        spec.attachments.append(
            AttSpec(ext=ext, title=seed.title, link_text=f"{seed.title}.{ext}", blocks=seed.blocks)
        )
    return spec
