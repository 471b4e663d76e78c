"""Label patterns, kept as data apart from the reading logic.

Every pattern is matched against *normalised* text (textnorm.norm: NFKC, no
whitespace), so write half-width brackets and no spaces. Order matters where
noted: the first matching entry wins, specific labels before general ones.
"""

from __future__ import annotations

# ---------------------------------------------------------------- format detection (annual-reports.md §2)

FORMAT_CUES: dict[str, list[str]] = {
    "gb2021": [
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "逾期不补正",
        "逾期未按收费通知",
    ],
    "gb2019": [
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "本年增减",
        "政府集中采购",
        "采购总金额",
    ],
    "gb_common": [
        "本年新收政府信息公开申请数量",
        "上年结转政府信息公开申请数量",
        "结转下年度继续办理",
        "申请人情况",
        "勾稽关系",
    ],
    "legacy_national_2014": [
        "统计指标",
        "统计数",
        "回应解读情况",
        "举报投诉数量",
        "机构建设和保障经费",
        "申请答复数",
        "申请办结数",
    ],
    "legacy_fujian": [
        "历年累计",
        "主动公开文件数",
        "主动公开信息数",
        "对申请的答复总数",
        "指标名称",
        "计量单位",
    ],
}

# ---------------------------------------------------------------- annual report or not (§2, hazard 8)

REPORT_TITLE = r"(信息公开|政务公开|公开工作).{0,12}(年度报告|年报)|年度报告"
NOT_REPORT_TITLE = r"工作总结|工作要点|工作计划|落实情况|实施方案|自查|整改|考核|的通知|的函"
WORK_SUMMARY = r"工作总结|总结暨|工作要点.{0,6}落实|落实情况"
# a heading line near the top that names the document as a report
# a document title in the first lines when the report heading is not found
TITLE_LIKE = (
    r"(\d{4}|[〇零一二三四五六七八九]{4})年.{0,30}(报告|总结|计划|通知|方案|要点|意见|办法|公告|年报)$"
)
# the opening sentence of a report whose title is not in the text
REPORT_OPENING = (
    r"本(?:年度)?(?:报告|年报)(?:是)?(?:根据|依据|按照)[^。]{0,30}政府信息公开条例"
    r"|本(?:年度)?(?:报告|年报)由[^。]{0,30}?编制"
    r"|政府信息公开条例[^。]{0,120}?(?:编制|公布)[^。]{0,30}?(?:政府信息公开|政务公开)[^。]{0,6}?(?:年度报告|年报)"
    r"|现将[^。]{0,20}?\d{4}年度?[^。]{0,12}?(?:政府信息公开|政务公开)[^。]{0,10}?报告(?:公开)?如下"
    r"|政府信息公开条例[^。]{0,80}?(?:制作|编制)(?:形成|完成|了)?本(?:年度)?报告"
    r"|现(?:向社会)?公布[^。]{0,30}?\d{4}年度?[^。]{0,12}?(?:政府信息公开|政务公开)[^。]{0,6}?(?:年度报告|年报)"
)
# a short heading line naming a report without its year ("会同县林业局信息公开工作年度报告")
REPORT_HEADING_YEARLESS = r"(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:年度报告|年报)$"
REPORT_HEADING = (
    r"(\d{4}|[〇零一二三四五六七八九]{4})年度?.{0,16}(政府信息公开|政务公开|信息公开).{0,8}(年度报告|年报)"
    r"|(?:政府信息公开|政务公开|信息公开)(?:工作)?(\d{4})年度?(?:报告|年报)"  # "…信息公开工作2022年度报告"
)

# ---------------------------------------------------------------- section headings (§3, hazard 5)

# (section number, pattern of the heading text after its numeral)
GB_HEADINGS: list[tuple[int, str]] = [
    (1, r"总体情况|概述"),
    (2, r"主动公开"),
    (3, r"收到和处理|依申请公开"),
    (4, r"行政复议|行政诉讼|行政法复议"),
    (5, r"存在的主要问题|问题及改进|问题和改进|改进情况"),
    (6, r"其他需要报告|其他事项|需要说明"),
]
CN_ORDINALS = "一二三四五六七八九十"
# table rows that look like headings and are not (hazard 5)
NOT_HEADINGS = r"本年新收|上年结转|本年度办理结果|结转下年|行政复议数量|行政诉讼数量|举报投诉数量|收取的费用|机构建设和保障经费情况$|会议和培训情况$"

# ---------------------------------------------------------------- section 2: 第二十条 items (§3, §4)

SEC2_ROWS: list[tuple[str, str]] = [  # key, pattern on the row label (numbering stripped)
    ("regulations", r"^规章$"),
    ("normative_documents", r"^(行政)?规范性文件$"),
    ("licensing", r"^行政许可$"),
    ("other_mgmt_services", r"^其他对外管理服务事项$"),
    ("penalty", r"^行政处罚$"),
    ("coercion", r"^行政强制$"),
    ("fees", r"^行政事业性收费$"),
    ("central_procurement", r"^政府集中采购$"),
]
# per format: row key → [(column key, kind)], kind: count | signed | money
SEC2_COLUMNS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "gb2021": {
        "regulations": [("issued", "count"), ("repealed", "count"), ("in_force", "count")],
        "normative_documents": [("issued", "count"), ("repealed", "count"), ("in_force", "count")],
        "licensing": [("decisions", "count")],
        "penalty": [("decisions", "count")],
        "coercion": [("decisions", "count")],
        "fees": [("amount", "money")],
    },
    "gb2019": {
        "regulations": [("new_made", "count"), ("new_published", "count"), ("total_published", "count")],
        "normative_documents": [
            ("new_made", "count"),
            ("new_published", "count"),
            ("total_published", "count"),
        ],
        "licensing": [("prev_items", "count"), ("change", "signed"), ("decisions", "count")],
        "other_mgmt_services": [("prev_items", "count"), ("change", "signed"), ("decisions", "count")],
        "penalty": [("prev_items", "count"), ("change", "signed"), ("decisions", "count")],
        "coercion": [("prev_items", "count"), ("change", "signed"), ("decisions", "count")],
        "fees": [("prev_items", "count"), ("change", "signed")],
        "central_procurement": [("projects", "count"), ("amount", "money")],
    },
}
SEC2_START = r"第二十条|信息内容"
MONEY_UNIT = r"(万元|元)"

# ---------------------------------------------------------------- section 3: the applications matrix

MATRIX_COLUMNS = [
    "natural_person",
    "commercial",
    "research",
    "social_welfare",
    "legal_service",
    "other_org",
    "total",
]
# header words in reading order; "其他" must not match 法人或其他组织
COLUMN_HEADER = (
    r"自然人|商业企业|商业机构|科研机构|社会公益组织|社会组织|公益组织|法律服务机构|其他(?!组织)|总计|合计"
)
CANONICAL_HEADERS = {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}
MATRIX_HEADER = (
    r"自然人|商业企业|商业机构|科研机构|社会公益组织|法律服务机构|申请人情况|勾稽关系|法人或其他组织"
)

# (key, pattern, category). Specific before general: 不予公开 before 予以公开 is implied by the
# different wording; 补正后 (无法提供) vs 逾期不补正 (其他处理); 大量反复 before 重复申请.
MATRIX_ROWS: list[tuple[str, str, str | None]] = [
    ("new_received", r"本年新收", None),
    ("carried_over", r"上年结转", None),
    ("carried_forward", r"结转下年", None),
    ("other.no_correction", r"逾期不补正|无正当理由逾期", "other"),
    ("other.unpaid_fee", r"收费通知|缴纳费用", "other"),
    ("unable.unclear_after_correction", r"补正后", "unable"),
    ("denied.state_secret", r"国家秘密", "denied"),
    ("denied.law_prohibited", r"法律行政法规禁止|法律、行政法规禁止", "denied"),
    ("denied.endangers_security_stability", r"三安全一稳定|危及国家安全", "denied"),
    ("denied.third_party_rights", r"第三方合法权益", "denied"),
    ("denied.internal_affairs", r"内部事务", "denied"),
    ("denied.process_info", r"过程性信息", "denied"),
    ("denied.enforcement_file", r"行政执法案卷", "denied"),
    ("denied.admin_query", r"行政查询事项", "denied"),
    ("unable.not_held", r"不掌握", "unable"),
    ("unable.needs_creation", r"另行制作", "unable"),
    ("not_processed.petition_complaint", r"信访|举报投诉", "not_processed"),
    ("not_processed.mass_repeat", r"大量反复", "not_processed"),
    ("not_processed.repeat", r"重复申请", "not_processed"),
    ("not_processed.publication", r"公开出版物", "not_processed"),
    ("not_processed.confirm_or_reissue", r"重新出具|确认或", "not_processed"),
    ("other.other", r"^(\(?\d+\)?[.、]?)?其他(情形)?$", "other"),  # only under (六)其他处理 (gb2021)
    ("other", r"其他处理", "other"),
    ("partial", r"部分公开", None),
    ("granted", r"予以公开", None),
    ("processed_total", r"总计|合计", None),
]
MATRIX_CATEGORIES: list[tuple[str, str]] = [
    ("denied", r"不予公开"),
    ("unable", r"无法提供"),
    ("not_processed", r"不予处理"),
    ("other", r"其他处理"),
]
MATRIX_ROW_KEYS: dict[str, list[str]] = {
    "gb2019": [
        "new_received",
        "carried_over",
        "granted",
        "partial",
        "denied.state_secret",
        "denied.law_prohibited",
        "denied.endangers_security_stability",
        "denied.third_party_rights",
        "denied.internal_affairs",
        "denied.process_info",
        "denied.enforcement_file",
        "denied.admin_query",
        "unable.not_held",
        "unable.needs_creation",
        "unable.unclear_after_correction",
        "not_processed.petition_complaint",
        "not_processed.repeat",
        "not_processed.publication",
        "not_processed.mass_repeat",
        "not_processed.confirm_or_reissue",
        "other",
        "processed_total",
        "carried_forward",
    ],
}
MATRIX_ROW_KEYS["gb2021"] = [
    *MATRIX_ROW_KEYS["gb2019"][:20],
    "other.no_correction",
    "other.unpaid_fee",
    "other.other",
    "processed_total",
    "carried_forward",
]
MATRIX_START = r"勾稽关系|申请人情况"

# ---------------------------------------------------------------- section 4: 复议 / 诉讼 (15 numbers)

REVIEW_GROUPS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
REVIEW_HEADER = r"行政复议|行政诉讼|结果维持|结果纠正|其他结果|尚未审结|总计|未经复议|复议后起诉|直接起诉"

# ---------------------------------------------------------------- legacy_national_2014 (国办发〔2014〕32号 统计表)

# (key, pattern): matched in table order, so repeated labels (被依法纠错数) land in their own section.
LEGACY_NATIONAL_ITEMS: list[tuple[str, str]] = [
    ("proactive.total", r"主动公开政府信息数"),
    ("proactive.normative", r"主动公开规范性文件数"),
    ("proactive.normative_issued", r"制发规范性文件总数"),
    ("proactive.gazette", r"政府公报公开"),
    ("proactive.website", r"政府网站公开"),
    ("proactive.weibo", r"政务微博公开"),
    ("proactive.weixin", r"政务微信公开"),
    ("proactive.other", r"其他方式公开"),
    ("response.hot_topics", r"回应公众关注热点|重大舆情数"),
    ("response.press_conferences", r"新闻发布会总次数"),
    ("response.press_conferences_principal", r"主要负责同志参加新闻发布会"),
    ("response.online_interviews", r"在线访谈次数"),
    ("response.online_interviews_principal", r"主要负责同志参加.*在线访谈"),
    ("response.interpretations", r"政策解读稿件"),
    ("response.weibo_weixin", r"微博微信回应"),
    ("response.other", r"其他方式回应"),
    ("applications.received", r"收到申请数"),
    ("applications.in_person", r"当面申请"),
    ("applications.fax", r"传真申请"),
    ("applications.online", r"网络申请"),
    ("applications.letter", r"信函申请"),
    ("applications.closed", r"申请办结数"),
    ("applications.closed_on_time", r"按时办结"),
    ("applications.closed_extended", r"延期办结"),
    ("applications.answered", r"申请答复数"),
    ("applications.already_public", r"已主动公开范围"),
    ("applications.granted", r"同意公开答复数"),
    ("applications.partial", r"同意部分公开"),
    ("applications.denied", r"不同意公开"),
    ("applications.denied.state_secret", r"国家秘密"),
    ("applications.denied.commercial_secret", r"商业秘密"),
    ("applications.denied.privacy", r"个人隐私"),
    ("applications.denied.security_stability", r"危及国家安全|社会稳定"),
    ("applications.denied.not_gov_info", r"不是《条例》所指|不是.*政府信息"),
    ("applications.denied.other_law", r"法律法规规定的其他情形"),
    ("applications.not_this_organ", r"不属于本行政机关"),
    ("applications.not_exist", r"申请信息不存在"),
    ("applications.amend", r"更改补充"),
    ("applications.other_channel", r"其他途径办理"),
    ("review.total", r"行政复议数量"),
    ("review.upheld", r"维持具体行政行为数$"),
    ("review.corrected", r"被依法纠错"),
    ("review.other", r"其他情形"),
    ("litigation.total", r"行政诉讼数量"),
    ("litigation.upheld", r"维持具体行政行为|驳回原告"),
    ("litigation.corrected", r"被依法纠错"),
    ("litigation.other", r"其他情形"),
    ("complaints", r"举报投诉数量"),
    ("fees", r"收取的费用"),
    ("staff.bodies", r"专门机构数"),
    ("staff.reading_points", r"查阅点数"),
    ("staff.total", r"工作人员数"),
    ("staff.full_time", r"专职人员数"),
    ("staff.part_time", r"兼职人员数"),
    ("staff.budget", r"专项经费"),
    ("training.meetings", r"工作会议|专题会议"),
    ("training.classes", r"培训班数"),
    ("training.trainees", r"接受培训人员数"),
]
LEGACY_NATIONAL_START = r"统计指标|政府信息公开情况统计表"
LEGACY_UNITS = ("人次", "万元", "条", "件", "次", "篇", "个", "人", "元", "项")
# S5: within-table sums (annual-reports.md §6). Channel counts are NOT summed to the total (计1条).
LEGACY_NATIONAL_SUMS: list[tuple[str, list[str]]] = [
    (
        "applications.received",
        ["applications.in_person", "applications.fax", "applications.online", "applications.letter"],
    ),
    ("applications.closed", ["applications.closed_on_time", "applications.closed_extended"]),
    (
        "applications.answered",
        [
            "applications.already_public",
            "applications.granted",
            "applications.partial",
            "applications.denied",
            "applications.not_this_organ",
            "applications.not_exist",
            "applications.amend",
            "applications.other_channel",
        ],
    ),
    (
        "applications.denied",
        [
            "applications.denied.state_secret",
            "applications.denied.commercial_secret",
            "applications.denied.privacy",
            "applications.denied.security_stability",
            "applications.denied.not_gov_info",
            "applications.denied.other_law",
        ],
    ),
    ("review.total", ["review.upheld", "review.corrected", "review.other"]),
    ("litigation.total", ["litigation.upheld", "litigation.corrected", "litigation.other"]),
    ("staff.total", ["staff.full_time", "staff.part_time"]),
]

# ---------------------------------------------------------------- legacy_fujian (本年度 / 历年累计)

LEGACY_FUJIAN_ITEMS: list[tuple[str, str]] = [
    ("proactive.total", r"主动公开(文件|信息)数"),
    ("proactive.website", r"政府网站公开"),
    ("proactive.gazette", r"政府公报公开"),
    ("applications.received", r"受理.*(申请|信息).*总数|申请总数"),
    ("applications.in_person", r"当面"),
    ("applications.fax", r"^(\d+[.、])?传真"),
    ("applications.email", r"电子邮件"),
    ("applications.online", r"网上|网络"),
    ("applications.letter_fax", r"信函、?传真"),
    ("applications.letter", r"信函"),
    ("applications.other_form", r"其[它他]形式"),
    ("applications.answered", r"答复总数"),
    ("applications.granted", r"同意公开"),
    ("applications.partial", r"部分公开"),
    ("applications.denied", r"不予公开|否决公开|不同意公开"),
    ("applications.other_type", r"其他类型"),
    ("complaints", r"申诉|举报"),
    ("review.total", r"行政复议"),
    ("litigation.total", r"行政诉讼"),
    ("fee_waiver", r"收费减免|减免金额"),
]
LEGACY_FUJIAN_START = r"历年累计"  # the header cell, not the prose that quotes it

# crosswalk legacy item → normalised totals (lossy, §5); never invent 无法提供/不予处理
LEGACY_CROSSWALK: dict[str, str] = {
    "new_received_total": "applications.received",
    "processed_total": "applications.answered",
    "granted_total": "applications.granted",
    "partial_total": "applications.partial",
    "denied_total": "applications.denied",
    "review_total": "review.total",
    "litigation_total": "litigation.total",
}

# ---------------------------------------------------------------- prose figures (§6 text vs table)

_N = r"(\d+|[零〇一二两三四五六七八九十百千]+)"
_OUTCOME_GAP = r"[”\"’」]?(?:答复|的件数|的)?(?:为|共|:)?"
# (key, pattern with the number as the last group[, context required in the 40 characters before]).
# First match wins for overlapping spans, so specific patterns come first.
PROSE_FIGURES: list[tuple] = [
    (
        "proactive_published_cumulative",
        r"历年累计[^，。；,;]{0,12}?主动公开[^，。；,;\d]{0,12}?" + _N + r"条?",
    ),
    ("proactive_normative", r"主动公开(?:了)?(?:行政)?规范性文件(?:数)?(?:共)?" + _N + r"(?:条|件|篇)"),
    (
        "proactive_published",
        r"主动公开(?:了)?(?:各类)?政府信息(?:数|总数)?(?:\([^)]{0,30}\))?(?:共|总计|合计)?"
        + _N
        + r"(?:条|件)?(?![\d年])",
    ),
    ("proactive_website", r"政府网站(?:上)?公开(?:政府)?信息(?:数)?" + _N + r"条"),
    ("proactive_weibo", r"政务微博(?:上)?公开(?:政府)?信息(?:数)?" + _N + r"条"),
    ("proactive_weixin", r"政务微信(?:上)?公开(?:政府)?信息(?:数)?" + _N + r"条"),
    ("proactive_other_channels", r"其他方式公开(?:政府)?信息(?:数)?" + _N + r"条"),
    (
        "applications_received",
        r"(?:收到|受理|接收|新收)[^，。；,;\d]{0,40}?申请[^，。；,;\d]{0,8}?" + _N + r"(?:件|条|份)",
    ),
    (
        "applications_received",
        r"依申请公开(?:请求|申请)(?:共)?" + _N + r"件",
    ),  # "依申请公开请求9件，其中…收到3件"
    (
        "applications_received",
        r"(?:收到|受理)" + _N + r"(?:件|宗)",
        r"申请[^。；;]*$",
    ),  # "…依申请公开系统共收到1宗"
    ("applications_received", r"(?:收到|受理)" + _N + r"(?:件|份)[^，。；,;\d]{0,10}?申请"),
    (
        "applications_processed",
        r"(?:办理|办结|答复|处理)[^，。；,;\d]{0,16}?申请[^，。；,;\d]{0,6}?" + _N + r"件",
    ),
    ("applications_processed", r"办结" + _N + r"件", r"申请[^。；;]*$"),
    ("applications_processed", r"已(?:答复|办结)(?:件数)?(?:共)?" + _N + r"件", r"申请[^。；;]*$"),
    # "…受理的226件申请件其中224件申请已按规定在法定期限内予以答复"
    ("applications_processed", r"(\d+)件申请(?:件)?(?:已|均)?[^，。；,;\d]{0,16}?(?:答复|办结)"),
    (
        "applications_carried_forward",
        r"(\d+)件结转(?:到|至)?下一?年度?|结转(?:到|至)?(?:下一?年度?|\d{4}年度?)(?:办理|答复)?(\d+)件",
    ),
    # "已答复84件（含上一年结转答复1件）"
    ("applications_carried_over", r"含上一?年度?结转(?:答复|办理)?(\d+)件|上年结转(?:申请)?(\d+)件"),
    # the outcome categories as gb-era prose states them ("同意公开答复 9 件，部分公开答复 0 件",
    # "“予以公开”67件、“不予公开”26件"); "予以公开及部分公开208件" is neither category alone
    ("outcome_granted", r"(?<![不及和与、])(?:予以公开|同意公开)" + _OUTCOME_GAP + _N + r"件"),
    ("outcome_partial", r"(?:(?<![及和与、])部分公开|区分处理后公开数?)" + _OUTCOME_GAP + _N + r"件"),
    ("outcome_denied", r"(?:不予公开|不同意公开)" + _OUTCOME_GAP + _N + r"件"),
    ("outcome_unable", r"无法提供" + _OUTCOME_GAP + _N + r"件"),
    ("outcome_not_processed", r"不予处理" + _OUTCOME_GAP + _N + r"件"),
    ("outcome_other", r"其他处理" + _OUTCOME_GAP + _N + r"件"),
    ("review_cases", r"行政复议(?:案件)?(?:共)?" + _N + r"(?:件|起)"),
    ("litigation_cases", r"行政诉讼(?:案件)?(?:共)?" + _N + r"(?:件|起)"),
    ("in_force", r"现行有效(?:的)?(?:行政)?(?:规范性文件|规章)?(?:共)?" + _N + r"件"),
    (
        "info_processing_fee",
        r"(?:收取|收缴)[^，。；,;\d]{0,10}?信息处理费[^，。；,;\d]{0,6}?(\d+(?:\.\d+)?)(?:元|万元)",
    ),
]
# sentences that state a zero without a digit
PROSE_ZEROS: list[tuple[str, str]] = [
    ("applications_carried_forward", r"无(?:下一?年度?)?结转|没有(?:结转|转入下一?年度?)"),
    ("applications_received", r"(?:未|没有|无)(?:收到|受理|接到|接收到)[^，。；,;]{0,24}?申请|无依申请公开"),
    # "未发生…被行政复议纠错或行政诉讼败诉情形" says nothing of how many cases there were
    # never the 未 of a table's 尚未审结, nor a negation whose sentence runs across figures
    (
        "review_cases",
        r"(?<!尚)(?:未|没有|无)[^。；;\d]{0,30}?行政复议(?![^。；;]{0,4}?(?:纠错|纠正|撤销|败诉))",
    ),
    (
        "litigation_cases",
        r"(?<!尚)(?:未|没有|无)[^。；;\d]{0,30}?行政复议[、和及与]诉讼",
    ),  # "没有因…申请行政复议、诉讼…"
    # "未接到有关政府信息公开方面的复议、诉讼和申诉": neither
    ("review_cases", r"(?<!尚)(?:未|没有|无)[^。；;\d]{0,24}?(?<!行政)复议[、和及与](?:行政)?诉讼"),
    ("litigation_cases", r"(?<!尚)(?:未|没有|无)[^。；;\d]{0,24}?(?<!行政)复议[、和及与](?:行政)?诉讼"),
    (
        "litigation_cases",
        r"(?<!尚)(?:未|没有|无)[^。；;\d]{0,40}?行政诉讼(?![^。；;]{0,4}?(?:纠错|纠正|撤销|败诉))",
    ),
    (
        "info_processing_fee",
        r"(?:未|没有|不)收取[^，。；,;]{0,10}?信息处理费|信息处理费[^，。；,;]{0,6}?(?:为零|为0|0元)",
    ),
]
FEE_SENTENCE = r"信息处理费"

# ---------------------------------------------------------------- doc metadata

ORGAN_KINDS: list[tuple[str, str]] = [  # first match wins
    ("subdistrict", r"街道(办事处)?$|街道办$"),
    ("township", r"(镇|乡|苏木)(人民政府)?$|(镇|乡)政府$"),
    ("government", r"(省|市|县|区|州|盟|旗)(人民政府)?$|人民政府$"),
    ("department", r"(局|委员会|委|办公室|办|厅|署|中心|院|所|队|站|会)$"),
]
SIGNATURE_ORGAN = r"^[\u4e00-\u9fff()（）]{2,40}(人民政府|政府|局|委员会|办公室|办事处|中心|镇|乡|街道|委)$"
DATE = r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
PUBLISHED = r"(?:发布|公开|成文)(?:日期|时间)[:：\s]*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})"
PERIOD_YEAR = r"\(?(\d{4})年度\)?$|统计(?:期限|年限|时限|周期|数据从)[^。]{0,12}?(\d{4})年1月1日(?:起)?(?:至|到|—|-)(\d{4})年12月31日"

# ---------------------------------------------------------------- display (CLI, data dictionary)

ROW_LABELS_ZH: dict[str, str] = {
    "new_received": "一、本年新收",
    "carried_over": "二、上年结转",
    "granted": "(一)予以公开",
    "partial": "(二)部分公开",
    "denied.state_secret": "(三)1.国家秘密",
    "denied.law_prohibited": "(三)2.法律行政法规禁止",
    "denied.endangers_security_stability": "(三)3.三安全一稳定",
    "denied.third_party_rights": "(三)4.第三方合法权益",
    "denied.internal_affairs": "(三)5.三类内部事务",
    "denied.process_info": "(三)6.四类过程性信息",
    "denied.enforcement_file": "(三)7.行政执法案卷",
    "denied.admin_query": "(三)8.行政查询事项",
    "unable.not_held": "(四)1.本机关不掌握",
    "unable.needs_creation": "(四)2.需另行制作",
    "unable.unclear_after_correction": "(四)3.补正后仍不明确",
    "not_processed.petition_complaint": "(五)1.信访举报投诉",
    "not_processed.repeat": "(五)2.重复申请",
    "not_processed.publication": "(五)3.公开出版物",
    "not_processed.mass_repeat": "(五)4.大量反复申请",
    "not_processed.confirm_or_reissue": "(五)5.确认或重新出具",
    "other": "(六)其他处理",
    "other.no_correction": "(六)1.逾期不补正",
    "other.unpaid_fee": "(六)2.逾期未缴费",
    "other.other": "(六)3.其他",
    "processed_total": "(七)总计",
    "carried_forward": "四、结转下年度",
}
COLUMN_LABELS_ZH: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
SEC2_LABELS_ZH: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_mgmt_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "central_procurement": "政府集中采购",
}
REVIEW_LABELS_ZH: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "诉讼：未经复议直接起诉",
    "litigation_after_review": "诉讼：复议后起诉",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
