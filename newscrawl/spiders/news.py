"""The one spider: discovers a source's articles and routes them to extraction.

It reads feeds (RSS/Atom), sitemaps (indexes, news sitemaps, .gz, robots.txt) and listing pages
with pagination, follows only URLs that the source's article pattern accepts on its domains,
and hands each article page to `newscrawl.extract`. It never parses article fields.

Runs are incremental when the IncrementalRun extension is on (the default): feeds and sitemaps
are fetched with conditional requests (a 304 ends that branch), article URLs already recorded
are not fetched again unless a feed or sitemap shows a newer modification date (setting
NEWSCRAWL_RECHECK), and a listing stops paginating at the first page with nothing unseen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from newscrawl.extensions.incremental import IncrementalRun
from newscrawl.extract.article import NotAnArticle, extract_article
from newscrawl.extract.blocked import block_reason
from newscrawl.extract.dates import VN_TZ, parse_date
from newscrawl.extract.urls import canonical_url
from newscrawl.record import Article, article_id
from newscrawl.sources import Source, get_source
from newscrawl.state import StateStore

# Statuses after which an article is worth asking for again on the next run; a 404 or 410
# is an answer, and must not keep a feed from being revalidated forever.
_TRANSIENT_STATUSES = {408, 429, 500, 502, 503, 504, 522, 524}
_PERMANENT_STATUSES = {404, 410}
RECHECK_POLICIES = ("never", "lastmod", "always")
# How far a site's clock may be behind ours before an edit it dates could go unnoticed.
_CLOCK_SKEW = timedelta(minutes=10)

Entry = tuple[str, datetime | None]  # an article URL and the modification date its listing gave


class NewsSpider(Spider):
    name = "news"
    source_id: str | None = None

    def __init__(
        self,
        source: str | None = None,
        base_url: str | None = None,
        since: str | None = None,
        **kwargs: Any,
    ):
        if source and self.source_id and source != self.source_id:
            raise ValueError(
                f"spider {self.source_id!r} crawls source {self.source_id!r}; to crawl "
                f"{source!r}: scrapy crawl {source} (or scrapy crawl news -a source={source})"
            )
        source_id = source or self.source_id
        if not source_id:
            raise ValueError("name a source: scrapy crawl news -a source=<id> (see `scrapy list`)")
        self.source: Source = get_source(source_id)
        if base_url:
            self.source = self.source.rebased(base_url)
        self.source_id = self.source.id
        self.allowed_domains = list(self.source.domains)
        self.since = _since(since)
        self.article_links = LinkExtractor(allow=self.source.article_url, unique=True)
        # Validators of feeds and sitemaps read in full this run, saved when the run finishes,
        # minus those whose articles did not all arrive (`incomplete`).
        self.fresh_validators: dict[str, tuple[str | None, str | None]] = {}
        self.incomplete: set[str] = set()
        # Distinct article URLs found per route (feed, sitemap, listing) and those among them
        # already written by an earlier run, for the run report.
        self.discovered: dict[str, set[str]] = {}
        self.already_seen: set[str] = set()
        self.start_points_failed = 0
        self.start_points_blocked = 0
        self.pages_read = 0  # feeds, sitemaps and listing pages answered in full
        super().__init__(**kwargs)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.recheck = crawler.settings.get("NEWSCRAWL_RECHECK")
        if spider.recheck not in RECHECK_POLICIES:
            raise ValueError(f"NEWSCRAWL_RECHECK must be one of {RECHECK_POLICIES}")
        return spider

    @property
    def state(self) -> StateStore | None:
        run = self.crawler.get_extension(IncrementalRun)
        return run.state if run else None

    async def start(self) -> AsyncIterator[Any]:
        run = self.crawler.get_extension(IncrementalRun)
        if run is not None and run.state is None:
            # Without its state an incremental run would write every article again.
            self.logger.error("the state store could not be opened: nothing crawled")
            return
        starts = [
            *(self._discovery_request(url, self.parse_feed) for url in self.source.feeds),
            *(self._discovery_request(url, self.parse_sitemap) for url in self.source.sitemaps),
            *(
                Request(url, callback=self.parse_listing, cb_kwargs={"page": 1})
                for url in self.source.listings
            ),
        ]
        for request in starts:
            request.meta["start_point"] = True
            yield request.replace(errback=self.start_point_failed)

    def start_point_failed(self, failure: Failure) -> None:
        """A start point (feed, sitemap, listing) that did not answer; when none answers, the
        run's status is `unreachable` (or `blocked`, when they answered with block pages)."""
        self.start_points_failed += 1
        if failure.check(HttpError) and self._blocked(failure.value.response):
            self.start_points_blocked += 1
        self.logger.warning("start point %s failed: %s", failure.request.url, failure.value)

    def _blocked_start(self, response: Response) -> bool:
        """A block page served with 200 where a feed, sitemap or listing was expected."""
        if not self._blocked(response):
            return False
        if response.meta.get("start_point"):
            self.start_points_blocked += 1
            self.start_points_failed += 1
        return True

    def _blocked(self, response: Response) -> bool:
        """Count and log a block or challenge page (newscrawl/blocked/<reason>)."""
        text = response.text if isinstance(response, TextResponse) else ""
        server = response.headers.get("Server", b"").decode("latin-1")
        reason = block_reason(response.status, text, server)
        if reason:
            self._stat(f"blocked/{reason}")
            self.logger.warning("blocked at %s (%s)", response.url, reason)
        return reason is not None

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}", count)

    # --- feeds and sitemaps -----------------------------------------------------------------

    def _discovery_request(self, url: str, callback) -> Request:
        headers = {}
        saved = self.state.validators(self.source_id, url) if self.state else None
        if saved:
            etag, last_modified = saved
            headers = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        return Request(
            url,
            callback=callback,
            headers={k: v for k, v in headers.items() if v},
            meta={"handle_httpstatus_list": [304]},
        )

    def _unchanged(self, response: Response) -> bool:
        """A 304 ends the branch; a full answer's validators are kept for the next run."""
        if response.status == 304:
            self._stat("not_modified")
            return True
        self.pages_read += 1
        etag, last_modified = (response.headers.get(h) for h in ("ETag", "Last-Modified"))
        if etag or last_modified:
            self.fresh_validators[_requested_url(response)] = (
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None,
            )
        return False

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if self._unchanged(response) or self._blocked_start(response):
            return
        if not isinstance(response, TextResponse):
            self._stat("skipped/feed_not_text")
            self.logger.warning(
                "feed %s is not text (%s)", response.url, response.headers.get("Content-Type")
            )
            return
        feed = response.selector
        feed.remove_namespaces()
        entries = []
        for item in feed.xpath("//item | //entry"):
            link = item.xpath("link/text() | link[not(@rel) or @rel='alternate']/@href").get()
            date = item.xpath("updated/text() | pubDate/text() | published/text()").get()
            if link:
                entries.append((response.urljoin(link.strip()), parse_date(date)))
        yield from self._article_requests(entries, _requested_url(response), "feed")

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if self._unchanged(response) or self._blocked_start(response):
            return
        # An index (or robots.txt) is read in full every run: it can stay the same while the
        # sitemaps it lists change, and those get the conditional requests.
        if response.url.endswith("/robots.txt"):
            self.fresh_validators.pop(_requested_url(response), None)
            for url in sitemap_urls_from_robots(response.text, base_url=response.url):
                yield self._discovery_request(url, self.parse_sitemap)
            return
        sitemap = self._sitemap(response)
        if sitemap is None:
            return
        entries = [(e["loc"], parse_date(e.get("lastmod"))) for e in sitemap if e.get("loc")]
        if sitemap.type == "sitemapindex":
            self.fresh_validators.pop(_requested_url(response), None)
            for url, lastmod in entries:
                if self.source.owns(url) and not self._older_than_since(lastmod):
                    yield self._discovery_request(url, self.parse_sitemap)
        else:
            yield from self._article_requests(entries, _requested_url(response), "sitemap")

    def _sitemap(self, response: Response) -> Sitemap | None:
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # truncated or oversized archives are common; count them
                self._stat("skipped/sitemap_bad_gzip")
                self.logger.warning("sitemap %s: cannot decompress (%s)", response.url, exc)
                return None
        sitemap = Sitemap(body)
        if sitemap.type not in ("urlset", "sitemapindex"):
            self._stat("skipped/sitemap_invalid")
            self.logger.warning("sitemap %s is not a sitemap", response.url)
            return None
        return sitemap

    # --- listings ---------------------------------------------------------------------------

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._stat("skipped/listing_not_text")
            return
        if self._blocked_start(response):
            return
        self.pages_read += 1
        links = [(link.url, None) for link in self.article_links.extract_links(response)]
        requests = list(self._article_requests(links, response.url, "listing"))
        yield from requests
        if links and not requests:
            self._stat("listing_stopped_all_seen")
            return
        if page < self.settings.getint("NEWSCRAWL_MAX_LISTING_PAGES"):
            next_url = self._next_page(response)
            if next_url:
                yield response.follow(next_url, self.parse_listing, cb_kwargs={"page": page + 1})

    def _next_page(self, response: TextResponse) -> str | None:
        for css in self.source.selectors_for("next_page"):
            href = response.css(css).get()
            if href and href.strip():
                return href.strip()
        return None

    # --- articles ---------------------------------------------------------------------------

    def _older_than_since(self, date: datetime | None) -> bool:
        return bool(self.since and date and date < self.since)

    def _article_requests(
        self, entries: Iterable[Entry], via: str, route: str
    ) -> Iterator[Request]:
        """Requests for the entries' article URLs that this run must fetch: not seen before,
        or seen but shown modified since (NEWSCRAWL_RECHECK)."""
        wanted: dict[str, Entry] = {}
        for url, modified in entries:
            # Matched without tracking parameters (`?utm_source=rss`), which the pattern of a
            # clean article URL does not allow for.
            key = canonical_url(url)
            if self.source.is_article(key) and not self._older_than_since(modified):
                wanted.setdefault(key, (key, modified))
        new_to_route = wanted.keys() - self.discovered.setdefault(route, set())
        self.discovered[route] |= new_to_route
        self._stat(f"discovered/{route}", len(new_to_route))
        seen = self.state.seen(self.source_id, wanted) if self.state else set()
        for key, (url, modified) in wanted.items():
            if key in seen and not self._worth_rechecking(key, modified):
                self.already_seen.add(key)
                continue
            yield Request(
                url,
                callback=self.parse_article,
                errback=self.article_failed,
                meta={"via": via, "link_key": key},
            )

    def _worth_rechecking(self, key: str, modified: datetime | None) -> bool:
        """Whether a recorded article shown with modification date `modified` may have changed:
        the date must be newer than what the page itself last stated (site clock against site
        clock) and than our last check of it, give or take the clocks' skew."""
        if self.recheck == "always":
            return True
        if self.recheck == "never" or modified is None or self.state is None:
            return False
        known = self.state.article(self.source_id, article_id(key))
        if known is None:
            return False
        stated = parse_date(known.date_modified or known.date)
        checked = datetime.fromisoformat(known.last_written) - _CLOCK_SKEW
        return modified > checked and (stated is None or modified > stated)

    def article_failed(self, failure: Failure) -> None:
        request = failure.request
        status = failure.value.response.status if failure.check(HttpError) else None
        if status is not None and self._blocked(failure.value.response):
            self.incomplete.add(request.meta["via"])
            return
        self._stat(f"article_errors/{status or failure.type.__name__}")
        if status in _PERMANENT_STATUSES:
            self._record_gone(request.meta["link_key"])
        # A page robots.txt forbids (IgnoreRequest) is an answer too, not a passing failure.
        elif not failure.check(IgnoreRequest) and (status is None or status in _TRANSIENT_STATUSES):
            self.incomplete.add(request.meta["via"])

    def parse_article(self, response: Response) -> Iterator[Article]:
        if not isinstance(response, TextResponse):
            self._stat("skipped/not_text")
            self.logger.warning("skipped %s: not a text page", response.url)
            return
        if self._blocked(response):  # a challenge served with 200: not the article
            self.incomplete.add(response.meta["via"])
            return
        try:
            yield extract_article(
                response.selector,
                response.url,
                self.source,
                crawled_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        except NotAnArticle as exc:
            self._stat(f"skipped/{exc.reason}")
            self.logger.warning("skipped %s: %s", response.url, exc)
            self._record_gone(response.meta.get("link_key"), canonical_url(response.url))

    def _record_gone(self, *urls: str | None) -> None:
        if self.state is not None:
            self.state.record_gone(self.source_id, [u for u in urls if u])


def _requested_url(response: Response) -> str:
    """The URL the spider asked for, before any redirect: what validators are saved under."""
    return response.meta.get("redirect_urls", [response.url])[0]


def _since(value: str | None) -> datetime | None:
    """`-a since=2026-11-01`: a day (Vietnam time) or a full ISO date."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"since must be an ISO date such as 2026-11-01, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN_TZ)
