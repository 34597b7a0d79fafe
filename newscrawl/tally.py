"""Tally: one way to count a fault, refusal or trap in the crawl's stats and log it once."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class Tally:
    """Counts `newscrawl/<stat>` and logs the first occurrence of each (stat, key)."""

    def __init__(self, stats: StatsCollector, log: Any = logger) -> None:
        self.stats = stats
        self.log = log
        self.logged: set[tuple[str, str]] = set()

    def __call__(self, stat: str, key: str, level: int, message: str, *args: Any) -> None:
        self.stats.inc_value(f"newscrawl/{stat}")
        if (stat, key) not in self.logged:
            self.logged.add((stat, key))
            self.log.log(level, message, *args)

    def fault(self, reason: str, url: str, detail: object = None) -> None:
        """A fault of the site (newscrawl/fault/<reason>), logged once per URL."""
        suffix = f" ({detail})" if detail else ""
        self(f"fault/{reason}", url, logging.WARNING, "fault at %s: %s%s", url, reason, suffix)
