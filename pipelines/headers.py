"""HTTP response headers as given by Scrapy, warcio or a dict: any case, names may repeat."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from email.message import Message
from urllib.parse import unquote

Headers = Mapping[str, str] | Iterable[tuple[str, str]]

_RFC5987_RE = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.IGNORECASE)
_FILENAME_RE = re.compile(r"""filename\s*=\s*(?:"([^"]*)"|([^;]+))""", re.IGNORECASE)


def _pairs(headers: Headers | None) -> Iterable[tuple[str, str]]:
    if not headers:
        return ()
    items = headers.items() if isinstance(headers, Mapping) else headers
    out = []
    for name, value in items:
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        if isinstance(value, list | tuple):  # Scrapy's Headers map a name to a list of values
            out.extend((name, v) for v in value)
        else:
            out.append((name, value))
    return [(n, v.decode("latin-1") if isinstance(v, bytes) else str(v)) for n, v in out]


def header_value(headers: Headers | None, name: str) -> str | None:
    """The last non-empty value of header `name` (case-insensitive), as browsers use for
    a repeated Content-Type; None if absent."""
    wanted = name.lower()
    found = None
    for n, v in _pairs(headers):
        if n.strip().lower() == wanted and v.strip():
            found = v.strip()
    return found


def media_type(content_type: str | None) -> str | None:
    """ "text/html" from "text/html; charset=gbk" (lower-case, no parameters)."""
    if not content_type:
        return None
    mt = content_type.split(";", 1)[0].strip().lower()
    return mt or None


def _fix_mojibake(name: str) -> str:
    # Servers put raw UTF-8/GBK bytes in the header; HTTP libraries hand them over as latin-1.
    try:
        raw = name.encode("latin-1")
    except UnicodeEncodeError:
        return name
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


def disposition_filename(value: str | None) -> str | None:
    """The file name a Content-Disposition header gives (RFC 5987 filename* first)."""
    if not value:
        return None
    m = _RFC5987_RE.search(value)
    if m:
        charset = m.group(1) or "utf-8"
        try:
            return unquote(m.group(2).strip().strip('"'), encoding=charset, errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    m = _FILENAME_RE.search(value)
    if not m:
        msg = Message()
        msg["content-disposition"] = value
        name = msg.get_filename()
        return name or None
    name = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if "%" in name:
        try:
            name = unquote(name, errors="strict")
        except UnicodeDecodeError:
            name = unquote(name, encoding="gb18030", errors="replace")
    return _fix_mojibake(name) or None
