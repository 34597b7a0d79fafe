"""PageBudget: a run stopped by its page budget is a counted trap, with a reason in the log.

The budget itself is Scrapy's CloseSpider extension with CLOSESPIDER_PAGECOUNT (newscrawl's
default is in settings.py): after that many responses the run stops, whatever a site serves —
a link farm, an endless archive. This extension only counts the stop as
`newscrawl/trap/page_budget` and says what it means. It must come before IncrementalRun in
EXTENSIONS: signal handlers run in the order components were built, and IncrementalRun writes
the run report from the stats when the spider closes.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

# The reason CloseSpider gives when CLOSESPIDER_PAGECOUNT is reached.
PAGECOUNT_REASON = "closespider_pagecount"


class PageBudget:
    def __init__(self, crawler, budget: int) -> None:
        self.crawler = crawler
        self.budget = budget

    @classmethod
    def from_crawler(cls, crawler):
        budget = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if not budget:
            raise NotConfigured
        extension = cls(crawler, budget)
        crawler.signals.connect(extension.spider_closed, signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason: str) -> None:
        if reason != PAGECOUNT_REASON:
            return
        self.crawler.stats.inc_value("newscrawl/trap/page_budget")
        logger.warning(
            "%s: the run stopped at its page budget of %d pages (CLOSESPIDER_PAGECOUNT); the "
            "next run goes on with what this one did not fetch",
            spider.source_id,
            self.budget,
        )
