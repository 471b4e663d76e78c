"""xxgk's own Scrapy signals (objects, as Scrapy's are)."""

# Sent (synchronously) when the spider yields a document item, with item=…; the
# capture handler records it as a WARC metadata record beside the response.
document_found = object()
