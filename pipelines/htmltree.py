"""Parse a decoded HTML page once into the lxml tree every extractor shares."""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

# Comments and processing instructions carry nothing we extract; dropping them at parse time
# saves every later walk from skipping them.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False)
# Every element an HtmlElement (text_content() and the rest), chosen in C: lxml.html's own lookup
# is a Python call for every element proxy created, some 500 a page, and gives <form>, <input> …
# classes of their own that nothing here uses.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml_html.HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
)
# lxml refuses str input that still declares a byte encoding.
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_html(text: str) -> lxml_html.HtmlElement:
    """The document tree of `text`; an empty <html> for input lxml cannot parse at all."""
    text = _XML_DECL_RE.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return lxml_html.document_fromstring("<html><body></body></html>", parser=_PARSER)
    try:
        return lxml_html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return lxml_html.document_fromstring("<html><body></body></html>", parser=_PARSER)
