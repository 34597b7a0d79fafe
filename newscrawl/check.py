"""`newscrawl check`: can a source still be crawled, and how well? A look at the real site.

A check is a dry run of the crawl: the real NewsSpider with the project's settings, minus what a
crawl writes — no output file, no state read or changed (every article looks new) — reading the
first page of each listing, at most FOLLOWED_SITEMAPS sitemaps per sitemap index and a sample of
articles (`--articles`), within a time budget per source (`--timeout`, Scrapy's
CLOSESPIDER_TIMEOUT). Two small Scrapy components watch it: SourceProbe, an extension, records
what answered (start points, robots.txt, article pages, records); ArticleSample, a spider
middleware, caps what is fetched and tags each request with the start point that led to it. The
verdict is a pure function of what they saw (`judge`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.http import Response, TextResponse
from scrapy.settings import Settings
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.project import ENVVAR, get_project_settings
from w3lib.url import safe_url_string

from newscrawl.commands.crawl import EXIT_BLOCKED, EXIT_DEGRADED, EXIT_UNREACHABLE
from newscrawl.extract.blocked import block_reason
from newscrawl.pipelines.validate import REQUIRED
from newscrawl.record import FILL_FIELDS, Article
from newscrawl.sources import Source, get_source, load_sources

if TYPE_CHECKING:
    from newscrawl.spiders.news import NewsSpider

# --- what a check reads, and the verdict's thresholds: all in one place --------------------------

# Ten articles: a field's fill rate then moves in steps of 10 points, enough to tell "usually" from
# "never", for about ten requests to the site beyond its start points.
ARTICLES = 10
# Seconds per source: a check makes about 20 requests at the crawl's 1 s politeness delay; a dead
# or stalled site is cut off after this, and at worst twice this (`check_settings`), instead of
# costing DOWNLOAD_TIMEOUT × retries per request.
TIMEOUT = 60.0
# Sitemaps read per sitemap index: a news site's index lists hundreds (one per month or per 1000
# posts); three show that the index works and list more articles than a check reads.
FOLLOWED_SITEMAPS = 3
# Sources checked at once by --all: each is another site, so every site still sees the crawl's
# own politeness, and 34 sources take minutes, not a quarter of an hour.
PARALLEL = 4

# A public news page refused with 401 or 403 is refused to this client (its address or its user
# agent), like a challenge page: the site is there, but not for us. 429 and the anti-bot services'
# own pages are recognised by newscrawl.extract.blocked.
BLOCK_STATUSES = (401, 403)
# Below this share of article pages giving a valid record (the rest skipped as no article, dropped
# for a missing title/date/body, blocked or failed), the source is degraded: a healthy site gives
# one for every article its start points list; one odd page in ten (a video, a notice) is
# tolerated, two are not.
VALID_MIN = 0.9
# Fields that every provincial paper fills on nearly every article — the reporter signs the text
# (vn-press.md §3) and files it in a section — unlike the lead, tags, credit or date_modified,
# which whole CMSs leave out. Healthy replicas fill them on 62–100 % of articles; under 30 % the
# selector or byline rule reading them has almost surely stopped matching.
USUALLY_FILLED = ("author", "category")
USUALLY_FILLED_MIN = 0.3
# A source with selectors of its own (its overrides, its CMS profile) must find the title and the
# body with them on at least half of its article pages; below that the site has changed its layout
# and records come, if at all, from page metadata and the generic rules, which fill fewer fields.
LAYOUT_MATCH_MIN = 0.5

# From best to worst.
VERDICTS = ("ok", "degraded", "blocked", "broken")
# The exit code of a check is that of its worst verdict (broken, then blocked, then degraded), the
# same codes as `scrapy crawl`: 0 ok; 65 degraded; 77 blocked; 69 broken (unreachable, or no
# article comes through).
EXIT_CODES = {
    "ok": 0,
    "degraded": EXIT_DEGRADED,
    "blocked": EXIT_BLOCKED,
    "broken": EXIT_UNREACHABLE,
}

# Record fields whose fill rate a check reports: the required ones but the URL, which a record
# always has, then those a run report rates.
FIELDS = (*(f for f in REQUIRED if f != "url"), *FILL_FIELDS)
# Request meta key: the StartPoint that led to a request.
START_POINT = "check_start_point"


@dataclass(eq=False)  # one object per start point, hashed by identity
class StartPoint:
    url: str
    kind: str  # feed | sitemap | listing
    status: int | None = None  # HTTP status of its last answer; None: no answer
    location: str | None = None  # where a redirect that was its last answer pointed
    blocked: str | None = None  # why its answer is a block page
    robots_disallowed: bool = False
    articles: set[str] = field(default_factory=set)  # article URLs it listed (its sitemaps too)

    @property
    def outcome(self) -> str:
        if self.robots_disallowed:
            return "robots.txt disallows it"
        if self.blocked:
            return f"blocked ({self.blocked})"
        if self.status is None:
            return "no answer"
        if self.location:  # a redirect not followed: to another site, or a loop
            return f"HTTP {self.status} to {self.location}"
        if self.status != 200:
            return f"HTTP {self.status}"
        return f"{len(self.articles)} articles" if self.articles else "lists no article"

    @property
    def lists_articles(self) -> bool:
        return bool(self.articles)


@dataclass
class SourceCheck:
    """What a check of one source saw, and its verdict."""

    source: str
    name: str
    profile: str
    start_points: list[StartPoint]
    answers: int = 0  # HTTP responses of any status, robots.txt and redirects included
    download_errors: dict[str, int] = field(default_factory=dict)  # exception name → count
    refused: dict[str, int] = field(default_factory=dict)  # requests not sent, by reason
    robots_status: int | None = None
    articles_found: int = 0
    found_by_route: dict[str, int] = field(default_factory=dict)
    article_pages: int = 0  # article pages that answered 200 with a page that is no block page
    article_blocked: Counter[str] = field(default_factory=Counter)  # reason → pages
    article_errors: dict[str, int] = field(default_factory=dict)  # HTTP status or exception
    articles_forbidden: int = 0  # article pages robots.txt disallows
    # Article pages whose title and body the source's own selectors find; None when it has none
    # (a `generic` source: everything is read by the generic rules).
    layout_matched: int | None = None
    records: int = 0  # records extracted, valid or not
    valid: int = 0  # records a crawl would write
    filled: Counter[str] = field(default_factory=Counter)  # field → records filling it
    skipped: dict[str, int] = field(default_factory=dict)  # pages yielding no record, by reason
    dropped: dict[str, int] = field(default_factory=dict)  # records dropped, by reason
    timeout: float | None = None  # the time budget, when it ran out
    seconds: float = 0.0
    verdict: str = "broken"
    reasons: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, source: Source) -> SourceCheck:
        points = [
            *(StartPoint(url, "feed") for url in source.feeds),
            *(StartPoint(url, "sitemap") for url in source.sitemaps),
            *(StartPoint(url, "listing") for url in source.listings),
        ]
        return cls(source.id, source.name, source.profile, points)

    def start_point(self, url: str) -> StartPoint | None:
        return next((p for p in self.start_points if safe_url_string(p.url) == url), None)

    @property
    def fill_rates(self) -> dict[str, float]:
        if not self.records:
            return {}
        return {f: round(self.filled[f] / self.records, 3) for f in FIELDS}

    @property
    def pages_tried(self) -> int:
        """Article pages asked for and answered in some way (robots.txt refusals aside)."""
        return self.article_pages + self.article_blocked.total() + sum(self.article_errors.values())

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "name": self.name,
            "profile": self.profile,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "reachable": self.answers > 0,
            "download_errors": self.download_errors,
            "refused": self.refused,
            "robots": {
                "status": self.robots_status,
                "disallowed_start_points": [
                    p.url for p in self.start_points if p.robots_disallowed
                ],
                "forbidden_articles": self.articles_forbidden,
            },
            "start_points": [
                {
                    "url": p.url,
                    "kind": p.kind,
                    "status": p.status,
                    "location": p.location,
                    "blocked": p.blocked,
                    "robots_disallowed": p.robots_disallowed,
                    "articles": len(p.articles),
                }
                for p in self.start_points
            ],
            "articles": {
                "found": self.articles_found,
                "found_by_route": self.found_by_route,
                "fetched": self.article_pages,
                "blocked": dict(self.article_blocked),
                "errors": self.article_errors,
                "layout_matched": self.layout_matched,
                "extracted": self.records,
                "valid": self.valid,
                "skipped": self.skipped,
                "dropped": self.dropped,
            },
            "fill_rates": self.fill_rates,
            "timed_out": self.timeout is not None,
            "seconds": round(self.seconds, 1),
        }


# --- the verdict ---------------------------------------------------------------------------------


def judge(check: SourceCheck) -> tuple[str, list[str]]:
    """The verdict on what a check saw, with its reasons. `blocked` and `broken` when no valid
    record came through (blocked when a block page or refusal explains it); `degraded` when
    records come through but a start point fails, article pages give no record, a usually
    filled field is empty or the source's selectors no longer match; `ok` otherwise."""
    if not check.answers:
        errors = _counts({**check.download_errors, **check.refused})
        return "broken", [f"unreachable: the site did not answer{f' ({errors})' if errors else ''}"]
    failing = [f"{p.kind} {p.url}: {p.outcome}" for p in check.start_points if not p.lists_articles]
    pages = _page_outcomes(check)
    layout = _layout_reason(check)
    late = [f"the time budget ({check.timeout:g} s) ran out"] if check.timeout else []

    if not check.valid:
        if any(p.blocked for p in check.start_points) or check.article_blocked:
            return "blocked", [*failing, *pages]
        if check.start_points and all(p.robots_disallowed for p in check.start_points):
            return "broken", ["robots.txt disallows every start point"]
        if not check.articles_found:
            return "broken", ["no start point lists an article", *failing, *late]
        if not check.records:
            return "broken", [
                f"{check.articles_found} articles found, no record extracted",
                *pages,
                *layout,
                *late,
            ]
        return "broken", [f"none of {check.records} records is valid", *pages, *layout]

    reasons = [*failing, *late]
    if check.valid < VALID_MIN * check.pages_tried:
        reasons += [f"{check.valid} of {check.pages_tried} article pages give a valid record"]
        reasons += pages
    rates = check.fill_rates
    reasons += [
        f"{name} filled in {rates[name]:.0%} of records (expected on most articles)"
        for name in USUALLY_FILLED
        if rates[name] < USUALLY_FILLED_MIN
    ]
    reasons += layout
    return ("degraded" if reasons else "ok"), reasons


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ×{n}" for name, n in sorted(counts.items()))


def _page_outcomes(check: SourceCheck) -> list[str]:
    """Why article pages gave no valid record, one line per kind of outcome."""
    outcomes = [
        ("article pages blocked", dict(check.article_blocked)),
        ("article pages failed", check.article_errors),
        ("pages skipped", check.skipped),  # as no article, or not text
        ("records dropped", check.dropped),
    ]
    lines = [f"{label}: {_counts(counts)}" for label, counts in outcomes if counts]
    if check.articles_forbidden:
        lines.append(f"robots.txt disallows {check.articles_forbidden} article pages")
    return lines


def _layout_reason(check: SourceCheck) -> list[str]:
    if check.layout_matched is None or not check.article_pages:
        return []
    if check.layout_matched >= LAYOUT_MATCH_MIN * check.article_pages:
        return []
    return [
        f"the source's selectors (profile {check.profile}) find the title and body on "
        f"{check.layout_matched} of {check.article_pages} article pages: the layout changed?"
    ]


# --- the components that watch a check -----------------------------------------------------------


def _block(response: Response) -> str | None:
    """Why a response is a block page or a refusal, like the spider tells (plus 401/403)."""
    text = response.text if isinstance(response, TextResponse) else ""
    server = response.headers.get("Server", b"").decode("latin-1")
    reason = block_reason(response.status, text, server)
    if reason is None and response.status in BLOCK_STATUSES:
        reason = f"http_{response.status}"
    return reason


def layout_matches(response: TextResponse, source: Source) -> bool | None:
    """Whether the source's own selectors (its overrides, its CMS profile) find the page's title
    and body; None when it has none for either, and reads pages with the generic rules only."""
    layers = source.selector_layers()
    keys = [key for key in ("title", "body") if any(layer.get(key) for layer in layers)]
    if not keys:
        return None
    return all(
        any(response.css(css) for layer in layers for css in layer.get(key, ())) for key in keys
    )


class SourceProbe:
    """Extension recording what a check's crawl saw, into `check` (a SourceCheck), and judging
    it when the spider closes."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.check: SourceCheck | None = None
        self.robots: dict[str, object] = {}  # netloc → Scrapy's robots.txt parser
        self.started = time.monotonic()
        for handler, signal in (
            (self.spider_opened, signals.spider_opened),
            (self.response_downloaded, signals.response_downloaded),
            (self.response_received, signals.response_received),
            (self.robots_parsed, signals.robots_parsed),
            (self.item_scraped, signals.item_scraped),
            (self.item_dropped, signals.item_dropped),
            (self.spider_closed, signals.spider_closed),
        ):
            crawler.signals.connect(handler, signal)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider: NewsSpider) -> None:
        self.check = SourceCheck.of(spider.source)
        self.started = time.monotonic()

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Every answer, before Scrapy's middlewares: a start point's redirect is seen even when
        it is not followed (to another site, or in a loop)."""
        point = self._start_point(request)
        if point is not None:
            point.status = response.status
            point.location = response.headers.get("Location", b"").decode("latin-1") or None

    def response_received(self, response: Response, request: Request, spider: NewsSpider) -> None:
        """Answers that came through the middlewares (redirects followed, bodies decoded)."""
        point = self._start_point(request)
        if point is not None:
            point.status, point.location = response.status, None
            point.blocked = _block(response)
        elif request.callback == spider.parse_article:
            reason = _block(response)
            if reason:
                self.check.article_blocked[reason] += 1
            elif response.status == 200:
                self.check.article_pages += 1
                if not isinstance(response, TextResponse):
                    return  # counted by the spider as skipped/not_text
                matched = layout_matches(response, spider.source)
                if matched is not None:
                    self.check.layout_matched = (self.check.layout_matched or 0) + matched

    @staticmethod
    def _start_point(request: Request) -> StartPoint | None:
        """The StartPoint of a start point's request (of its redirects too), not of its pages."""
        return request.meta.get(START_POINT) if request.meta.get("start_point") else None

    def robots_parsed(self, robotparser, request: Request) -> None:
        self.robots[urlsplit(request.url).netloc] = robotparser

    def item_scraped(self, item: Article) -> None:
        self.check.valid += 1
        self._count(item)

    def item_dropped(self, item: Article) -> None:
        self._count(item)

    def _count(self, item: Article) -> None:
        self.check.records += 1
        self.check.filled.update(name for name in FIELDS if getattr(item, name, None))

    def spider_closed(self, spider: NewsSpider, reason: str) -> None:
        check = self.check
        stats = self.crawler.stats.get_stats()

        def prefixed(prefix: str) -> dict[str, int]:
            return {
                k.removeprefix(prefix): v for k, v in sorted(stats.items()) if k.startswith(prefix)
            }

        check.answers = stats.get("downloader/response_count", 0)
        check.refused = prefixed("newscrawl/refused/")
        check.articles_found = len(set().union(*spider.discovered.values()))
        check.found_by_route = {route: len(urls) for route, urls in spider.discovered.items()}
        check.skipped = prefixed("newscrawl/skipped/")
        check.dropped = prefixed("newscrawl/dropped/")
        errors = prefixed("newscrawl/article_errors/")
        check.download_errors = {
            name.rsplit(".", 1)[-1]: n
            for name, n in prefixed("downloader/exception_type_count/").items()
        }
        check.robots_status = next(map(int, prefixed("robotstxt/response_status_count/")), None)
        agent = self.crawler.settings["ROBOTSTXT_USER_AGENT"] or self.crawler.settings["USER_AGENT"]
        for point in check.start_points:
            parser = self.robots.get(urlsplit(point.url).netloc)
            if point.status is None and parser is not None:
                point.robots_disallowed = not parser.allowed(safe_url_string(point.url), agent)
        disallowed = sum(p.robots_disallowed for p in check.start_points)
        check.articles_forbidden = stats.get("robotstxt/forbidden", 0) - disallowed
        # The spider counts a page robots.txt forbids as an IgnoreRequest: reported apart.
        errors["IgnoreRequest"] = errors.get("IgnoreRequest", 0) - check.articles_forbidden
        check.article_errors = {name: n for name, n in errors.items() if n > 0}
        if reason == "closespider_timeout":
            check.timeout = self.crawler.settings.getfloat("CLOSESPIDER_TIMEOUT")
        check.seconds = time.monotonic() - self.started
        check.verdict, check.reasons = judge(check)


class ArticleSample(BaseSpiderMiddleware):
    """Spider middleware of a check: tags every request with the start point that led to it,
    notes which articles each start point lists, and lets through at most
    NEWSCRAWL_CHECK_ARTICLES article pages and FOLLOWED_SITEMAPS sitemaps per sitemap index."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.probe = crawler.get_extension(SourceProbe)
        self.limit = crawler.settings.getint("NEWSCRAWL_CHECK_ARTICLES", ARTICLES)
        self.sampled: set[str] = set()
        self.sitemaps: Counter[StartPoint | None] = Counter()  # sitemaps let through

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if response is None:  # a start point
            request.meta[START_POINT] = self.probe.check.start_point(request.url)
            return request
        origin = response.meta.get(START_POINT)
        spider = self.crawler.spider
        if request.callback == spider.parse_article:
            if origin is not None:
                origin.articles.add(request.url)
            # The same article listed by a feed and a sitemap is one page to read.
            if request.url not in self.sampled and len(self.sampled) >= self.limit:
                return None
            self.sampled.add(request.url)
            return request
        request.meta[START_POINT] = origin
        if request.callback == spider.parse_sitemap:
            self.sitemaps[origin] += 1
            if self.sitemaps[origin] > FOLLOWED_SITEMAPS:
                return None
        return request


# --- running checks ------------------------------------------------------------------------------


def check_settings(
    overrides: Iterable[tuple[str, str]] = (),
    *,
    articles: int = ARTICLES,
    timeout: float = TIMEOUT,
    verbose: bool = False,
) -> Settings:
    """The settings a `scrapy crawl` would use here (scrapy.cfg, SCRAPY_SETTINGS_MODULE, else
    newscrawl's), with the user's `-s NAME=VALUE` overrides, made into a dry run."""
    settings = get_project_settings()
    if not os.environ.get(ENVVAR):
        settings.setmodule("newscrawl.settings", priority="project")
    settings.setdict(
        {
            "NEWSCRAWL_MAX_LISTING_PAGES": 1,
            "CLOSESPIDER_TIMEOUT": timeout,
            "NEWSCRAWL_CHECK_ARTICLES": articles,
            # The report says what went wrong; Scrapy's log is there with --verbose.
            "LOG_ENABLED": verbose,
        },
        priority="command",
    )
    settings.setdict(dict(overrides), priority="cmdline")
    # Scrapy closes a spider only once the requests in flight end: each attempt at a request is
    # cut short enough that a site stalling every connection still ends its check within about
    # twice the budget.
    attempts = settings.getint("RETRY_TIMES") + 1 if settings.getbool("RETRY_ENABLED") else 1
    download_timeout = min(settings.getfloat("DOWNLOAD_TIMEOUT"), timeout / attempts)
    settings.set("DOWNLOAD_TIMEOUT", download_timeout, priority="cmdline")
    # What makes it a dry run, whatever the overrides say.
    settings.setdict(
        {
            "NEWSCRAWL_INCREMENTAL": False,  # no state: nothing read, nothing recorded
            "FEEDS": {},
            "NEWSCRAWL_HEALTH_ALERTS": [],  # a check reports to whoever runs it, nobody else
            # Every article a start point lists is counted (ArticleSample lets the sample through):
            # under the crawl's cap, the spider stops looking at what start points read after the
            # cap list, and they would look empty. What a check reads stays bounded: at most
            # FOLLOWED_SITEMAPS sitemaps per index, the first page of each listing.
            "NEWSCRAWL_MAX_ARTICLES": sys.maxsize,
            "EXTENSIONS": {**settings.getdict("EXTENSIONS"), SourceProbe: 0},
            "SPIDER_MIDDLEWARES": {**settings.getdict("SPIDER_MIDDLEWARES"), ArticleSample: 950},
        },
        priority="cmdline",
    )
    return settings


def run_checks(
    sources: list[Source],
    settings: Settings,
    *,
    base_url: str | None = None,
    parallel: int = PARALLEL,
    report: Callable[[SourceCheck], None] = lambda check: None,
) -> list[SourceCheck]:
    """Check `sources`, `parallel` at a time, in one Scrapy process; `report` is called with each
    check as it ends. Blocks until all are done (or the process is interrupted)."""
    # Imported here, not with the module: the crawl machinery (the spider loads datasketch and
    # scipy) is not needed to parse `newscrawl` arguments.
    from scrapy.crawler import AsyncCrawlerProcess

    from newscrawl.spiders.news import NewsSpider

    process = AsyncCrawlerProcess(settings)
    from twisted.internet import reactor  # the one the process installed: import it after

    checks: list[SourceCheck] = []

    async def check_one(source: Source, slots: asyncio.Semaphore) -> None:
        async with slots:
            crawler = process.create_crawler(NewsSpider)
            arguments = {"source": source.id, **({"base_url": base_url} if base_url else {})}
            try:
                await process.crawl(crawler, **arguments)
                problem = "the spider did not open (see --verbose)"
            except Exception as exc:  # a crawl that could not start is a finding, not a crash
                problem = f"{type(exc).__name__}: {exc}"
            check = _finished_check(crawler)
            if check is None:
                check = SourceCheck.of(source)
                check.reasons = [f"the check could not run: {problem}"]
            checks.append(check)
            report(check)

    async def check_all() -> None:
        slots = asyncio.Semaphore(max(parallel, 1))
        await asyncio.gather(*(check_one(source, slots) for source in sources))

    def stop(_: object) -> None:
        with contextlib.suppress(RuntimeError):  # already stopping (Ctrl-C)
            reactor.stop()

    deferred_from_coro(check_all()).addBoth(stop)
    process.start(stop_after_crawl=False)
    return checks


def _finished_check(crawler) -> SourceCheck | None:
    try:
        probe = crawler.get_extension(SourceProbe)
    except RuntimeError:  # the crawl failed before its extensions were built
        return None
    return probe.check if probe else None


# --- the command ---------------------------------------------------------------------------------


def format_check(check: SourceCheck) -> str:
    """A check as a block of text, one line per question a user asks."""
    found = ", ".join(f"{route} {n}" for route, n in sorted(check.found_by_route.items()))
    disallowed = sum(p.robots_disallowed for p in check.start_points)
    robots = f"HTTP {check.robots_status}" if check.robots_status else "no answer"
    if check.robots_status == 200:
        robots += (
            f"; disallows {disallowed} of {len(check.start_points)} start points"
            if disallowed
            else "; allows every start point"
        )
    if check.articles_forbidden:
        robots += f"; disallows {check.articles_forbidden} article pages"
    url_width = max((len(p.url) for p in check.start_points), default=0)
    errors = _counts({**check.download_errors, **check.refused})
    rows = [
        ("reachable", f"yes ({check.answers} answers)" if check.answers else f"no ({errors})"),
        ("robots.txt", robots),
        (
            "start points",
            f"{sum(p.lists_articles for p in check.start_points)} of "
            f"{len(check.start_points)} list articles",
        ),
        *((f"  {p.kind}", f"{p.url.ljust(url_width)}  {p.outcome}") for p in check.start_points),
        (
            "articles",
            f"{check.articles_found} found{f' ({found})' if found else ''}; "
            f"{check.article_pages} fetched, {check.records} extracted, {check.valid} valid",
        ),
        ("fill rates", "  ".join(f"{k} {v:.0%}" for k, v in check.fill_rates.items()) or "-"),
    ]
    if check.layout_matched is not None and check.article_pages:
        reads = f"{check.layout_matched} of {check.article_pages} article pages"
        rows.append(("layout", f"profile {check.profile} reads {reads}"))
    rows += [("why" if i == 0 else "", reason) for i, reason in enumerate(check.reasons)]
    width = max(len(name) for name, _ in rows)
    head = f"{check.source}: {check.verdict}  ({check.name}; {check.seconds:.1f} s)"
    return "\n".join([head, *(f"  {name.ljust(width)}  {value}" for name, value in rows)])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="*", metavar="SOURCE", help="registry ids")
    parser.add_argument("--all", action="store_true", help="check every registry source")
    parser.add_argument(
        "--base-url",
        help="check the (one) source served from this origin instead (a mirror, a replica)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per source")
    parser.add_argument(
        "--articles", type=int, default=ARTICLES, help=f"article pages read (default {ARTICLES})"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT,
        help=f"seconds per source before its check stops (default {TIMEOUT:g})",
    )
    parser.add_argument(
        "--parallel", type=int, default=PARALLEL, help=f"sources at once (default {PARALLEL})"
    )
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting, as for scrapy crawl (e.g. USER_AGENT, DOWNLOAD_DELAY)",
    )
    parser.add_argument("--verbose", action="store_true", help="Scrapy's log on stderr")


def run(args: argparse.Namespace) -> int:
    """`newscrawl check`; exit code of the worst verdict, 2 for a usage error."""
    problem = _usage_problem(args)
    if problem:
        print(f"newscrawl check: {problem}", file=sys.stderr)
        return 2
    sources = list(load_sources().values()) if args.all else [get_source(s) for s in args.sources]
    try:
        settings = check_settings(
            (tuple(pair.split("=", 1)) for pair in args.settings),
            articles=args.articles,
            timeout=args.timeout,
            verbose=args.verbose,
        )
    except ValueError as exc:  # -s DOWNLOAD_TIMEOUT=soon
        print(f"newscrawl check: a -s setting has a bad value: {exc}", file=sys.stderr)
        return 2

    def report(check: SourceCheck) -> None:
        if args.json:
            print(json.dumps(check.as_json(), ensure_ascii=False), flush=True)
        else:
            print(format_check(check) + "\n", flush=True)

    checks = run_checks(
        sources, settings, base_url=args.base_url, parallel=args.parallel, report=report
    )
    if len(checks) > 1 and not args.json:
        tally = Counter(c.verdict for c in checks)
        print(", ".join(f"{tally[v]} {v}" for v in VERDICTS if tally[v]))
    if len(checks) < len(sources):  # interrupted
        return 1
    return exit_code([c.verdict for c in checks])


def exit_code(verdicts: Iterable[str]) -> int:
    """The exit code of the worst verdict."""
    return EXIT_CODES[max(verdicts, key=VERDICTS.index, default="ok")]


def _usage_problem(args: argparse.Namespace) -> str | None:
    if args.all == bool(args.sources):
        return "name sources or give --all (not both)"
    if args.base_url:
        if args.all or len(args.sources) != 1:
            return "--base-url points one source elsewhere: name exactly one"
        try:
            get_source(args.sources[0]).rebased(args.base_url)
        except ValueError as exc:
            return str(exc)
    if args.articles < 1 or not 0 < args.timeout < math.inf or args.parallel < 1:
        return "--articles and --parallel must be at least 1, --timeout above 0"
    bad = [pair for pair in args.settings if "=" not in pair]
    if bad:
        return f"-s takes NAME=VALUE, got {bad[0]!r}"
    return None
