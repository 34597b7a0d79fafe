"""Soak: a long crawl of a large replica with faults mixed in — does memory stay flat, and what
does newscrawl cost over a bare Scrapy spider?

    python bench/soak.py              # 20 000 article pages
    python bench/soak.py --pages 2000 # a quicker look

A local server (in this process, threads) serves a QBTV-like site of N article pages, rendered
on demand by the replica's tagDiv templates with texts recombined from the replica articles
(each page its own text, so none is a duplicate of another), listed in a WordPress sitemap
index of 1 000 URLs per sitemap. Faults are mixed in by page number: 503s, 404s, bodies cut
halfway, block pages and truncated HTML (about 6 % of pages).

Two crawls of the same server, each in its own process:
  newscrawl  `qbtv` with the project's settings (state, dedup, durable feed export), no delay;
  bare       a plain scrapy.spiders.SitemapSpider that fetches the same pages and parses nothing.
Printed: newscrawl's peak RSS after 1 k, 10 k and N pages (flat = no per-page growth), the pages
per second of each crawl and their ratio, and the faults newscrawl counted by reason.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
# The repository, not this folder, goes first (bench/incremental.py would shadow Twisted's
# `incremental` package).
sys.path[0] = str(REPO)

from replica.faults import CLOUDFLARE, CLOUDFLARE_CHALLENGE, cut_short  # noqa: E402
from replica.hostile import send  # noqa: E402
from replica.site import load_site  # noqa: E402
from replica.sites.qbtv import render as qbtv  # noqa: E402
from replica.web import RSS, XML  # noqa: E402

PER_SITEMAP = 1000
CHECKPOINTS = (1_000, 10_000, 20_000)
ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/bai-soak-(\d+)/$")
CRAWL_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "WARNING",
    # The whole site in one run: no per-run article cap or page budget.
    "NEWSCRAWL_MAX_ARTICLES": 0,
    "CLOSESPIDER_PAGECOUNT": 0,
}


class SoakSite:
    """N QBTV-style article pages, rendered when asked for."""

    def __init__(self, pages: int, base_url: str) -> None:
        self.pages = pages
        self.base_url = base_url
        self.site = load_site("qbtv")
        self.template = self.site.newest_first()[0]
        sentences = {
            s.strip().rstrip(".") + "."
            for name in ("qbtv", "baohatinh")
            for a in load_site(name).articles
            for p in a.paragraphs
            if "<" not in p
            for s in p.split(". ")
            if len(s.split()) >= 8
        }
        self.sentences = sorted(sentences)

    def article(self, n: int):
        pick = random.Random(n)
        day = 1 + n % 25
        return replace(
            self.template,
            slug=f"bai-soak-{n}",
            post_id=100_000 + n,
            title=f"Bản tin số {n}: " + " ".join(pick.choice(self.sentences).split()[:8]),
            lead=None,
            paragraphs=[" ".join(pick.sample(self.sentences, 3)) for _ in range(5)],
            images=[],
            tags=[],
            published=f"2026-11-{day:02d}T08:{n % 60:02d}:00+07:00",
            modified=None,
            file=None,
        )

    def page(self, n: int) -> bytes:
        article = self.article(n)
        # The templates link each article to its neighbours in the site's article list.
        site = replace(self.site, articles=[*self.site.articles, article])
        return qbtv.article_page(qbtv._Ctx(site, self.base_url), article).body

    def url(self, n: int) -> str:
        return self.site.url_of(self.article(n), self.base_url)

    def sitemap_index(self) -> bytes:
        count = -(-self.pages // PER_SITEMAP)
        entries = "".join(
            f"<sitemap><loc>{self.base_url}/wp-sitemap-posts-post-{k}.xml</loc></sitemap>"
            for k in range(1, count + 1)
        )
        return _xml(f'<sitemapindex xmlns="{_SITEMAP_NS}">{entries}</sitemapindex>')

    def sitemap(self, k: int) -> bytes | None:
        first = (k - 1) * PER_SITEMAP
        if not 0 <= first < self.pages:
            return None
        urls = "".join(
            f"<url><loc>{self.url(n)}</loc></url>"
            for n in range(first, min(first + PER_SITEMAP, self.pages))
        )
        return _xml(f'<urlset xmlns="{_SITEMAP_NS}">{urls}</urlset>')


_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_EMPTY_FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>QBTV</title>'
    b"<link>/</link><description>soak</description></channel></rss>"
)
_EMPTY_LISTING = b"<!DOCTYPE html><html><head><title>QBTV</title></head><body></body></html>"


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode()


def fault_of(n: int) -> str | None:
    """The fault page n carries, if any (about 6 % of pages)."""
    for every, offset, fault in (
        (50, 7, "unavailable"),
        (97, 3, "not_found"),
        (89, 5, "cut_body"),
        (113, 9, "block_page"),
        (71, 11, "truncated_html"),
    ):
        if n % every == offset:
            return fault
    return None


class _Handler(BaseHTTPRequestHandler):
    server: SoakServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.soak
        path = self.path.split("?")[0]
        if path == "/robots.txt":
            return send(self, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/wp-sitemap.xml":
            return send(self, site.sitemap_index(), XML)
        if path == "/feed/":
            return send(self, _EMPTY_FEED, RSS)
        if path in ("/", "/category/thoi-su/", "/category/kinh-te/"):
            return send(self, _EMPTY_LISTING, "text/html; charset=utf-8")
        if m := re.fullmatch(r"/wp-sitemap-posts-post-(\d+)\.xml", path):
            body = site.sitemap(int(m.group(1)))
            return send(self, body, XML) if body else send(self, b"", "text/plain", 404)
        if (m := ARTICLE_PATH.match(path)) and int(m.group(1)) < site.pages:
            return self._article(int(m.group(1)))
        return send(self, b"Not Found", "text/plain", 404)

    def _article(self, n: int) -> None:
        fault = fault_of(n)
        if fault == "unavailable":
            return send(self, b"Service Unavailable", "text/html", 503)
        if fault == "not_found":
            return send(self, b"Not Found", "text/html", 404)
        if fault == "block_page":
            return send(self, CLOUDFLARE_CHALLENGE, status=403, headers=CLOUDFLARE)
        body = self.server.soak.page(n)
        if fault == "truncated_html":
            body = body[: len(body) * 3 // 5]
        if fault == "cut_body":
            return cut_short(body)(self)
        return send(self, body, "text/html; charset=utf-8")


class SoakServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pages: int) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.soak = SoakSite(pages, f"http://127.0.0.1:{self.server_port}")


# --- inside each crawl process -----------------------------------------------------------------


class MemoryProbe:
    """Peak RSS at each checkpoint of pages downloaded, and the crawl's rate, to a JSON file."""

    def __init__(self, crawler, out: Path) -> None:
        self.crawler, self.out = crawler, out
        self.pages, self.peaks, self.started = 0, {}, time.perf_counter()

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        probe = cls(crawler, Path(crawler.settings["SOAK_PROBE_OUT"]))
        crawler.signals.connect(probe.response_received, signals.response_received)
        crawler.signals.connect(probe.spider_closed, signals.spider_closed)
        return probe

    def response_received(self, response, request, spider) -> None:
        if ARTICLE_PATH.match(urlsplit(request.url).path):
            self.pages += 1
            if self.pages in CHECKPOINTS:
                self.peaks[self.pages] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def spider_closed(self, spider) -> None:
        self.peaks[self.pages] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stats = self.crawler.stats.get_stats()
        self.out.write_text(
            json.dumps(
                {
                    "pages": self.pages,
                    "seconds": time.perf_counter() - self.started,
                    "peak_rss_kib": self.peaks,
                    "items": stats.get("item_scraped_count", 0),
                    "faults": {
                        k: v
                        for k, v in stats.items()
                        if k.startswith(("newscrawl/fault/", "newscrawl/blocked/"))
                        or k.startswith("newscrawl/article_errors/")
                    },
                    "log_errors": stats.get("log_count/ERROR", 0),
                },
                default=str,
            )
        )


def crawl(kind: str, base_url: str, out: Path) -> None:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.spiders import SitemapSpider
    from scrapy.utils.project import get_project_settings

    if kind == "newscrawl":
        settings = get_project_settings()
        settings.setdict(CRAWL_SETTINGS, priority="cmdline")
        settings.set("SOAK_PROBE_OUT", str(out), priority="cmdline")
        # The project's own extensions (state, reports, budget) stay: the probe joins them.
        settings.set("EXTENSIONS", {**settings.getdict("EXTENSIONS"), MemoryProbe: 1000}, "cmdline")
        process = CrawlerProcess(settings)
        process.crawl("qbtv", base_url=base_url)
    else:

        class BareSitemapSpider(SitemapSpider):
            name = "bare"
            sitemap_urls = (base_url + "/wp-sitemap.xml",)

            def parse(self, response):
                return None

        probe = {"SOAK_PROBE_OUT": str(out), "EXTENSIONS": {MemoryProbe: 1000}}
        settings = Settings({**CRAWL_SETTINGS, **probe, "ROBOTSTXT_OBEY": True})
        process = CrawlerProcess(settings)
        process.crawl(BareSitemapSpider)
    process.start()


# --- the bench ---------------------------------------------------------------------------------


def run_crawl(kind: str, base_url: str, folder: Path) -> dict:
    out = folder / f"{kind}.json"
    command = [sys.executable, __file__, "--crawl", kind, "--base-url", base_url]
    command += ["--out", str(out)]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    with open(folder / "log.txt", "w") as log:
        subprocess.run(command, cwd=folder, check=True, env=env, stderr=log)
    result = json.loads(out.read_text("utf-8"))
    result["tracebacks"] = (folder / "log.txt").read_text("utf-8").count("Traceback")
    result["run_reports"] = len(list(folder.glob("data/runs/*/*.json")))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--crawl", choices=("newscrawl", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.crawl:
        crawl(args.crawl, args.base_url, args.out)
        return 0

    server = SoakServer(args.pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    faulty = sum(fault_of(n) is not None for n in range(args.pages))
    print(f"soak: {args.pages} article pages ({faulty} with faults) on {server.soak.base_url}")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for kind in ("bare", "newscrawl"):
            folder = Path(tmp) / kind
            folder.mkdir()
            results[kind] = run_crawl(kind, server.soak.base_url, folder)
    server.shutdown()

    ours = results["newscrawl"]
    print("\nnewscrawl peak RSS by pages downloaded:")
    for pages, kib in sorted(ours["peak_rss_kib"].items(), key=lambda kv: int(kv[0])):
        print(f"  {int(pages):>6} pages  {int(kib) / 1024:7.1f} MiB")
    rate = {k: r["pages"] / r["seconds"] for k, r in results.items()}
    print("\nthroughput (article pages downloaded per second, whole run):")
    for kind, r in results.items():
        print(f"  {kind:<10} {r['pages']:>6} pages in {r['seconds']:6.1f} s  = {rate[kind]:6.1f}/s")
    print(f"  newscrawl / bare = {rate['newscrawl'] / rate['bare']:.2f}")
    print(
        f"\nnewscrawl wrote {ours['items']} records; errors logged: {ours['log_errors']}, "
        f"tracebacks: {ours['tracebacks']}, run reports written: {ours['run_reports']} "
        "(1 = state, dedup and reports were on)"
    )
    for reason, count in sorted(ours["faults"].items()):
        print(f"  {reason:<50} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
