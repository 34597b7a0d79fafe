"""The one spider: discovers a source's articles and routes them to extraction.

It reads feeds (RSS/Atom), sitemaps (indexes, news sitemaps, .gz, robots.txt) and listing pages
with pagination, follows only URLs that the source's article pattern accepts on its domains,
and hands each article page to `newscrawl.extract`. It never parses article fields.

Runs are incremental when the IncrementalRun extension is on (the default): feeds and sitemaps
are fetched with conditional requests (a 304 ends that branch), article URLs already recorded
are not fetched again unless a feed or sitemap shows a newer modification date (setting
NEWSCRAWL_RECHECK), and a listing stops paginating at the first page with nothing unseen. A run
asks for at most NEWSCRAWL_MAX_ARTICLES articles; the next runs go on with the rest.

Whatever a site does wrong is counted by reason as `newscrawl/fault/<reason>` and logged once,
never raised: a request that failed (`http_503`, `timeout`, `truncated`, `connection_lost`,
`too_large`, `decompressed_too_large`, …), a page with no text (`empty_body`, `binary_body`), a
feed or sitemap that is malformed (`feed_malformed`, `sitemap_malformed`, `not_a_sitemap`,
`sitemap_bad_gzip`), declares XML entities (`xml_entities`), lists itself (`sitemap_loop`) or
dates an entry in the future (`future_date`). Block and challenge pages are
`newscrawl/blocked/<reason>`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cached_property
from itertools import islice
from typing import Any

from lxml import etree
from scrapy import Request, Selector, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError

# Scrapy refuses a body that unpacks past DOWNLOAD_MAXSIZE with an IgnoreRequest (or, in
# `gunzip`, a ValueError) caused by this exception; nothing public tells that refusal apart.
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from newscrawl.extensions.incremental import IncrementalRun
from newscrawl.extract.article import NotAnArticle, extract_article, parse_page
from newscrawl.extract.blocked import block_reason
from newscrawl.extract.dates import VN_TZ, parse_date
from newscrawl.extract.urls import canonical_url
from newscrawl.record import Article, article_id
from newscrawl.sources import Source, get_source
from newscrawl.state import StateStore
from newscrawl.tally import Tally

# Statuses after which an article is worth asking for again on the next run; a 404 or 410
# is an answer, and must not keep a feed from being revalidated forever.
_TRANSIENT_STATUSES = {408, 429, 500, 502, 503, 504, 522, 524}
_PERMANENT_STATUSES = {404, 410}
RECHECK_POLICIES = ("never", "lastmod", "always")
# How far a site's clock may be behind ours before an edit it dates could go unnoticed, and
# ahead of ours before a date it gives is taken for a broken clock or time zone.
_CLOCK_SKEW = timedelta(minutes=10)
# What a failed download is counted as (newscrawl/fault/<reason>): Scrapy's own exceptions,
# which every download handler raises.
_DOWNLOAD_FAULTS = (
    (DownloadTimeoutError, "timeout"),
    (ResponseDataLossError, "truncated"),
    # Scrapy cancels a download when its body grows past DOWNLOAD_MAXSIZE.
    (DownloadCancelledError, "too_large"),
    (DownloadFailedError, "connection_lost"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (CannotResolveHostError, "dns_failure"),
)
# Faults that asking again will not mend: the page is remembered as gone, like a 404.
_PERMANENT_FAULTS = {"too_large", "decompressed_too_large"}
# Entries of a feed or sitemap looked up in the state together (a sitemap may list 50 000).
_LOOKUP_BATCH = 500
# Text has no NUL byte; images, PDFs and archives have some within their first bytes (git and
# grep tell a binary file by the same sign in its first 8000 bytes).
_BINARY_SNIFF = 8000
# A feed or sitemap has no use for XML entities; an "entity bomb" declares them to make a
# parser expand a few bytes into gigabytes. Read from the bytes, before any parser: Scrapy's
# Sitemap keeps no document information.
_DECLARES_ENTITIES = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE)

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
        # Scrapy's OffsiteMiddleware (newscrawl.middlewares) refuses requests to other hosts.
        self.allowed_domains = list(self.source.hosts)
        self.since = _since(since)
        self.page_links = LinkExtractor(unique=True)
        # Validators of feeds and sitemaps read in full this run, saved when the run finishes,
        # minus those whose articles did not all arrive (`incomplete`).
        self.fresh_validators: dict[str, tuple[str | None, str | None]] = {}
        self.incomplete: set[str] = set()
        # Distinct article URLs found per route (feed, sitemap, listing) and those among them
        # already written by an earlier run, for the run report.
        self.discovered: dict[str, set[str]] = {}
        self.already_seen: set[str] = set()
        # Start points that did not answer with their content, and why ("http_503", "blocked").
        self.failed_start_points: dict[str, str] = {}
        self.start_points_blocked = 0
        self.articles_blocked = 0  # article pages that answered with a block page
        self.pages_read = 0  # feeds, sitemaps and listing pages answered in full
        self.requested: set[str] = set()  # distinct articles asked for (NEWSCRAWL_MAX_ARTICLES)
        super().__init__(**kwargs)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.recheck = crawler.settings.get("NEWSCRAWL_RECHECK")
        if spider.recheck not in RECHECK_POLICIES:
            raise ValueError(f"NEWSCRAWL_RECHECK must be one of {RECHECK_POLICIES}")
        spider.max_articles = crawler.settings.getint("NEWSCRAWL_MAX_ARTICLES")
        return spider

    @cached_property
    def faults(self) -> Tally:
        # Not made in from_crawler: the crawler's stats exist only once the crawl starts.
        return Tally(self.crawler.stats, self.logger)

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
            *(self._sitemap_request(url, ()) for url in self.source.sitemaps),
            *(
                Request(url, callback=self.parse_listing, cb_kwargs={"page": 1})
                for url in self.source.listings
            ),
        ]
        for request in starts:
            request.meta["start_point"] = True
            yield request.replace(errback=self.start_point_failed)

    def start_point_failed(self, failure: Failure) -> None:
        """A start point (feed, sitemap, listing) that did not answer: the run is `degraded`;
        when none answers, `unreachable` (or `blocked`, when they answered with block pages)."""
        if failure.check(HttpError) and self._blocked(failure.value.response):
            self.start_points_blocked += 1
            why = "blocked"
        else:
            why = self._count_failure(failure) or "refused"
        self.failed_start_points[failure.request.url] = why
        self.logger.warning("start point %s failed: %s", failure.request.url, failure.value)

    def discovery_failed(self, failure: Failure) -> None:
        """A sitemap listed by an index or robots.txt, or a listing's next page, that did not
        answer: counted, and the crawl goes on with what the other pages list."""
        if not (failure.check(HttpError) and self._blocked(failure.value.response)):
            self._count_failure(failure)

    def _blocked_start(self, response: Response) -> bool:
        """A block page served with 200 where a feed, sitemap or listing was expected."""
        if not self._blocked(response):
            return False
        if response.meta.get("start_point"):
            self.start_points_blocked += 1
            self.failed_start_points[response.url] = "blocked"
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

    def _fault(self, reason: str, url: str, detail: object = None) -> None:
        self.faults.fault(reason, url, detail)

    def _count_failure(self, failure: Failure) -> str | None:
        """Count a failed request as the fault it is; returns the reason (None for a request
        refused on our side, which is no fault of the site's)."""
        reason = fault_reason(failure)
        if reason is not None:
            detail = None if failure.check(HttpError) else failure.getErrorMessage()
            self._fault(reason, failure.request.url, detail)
        return reason

    # --- feeds and sitemaps -----------------------------------------------------------------

    def _discovery_request(self, url: str, callback, **meta: Any) -> Request:
        headers = {}
        saved = self.state.validators(self.source_id, url) if self.state else None
        if saved:
            etag, last_modified = saved
            headers = {"If-None-Match": etag, "If-Modified-Since": last_modified}
        return Request(
            url,
            callback=callback,
            errback=self.discovery_failed,
            headers={k: v for k, v in headers.items() if v},
            meta={"handle_httpstatus_list": [304], **meta},
        )

    def _sitemap_request(self, url: str, parents: tuple[str, ...]) -> Request:
        """A sitemap (or robots.txt) request; `parents` are the sitemaps that led to it."""
        return self._discovery_request(url, self.parse_sitemap, sitemap_chain=(*parents, url))

    def _listed_date(self, text: str | None, where: str) -> datetime | None:
        """The date a feed or sitemap gives an entry. A date ahead of our clock is a broken
        clock or time zone, and believing it would have the article fetched again on every
        run until that day: counted as `future_date` and taken as no date."""
        date = parse_date(text)
        if date is not None and date > datetime.now(UTC) + _CLOCK_SKEW:
            self._fault("future_date", where, text)
            return None
        return date

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
        feed = self._feed_tree(response)
        if feed is None:
            return
        feed.remove_namespaces()
        entries = []
        for item in feed.xpath("//item | //entry"):
            link = item.xpath("link/text() | link[not(@rel) or @rel='alternate']/@href").get()
            stated = item.xpath("updated/text() | pubDate/text() | published/text()").get()
            if link:
                date = self._listed_date(stated, response.url)
                entries.append((response.urljoin(link.strip()), date))
        yield from self._article_requests(entries, _requested_url(response), "feed")

    def _feed_tree(self, response: Response) -> Selector | None:
        """The feed as lxml reads it: what it can recover of a malformed feed (counted as
        `feed_malformed`), no entity expanded, no DTD fetched, libxml2's size and depth limits
        kept (huge_tree off). Parsed here rather than by `response.selector` for the parser's
        error log, which tells a malformed feed."""
        parser = etree.XMLParser(
            recover=True, resolve_entities=False, no_network=True, huge_tree=False
        )
        try:
            root = etree.fromstring(response.body, parser, base_url=response.url)
        except etree.XMLSyntaxError:  # not even recoverable: empty, binary, not XML
            root = None
        if _DECLARES_ENTITIES.search(response.body):
            self._fault("xml_entities", response.url)
        elif root is None or parser.error_log:
            self._fault("feed_malformed", response.url, parser.error_log.last_error)
        return None if root is None else Selector(root=root, type="xml")

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        if self._unchanged(response) or self._blocked_start(response):
            return
        # An index (or robots.txt) is read in full every run: it can stay the same while the
        # sitemaps it lists change, and those get the conditional requests.
        chain = response.meta["sitemap_chain"]
        if response.url.endswith("/robots.txt"):
            self.fresh_validators.pop(_requested_url(response), None)
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield self._sitemap_request(url, chain)
            return
        parsed = self._sitemap(response)
        if parsed is None:
            return
        sitemap, body = parsed
        entries = self._sitemap_entries(sitemap, body, response.url)
        if sitemap.type == "sitemapindex":
            self.fresh_validators.pop(_requested_url(response), None)
            for url, lastmod in entries:
                if url in chain:  # the index lists itself, or one of the indexes above it
                    self._fault("sitemap_loop", response.url, url)
                elif self.source.owns(url) and not self._older_than_since(lastmod):
                    yield self._sitemap_request(url, chain)
        else:
            yield from self._article_requests(entries, _requested_url(response), "sitemap")

    def _sitemap(self, response: Response) -> tuple[Sitemap, bytes] | None:
        """The sitemap, streamed from Scrapy's Sitemap parser (lxml iterparse with
        resolve_entities=False, recover=True), and its XML; None, counted, when it is none."""
        body = response.body
        if gzip_magic_number(response):
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except Exception as exc:  # truncated or oversized archives are common; count them
                too_large = isinstance(exc, _DecompressionMaxSizeExceeded)
                reason = "decompressed_too_large" if too_large else "sitemap_bad_gzip"
                self._fault(reason, response.url, exc)
                return None
        try:
            sitemap = Sitemap(body)
        except (etree.XMLSyntaxError, StopIteration):  # no XML element at all: empty, binary
            self._fault("sitemap_malformed", response.url, "no XML")
            return None
        if sitemap.type not in ("urlset", "sitemapindex"):
            self._fault("not_a_sitemap", response.url, sitemap.type)
            return None
        return sitemap, body

    def _sitemap_entries(self, sitemap: Sitemap, body: bytes, url: str) -> Iterator[Entry]:
        """(loc, lastmod) of each entry, as the parser reads them; once they are all read, a
        sitemap with parse errors (what lxml recovered was used) is counted as malformed."""
        try:
            for entry in sitemap:
                if entry.get("loc"):
                    yield entry["loc"], self._listed_date(entry.get("lastmod"), url)
        except etree.XMLSyntaxError:  # an error the parser could not recover from
            pass
        errors = sitemap.xmliter.error_log
        if _DECLARES_ENTITIES.search(body):
            self._fault("xml_entities", url)
        elif errors:
            self._fault("sitemap_malformed", url, errors.last_error)

    # --- listings ---------------------------------------------------------------------------

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._stat("skipped/listing_not_text")
            return
        if self._blocked_start(response):
            return
        self.pages_read += 1
        # Matched as canonical URLs, like feed and sitemap entries: a link that carries a session
        # id or tracking parameters (`?PHPSESSID=…`) still leads to its article.
        links = [
            (link.url, None)
            for link in self.page_links.extract_links(response)
            if self.source.is_article(canonical_url(link.url))
        ]
        requests = list(self._article_requests(links, response.url, "listing"))
        yield from requests
        if links and not requests:
            # Every article it lists was written before, or the run asked for as many as it may
            # (NEWSCRAWL_MAX_ARTICLES): older pages hold nothing for this run.
            if not self._at_article_cap():
                self._stat("listing_stopped_all_seen")
            return
        next_url = self._next_page(response)
        if next_url and page >= self.settings.getint("NEWSCRAWL_MAX_LISTING_PAGES"):
            self._stat("listing_stopped_page_limit")  # an endless archive ends here too
        elif next_url:
            yield response.follow(
                next_url,
                self.parse_listing,
                cb_kwargs={"page": page + 1},
                errback=self.discovery_failed,
            )

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
        or seen but shown modified since (NEWSCRAWL_RECHECK).

        Entries are read as they come, a batch at a time (a sitemap's from its streaming
        parser), and at most NEWSCRAWL_MAX_ARTICLES distinct articles are asked for in a run,
        so that a sitemap of 100 000 URLs neither fills the scheduler nor takes a day: the
        entries past the cap are counted as `articles/deferred`, not looked at, and `via` is
        read in full again next run, which goes on with them."""
        entries = iter(entries)
        while not self._at_article_cap() and (batch := list(islice(entries, _LOOKUP_BATCH))):
            yield from self._requests_for(batch, via, route)
        deferred = sum(1 for url, _ in entries if self.source.is_article(url))
        if deferred:
            self._stat("articles/deferred", deferred)
            self.incomplete.add(via)

    def _at_article_cap(self) -> bool:
        """Whether the run asked for NEWSCRAWL_MAX_ARTICLES articles already (0: no cap)."""
        return 0 < self.max_articles <= len(self.requested)

    def _requests_for(self, batch: list[Entry], via: str, route: str) -> Iterator[Request]:
        wanted: dict[str, Entry] = {}
        for url, modified in batch:
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
            elif key not in self.requested and self._at_article_cap():
                self._stat("articles/deferred")
                self.incomplete.add(via)
            else:
                # Listed again (by the feed and the sitemap): the scheduler drops the copy.
                self.requested.add(key)
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
            self.articles_blocked += 1
            self.incomplete.add(request.meta["via"])
            return
        self._stat(f"article_errors/{status or failure.type.__name__}")
        reason = self._count_failure(failure)
        if status in _PERMANENT_STATUSES or reason in _PERMANENT_FAULTS:
            self._record_gone(request.meta["link_key"])
        # A page robots.txt forbids (IgnoreRequest) is an answer too, not a passing failure.
        elif not failure.check(IgnoreRequest) and (status is None or status in _TRANSIENT_STATUSES):
            self.incomplete.add(request.meta["via"])

    def parse_article(self, response: Response) -> Iterator[Article]:
        if not response.body.strip():
            # A server that failed to render the page (a PHP fatal error answers 200 and
            # nothing): the article is asked for again next run.
            self._fault("empty_body", response.url)
            self.incomplete.add(response.meta["via"])
            return
        if not isinstance(response, TextResponse):
            self._stat("skipped/not_text")
            self.logger.warning("skipped %s: not a text page", response.url)
            return
        if b"\x00" in response.body[:_BINARY_SNIFF]:  # an image or a PDF served as text/html
            self._fault("binary_body", response.url, response.headers.get("Content-Type"))
            self._record_gone(response.meta.get("link_key"), canonical_url(response.url))
            return
        if self._blocked(response):  # a challenge served with 200: not the article
            self.articles_blocked += 1
            self.incomplete.add(response.meta["via"])
            return
        try:
            yield extract_article(
                parse_page(response.text),
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


def fault_reason(failure: Failure) -> str | None:
    """Why a request failed, as its fault is counted (`newscrawl/fault/<reason>`), or None for
    a request refused on our side: by robots.txt, or by the crawl's own guards, which count
    their refusals themselves."""
    if failure.check(HttpError):
        return f"http_{failure.value.response.status}"
    for error, reason in _DOWNLOAD_FAULTS:
        if failure.check(error):
            return reason
    if failure.check(IgnoreRequest):
        unpacked_too_large = isinstance(failure.value.__cause__, _DecompressionMaxSizeExceeded)
        return "decompressed_too_large" if unpacked_too_large else None
    return failure.type.__name__


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
