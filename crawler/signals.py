"""xxgk's own Scrapy signals (objects, as Scrapy's are)."""

# Sent (synchronously) when the spider yields a document item, with item=…; the
# capture handler records it as a WARC metadata record beside the response.
document_found = object()


def nudge_engine(crawler) -> None:
    """Have the engine look at its queue (and whether it is idle) now, not at its next 5 s heartbeat."""
    slot = getattr(crawler.engine, "_slot", None)  # private in Scrapy 2.19: guarded
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None and getattr(slot, "closing", None) is None:
        nextcall.schedule()
