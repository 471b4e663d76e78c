"""Text of Word 97–2003 binary documents (.doc) and WPS Office files (.wps), in pure Python.

Both are OLE2 compound files with a `WordDocument` stream (WPS writes the Word format). The
text is stored in *pieces* listed by the piece table (CLX) in the `0Table`/`1Table` stream: each
piece is either UTF-16LE or "compressed" 8-bit (cp1252) text, so Chinese text — always UTF-16
pieces — comes back exactly, which antiword/catdoc do not promise. Reference: [MS-DOC] 2.5.1
(FIB), 2.9.38 (Clx), 2.9.177 (Pcd), 2.4.1 (retrieving text).
Tables are not reconstructed (that needs the paragraph properties); cells come out
tab-separated, rows on their own lines, which keeps the text readable.
"""

from __future__ import annotations

import io
import re
import struct

import olefile

WORD_MAGIC = 0xA5EC
# FibRgFcLcb97 index of the fcClx/lcbClx pair; FibRgLw97 index of ccpText.
_FC_CLX_INDEX = 33
_CCP_TEXT_INDEX = 3
_FIELD_CODE_RE = re.compile("\x13[^\x13\x14\x15]*\x14?")  # field begin … separator: the code, not the result
_CONTROL_MAP = str.maketrans(
    {
        "\r": "\n",
        "\x0b": "\n",
        "\x0c": "\n",
        "\x0e": "\n",  # paragraph, line, page and column breaks
        "\x07": "\t",  # table cell end (row ends are fixed up below)
        "\x1e": "-",
        "\x1f": None,
        "\xa0": " ",
        "\x15": None,
        "\x14": None,
        "\x13": None,
        "\x01": None,
        "\x08": None,
        "\x02": None,
        "\x05": None,
        "\x03": None,
        "\x04": None,
    }
)


class WordDocError(Exception):
    """The file is not a Word 97+ binary document we can read; the message says why."""


def _piece_table(table: bytes, fc_clx: int, lcb_clx: int) -> list[tuple[int, int, int, bool]]:
    """(cp_start, cp_end, byte_offset, compressed) for every piece."""
    clx = table[fc_clx : fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: property modifiers we skip
        (cb,) = struct.unpack_from("<h", clx, pos + 1)
        pos += 3 + cb
    if pos >= len(clx) or clx[pos] != 0x02:
        raise WordDocError("corrupt piece table")
    (lcb,) = struct.unpack_from("<I", clx, pos + 1)
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (lcb - 4) // 12
    if n <= 0 or len(plc) < lcb:
        raise WordDocError("corrupt piece table")
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    pieces = []
    for i in range(n):
        (fc,) = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)
        compressed = bool(fc & 0x40000000)
        fc &= 0x3FFFFFFF
        pieces.append((cps[i], cps[i + 1], fc // 2 if compressed else fc, compressed))
    return pieces


def word_text(ole: olefile.OleFileIO) -> str:
    """Main-document text of an open OLE2 file with a WordDocument stream."""
    wd = ole.openstream("WordDocument").read()
    if len(wd) < 64:
        raise WordDocError("WordDocument stream too short")
    ident, nfib = struct.unpack_from("<HH", wd, 0)
    if ident != WORD_MAGIC:
        raise WordDocError("not a Word binary document")
    (flags,) = struct.unpack_from("<H", wd, 0x0A)
    if flags & 0x0100:
        raise WordDocError("encrypted (password protected)")
    if nfib < 101:  # Word 6/95: no piece table in this form
        raise WordDocError(f"unsupported Word version (nFib {nfib})")
    table_name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(table_name):
        raise WordDocError(f"missing {table_name} stream")
    table = ole.openstream(table_name).read()

    pos = 32
    (csw,) = struct.unpack_from("<H", wd, pos)
    pos += 2 + 2 * csw
    (cslw,) = struct.unpack_from("<H", wd, pos)
    rglw = pos + 2
    (ccp_text,) = struct.unpack_from("<i", wd, rglw + 4 * _CCP_TEXT_INDEX)
    pos = rglw + 4 * cslw
    (cb_rg_fc_lcb,) = struct.unpack_from("<H", wd, pos)
    if cb_rg_fc_lcb <= _FC_CLX_INDEX:
        raise WordDocError("FIB without piece table")
    fc_clx, lcb_clx = struct.unpack_from("<II", wd, pos + 2 + 8 * _FC_CLX_INDEX)
    if lcb_clx == 0 or fc_clx + lcb_clx > len(table):
        raise WordDocError("corrupt FIB (piece table out of range)")

    chunks = []
    remaining = ccp_text if ccp_text > 0 else None
    for cp_start, cp_end, offset, compressed in _piece_table(table, fc_clx, lcb_clx):
        count = cp_end - cp_start
        if remaining is not None:
            count = min(count, remaining)
        if count <= 0:
            break
        if compressed:
            chunks.append(wd[offset : offset + count].decode("cp1252", errors="replace"))
        else:
            chunks.append(wd[offset : offset + 2 * count].decode("utf-16-le", errors="replace"))
        if remaining is not None:
            remaining -= count
            if remaining <= 0:
                break
    return clean_word_text("".join(chunks))


def clean_word_text(raw: str) -> str:
    """Word's control characters → plain text (field codes dropped, their results kept)."""
    text = _FIELD_CODE_RE.sub("", raw)
    # a cell mark right after a cell mark ends the row: "a\x07b\x07\x07" → "a\tb\n"
    text = text.replace("\x07\x07", "\x07\n").replace("\x07\r", "\x07\n")
    text = text.translate(_CONTROL_MAP)
    lines = [ln.rstrip("\t ").rstrip() for ln in text.split("\n")]
    return "\n".join(lines).strip()


def summary_title(ole: olefile.OleFileIO) -> str | None:
    """Title from the OLE SummaryInformation stream, decoded with the code page it declares."""
    try:
        meta = ole.get_metadata()
    except Exception:  # a damaged property set only costs us the title
        return None
    raw = meta.title
    if not raw:
        return None
    if isinstance(raw, str):
        return raw.strip() or None
    codepage = (meta.codepage or 1252) & 0xFFFF  # stored as a signed 16-bit int: 65001 reads -535
    codec = {65001: "utf-8", 936: "gb18030", 950: "big5hkscs", 1200: "utf-16-le"}.get(
        codepage, f"cp{codepage}"
    )
    try:
        return raw.decode(codec).strip("\x00 ") or None
    except (LookupError, UnicodeDecodeError):
        return None


def read_word_binary(body: bytes) -> tuple[str, str | None]:
    """(text, title) of a .doc/.wps file's bytes; raises WordDocError (or olefile's errors)."""
    with olefile.OleFileIO(io.BytesIO(body)) as ole:
        if not ole.exists("WordDocument"):
            raise WordDocError("OLE2 file without a WordDocument stream (not a Word/WPS document)")
        return word_text(ole), summary_title(ole)
