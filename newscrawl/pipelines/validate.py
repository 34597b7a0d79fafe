from __future__ import annotations

from dataclasses import asdict

from scrapy.exceptions import DropItem

from newscrawl.record import Article, schema_errors

REQUIRED = ("url", "title", "date", "body")


class ValidatePipeline:
    """Drops a record that lacks a required field or breaks the JSON Schema; the reason is
    counted as `newscrawl/dropped/<reason>` and logged with the article's URL."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item: Article) -> Article:
        record = asdict(item)
        reason = next((f"missing_{f}" for f in REQUIRED if not record.get(f)), None)
        errors = [] if reason else schema_errors(record)
        if errors:
            reason = "schema"
        if reason:
            self.stats.inc_value(f"newscrawl/dropped/{reason}")
            detail = f" ({'; '.join(errors)})" if errors else ""
            raise DropItem(f"{reason}: {record.get('url')}{detail}")
        return item
