"""Text (and tables) of attachments: PDF, Word, WPS, Excel, ET, OFD, ZIP, plain text.

`read_attachment` never raises: an unreadable file comes back with `error` set. The format is
sniffed from the magic bytes first (servers send .doc as application/octet-stream and PDFs as
text/html), then from the file name and content type.
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from archive.encoding import decode_bytes
from pipelines.links import extension

log = logging.getLogger(__name__)

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
# Formats by extension, when the bytes alone do not tell (OLE2 is shared by doc/wps/xls/et).
EXTENSION_FORMATS: dict[str, str] = {
    "pdf": "pdf",
    "doc": "doc",
    "dot": "doc",
    "docx": "docx",
    "wps": "wps",
    "wpt": "wps",
    "xls": "xls",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "et": "et",
    "ett": "et",
    "zip": "zip",
    "ofd": "ofd",
    "txt": "txt",
    "csv": "txt",
    "rar": "rar",
    "7z": "7z",
    "rtf": "rtf",
    "ppt": "ppt",
    "pptx": "pptx",
    "dps": "ppt",
    "odt": "odt",
    "ods": "ods",
}
CONTENT_TYPE_FORMATS: dict[str, str] = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/ofd": "ofd",
    "application/vnd.ms-works": "wps",
    "application/kswps": "wps",
    "application/kset": "et",
    "text/plain": "txt",
    "text/csv": "txt",
    "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar",
    "application/x-7z-compressed": "7z",
    "application/rtf": "rtf",
    "text/rtf": "rtf",
}
UNSUPPORTED: dict[str, str] = {
    "rar": "RAR archives are not supported",
    "7z": "7z archives are not supported",
    "rtf": "RTF is not supported",
    "ppt": "PowerPoint files are not supported",
    "pptx": "PowerPoint files are not supported",
    "odt": "OpenDocument files are not supported",
    "ods": "OpenDocument files are not supported",
}
# Bounds on archives: a zip bomb must not take the crawl down.
ZIP_MAX_DEPTH = 2
ZIP_MAX_MEMBERS = 200
ZIP_MAX_MEMBER_BYTES = 64 * 1024 * 1024
ZIP_MAX_TOTAL_BYTES = 256 * 1024 * 1024
PDF_TABLE_MAX_PAGES = 50


@dataclass
class AttachmentContent:
    format: str  # pdf|docx|doc|wps|xls|xlsx|et|zip|ofd|txt|rar|7z|rtf|ppt|pptx|html|unknown
    text: str | None = None  # full text; table rows as tab-separated lines; PDF pages separated by "\f"
    tables: list[list[list[str]]] = field(default_factory=list)  # tables as rows of cells, where visible
    error: str | None = None  # why it could not be read (encrypted, corrupt, unsupported)
    members: list[tuple[str, AttachmentContent]] = field(default_factory=list)  # for zip
    title: str | None = None  # title in the file's own metadata, if meaningful
    encoding: str | None = None  # for plain text: the encoding it was decoded with
    pages: int | None = None  # for PDF/OFD


def _zip_format(body: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            names = set(z.namelist())
    except Exception:  # BadZipFile, NotImplementedError (zip version), OSError…: read_zip says why
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "OFD.xml" in names:
        return "ofd"
    if "mimetype" in names and "content.xml" in names:
        return "odt"
    return "zip"


def _ole_format(body: bytes, ext: str | None) -> str:
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(body)) as ole:
            if ole.exists("WordDocument"):
                return "wps" if ext in ("wps", "wpt") else "doc"
            if ole.exists("Workbook") or ole.exists("Book"):
                return "et" if ext in ("et", "ett") else "xls"
            if ole.exists("PowerPoint Document"):
                return "ppt"
            if ole.exists("EncryptedPackage"):
                return "encrypted-ooxml"
    except Exception:  # olefile raises several types on damaged files
        pass
    return EXTENSION_FORMATS.get(ext or "", "unknown")


def sniff_format(body: bytes, filename: str | None = None, content_type: str | None = None) -> str:
    """Format of an attachment: magic bytes first, then extension, then content type."""
    ext = extension(filename) if filename else None
    head = body[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if body.startswith(ZIP_MAGICS):
        return _zip_format(body)
    if body.startswith(OLE2_MAGIC):
        return _ole_format(body, ext)
    if body.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if body.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if body.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<head", b"<meta")):
        return "html"
    by_ext = EXTENSION_FORMATS.get(ext or "")
    if by_ext in ("txt",):
        return "txt"
    by_ct = CONTENT_TYPE_FORMATS.get((content_type or "").split(";")[0].strip().lower())
    if by_ext is None and by_ct == "txt":
        return "txt"
    # A declared binary format whose magic bytes are missing is damaged or mislabelled.
    return by_ext or by_ct or "unknown"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _rows_text(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in rows)


def _trim_rows(rows: list[list[str]]) -> list[list[str]]:
    """Drop rows without any content; empty cells inside a row keep their column position."""
    return [list(r) for r in rows if any(c for c in r)]


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    t = title.strip()
    for prefix in ("Microsoft Word - ", "Microsoft Excel - ", "Microsoft PowerPoint - "):
        if t.startswith(prefix):
            t = t[len(prefix) :]
    if "." in t and extension(t) in EXTENSION_FORMATS:
        t = t.rsplit(".", 1)[0]
    # Template defaults and tool names are not titles.
    if (
        not t
        or t.lower() in ("untitled", "无标题", "title", "文档", "document", "pdf")
        or t.startswith(("Microsoft", "WPS"))
    ):
        return None
    return t


def read_pdf(body: bytes, *, tables: bool = False) -> AttachmentContent:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        if "password" in msg.lower():
            return AttachmentContent("pdf", error="encrypted (password required)")
        return AttachmentContent("pdf", error=f"unreadable PDF: {msg}")
    bad_pages = 0
    try:
        pages = []
        for i in range(len(pdf)):
            try:
                page = pdf[i]
            except pdfium.PdfiumError:  # one damaged page must not lose the others
                bad_pages += 1
                pages.append("")
                continue
            try:
                tp = page.get_textpage()
                try:
                    pages.append(tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
                finally:
                    tp.close()
            finally:
                page.close()
        try:
            title = _clean_title(pdf.get_metadata_dict().get("Title"))
        except Exception:  # metadata is optional; a damaged info dict must not lose the text
            title = None
    finally:
        pdf.close()
    text = "\f".join(p.strip("\n") for p in pages)
    content = AttachmentContent("pdf", text=text, title=title, pages=len(pages))
    if bad_pages:
        content.error = f"{bad_pages} of {len(pages)} pages unreadable"
    elif not text.strip():
        content.error = "no text layer (scanned PDF?)" if pages else "PDF has no pages"
    if tables:
        content.tables = _pdf_tables(body)
    return content


def _pdf_tables(body: bytes) -> list[list[list[str]]]:
    """Tables via pdfplumber: ~10x slower than the text pass, hence opt-in."""
    try:
        import pdfplumber

        out = []
        with pdfplumber.open(io.BytesIO(body)) as pdf:
            for page in pdf.pages[:PDF_TABLE_MAX_PAGES]:
                for table in page.extract_tables():
                    out.append([[_cell(c) for c in row] for row in table])
        return out
    except Exception as exc:  # tables are a bonus: the text has been read already
        log.debug("pdfplumber failed: %s", exc)
        return []


def read_docx(body: bytes) -> AttachmentContent:
    """Text and tables of a DOCX: read straight from word/document.xml with lxml (`_docx_parts`),
    ~10x faster than python-docx and the same output; python-docx reads what that reader declines
    (another main part, a vertical merge it cannot place) and says why a file is unreadable."""
    try:
        parts = _docx_parts(body)
    except Exception:  # damaged or unusual: python-docx decides, and words the error
        parts = None
    if parts is None:
        return _read_docx_python_docx(body)
    blocks, tables, title = parts
    text = "\n".join(blocks).strip()
    return AttachmentContent(
        "docx",
        text=text,
        tables=tables,
        title=_clean_title(title),
        error=None if text else "no text in document",
    )


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Run content as python-docx's Run.text renders it (a <w:br> only when it is a line break).
_RUN_TEXT = {_W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}


def _docx_parts(body: bytes) -> tuple[list[str], list[list[list[str]]], str | None] | None:
    """(blocks, tables, core title) of a DOCX as python-docx gives them to `read_docx`: the body's own
    paragraphs and tables in order (Paragraph.text: runs and hyperlinks; a table row's cells once per
    <w:tc>, a vertically merged cell's text in every row it covers). None: leave it to python-docx."""
    from lxml import etree

    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)  # python-docx's own
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        rels = etree.fromstring(z.read("_rels/.rels"), parser)
        targets = {
            r.get("Type", "").rsplit("/", 1)[-1]: r.get("Target", "").lstrip("/") for r in rels.iter(_REL)
        }
        main = targets.get("officeDocument")
        types = etree.fromstring(z.read("[Content_Types].xml"), parser)
        declared = {
            o.get("PartName", "").lstrip("/"): o.get("ContentType") for o in types if o.get("PartName")
        }
        if not main or declared.get(main) != _DOCX_MAIN_TYPE:
            return None
        root = etree.fromstring(z.read(main), parser)
        core = targets.get("core-properties")
        title = None
        if core and core in z.namelist():
            title_el = etree.fromstring(z.read(core), parser).find("{http://purl.org/dc/elements/1.1/}title")
            title = title_el.text if title_el is not None else None
    doc_body = root.find(_W + "body")
    if doc_body is None:
        return None
    blocks: list[str] = []
    tables: list[list[list[str]]] = []
    for el in doc_body:
        if el.tag == _W + "p":
            blocks.append(_docx_paragraph(el))
        elif el.tag == _W + "tbl":
            rows = _docx_table(el)
            if rows is None:
                return None
            tables.append(rows)
            blocks.append(_rows_text(_trim_rows(rows)))
    return blocks, tables, title


def _docx_run(run) -> str:
    out = []
    for child in run:
        tag = child.tag
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag == _W + "br":
            out.append("\n" if child.get(_W + "type", "textWrapping") == "textWrapping" else "")
        else:
            out.append(_RUN_TEXT.get(tag, ""))
    return "".join(out)


def _docx_paragraph(p) -> str:
    out = []
    for child in p:
        if child.tag == _W + "r":
            out.append(_docx_run(child))
        elif child.tag == _W + "hyperlink":
            out.extend(_docx_run(r) for r in child if r.tag == _W + "r")
    return "".join(out)


def _docx_int(el, path: str, default: int) -> int:
    found = el.find(path)
    value = found.get(_W + "val") if found is not None else None
    return int(value) if value is not None else default


def _docx_table(tbl) -> list[list[str]] | None:
    """Rows of cell texts; None when a vertical merge has no cell above it (python-docx raises)."""
    rows: list[list[str]] = []
    grid: list[dict[int, object]] = []  # per row: grid offset → its <w:tc>
    for tr in tbl.iterfind(_W + "tr"):
        offset = _docx_int(tr, f"{_W}trPr/{_W}gridBefore", 0)
        placed: dict[int, object] = {}
        cells: list[str] = []
        seen: list[object] = []
        for tc in tr.iterfind(_W + "tc"):
            placed[offset] = tc
            span = _docx_int(tc, f"{_W}tcPr/{_W}gridSpan", 1)
            root, at = tc, offset
            for above in reversed(grid):  # a continued vertical merge reads the cell that starts it
                merge = root.find(f"{_W}tcPr/{_W}vMerge")
                if merge is None or merge.get(_W + "val", "continue") != "continue":
                    break
                if at not in above:
                    return None
                root = above[at]
            else:
                merge = root.find(f"{_W}tcPr/{_W}vMerge")
                if merge is not None and merge.get(_W + "val", "continue") == "continue":
                    return None
            if not any(root is other for other in seen):
                seen.append(root)
                text = "\n".join(_docx_paragraph(p) for p in root.iterfind(_W + "p"))
                cells.append(" ".join(text.split()))
            offset += span
        grid.append(placed)
        rows.append(cells)
    return rows


def _read_docx_python_docx(body: bytes) -> AttachmentContent:
    import docx
    from docx.table import Table

    try:
        doc = docx.Document(io.BytesIO(body))
    except Exception as exc:  # python-docx raises KeyError/ValueError/lxml errors on damage
        return AttachmentContent("docx", error=f"unreadable DOCX: {exc}")
    blocks: list[str] = []
    tables: list[list[list[str]]] = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            rows = []
            for row in item.rows:
                cells, seen = [], []
                for cell in row.cells:
                    if any(cell._tc is tc for tc in seen):  # a merged cell comes once per grid column
                        continue
                    seen.append(cell._tc)
                    cells.append(" ".join(cell.text.split()))
                rows.append(cells)
            tables.append(rows)
            blocks.append(_rows_text(_trim_rows(rows)))
        else:
            blocks.append(item.text)
    title = _clean_title(doc.core_properties.title)
    text = "\n".join(blocks).strip()
    return AttachmentContent(
        "docx", text=text, tables=tables, title=title, error=None if text else "no text in document"
    )


def read_word_binary(body: bytes, fmt: str) -> AttachmentContent:
    from pipelines.worddoc import WordDocError
    from pipelines.worddoc import read_word_binary as _read

    try:
        text, title = _read(body)
    except WordDocError as exc:
        return AttachmentContent(fmt, error=str(exc))
    except Exception as exc:  # olefile/struct errors on damaged files
        return AttachmentContent(fmt, error=f"unreadable {fmt.upper()}: {exc}")
    return AttachmentContent(
        fmt, text=text, title=_clean_title(title), error=None if text.strip() else "no text in document"
    )


def read_spreadsheet(body: bytes, fmt: str) -> AttachmentContent:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(body))
    except Exception as exc:  # calamine raises its own error types per format
        msg = str(exc)
        if "password" in msg.lower() or "encrypt" in msg.lower():
            return AttachmentContent(fmt, error="encrypted (password required)")
        return AttachmentContent(fmt, error=f"unreadable {fmt.upper()}: {msg}")
    texts, tables = [], []
    try:
        for name in wb.sheet_names:
            try:
                data = wb.get_sheet_by_name(name).to_python(skip_empty_area=True)
            except Exception as exc:  # one bad sheet (chart sheet, damage) must not lose the others
                log.debug("sheet %r unreadable: %s", name, exc)
                continue
            rows = _trim_rows([[_cell(v) for v in row] for row in data])
            tables.append(rows)
            if rows:
                texts.append(f"{name}\n{_rows_text(rows)}")
    finally:
        wb.close()
    text = "\f".join(texts)
    return AttachmentContent(fmt, text=text, tables=tables, error=None if text else "no cells with content")


def read_text_file(body: bytes, content_type: str | None) -> AttachmentContent:
    d = decode_bytes(body, content_type, html=False)
    error = f"{d.replaced} undecodable bytes replaced" if d.replaced else None
    return AttachmentContent(
        "txt", text=d.text.replace("\r\n", "\n").strip(), encoding=d.encoding, error=error
    )


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:  # name declared UTF-8
        return info.filename
    raw = info.filename.encode("cp437")  # zipfile decoded it as cp437; Chinese tools write GBK
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.filename


def read_zip(body: bytes, depth: int = 0) -> AttachmentContent:
    try:
        z = zipfile.ZipFile(io.BytesIO(body))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return AttachmentContent("zip", error=f"unreadable ZIP: {exc}")
    members: list[tuple[str, AttachmentContent]] = []
    skipped: list[str] = []
    total = 0
    with z:
        for info in z.infolist():
            if info.is_dir():
                continue
            name = _member_name(info)
            if len(members) >= ZIP_MAX_MEMBERS:
                skipped.append(f"more than {ZIP_MAX_MEMBERS} members")
                break
            if info.file_size > ZIP_MAX_MEMBER_BYTES or total + info.file_size > ZIP_MAX_TOTAL_BYTES:
                members.append((name, AttachmentContent("unknown", error="too large to unpack")))
                continue
            if info.flag_bits & 0x1:
                members.append(
                    (
                        name,
                        AttachmentContent(
                            EXTENSION_FORMATS.get(extension(name) or "", "unknown"),
                            error="encrypted (password required)",
                        ),
                    )
                )
                continue
            try:
                data = z.read(info)
            except Exception as exc:  # bad CRC, unsupported compression method, truncated archive
                members.append((name, AttachmentContent("unknown", error=f"cannot unpack: {exc}")))
                continue
            total += len(data)
            members.append((name, read_attachment(data, filename=name, _depth=depth + 1)))
    parts = [f"== {name} ==\n{c.text}" for name, c in members if c.text]
    errors = [f"{name}: {c.error}" for name, c in members if c.error]
    content = AttachmentContent("zip", text="\n\n".join(parts), members=members)
    if not members:
        content.error = "empty archive"
    elif not parts:
        content.error = "; ".join(errors + skipped)[:500] or "no readable member"
    return content


# Magic bytes each binary format must start with; a file named .pdf without them is not a PDF.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": ZIP_MAGICS,
    "xlsx": ZIP_MAGICS,
    "ofd": ZIP_MAGICS,
    "zip": ZIP_MAGICS,
    "doc": (OLE2_MAGIC,),
    "wps": (OLE2_MAGIC,),
    "xls": (OLE2_MAGIC,),
    "et": (OLE2_MAGIC,),
}
# Office names that systems also give to HTML ("save as web page") or plain-text exports.
_HTML_OR_TEXT_EXPORTS = frozenset({"doc", "xls", "et", "wps"})


def _looks_textual(body: bytes) -> bool:
    head = body[:4096]
    return b"\x00" not in head and decode_bytes(head, None, html=False).replaced == 0


def _html_export(body: bytes, fmt: str) -> AttachmentContent:
    """An .xls/.doc that is really an HTML page (an export): table rows tab-separated."""
    from pipelines.htmltree import parse_html
    from pipelines.metadata import plain, segments_of

    d = decode_bytes(body, None, html=True)
    tree = parse_html(d.text)
    tables, lines = [], []
    for table in tree.iter("table"):
        rows = [
            [" ".join(cell.text_content().split()) for cell in tr if cell.tag in ("td", "th")]
            for tr in table.iter("tr")
        ]
        tables.append(_trim_rows(rows))
        table.set("data-xxgk-table", str(len(tables) - 1))
    seen_tables: set[str] = set()
    for seg in segments_of(tree):
        el, table_id = seg.element, None
        while el is not None and table_id is None:
            table_id = el.get("data-xxgk-table")
            el = el.getparent()
        if table_id is None:
            lines.append(plain(seg.text))
        elif table_id not in seen_tables:
            seen_tables.add(table_id)
            lines.append(_rows_text(tables[int(table_id)]))
    text = "\n".join(lines).strip()
    return AttachmentContent(
        fmt, text=text, tables=tables, encoding=d.encoding, error=None if text else "no text in document"
    )


def read_attachment(
    body: bytes,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    pdf_tables: bool = False,
    _depth: int = 0,
) -> AttachmentContent:
    """Read one attachment's bytes. Never raises: failures come back as `error`."""
    if not body:
        return AttachmentContent("unknown", error="empty file")
    fmt = "unknown"
    try:
        fmt = sniff_format(body, filename, content_type)
        ext_fmt = EXTENSION_FORMATS.get(extension(filename) or "") if filename else None
        if fmt == "html" and ext_fmt in _HTML_OR_TEXT_EXPORTS:
            return _html_export(body, ext_fmt)  # type: ignore[arg-type]
        signatures = _SIGNATURES.get(fmt)
        if signatures and not body.startswith(signatures) and not (fmt == "pdf" and b"%PDF-" in body[:1024]):
            if fmt in _HTML_OR_TEXT_EXPORTS and _looks_textual(body):
                content = read_text_file(body, content_type)
                content.format = fmt
                return content
            return AttachmentContent(fmt, error=f"not a valid {fmt.upper()} file (signature missing)")
        if fmt == "pdf":
            return read_pdf(body, tables=pdf_tables)
        if fmt == "docx":
            return read_docx(body)
        if fmt in ("doc", "wps"):
            return read_word_binary(body, fmt)
        if fmt in ("xls", "xlsx", "et"):
            return read_spreadsheet(body, fmt)
        if fmt == "ofd":
            return _read_ofd(body)
        if fmt == "zip":
            if _depth >= ZIP_MAX_DEPTH:
                return AttachmentContent("zip", error="nested archive too deep")
            return read_zip(body, _depth)
        if fmt == "txt":
            return read_text_file(body, content_type)
        if fmt == "html":
            return AttachmentContent("html", error="got an HTML page, not the attachment (error page?)")
        if fmt == "encrypted-ooxml":
            return AttachmentContent(
                EXTENSION_FORMATS.get(extension(filename) or "", "unknown"),
                error="encrypted (password required)",
            )
        if fmt in UNSUPPORTED:
            return AttachmentContent(fmt, error=UNSUPPORTED[fmt])
        return AttachmentContent("unknown", error="unknown file format")
    except Exception as exc:  # a reader bug on one odd file must not stop a crawl of thousands
        log.debug("reading %s failed", fmt, exc_info=True)
        return AttachmentContent(fmt, error=f"unreadable {fmt.upper()}: {type(exc).__name__}: {exc}")


def _read_ofd(body: bytes) -> AttachmentContent:
    from pipelines.ofd import OfdError, read_ofd

    try:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            text = read_ofd(z)
    except (OfdError, zipfile.BadZipFile, KeyError) as exc:
        return AttachmentContent("ofd", error=f"unreadable OFD: {exc}")
    pages = text.count("\f") + 1 if text else 0
    return AttachmentContent(
        "ofd", text=text, pages=pages, error=None if text.strip() else "no text in document"
    )
