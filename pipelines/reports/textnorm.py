"""Text normalisation shared by the report readers.

Labels are matched on a normalised form: NFKC (full-width digits and brackets
become ASCII), all whitespace removed (labels arrive broken by spaces, newlines
and <br>). Offsets into the original text are kept so that every figure can be
traced back to the characters it was read from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千"


# Traditional characters of the reports' vocabulary → simplified, one for one (offsets stay valid):
# portals serve 繁體 versions of their pages, and copies of reports circulate in traditional script.
# Only characters that are never simplified ones are mapped.
_T2S = str.maketrans(
    "開報請數處復複議訴訟總計結轉範條與機關辦區縣鄉鎮務費無據統類權護過執詢項製補後確內訪舉驗規劃實際現發佈單們專業會"
    "員級聯絡網頁體經濟環節長門況種個為對於這將從應當時間簡稱營運動態財預決勞災醫療衛齡資訊電話號碼郵編導組織構維紀錄"
    "檔證書檢齊嚴責監傳達學習認識說問題進見採納廣聽歡黨幹鄰產設勢圍繞戶貧給農陽萬億餘並較邊屆樓東廳勵貼違紛擾罰強險協"
    "調讀視頻歷積極屬國稅辭職徵購買賣價額負擔貨幣銀貸質續聲隨遞徑獲覽瀏觀點擊詞蓋簽線評測標準樣啟隊審閱圖館滿願參異歸"
    "軟備術語譯錯誤糾優狀氣難礎築場廠鐵車輛輸貿飲藥養殘撫贈獻愛綠漢寫錫殯寶兒婦繼舊歲陸賴龍鳳雲灣礙擬攝豐寬藝廢棄嶺蘇"
    "贊鍵鏈麗亞佔償儲兌嘗壞夠奪奮孫寧尋幫廈彙徹擁擇攜斷暢樂橋歐沒潔潛濱燈爭獎畝畫盡礦禮窮競筆糧緊綜繳罷聞臨莊薦蟲衝覺"
    "觸訂訓託記許詳誌誠課談諮謀講讓貢賠賦賬趕躍輔輕迴遲還選遺邁釋針銷鋪錦鎖鏡閉閒閣闊隸雖雙雜離靈響頂順須領頭顧顯風飛"
    "駐騰驚鬧魚鹽麥黃齒劉張楊趙吳鄭陳錢鄧蔣",
    "开报请数处复复议诉讼总计结转范条与机关办区县乡镇务费无据统类权护过执询项制补后确内访举验规划实际现发布单们专业会"
    "员级联络网页体经济环节长门况种个为对于这将从应当时间简称营运动态财预决劳灾医疗卫龄资讯电话号码邮编导组织构维纪录"
    "档证书检齐严责监传达学习认识说问题进见采纳广听欢党干邻产设势围绕户贫给农阳万亿余并较边届楼东厅励贴违纷扰罚强险协"
    "调读视频历积极属国税辞职征购买卖价额负担货币银贷质续声随递径获览浏观点击词盖签线评测标准样启队审阅图馆满愿参异归"
    "软备术语译错误纠优状气难础筑场厂铁车辆输贸饮药养残抚赠献爱绿汉写锡殡宝儿妇继旧岁陆赖龙凤云湾碍拟摄丰宽艺废弃岭苏"
    "赞键链丽亚占偿储兑尝坏够夺奋孙宁寻帮厦汇彻拥择携断畅乐桥欧没洁潜滨灯争奖亩画尽矿礼穷竞笔粮紧综缴罢闻临庄荐虫冲觉"
    "触订训托记许详志诚课谈咨谋讲让贡赔赋账赶跃辅轻回迟还选遗迈释针销铺锦锁镜闭闲阁阔隶虽双杂离灵响顶顺须领头顾显风飞"
    "驻腾惊闹鱼盐麦黄齿刘张杨赵吴郑陈钱邓蒋",
)


_TRADITIONAL = {}
for _trad, _simp in _T2S.items():
    _TRADITIONAL.setdefault(chr(_simp), []).append(chr(_trad))


def script_forms(ch: str) -> list[str]:
    """`ch` and the traditional characters `simplified` maps to it."""
    return [ch, *_TRADITIONAL.get(ch, ())]


# Any character `simplified` maps: str.translate looks every character up in a dict (slow), a
# character class is one C scan, and most texts hold none of them.
_MAPPED = re.compile("[" + re.escape("".join(map(chr, _T2S))) + "]")


def simplified(s: str) -> str:
    """NFKC, simplified script, whitespace kept: `norm` of each line is `norm` of this one's lines."""
    s = unicodedata.normalize("NFKC", s)
    return s.translate(_T2S) if _MAPPED.search(s) else s


def norm(s: str) -> str:
    """NFKC, simplified script, no whitespace: the form every label pattern is written against."""
    # str.split() drops exactly the characters str.isspace() names, at C speed
    return "".join(simplified(s).split())


@dataclass
class NormText:
    """A normalised copy of a text with a map back to original offsets."""

    text: str
    origin: list[int]  # origin[i] = offset in the original of normalised char i
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalised [start, end)."""
        if start >= len(self.origin):
            return self.original_length, self.original_length
        o_start = self.origin[start]
        o_end = self.origin[end - 1] + 1 if end > start else o_start
        return o_start, o_end


@lru_cache(maxsize=1 << 16)
def _char_norm(ch: str) -> str:
    """`norm` of one character (a report's text repeats a few thousand distinct ones)."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch).translate(_T2S) if not c.isspace())


def norm_with_map(s: str, *, keep_newlines: bool = False) -> NormText:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(s):
        if keep_newlines and ch in "\n\f":
            chars.append("\n")
            origin.append(i)
            continue
        for c in _char_norm(ch):
            chars.append(c)
            origin.append(i)
    return NormText("".join(chars), origin, len(s))


def cn_to_int(s: str) -> int | None:
    """Small Chinese numerals (二〇一八, 三十五, 一百零二) → int; None if not one."""
    if not s or any(ch not in CN_NUMERAL_CHARS for ch in s):
        return None
    if not any(ch in _CN_UNITS for ch in s):  # positional: 二〇一八
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def parse_number(raw: str) -> int | float | None:
    """'12' → 12, '-3' → -3, '12.50' → 12.5, '1,234' → 1234; anything else → None."""
    s = norm(raw).replace(",", "")
    if not _NUMBER.match(s):
        return None
    return float(s) if "." in s else int(s)
