"""Text of OFD files (GB/T 33190, China's fixed-layout format): a zip of XML.

OFD.xml → DocBody/DocRoot (Document.xml) → Pages/Page@BaseLoc → page Content.xml, whose
TextObject elements hold TextCode runs positioned by Boundary + X/Y. Text objects are grouped
into lines by their baseline (y) and read left to right; pages are separated by "\f".
"""

from __future__ import annotations

import posixpath
import zipfile

from lxml import etree

# Line grouping tolerance in OFD units (mm): characters of one line differ by less than this.
LINE_TOLERANCE = 1.5
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)


class OfdError(Exception):
    """The OFD package is missing a part we need."""


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _find(root: etree._Element, name: str) -> list[etree._Element]:
    return [el for el in root.iter() if _local(el.tag) == name]


def _resolve(base_dir: str, loc: str) -> str:
    loc = loc.strip().replace("\\", "/")
    if loc.startswith("/"):
        return loc.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, loc))


def _xml(z: zipfile.ZipFile, name: str) -> etree._Element:
    try:
        data = z.read(name)
    except KeyError as exc:
        raise OfdError(f"missing part {name}") from exc
    return etree.fromstring(data, _PARSER)


def _floats(s: str | None) -> list[float]:
    try:
        return [float(x) for x in (s or "").split()]
    except ValueError:
        return []


def _page_text(page: etree._Element) -> str:
    runs: list[tuple[float, float, str]] = []
    for obj in _find(page, "TextObject"):
        box = _floats(obj.get("Boundary"))
        bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
        for code in _find(obj, "TextCode"):
            text = code.text or ""
            if not text:
                continue
            x = _floats(code.get("X"))
            y = _floats(code.get("Y"))
            runs.append((by + (y[0] if y else 0.0), bx + (x[0] if x else 0.0), text))
    runs.sort(key=lambda r: (r[0], r[1]))
    lines: list[list[tuple[float, float, str]]] = []
    for run in runs:
        if lines and abs(lines[-1][0][0] - run[0]) <= LINE_TOLERANCE:
            lines[-1].append(run)
        else:
            lines.append([run])
    return "\n".join("".join(t for _, _, t in sorted(line, key=lambda r: r[1])) for line in lines)


def read_ofd(z: zipfile.ZipFile) -> str:
    """All pages' text of an open OFD package."""
    root = _xml(z, "OFD.xml")
    doc_roots = [el.text.strip() for el in _find(root, "DocRoot") if el.text and el.text.strip()]
    if not doc_roots:
        raise OfdError("OFD.xml names no DocRoot")
    pages_out = []
    for doc_loc in doc_roots:
        doc_path = _resolve("", doc_loc)
        doc = _xml(z, doc_path)
        base = posixpath.dirname(doc_path)
        for page in _find(doc, "Page"):
            loc = page.get("BaseLoc")
            if not loc:
                continue
            page_path = _resolve(base, loc)
            pages_out.append(_page_text(_xml(z, page_path)))
    return "\f".join(pages_out)
