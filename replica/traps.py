"""Trap sites, for the tests that a crawl stays bounded and that its requests go nowhere they
must not (issue 6): a working replica site served by `replica.hostile.serve_hostile`, with
traps added to it.

    routes = site_routes("qbtv", links=["/2026/01/01/vong-lap/"])
    routes |= redirect_loop("/2026/01/01/vong-lap/", "/2026/01/01/vong-lap-2/")
    with serve_hostile(routes) as server:
        ...  # scrapy crawl qbtv -a base_url=<server.base_url>

Pages are rendered for the host a request names (its `Host` header), as a virtual host is: one
server answers as `127.0.0.1:PORT`, as `localhost:PORT` or as any name `HostsResolver` points
at it, with links to that host.

`HostsResolver` is a DNS for tests (TWISTED_DNS_RESOLVER): `REPLICA_HOSTS` maps names to the
addresses they resolve to, one after the other, so a public-looking name can point at this
machine, or change its answer between two lookups as a rebinding attacker's DNS does.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from html import escape
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet.base import ThreadedResolver

from newscrawl.sources import get_source
from replica.hostile import Route, send
from replica.server import NOT_FOUND, render_site
from replica.site import load_site
from replica.web import Resource

Rewrite = Callable[[str], str]


def _base(handler: BaseHTTPRequestHandler) -> str:
    return f"http://{handler.headers['Host']}"


def _absolute(base: str, link: str) -> str:
    return base + link if link.startswith("/") else link


@cache
def _pages(site_id: str, base: str, links: tuple[str, ...], sitemaps: tuple[str, ...]):
    """The site's pages for `base`, with `links` on its home page and in its feeds and
    `sitemaps` in its sitemap indexes (the spider's start points)."""
    pages = dict(render_site(load_site(site_id), base))
    source = get_source(site_id)
    urls = [escape(_absolute(base, u)) for u in links]
    anchors = "".join(f'<a href="{u}">{u}</a>' for u in urls)
    items = "".join(f"<item><title>{u}</title><link>{u}</link></item>" for u in urls)
    indexed = "".join(
        f"<sitemap><loc>{escape(_absolute(base, u))}</loc></sitemap>" for u in sitemaps
    )
    for url, end, extra in [
        (source.listings[0], "</body>", anchors),
        *((feed, "</channel>", items) for feed in source.feeds),
        *((sitemap, "</sitemapindex>", indexed) for sitemap in source.sitemaps),
    ]:
        path = urlsplit(url).path
        text = pages[path].body.decode("utf-8")
        pages[path] = Resource(
            text.replace(end, extra + end).encode("utf-8"), pages[path].content_type
        )
    return pages


def site_routes(
    site_id: str,
    links: Iterable[str] = (),
    sitemaps: Iterable[str] = (),
    rewrite: Rewrite | None = None,
) -> dict[str, Route]:
    """A route for every page of the replica site `site_id`. `links` (paths on the site, or
    absolute URLs) are added to its home page and its feed, `sitemaps` to its sitemap index:
    where the spider discovers articles, so a test can lead it into a trap. `rewrite`, if
    given, changes every text page as it is sent (a new session id in each link, say)."""
    links, sitemaps = tuple(links), tuple(sitemaps)

    def page(path: str) -> Route:
        def route(handler: BaseHTTPRequestHandler) -> None:
            resource = _pages(site_id, _base(handler), links, sitemaps)[path]
            body = resource.body
            if rewrite and resource.content_type.split(";")[0].endswith(("html", "xml")):
                body = rewrite(body.decode("utf-8")).encode("utf-8")
            send(handler, body, resource.content_type, resource.status)

        return route

    paths = render_site(load_site(site_id), "http://127.0.0.1")
    return {path: page(path) for path in paths if path != NOT_FOUND and "?" not in path}


def copies(
    site_id: str, of: str, paths: Iterable[str], declare_self: bool = False
) -> dict[str, Route]:
    """Routes that each serve the article page at path `of`: a link farm's near-identical URLs.
    The copies name the original as their canonical URL, or with `declare_self` their own URL
    (in `rel=canonical`, `og:url` and JSON-LD), as a site serving one text at many addresses
    does."""

    def copy(path: str) -> Route:
        def route(handler: BaseHTTPRequestHandler) -> None:
            base = _base(handler)
            body = _pages(site_id, base, (), ())[of].body
            if declare_self:
                body = body.replace((base + of).encode(), (base + path).encode())
            send(handler, body)

        return route

    return {path: copy(path) for path in paths}


def redirect(location: str, status: int = 302) -> Route:
    """A route that redirects to `location` (a path on the requested host, or a URL)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        target = _absolute(_base(handler), location)
        send(handler, b"", status=status, headers={"Location": target})

    return route


def redirect_loop(*paths: str) -> dict[str, Route]:
    """Each path redirects to the next, the last one to the first."""
    return {path: redirect(paths[(i + 1) % len(paths)]) for i, path in enumerate(paths)}


def endless_redirects(path: str) -> Route:
    """`path?n=N` redirects to `path?n=N+1`, forever."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        step = _step(handler, "n", 0)
        redirect(f"{path}?n={step + 1}")(handler)

    return route


def endless_archive(path: str) -> Route:
    """A calendar archive whose every month links to the month before, forever: `path?thang=N`
    shows month N and, as its next page, month N+1 back in time. The link carries the next-page
    markup of tagDiv (`.page-nav`), of the cms-body family (`.pagination a.next`) and the
    generic `rel=next`."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        month = _step(handler, "thang", 1)
        body = (
            f"<html><head><title>Lưu trữ tháng {month}</title></head><body>"
            f"<h1>Lưu trữ: {month} tháng trước</h1>"
            '<div class="page-nav pagination">'
            f'<a class="next" rel="next" href="{path}?thang={month + 1}">'
            '<i class="td-icon-menu-right"></i>Tháng trước</a></div></body></html>'
        )
        send(handler, body.encode("utf-8"))

    return route


def endless_sitemaps(path: str) -> Route:
    """A sitemap index whose every page lists the next one, forever: `path?p=N` → `?p=N+1`."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        step = _step(handler, "p", 1)
        loc = f"{_base(handler)}{path}?p={step + 1}"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{loc}</loc></sitemap></sitemapindex>\n"
        )
        send(handler, body.encode("utf-8"), "application/xml; charset=utf-8")

    return route


def _step(handler: BaseHTTPRequestHandler, name: str, default: int) -> int:
    values = parse_qs(urlsplit(handler.path).query).get(name, [])
    return int(values[0]) if values and values[0].isdigit() else default


# An article URL of the replica sites, in a link, feed item or sitemap entry.
_ARTICLE_LINK = re.compile(
    r"(https?://[^\s\"'<>/]+(?:/\d{4}/\d{2}/\d{2}/[a-z0-9-]+/|/[a-z0-9-]+-post\d+\.html))(?=[\"'<])"
)


def session_ids(text: str) -> str:
    """Every article link of `text` with a new session id, as a site that cannot set a cookie
    writes them: Java's `;jsessionid=` in feeds and sitemaps, PHP's `?PHPSESSID=` in pages."""
    xml = text.lstrip().startswith("<?xml")

    def with_session(match: re.Match[str]) -> str:
        token = secrets.token_hex(16)
        return match[1] + (f";jsessionid={token}" if xml else f"?PHPSESSID={token}")

    return _ARTICLE_LINK.sub(with_session, text)


class _HostsLookup(ThreadedResolver):
    """The lookup under Scrapy's DNS cache: `hosts` first, the system's resolver otherwise."""

    hosts: dict[str, Iterator[str]]

    def getHostByName(self, name, timeout=()):
        answers = self.hosts.get(name)
        if answers is None:
            return super().getHostByName(name, timeout)
        return defer.succeed(next(answers))


class HostsResolver(CachingThreadedResolver, _HostsLookup):
    """Scrapy's resolver, its cache included, whose lookups (its `super()` call, by the method
    resolution order) go to `_HostsLookup`: REPLICA_HOSTS = {name: address or [addresses]};
    each lookup of a name takes the next address, the last one repeating."""

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.hosts = {
            name: _answers([answers] if isinstance(answers, str) else answers)
            for name, answers in crawler.settings.getdict("REPLICA_HOSTS").items()
        }
        return resolver


def _answers(addresses: list[str]) -> Iterator[str]:
    yield from addresses
    while True:
        yield addresses[-1]
