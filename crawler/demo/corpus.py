"""The text the demo portal is made of: the five real seed documents and a vocabulary.

The seeds (crawler/demo/data/seed_*.txt) are real pages and reports as text.
They are served verbatim as the annual-report column, and their paragraphs
are mixed to give every generated document a realistic body.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")

# A body is a sequence of blocks: a paragraph (str) or a table (tuple of rows).
Table = tuple[tuple[str, ...], ...]
Block = str | Table


@dataclass(frozen=True)
class Region:
    code: str  # 6-digit 行政区划代码, the 索引号 prefix
    short: str  # as in titles: 贺兰县
    publishers: tuple[tuple[str, str, int], ...]  # (发布机构, 文号代字, 索引号机构码)
    index_style: str  # see formats.format_index_no
    weight: int


# Real codes of 宁夏 counties, plus 649999 which is no real division: the
# region-code lookup downstream must report it as unknown, not guess.
REGIONS: tuple[Region, ...] = (
    Region(
        "640122",
        "贺兰县",
        (
            ("贺兰县人民政府", "贺政发", 1),
            ("贺兰县人民政府办公室", "贺政办发", 2),
            ("金贵镇人民政府", "金政发", 150),
            ("立岗镇人民政府", "立政发", 151),
            ("习岗镇人民政府", "习政发", 152),
        ),
        "slash",
        40,
    ),
    Region(
        "640104",
        "兴庆区",
        (
            ("银川市兴庆区人民政府办公室", "兴政办发", 2),
            ("兴庆区掌政镇人民政府", "掌政发", 120),
            ("兴庆区大新镇人民政府", "大新政发", 121),
        ),
        "compact",
        10,
    ),
    Region(
        "640181",
        "灵武市",
        (
            ("灵武市人民政府办公室", "灵政办发", 2),
            ("灵武市宁东镇人民政府", "宁东政发", 21),
            ("灵武市崇兴镇人民政府", "崇政发", 22),
        ),
        "dash",
        10,
    ),
    Region(
        "640221",
        "平罗县",
        (
            ("平罗县人民政府办公室", "平政办发", 2),
            ("平罗县通伏乡人民政府", "通政发", 130),
            ("平罗县姚伏镇人民政府", "姚政发", 131),
        ),
        "slash",
        10,
    ),
    Region(
        "640323",
        "盐池县",
        (
            ("盐池县人民政府办公室", "盐政办发", 2),
            ("盐池县高沙窝镇人民政府", "高政发", 140),
            ("盐池县花马池镇人民政府", "花政发", 141),
        ),
        "slash",
        10,
    ),
    Region(
        "640502",
        "沙坡头区",
        (
            ("中卫市沙坡头区人民政府办公室", "卫沙政办发", 2),
            ("沙坡头区东园镇人民政府", "东政发", 110),
            ("沙坡头区宣和镇人民政府", "宣政发", 111),
        ),
        "slash",
        10,
    ),
    Region("649999", "示范县", (("示范县红星乡人民政府", "红政发", 101),), "slash", 4),
)

REGION_BY_CODE: dict[str, Region] = {r.code: r for r in REGIONS}

TOPICS: tuple[tuple[str, str, str], ...] = (
    # (topic, 主题分类, keyword)
    ("政务公开工作要点", "综合政务/政务公开", "政务公开"),
    ("安全生产大检查", "公安、安全生产、司法/安全生产", "安全生产"),
    ("农村危房改造", "城乡建设、环境保护/住房保障", "危房改造"),
    ("脱贫攻坚", "民政、扶贫、救灾/扶贫", "脱贫攻坚"),
    ("秸秆禁烧", "城乡建设、环境保护/环境监测、保护与治理", "秸秆禁烧"),
    ("冬春农田水利基本建设", "农业、林业、水利/水利", "农田水利"),
    ("防汛抗旱", "农业、林业、水利/水利", "防汛抗旱"),
    ("城乡居民基本医疗保险", "劳动、人事、监察/社会保障", "医疗保险"),
    ("村级财务公开", "财政、金融、审计/财政", "财务公开"),
    ("河长制", "城乡建设、环境保护/其他", "河长制"),
    ("农村人居环境整治", "城乡建设、环境保护/其他", "人居环境"),
    ("临时救助资金发放", "民政、扶贫、救灾/社会救助", "临时救助"),
    ("耕地地力保护补贴", "农业、林业、水利/农业、畜牧业、渔业", "惠农补贴"),
    ("森林草原防火", "农业、林业、水利/林业", "森林防火"),
    ("扫黑除恶专项斗争", "公安、安全生产、司法/公安", "扫黑除恶"),
    ("农村集体产权制度改革", "农业、林业、水利/农业、畜牧业、渔业", "产权制度改革"),
    ("残疾人两项补贴", "民政、扶贫、救灾/其他", "残疾人补贴"),
    ("高标准农田建设", "农业、林业、水利/农业、畜牧业、渔业", "高标准农田"),
    ("重点项目建设", "国民经济管理、国有资产监管/其他", "重点项目"),
    ("优化营商环境", "国民经济管理、国有资产监管/其他", "营商环境"),
    ("消防安全", "公安、安全生产、司法/安全生产", "消防安全"),
    ("食品安全", "卫生、体育/食品药品安全", "食品安全"),
    ("义务教育控辍保学", "科技、教育/教育", "控辍保学"),
    ("生态移民", "民政、扶贫、救灾/扶贫", "生态移民"),
    ("乡村振兴", "农业、林业、水利/其他", "乡村振兴"),
    ("农村饮水安全", "农业、林业、水利/水利", "饮水安全"),
    ("防范电信网络诈骗", "公安、安全生产、司法/公安", "反诈"),
    ("粮食生产", "农业、林业、水利/农业、畜牧业、渔业", "粮食生产"),
    ("社会救助", "民政、扶贫、救灾/社会救助", "社会救助"),
    ("环境卫生综合整治", "城乡建设、环境保护/其他", "环境卫生"),
    ("村务监督", "综合政务/其他", "村务监督"),
    ("移风易俗", "文化、广电、新闻出版/其他", "移风易俗"),
)


@dataclass(frozen=True)
class SeedDoc:
    """One seed file, split into its title and body blocks."""

    key: str  # "000" … "004"
    filename: str
    title: str
    blocks: tuple[Block, ...]


# Per seed: the normalised title, how many leading non-empty lines are the page's
# title/metadata (not body), and trailing page chrome to drop.
_SEED_LAYOUT: dict[str, tuple[str, int]] = {
    "000": ("中卫市沙坡头区东园镇人民政府2018年政府信息公开工作年度报告", 1),
    "001": ("盐池县高沙窝镇2020年政府信息公开工作年度报告", 1),
    "002": ("高桥镇2018年政府信息公开工作年度报告", 2),
    "003": ("贺兰县金贵镇2018年政务公开工作总结暨2019年工作计划", 6),
    "004": ("平罗县通伏乡人民政府2018年政府信息公开年度报告", 2),
}
_SENTENCE_ENDS = ("。", "；", "！", "？", "”", "）", ")")
_CHROME_LINES = ("扫一扫在手机打开当前页", "附件下载", "附件下载:", "附件下载：")


def _is_blank(line: str) -> bool:
    return not line.strip(" \t\u00a0\u2002\u2003\u3000")


def split_blocks(lines: list[str]) -> tuple[Block, ...]:
    """Paragraph per line; runs of tab-separated lines (blank lines allowed in
    between, as the PDF-to-text seeds break tables) become one table."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    for raw in lines:
        # keep trailing tabs: they are empty cells; "**" is bold markup left by the
        # PDF-to-text conversion of the seeds, not text
        line = raw.rstrip(" \r\n").replace("**", "")
        if _is_blank(line):
            continue
        if "\t" in line:
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
            continue
        if rows:
            blocks.append(tuple(rows))
            rows = []
        blocks.append(line.strip())
    if rows:
        blocks.append(tuple(rows))
    return tuple(blocks)


def _parse_seed(path: Path) -> SeedDoc:
    key = path.name.split("_")[1]
    title, head_lines = _SEED_LAYOUT[key]
    lines = path.read_text(encoding="utf-8").splitlines()
    body: list[str] = []
    skipped = 0
    for line in lines:
        if skipped < head_lines:
            if not _is_blank(line):
                skipped += 1
            continue
        body.append(line)
    while body and (_is_blank(body[-1]) or body[-1].strip() in _CHROME_LINES):
        body.pop()
    return SeedDoc(key=key, filename=path.name, title=title, blocks=split_blocks(body))


@functools.cache
def load_seeds() -> tuple[SeedDoc, ...]:
    """The five seed documents, in file order (000 … 004)."""
    return tuple(_parse_seed(p) for p in sorted(DATA_DIR.glob("seed_*.txt")))


@functools.cache
def paragraph_pool() -> tuple[str, ...]:
    """Body paragraphs of every seed long enough to read as prose, for mixing.

    Whitespace oddities of the PDF-to-text seeds are normalised so generated
    pages stay clean; the seed pages themselves are served verbatim.
    """
    pool: list[str] = []
    for seed in load_seeds():
        for block in seed.blocks:
            # whole paragraphs only: the PDF-to-text seeds also hold fragments cut mid-sentence
            if isinstance(block, str) and len(block) >= 60 and block.rstrip().endswith(_SENTENCE_ENDS):
                text = " ".join(
                    block.replace("\u00a0", " ").replace("\u2002", " ").replace("\u2003", " ").split()
                )
                pool.append(text)
    return tuple(pool)
