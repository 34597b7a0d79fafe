"""Alerts when a source is not healthy, through Spidermon.

Whether a run is healthy is decided by the IncrementalRun extension, because it needs the
source's recent runs, which only the state store holds (fill rates against their median, zero
articles where there were some, block pages, unreachable start points). Spidermon carries the
verdict to people: its actions (Slack, e-mail, Telegram, Discord, Sentry, …) run when this suite
fails, chosen by the NEWSCRAWL_HEALTH_ALERTS setting; with none set, Spidermon stays off (its
report would add twenty log lines to every run and tell nothing the health line does not).
The extension is ordered after IncrementalRun in EXTENSIONS, so the suite reads the run's final
status.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

from scrapy.exceptions import NotConfigured, ScrapyDeprecationWarning
from scrapy.utils.misc import load_object
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.extensions import Spidermon

# Spidermon's runner still logs through Spider.log(); the warning says nothing to our users.
warnings.filterwarnings(
    "ignore", "Spider.log", ScrapyDeprecationWarning, "spidermon.contrib.scrapy.runners"
)


@monitors.name("Source health")
class SourceHealthMonitor(Monitor):
    @monitors.name("The run finished with every start point read and the usual fields filled")
    def test_the_run_is_healthy(self):
        status = self.data.stats.get("newscrawl/run_status")
        if status is None:
            self.skipTest("incremental runs are off (NEWSCRAWL_INCREMENTAL): no health verdict")
        health = self.data.stats.get("newscrawl/health", status)
        self.assertEqual(status, "finished", msg=f"{self.data.spider.name}: {health}")


class SourceHealthSuite(MonitorSuite):
    monitors: ClassVar[list] = [SourceHealthMonitor]

    def __init__(self, *args, crawler=None, **kwargs):
        # Loaded when the crawl starts: a misspelt action fails the run then, not silently
        # at the end when it is needed.
        alerts = crawler.settings.getlist("NEWSCRAWL_HEALTH_ALERTS") if crawler else []
        actions = [load_object(path) for path in alerts]
        super().__init__(*args, monitors_failed_actions=actions, crawler=crawler, **kwargs)


class HealthAlerts(Spidermon):
    """Spidermon, on when there is someone to alert."""

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getlist("NEWSCRAWL_HEALTH_ALERTS"):
            raise NotConfigured
        return super().from_crawler(crawler)
