"""Where a crawl's requests may go, and what ends a trap: Scrapy's own components, made to count
and log what they stop. Each refusal is counted in the stats as `newscrawl/refused/<reason>`,
each trap as `newscrawl/trap/<reason>`, and the first of each kind (per host, per URL) is logged
once, without a traceback:

- `refused/offsite`: a link or redirect to a host that is not the source's
  (CountedOffsiteMiddleware);
- `refused/<kind>_address`: a host that is or resolves to a loopback, link-local, private,
  multicast or reserved address (PrivateAddressMiddleware);
- `trap/redirect_loop`: a redirect back to a URL of its own chain, and
  `trap/too_many_redirects`: more than REDIRECT_MAX_TIMES redirects in a row
  (CountedRedirectMiddleware, CountedMetaRefreshMiddleware);
- `trap/depth_limit`: a request more than DEPTH_LIMIT links from a start point, such as sitemap
  indexes listing further indexes forever (CountedDepthMiddleware).

The run's page budget (`trap/page_budget`) is newscrawl.extensions.budget.PageBudget.
"""

from __future__ import annotations

import ipaddress
import logging

from scrapy import Request
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.depth import DepthMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IAddress, IHostResolution, IResolutionReceiver
from w3lib.url import canonicalize_url
from zope.interface import implementer

from newscrawl.addresses import DESCRIPTIONS, address_kind
from newscrawl.tally import Tally

logger = logging.getLogger(__name__)


class CountedOffsiteMiddleware(OffsiteMiddleware):
    """Scrapy's OffsiteMiddleware, counting each refusal as `refused/offsite`. The spider's
    `allowed_domains` are its source's hosts (domains, with their subdomains, and mobile hosts).
    Scrapy checks a request when it is scheduled, so the requests RedirectMiddleware makes of a
    redirect are checked too, before any connection.

    Scrapy lets a request with `dont_filter` go anywhere, and RetryMiddleware sets it on every
    retry, which RedirectMiddleware passes on to the retry's redirects: a page answering 503 and
    then a redirect to another site would be followed there. Here only the `allow_offsite` meta
    key lets a request off the site."""

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.tally = Tally(crawler.stats, logger)
        return middleware

    def process_request(self, request: Request) -> None:
        try:
            super().process_request(
                request.replace(dont_filter=False) if request.dont_filter else request
            )
        except IgnoreRequest:
            host = urlparse_cached(request).hostname or ""
            self.tally(
                "refused/offsite",
                host,
                logging.INFO,
                "refused %s: %r is not a host of the source (further refusals of it are counted "
                "as newscrawl/refused/offsite)",
                request.url,
                host,
            )
            raise


class PrivateAddressMiddleware:
    """Refuses, before any connection, a request whose host is or resolves to an address inside
    a network — loopback, link-local (169.254.169.254, the cloud metadata service), private,
    multicast, reserved — counted as `refused/<kind>_address`. A `local` source (served from
    this machine, as in the tests and the demo) may reach loopback addresses.

    The name is resolved by the reactor's name resolver, the one Scrapy's HTTP download handler
    connects through (Scrapy's CachingThreadedResolver unless TWISTED_DNS_RESOLVER says
    otherwise), and the resolver caches its answer for the run (DNSCACHE_ENABLED, on by
    default, up to DNSCACHE_SIZE names): the connection goes to the address checked here, so a
    name re-pointed at an internal address after the check (DNS rebinding) is not looked up
    again. Not covered: with DNSCACHE_ENABLED off, or through an HTTP proxy, which resolves
    names itself.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.tally = Tally(crawler.stats, logger)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname
        if not host:  # no network address at all (data:, file:)
            return
        source = getattr(self.crawler.spider, "source", None)
        allowed = {"loopback"} if source is not None and source.local else set()
        for address in await _addresses(host):
            kind = address_kind(address)
            if kind is not None and kind not in allowed:
                what = f"{host} is" if host == address else f"{host} resolves to {address},"
                reason = f"{what} {DESCRIPTIONS[kind]}"
                self.tally(
                    f"refused/{kind}_address",
                    host,
                    logging.WARNING,
                    "refused %s: %s; no request goes there",
                    request.url,
                    reason,
                )
                raise IgnoreRequest(reason)


async def _addresses(host: str) -> list[str]:
    """The addresses a connection to `host` would use, from the reactor's name resolver; a name
    that does not resolve raises CannotResolveHostError, as the download would (retried, and
    counted as `fault/dns_failure`)."""
    try:
        return [str(ipaddress.ip_address(host))]  # connected to as written, with no lookup
    except ValueError:
        pass  # a name, or a legacy IPv4 form (`127.1`) that resolvers read
    from twisted.internet import reactor  # the one Scrapy installed, known only at run time

    receiver = _Addresses()
    reactor.nameResolver.resolveHostName(receiver, host)
    addresses = await maybe_deferred_to_future(receiver.done)
    if not addresses:
        raise CannotResolveHostError(f"DNS lookup failed: {host}")
    return addresses


@implementer(IResolutionReceiver)
class _Addresses:
    """Collects a resolution's addresses; `done` fires with them."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


class _CountsRedirectTraps:
    """Counts the redirect chains Scrapy's redirect middlewares end: `trap/too_many_redirects`
    past REDIRECT_MAX_TIMES, and `trap/redirect_loop` for a redirect back to a URL of its own
    chain. Scrapy would follow a loop until the dupefilter silently drops it, or up to
    REDIRECT_MAX_TIMES when its URLs vary; ending it at its first turn saves the requests and
    tells a loop from a long chain."""

    tally: Tally

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        middleware.tally = Tally(crawler.stats, logger)
        return middleware

    def process_response(self, request: Request, response: Response) -> Request | Response:
        try:
            result = super().process_response(request, response)
        except IgnoreRequest:
            self.tally(
                "trap/too_many_redirects",
                request.url,
                logging.WARNING,
                "refused %s: more than %d redirects from %s",
                request.url,
                self.max_redirect_times,
                request.meta.get("redirect_urls", [request.url])[0],
            )
            raise
        if isinstance(result, Request):
            chain = {canonicalize_url(url) for url in result.meta["redirect_urls"]}
            if canonicalize_url(result.url) in chain:
                self.tally(
                    "trap/redirect_loop",
                    result.url,
                    logging.WARNING,
                    "refused %s: a redirect loop (%s)",
                    result.url,
                    " → ".join([*result.meta["redirect_urls"], result.url]),
                )
                raise IgnoreRequest(f"redirect loop back to {result.url}")
        return result


class CountedRedirectMiddleware(_CountsRedirectTraps, RedirectMiddleware):
    """Scrapy's RedirectMiddleware (3xx + Location), counting the chains it ends."""


class CountedMetaRefreshMiddleware(_CountsRedirectTraps, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware (`<meta http-equiv=refresh>`), counting the chains it
    ends."""


class CountedDepthMiddleware(DepthMiddleware):
    """Scrapy's DepthMiddleware (DEPTH_LIMIT), counting each request it drops as
    `trap/depth_limit`. Articles are leaves and listings page at most
    NEWSCRAWL_MAX_LISTING_PAGES deep, so what goes deeper is a trap: sitemap indexes that list
    further indexes forever."""

    tally: Tally

    @classmethod
    def from_crawler(cls, crawler):
        middleware = super().from_crawler(crawler)
        listing_pages = crawler.settings.getint("NEWSCRAWL_MAX_LISTING_PAGES")
        if middleware.maxdepth and listing_pages > middleware.maxdepth:
            # The articles of listing page N are N requests from the start point.
            raise ValueError(
                f"DEPTH_LIMIT ({middleware.maxdepth}) must be at least "
                f"NEWSCRAWL_MAX_LISTING_PAGES ({listing_pages}): the articles of the last "
                "listing pages would be dropped"
            )
        middleware.tally = Tally(crawler.stats, logger)
        return middleware

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        processed = super().get_processed_request(request, response)
        if processed is None:
            self.tally(
                "trap/depth_limit",
                "",
                logging.WARNING,
                "refused %s: more than DEPTH_LIMIT=%d links from a start point (further "
                "refusals are counted as newscrawl/trap/depth_limit)",
                request.url,
                self.maxdepth,
            )
        return processed
