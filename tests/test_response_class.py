"""The capture handler picks the Response class Scrapy would, without Scrapy's slow body sniffing."""

from __future__ import annotations

import itertools

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler.capture import response_class

CONTENT_TYPES = [
    None,
    b"text/html",
    b"application/pdf",
    b"application/octet-stream",
    b"text/plain; charset=gbk",
    b"application/json",
    b"application/xml",
    b"application/msword",
]
URLS = [
    "http://h/a.html",
    "http://h/a.pdf",
    "http://h/a?id=1",
    "http://h/a.docx",
    "http://h/x.xml",
    "http://h/dl",
]
BODIES = [
    b"",
    b"<html><body>x</body></html>",
    b"%PDF-1.4\n\x01\x02binary",
    b"<?xml version='1.0'?><a/>",
    bytes(range(256)) * 30,
    b"plain text\twith\ttabs\r\n" * 10,
    b"<!DOCTYPE html><p>",
    b"\x00" * 10 + b"<html>",
    b"x" * 6000 + b"\x01",  # a control byte past the 5,000 Scrapy looks at
    b"<?xml version='1.0'?><!DOCTYPE html><p>",  # xml wins over a doctype, as in Scrapy
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n",  # a PDF of printable bytes: text to Scrapy
]


def test_same_class_as_scrapy_for_every_combination():
    for content_type, url, body in itertools.product(CONTENT_TYPES, URLS, BODIES):
        headers = Headers({b"Content-Type": content_type} if content_type else {})
        expected = responsetypes.from_args(headers=headers, url=url, body=body)
        assert response_class(headers, url, body) is expected, (content_type, url, body[:20])
