"""Canonical URLs and the stable document id derived from them: the one URL form of xxgk.

Scope, the spider's duplicate check, redirect-loop detection, process shards and ``doc_id``
all use ``canonical_url``, so a page is one page everywhere, whatever session id it carries.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query keys (lower case) and ;path parameters that carry a visitor's session, not the page.
SESSION_PARAMS: frozenset[str] = frozenset({"jsessionid", "phpsessid", "sessionid", "aspsessionid", "sessid"})
_PATH_SESSION = re.compile(r";(?:" + "|".join(sorted(SESSION_PARAMS)) + r")=[^/?#]*", re.I)

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when re-quoting a path (RFC 3986 pchar plus "/" and "%").
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def without_session(url: str) -> str:
    """The URL without session ids (;jsessionid=…, ?PHPSESSID=…): the same page for every visitor.
    Otherwise the URL as written (this is what the crawler requests)."""
    if ";" in url:
        url = _PATH_SESSION.sub("", url)
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if k.lower() not in SESSION_PARAMS]
    if len(kept) == len(pairs):
        return url
    return parts._replace(query=urlencode(kept)).geturl()


def canonical_url(url: str) -> str:
    """One spelling per resource: no session ids, lower-case scheme and host, no default port,
    no fragment, percent-encoding normalised (so 中文.pdf and %E4%B8%AD%E6%96%87.pdf agree),
    query parameters sorted. The scheme is kept: http and https copies are separate captures."""
    try:
        parts = urlsplit(without_session(url.strip()))
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    with contextlib.suppress(UnicodeError):  # an invalid IDN stays as written
        host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    netloc = host
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    if port and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    try:
        path = quote(unquote(parts.path, errors="strict"), safe=_PATH_SAFE.replace("%", ""))
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True, errors="strict")))
    except UnicodeDecodeError:  # GBK percent-escapes: keep them as they are rather than lose bytes
        path, query = quote(parts.path, safe=_PATH_SAFE), parts.query
    path = path or "/"
    return urlunsplit((scheme, netloc, path, query, ""))


def doc_id(url: str) -> str:
    """Stable 16-hex-digit id: the first 64 bits of SHA-1 over the canonical URL."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]
