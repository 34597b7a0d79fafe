"""The one spider: discovers a source's articles and routes them to extraction.

It reads feeds (RSS/Atom), sitemaps (indexes, .gz, via Scrapy's SitemapSpider) and listing
pages with pagination, follows only URLs that the source's article pattern accepts on its
domains, and hands each article page to `newscrawl.extract`. It never parses article fields.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import SitemapSpider

from newscrawl.extract.article import NotAnArticle, extract_article
from newscrawl.record import Article
from newscrawl.sources import Source, get_source


class NewsSpider(SitemapSpider):
    name = "news"
    source_id: str | None = None
    sitemap_alternate_links = False

    def __init__(self, source: str | None = None, base_url: str | None = None, **kwargs: Any):
        source_id = source or self.source_id
        if not source_id:
            raise ValueError("name a source: scrapy crawl news -a source=<id> (see `scrapy list`)")
        self.source: Source = get_source(source_id)
        if base_url:
            self.source = self.source.rebased(base_url)
        self.source_id = self.source.id
        self.allowed_domains = list(self.source.domains)
        self.sitemap_urls = list(self.source.sitemaps)
        self.sitemap_rules = [(self.source.article_url, "parse_article")]
        hosts = "|".join(map(re.escape, self.source.domains))
        self.sitemap_follow = [rf"^https?://(?:[^/]+\.)?(?:{hosts})[:/]"]
        self.article_links = LinkExtractor(allow=self.source.article_url, unique=True)
        super().__init__(**kwargs)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.feeds:
            yield Request(url, callback=self.parse_feed)
        async for request in super().start():
            yield request
        for url in self.source.listings:
            yield Request(url, callback=self.parse_listing, cb_kwargs={"page": 1})

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}", count)

    def _article_requests(self, urls: list[str], via: str) -> Iterator[Request]:
        articles = [u for u in urls if self.source.is_article(u)]
        self._stat(f"discovered/{via}", len(articles))
        for url in articles:
            yield Request(url, callback=self.parse_article)

    def sitemap_filter(self, entries):
        for entry in entries:
            if self.source.is_article(entry["loc"]):
                self._stat("discovered/sitemap")
            yield entry

    def parse_feed(self, response: Response) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._stat("skipped/feed_not_text")
            self.logger.warning(
                "feed %s is not text (%s)", response.url, response.headers.get("Content-Type")
            )
            return
        feed = response.selector
        feed.remove_namespaces()
        links = feed.xpath(
            "//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href"
        ).getall()
        yield from self._article_requests([response.urljoin(u.strip()) for u in links], "feed")

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        if not isinstance(response, TextResponse):
            self._stat("skipped/listing_not_text")
            return
        links = [link.url for link in self.article_links.extract_links(response)]
        yield from self._article_requests(links, "listing")
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

    def parse_article(self, response: Response) -> Iterator[Article]:
        if not isinstance(response, TextResponse):
            self._stat("skipped/not_text")
            self.logger.warning("skipped %s: not a text page", response.url)
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
