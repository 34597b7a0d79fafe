from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from scrapy.exceptions import DropItem

from newscrawl.extensions.incremental import IncrementalRun
from newscrawl.record import Article, content_hash


class IncrementalPipeline:
    """Writes an article once per version: a page refetched unchanged is not written again
    (counted as `newscrawl/articles/unchanged`); one whose text changed is written again with
    the same `id` and the next `version`. With `-a since=DATE`, an article published before
    DATE is dropped as `newscrawl/dropped/before_since`."""

    def __init__(self, crawler):
        self.crawler = crawler
        # Pages pass the pipelines concurrently, and an article is recorded in the state only
        # once written: another page of an article this run let through (a copy under another
        # URL declaring it canonical) is caught here, not by the state. id → content hash.
        self.let_through: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        spider = self.crawler.spider
        stats = self.crawler.stats
        run = self.crawler.get_extension(IncrementalRun)
        if spider.since and datetime.fromisoformat(item.date) < spider.since:
            # Remembered, so that later runs (with or without `since`) do not fetch it again.
            if run and run.state:
                run.state.record_gone(spider.source_id, [item.url])
            stats.inc_value("newscrawl/dropped/before_since")
            raise DropItem(f"before_since: {item.url} ({item.date})", log_level="DEBUG")
        if item.id in self.let_through:
            # The first page wins; a copy whose text differs is not a version of its own.
            same = self.let_through[item.id] == content_hash(item)
            reason = "articles/unchanged" if same else "dropped/same_article"
            stats.inc_value(f"newscrawl/{reason}")
            raise DropItem(f"{reason}: {item.url} was already taken by this run", log_level="DEBUG")
        known = run.state.article(spider.source_id, item.id) if run and run.state else None
        if known is None:
            self.let_through[item.id] = content_hash(item)
            return item
        if known.content_hash == content_hash(item):
            # Remember that the page was checked, so a feed's older lastmod does not send
            # the crawler back to it on every run.
            checked = item.crawled_at or datetime.now(UTC).isoformat(timespec="seconds")
            run.state.record_article(spider.source_id, replace(known, last_written=checked))
            stats.inc_value("newscrawl/articles/unchanged")
            raise DropItem(f"unchanged: {item.url}", log_level="DEBUG")
        self.let_through[item.id] = content_hash(item)
        return replace(item, version=known.version + 1)
