"""Where 信息公开 detail pages keep their body text, as data (trafilatura keeps its XPaths the same way).

Each entry is (name, attribute, value, evidence). The fast text path (`pipelines/fast_text.py`)
takes the text of the first entry that matches one element of the page (or several, all inside the
first); trafilatura stays the fallback and the judge. Order matters: inner, editor-made containers
come before the template's outer ones (TRS writes its `TRS_Editor` div inside the template's
`#zoom`), so the first match is the tightest.

Only containers whose whole inside is the document belong here: the editor's output, not a template
box that also holds the title, the metadata table or the share bar (those would need trafilatura's
judgement). Classes are matched as whole tokens, ids exactly.
"""

from __future__ import annotations

# (name, attribute, value, evidence): an element whose id is the value, or whose class has the value
# as one of its tokens.
CONTAINERS: tuple[tuple[str, str, str, str], ...] = (
    ("trs-editor", "class", "TRS_Editor", "TRS WCM: the editor's body div, <div class=TRS_Editor>"),
    ("trs-ueditor", "class", "TRS_UEDITOR", "TRS WCM 7+ UEditor body: <div class='view TRS_UEDITOR …'>"),
    ("ucap", "id", "UCAP-CONTENT", "开普云 UCAP: <div id=UCAP-CONTENT> (gov.cn and provincial portals)"),
    ("zoomcon", "id", "zoomcon", "Fujian county templates: <div class='xl_nr TRS_Editor' id=zoomcon>"),
    ("hanweb-zoom", "id", "zoom", "Hanweb 大汉 and 集约化 templates: the font-size target <div id=zoom>"),
    (
        "gkmlpt",
        "class",
        "article-content",
        "Guangdong gkmlpt and many templates: <div class=article-content>",
    ),
    ("jiyue-bt", "class", "bt_content", "集约化 platforms (Jiangxi): <div class=bt_content>"),
)
