"""IncrementalRun: the state of a source across runs, and the report of each run.

At the start of a run it opens the state store, reconciles the output of a previous run that
was killed (records written but never recorded, a torn last line), and records the run. Each
article is recorded as done only after the feed exporter has written its line durably (this
extension's item_scraped handler runs after the FeedExporter's: it is connected later, and
checks that order). At the end it saves the feed/sitemap validators of a run that finished,
writes the run report under NEWSCRAWL_RUNS_DIR and logs it as a table.
"""

from __future__ import annotations

import json
import logging
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

from datasketch import LeanMinHash
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter
from w3lib.url import file_uri_to_path

from newscrawl.extract.similarity import band_keys, matchable, signature, to_bytes
from newscrawl.extract.urls import canonical_url
from newscrawl.feeds import last_lines, repair_torn_tail
from newscrawl.record import FILL_FIELDS, Article, content_hash, text_fingerprint
from newscrawl.state import ArticleState, StateStore, open_state

logger = logging.getLogger(__name__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _local_path(uri: str) -> Path | None:
    if uri.startswith("file://"):
        return Path(file_uri_to_path(uri))
    return None if "://" in uri else Path(uri)


class IncrementalRun:
    def __init__(
        self, crawler, state_path: str, runs_dir: str, keep_runs: int, near_duplicate_days: int
    ):
        self.crawler = crawler
        self.state_path = state_path
        self.runs_dir = Path(runs_dir)
        self.keep_runs = max(keep_runs, 1)
        self.near_duplicate_window = timedelta(days=near_duplicate_days)
        # Articles found to be the original of a copy written earlier, and the MinHash
        # signatures of articles to be written, from DuplicatePipeline.
        self.originals: set[str] = set()
        self.signatures: dict[str, LeanMinHash] = {}
        self.state: StateStore | None = None
        self.run_id: int | None = None
        self.started_at = _now()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_INCREMENTAL"):
            raise NotConfigured
        run = cls(
            crawler,
            settings["NEWSCRAWL_STATE_PATH"],
            settings["NEWSCRAWL_RUNS_DIR"],
            settings.getint("NEWSCRAWL_KEEP_RUNS"),
            settings.getint("NEWSCRAWL_NEAR_DUPLICATE_DAYS"),
        )
        crawler.signals.connect(run.spider_opened, signals.spider_opened)
        crawler.signals.connect(run.item_scraped, signals.item_scraped)
        crawler.signals.connect(run.spider_closed, signals.spider_closed)
        return run

    @property
    def source(self) -> str:
        return self.crawler.spider.source_id

    def spider_opened(self, spider) -> None:
        self._check_exporter_order()
        try:
            self.state = open_state(self.state_path)
            self._open_run()
        except Exception:
            # The spider starts nothing without a state: a run that cannot remember what it
            # wrote would write everything again. The run ends as failed (exit code 1).
            logger.exception("cannot use the state store %s", self.state_path)
            if self.state is not None:
                self.state.close()
            self.state = None
        self._exported = self._exported_count()

    def _open_run(self) -> None:
        previous = self.state.last_run(self.source)
        if previous and previous.finished_at is None:
            recovered = sum(self._reconcile(output) for output in previous.outputs)
            self.state.finish_run(previous.id, _now(), "killed", {"recovered": recovered})
            logger.warning(
                "the previous run of %s (started %s) did not finish; %d written records were "
                "recorded from its output",
                self.source, previous.started_at, recovered,
            )  # fmt: skip
        self.run_id = self.state.start_run(self.source, self.started_at, self._outputs())

    def _check_exporter_order(self) -> None:
        components = list(self.crawler.extensions.middlewares)
        exporter = self.crawler.get_extension(FeedExporter)
        if exporter is not None and components.index(exporter) > components.index(self):
            raise RuntimeError(
                "IncrementalRun must come after FeedExporter in EXTENSIONS: it records an "
                "article only once the exporter has written it"
            )

    def _outputs(self) -> list[str]:
        exporter = self.crawler.get_extension(FeedExporter)
        slots = getattr(exporter, "slots", []) if exporter else []
        if not slots:
            logger.warning("no feed output is configured: articles are recorded but not written")
        return [slot.uri for slot in slots]

    def _reconcile(self, output: str) -> int:
        """Record the lines of a killed run's output that the state does not hold; returns how
        many. Only the last record can be missing (each is recorded right after its line is
        written), so the file's tail is enough."""
        path = _local_path(output)
        if path is None or not path.exists():
            return 0
        repair_torn_tail(path)
        recovered = 0
        for line in last_lines(path, 50):
            try:
                record = json.loads(line)
            except ValueError:
                continue  # the first line of the tail may be cut
            known = self.state.article(self.source, record.get("id", ""))
            if known is None or known.version < record.get("version", 1):
                self._record(record, [])
                recovered += 1
        return recovered

    def _record(self, record: dict, urls: list[str]) -> None:
        """Record a written line; it was checked when it was crawled (`crawled_at`), which is
        what the next run compares a feed's modification date with. The text's signature goes
        first: a kill between the two leaves the article unrecorded, so the next run's
        reconciliation records both."""
        sig = self.signatures.pop(record["id"], None)
        if sig is None and not record.get("duplicate_of") and matchable(record["body"]):
            sig = signature(record["body"])  # a line recovered from a killed run
        if sig is not None:
            self.state.record_signature(
                self.source,
                record["id"],
                to_bytes(sig),
                band_keys(sig),
                record.get("crawled_at") or _now(),
                record.get("credit"),
            )
        self.state.record_article(
            self.source,
            ArticleState(
                id=record["id"],
                url=record["url"],
                content_hash=content_hash(record),
                date=record.get("date"),
                date_modified=record.get("date_modified"),
                version=record.get("version", 1),
                last_written=record.get("crawled_at") or _now(),
            ),
            urls,
            # A marked duplicate does not own its text: the first article keeps it.
            fingerprint=None if record.get("duplicate_of") else text_fingerprint(record),
            credit=record.get("credit"),
            original=record["id"] in self.originals,
        )

    def _exported_count(self) -> int:
        exporter = self.crawler.get_extension(FeedExporter)
        return sum(slot.itemcount for slot in getattr(exporter, "slots", []))

    def item_scraped(self, item: Article, response, spider) -> None:
        exported, self._exported = self._exported, self._exported_count()
        outputs = len(getattr(self.crawler.get_extension(FeedExporter), "slots", []))
        if self._exported - exported < outputs:
            # An output failed to take the line (disk full, I/O error): the article is not
            # recorded, so the next run writes it, and this run stops as failed.
            self.crawler.stats.inc_value("newscrawl/write_failed")
            self.crawler.engine.close_spider(spider, "write_failed")
            return
        urls = [canonical_url(response.url), response.meta.get("link_key")]
        record = {
            "id": item.id, "url": item.url, "title": item.title, "lead": item.lead,
            "body": item.body, "author": item.author, "credit": item.credit, "date": item.date,
            "date_modified": item.date_modified, "version": item.version,
            "crawled_at": item.crawled_at, "duplicate_of": item.duplicate_of,
        }  # fmt: skip
        self._record(record, [u for u in urls if u])
        self.crawler.stats.inc_value("newscrawl/written")
        for field in FILL_FIELDS:
            if getattr(item, field):
                self.crawler.stats.inc_value(f"newscrawl/filled/{field}")
        self.crawler.stats.inc_value(
            "newscrawl/articles/new" if item.version == 1 else "newscrawl/articles/updated"
        )

    def spider_closed(self, spider, reason: str) -> None:
        if self.state is None:
            self.crawler.stats.set_value("newscrawl/run_status", "failed")
            return
        stats = self.crawler.stats
        status = self._status(spider, reason)
        stats.set_value("newscrawl/run_status", status)
        found = set().union(*spider.discovered.values())
        stats.set_value("newscrawl/found", len(found))
        stats.set_value("newscrawl/already_seen", len(spider.already_seen & found))
        report = build_report(self.source, self.started_at, _now(), status, stats.get_stats())
        # Only pages read in full can show that articles are gone; a 304 shows nothing new.
        if not found and spider.pages_read and self.state.article_count(self.source) > 0:
            report["warnings"].append(
                "no article found, but this source had articles before: has the site changed?"
            )
        report["warnings"] += self._fill_rate_drops(report)
        if status == "finished":
            report["warnings"] += [
                f"start point {url} failed ({why}): articles only it lists were not found"
                for url, why in spider.failed_start_points.items()
            ]
            status = report["status"] = self._blocked_articles(spider, report) or status
        if status == "finished" and report["warnings"]:
            status = report["status"] = "degraded"
        stats.set_value("newscrawl/run_status", status)
        if status in ("finished", "degraded"):
            self.state.save_validators(
                self.source,
                {u: v for u, v in spider.fresh_validators.items() if u not in spider.incomplete},
            )
        for warning in report["warnings"]:
            logger.warning("%s: %s", self.source, warning)
        health = "; ".join([status, *report["warnings"]])
        stats.set_value("newscrawl/health", health)
        logger.info("health %s: %s", self.source, health)
        self._write_report(report)
        self.state.finish_run(self.run_id, report["finished_at"], status, report)
        self.state.prune_runs(self.source, self.keep_runs)
        self.state.forget_signatures((datetime.now(UTC) - self.near_duplicate_window).isoformat())
        self.state.close()
        self.state = None

    def _fill_rates_before(self) -> list[dict[str, float]]:
        return [
            run.report.get("fill_rates", {})
            for run in self.state.runs(self.source, limit=FILL_HISTORY + 1)[1:]
            if run.report and run.report.get("articles", {}).get("written", 0) >= FILL_MIN_RECORDS
        ]

    def _fill_rate_drops(self, report: dict) -> list[str]:
        """A field the source's recent runs filled and this run mostly leaves empty: the
        commonest sign that the site changed its layout and a selector no longer matches."""
        if report["articles"]["written"] < FILL_MIN_RECORDS:
            return []
        before = self._fill_rates_before()
        drops = []
        for field, rate in report["fill_rates"].items():
            usual = statistics.median([r.get(field, 0.0) for r in before]) if before else None
            if usual is not None and usual >= 0.5 and rate <= usual - FILL_DROP:
                drops.append(f"{field} filled in {rate:.0%} of records, usually {usual:.0%}")
        return drops

    @staticmethod
    def _blocked_articles(spider, report: dict) -> str | None:
        """Article pages that answered with a block or challenge page: `blocked` when every
        article asked for did, else a warning (the run is `degraded`)."""
        pages = spider.articles_blocked
        if not pages:
            return None
        if pages >= len(spider.requested):
            return "blocked"
        reasons = ", ".join(report["articles"]["blocked"])
        report["warnings"].append(
            f"{pages} article page(s) answered with a block or challenge page ({reasons}):"
            " not extracted, asked for again next run"
        )
        return None

    def _status(self, spider, reason: str) -> str:
        """`blocked` when every start point (feed, sitemap, listing) answered with a block or
        challenge page, `unreachable` when none answered; `failed` when the run did not
        finish or an error was logged. (Some start points failing makes a finished run
        `degraded`: its warnings name them.)"""
        stats = self.crawler.stats
        starts = (
            len(spider.source.feeds) + len(spider.source.sitemaps) + len(spider.source.listings)
        )
        if starts and spider.start_points_blocked >= starts:
            return "blocked"
        if starts and len(spider.failed_start_points) >= starts:
            return "unreachable"
        if reason != "finished" or stats.get_value("log_count/ERROR"):
            return "failed"
        return "finished"

    def _write_report(self, report: dict) -> None:
        folder = self.runs_dir / self.source
        folder.mkdir(parents=True, exist_ok=True)
        name = report["started_at"].replace(":", "")[:17] + ".json"
        (folder / name).write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
        for old in sorted(folder.glob("*.json"))[: -self.keep_runs]:
            old.unlink()
        logger.info("run report %s\n%s", folder / name, report_table(report))


FILL_HISTORY = 10  # recent runs compared with
FILL_MIN_RECORDS = 5  # fewer records written say nothing about rates
FILL_DROP = 0.4  # a fall of this much (0.9 → 0.5) flags the run


def build_report(source: str, started: str, finished: str, status: str, stats: dict) -> dict:
    """The run in numbers, from Scrapy's stats: what a person reads in the morning.

    `faults` counts by reason what the site did wrong (`newscrawl/fault/<reason>`: a 503, a
    timeout, a cut body, a mislabeled charset, a malformed sitemap, …) and, under `refused/…`
    and `trap/…`, what the crawl refused to fetch or where it stopped a trap."""

    def prefixed(prefix: str) -> dict[str, int]:
        return {k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)}

    return {
        "source": source,
        "status": status,
        "started_at": started,
        "finished_at": finished,
        "requests": stats.get("downloader/request_count", 0),
        "retries": stats.get("retry/count", 0),
        "responses_by_status": prefixed("downloader/response_status_count/"),
        "not_modified": stats.get("newscrawl/not_modified", 0),
        "fill_rates": {
            field: round(stats.get(f"newscrawl/filled/{field}", 0) / written, 3)
            for field in FILL_FIELDS
        }
        if (written := stats.get("newscrawl/written", 0))
        else {},
        "articles": {
            "found": stats.get("newscrawl/found", 0),
            "found_by_route": prefixed("newscrawl/discovered/"),
            "already_seen": stats.get("newscrawl/already_seen", 0),
            "written": stats.get("newscrawl/written", 0),
            "new": stats.get("newscrawl/articles/new", 0),
            "updated": stats.get("newscrawl/articles/updated", 0),
            "unchanged": stats.get("newscrawl/articles/unchanged", 0),
            "deferred": stats.get("newscrawl/articles/deferred", 0),
            "dropped": prefixed("newscrawl/dropped/"),
            "skipped": prefixed("newscrawl/skipped/"),
            "blocked": prefixed("newscrawl/blocked/"),
        },
        "faults": {
            key.removeprefix("newscrawl/").removeprefix("fault/"): count
            for key, count in sorted(stats.items())
            if key.startswith(("newscrawl/fault/", "newscrawl/refused/", "newscrawl/trap/"))
        },
        "errors": {
            "article_fetches": prefixed("newscrawl/article_errors/"),
            "downloads": prefixed("downloader/exception_type_count/"),
            "log_errors": stats.get("log_count/ERROR", 0),
        },
        "warnings": [],
    }


def report_table(report: dict) -> str:
    articles = report["articles"]
    rows = [
        ("source", report["source"]),
        ("status", report["status"]),
        ("requests", report["requests"]),
        ("responses", ", ".join(f"{k}: {v}" for k, v in report["responses_by_status"].items())),
        ("not modified (304)", report["not_modified"]),
        ("articles found", articles["found"]),
        ("  already seen", articles["already_seen"]),
        ("  new", articles["new"]),
        ("  updated", articles["updated"]),
        ("  unchanged", articles["unchanged"]),
        ("  left for next runs", articles["deferred"]),
        ("  dropped", sum(articles["dropped"].values())),
        ("  skipped pages", sum(articles["skipped"].values())),
        (
            "errors",
            sum(report["errors"]["article_fetches"].values()) + report["errors"]["log_errors"],
        ),
        ("faults", ", ".join(f"{k}: {v}" for k, v in report["faults"].items()) or 0),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name.ljust(width)}  {value}" for name, value in rows)
