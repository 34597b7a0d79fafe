from __future__ import annotations

from dataclasses import replace

from scrapy.exceptions import DropItem

from newscrawl.extensions.incremental import IncrementalRun
from newscrawl.record import Article, text_fingerprint

POLICIES = ("drop", "mark")


class DuplicatePipeline:
    """An article whose text was already written — under another URL of the same site, or by
    another outlet sharing the state store — is not written again: it is dropped and counted as
    `newscrawl/dropped/duplicate` (NEWSCRAWL_DUPLICATES = "drop", the default), or written with
    `duplicate_of` = the first record's id ("mark").

    The original is preferred: when the text seen first credited the outlet now crawled ("Theo
    QBTV" on another paper, then QBTV's own page), this record is written as usual and takes
    the text over, so later copies point to it."""

    def __init__(self, crawler, policy: str):
        self.crawler = crawler
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler):
        policy = crawler.settings.get("NEWSCRAWL_DUPLICATES")
        if policy not in POLICIES:
            raise ValueError(f"NEWSCRAWL_DUPLICATES must be one of {POLICIES}, not {policy!r}")
        return cls(crawler, policy)

    def process_item(self, item: Article) -> Article:
        run = self.crawler.get_extension(IncrementalRun)
        if run is None or run.state is None:
            return item
        first = run.state.first_with_fingerprint(text_fingerprint(item))
        spider = self.crawler.spider
        if first is None or first[:2] == (spider.source_id, item.id):
            return item
        source, first_id, credited = first
        if credited and credited == spider.source.outlet and source != spider.source_id:
            run.originals.add(item.id)
            self.crawler.stats.inc_value("newscrawl/articles/original_after_copy")
            return item
        if self.policy == "mark":
            self.crawler.stats.inc_value("newscrawl/articles/marked_duplicate")
            return replace(item, duplicate_of=first_id)
        self.crawler.stats.inc_value("newscrawl/dropped/duplicate")
        raise DropItem(
            f"duplicate: {item.url} has the text of {source} article {first_id}", log_level="INFO"
        )
