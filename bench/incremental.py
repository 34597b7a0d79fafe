"""What a re-run costs: requests per crawl run on the replica sites, by kind, and records written.

    python bench/incremental.py

For each replica site, in its own temporary data folder, `scrapy crawl <site>` runs four times
(no politeness delay; it is a local replica): (a) a first run, (b) a re-run of the unchanged
site, (c) a re-run after 3 new articles were published, (d) a re-run after 1 existing article
was edited. Each run's requests are read from the replica server's log and sorted into robots.txt,
feeds and sitemaps (with how many were answered 304 Not Modified), listing pages (the start
points, then further pages) and article pages; records are the lines the run added to the output.

The shape each run must have (the issue: "A re-run on an unchanged site sends conditional
requests for its feeds and sitemaps (304 → nothing more) and fetches no article page. With k new
articles it fetches those k and at most the start points plus one listing page each"):

    (a) first run   every article fetched and written once, as version 1
    (b) unchanged   no article page, no record; every feed and sitemap answered 304, except
                    sitemap indexes, which the spider reads in full every run (their children,
                    which are what changes, get the conditional requests); no listing page
                    beyond the start points
    (c) 3 new       3 article pages, 3 records (version 1); at most one listing page beyond
                    each start point
    (d) 1 edited    1 article page, 1 record: the edited article as version 2

The exit status is 1 when a run breaks its shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository, not this folder, goes first: bench/incremental.py would shadow the
# `incremental` package that Twisted imports.
sys.path[0] = str(REPO)

from newscrawl.sources import Source, get_source  # noqa: E402
from replica import server as replica_server  # noqa: E402
from replica.server import ReplicaServer, serve  # noqa: E402
from replica.site import Article, new_articles  # noqa: E402
from replica.web import ICT  # noqa: E402

SITES = ("qbtv", "baohatinh")
NEW_ARTICLES = 3
SETTINGS = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO"]


def record_statuses() -> None:
    """The replica logs each request, not its answer: note every response's status as well, in
    `server.statuses` as (path, status), to count the 304s."""
    handler = replica_server._Handler
    send_response = handler.send_response

    def send_and_note(self, code, message=None):
        self.server.statuses.append((self.path, code))
        send_response(self, code, message)

    handler.send_response = send_and_note


# --- one run, measured -----------------------------------------------------------------------


@dataclass
class Run:
    name: str
    robots: int = 0
    feeds: int = 0  # feeds and sitemaps
    not_modified: int = 0  # of those, answered 304
    full_indexes: int = 0  # of those, sitemap indexes answered in full
    listings: int = 0  # start points
    more_listings: int = 0  # further listing pages
    articles: int = 0
    other: list[str] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return self.robots + self.feeds + self.listings + self.more_listings + self.articles


def kind_of(path: str, source: Source, base: str) -> str:
    if path == "/robots.txt":
        return "robots"
    url = base + path
    if url in source.feeds or url in source.sitemaps:
        return "feed"
    if "sitemap" in path or path.endswith((".xml", ".xml.gz", ".rss")):
        return "feed"
    if source.is_article(url):
        return "article"
    if url in source.listings:
        return "listing"
    return "more_listing"  # pagination: the spider follows nothing else that is not an article


class Bench:
    def __init__(self, site_id: str, base: str, server: ReplicaServer, folder: Path):
        self.site_id = site_id
        self.base = base
        self.server = server
        self.folder = folder
        self.source = get_source(site_id).rebased(base)
        server.statuses = []

    def lines(self) -> list[bytes]:
        out = self.folder / "data" / self.site_id
        return [
            line for path in sorted(out.glob("*.jsonl")) for line in path.read_bytes().splitlines()
        ]

    def crawl(self, name: str) -> Run:
        requests_before = len(self.server.requests)
        statuses_before = len(self.server.statuses)
        lines_before = len(self.lines()) if (self.folder / "data").exists() else 0
        env = {
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        command = [sys.executable, "-m", "scrapy", "crawl", self.site_id]
        command += ["-a", f"base_url={self.base}"]
        for setting in SETTINGS:
            command += ["-s", setting]
        started = time.perf_counter()
        result = subprocess.run(
            command, cwd=self.folder, env=env, capture_output=True, text=True, timeout=120
        )
        run = Run(name, seconds=time.perf_counter() - started)
        if result.returncode != 0:
            sys.exit(f"{self.site_id} {name}: exit {result.returncode}\n{result.stderr[-3000:]}")

        for _method, path, _agent in self.server.requests[requests_before:]:
            kind = kind_of(path, self.source, self.base)
            if kind == "robots":
                run.robots += 1
            elif kind == "feed":
                run.feeds += 1
            elif kind == "article":
                run.articles += 1
            elif kind == "listing":
                run.listings += 1
            else:
                run.more_listings += 1
        for path, status in self.server.statuses[statuses_before:]:
            if kind_of(path, self.source, self.base) != "feed":
                continue
            if status == 304:
                run.not_modified += 1
            elif is_sitemap_index(self.server.pages.get(path)):
                run.full_indexes += 1
            else:
                run.other.append(f"{path} {status}")
        run.records = [json.loads(line) for line in self.lines()[lines_before:]]
        return run

    # --- changes on the site -----------------------------------------------------------------

    def publish(self, count: int) -> None:
        """`count` new articles, published now: copies of the newest one under new URLs."""
        now = datetime.now(ICT).isoformat(timespec="seconds")
        self.server.site.articles.extend(new_articles(self.server.site, count, now))
        self.server.rerender()

    def edit(self) -> Article:
        """Edit the oldest article's first paragraph, dated now; returns it."""
        site = self.server.site
        oldest = site.newest_first()[-1]
        index = site.articles.index(oldest)
        site.articles[index] = replace(
            oldest,
            paragraphs=[oldest.paragraphs[0] + " (Cập nhật.)", *oldest.paragraphs[1:]],
            modified=datetime.now(ICT).isoformat(timespec="seconds"),
        )
        self.server.rerender()
        return site.articles[index]


def is_sitemap_index(page) -> bool:
    return page is not None and b"<sitemapindex" in page.body[:2000]


# --- shapes ----------------------------------------------------------------------------------


def shape_errors(run: Run, step: str, articles: int, listings: int, edited_url: str) -> list[str]:
    versions = sorted(r.get("version") for r in run.records)
    errors = []
    if run.listings > listings:
        errors.append(f"{run.listings} listing start points requested, the source has {listings}")
    if step == "first":
        if run.articles != articles or len(run.records) != articles or set(versions) != {1}:
            errors.append(f"{articles} article pages and records (version 1) expected")
    elif step == "unchanged":
        if run.articles or run.records:
            errors.append("an unchanged site must cost no article page and no record")
        if run.other:
            errors.append("feeds/sitemaps not answered 304: " + ", ".join(run.other))
        if run.more_listings:
            errors.append("no listing page beyond the start points expected")
    elif step == "new":
        if run.articles != NEW_ARTICLES or versions != [1] * NEW_ARTICLES:
            errors.append(f"{NEW_ARTICLES} article pages and {NEW_ARTICLES} new records expected")
        if run.more_listings > listings:
            errors.append("more than one listing page beyond each start point")
    elif step == "edited":
        urls = [r["url"] for r in run.records]
        if run.articles != 1 or versions != [2] or urls != [edited_url]:
            errors.append("1 article page and 1 record (the edited article, version 2) expected")
    return errors


def table(site_id: str, runs: list[Run]) -> str:
    header = (
        f"{'run':<14} {'requests':>8} {'robots':>6} {'feeds+sitemaps':>14} {'(304)':>5} "
        f"{'listings':>9} {'articles':>8} {'records':>7} {'(v2)':>4} {'s':>5}"
    )
    rows = [f"{site_id}", header]
    for run in runs:
        listings = f"{run.listings}+{run.more_listings}"
        v2 = sum(1 for r in run.records if r.get("version", 1) > 1)
        rows.append(
            f"{run.name:<14} {run.requests:>8} {run.robots:>6} {run.feeds:>14} "
            f"{run.not_modified:>5} {listings:>9} {run.articles:>8} {len(run.records):>7} "
            f"{v2:>4} {run.seconds:>5.1f}"
        )
    return "\n".join(rows)


def main() -> int:
    record_statuses()
    failures = []
    with serve(list(SITES)) as bases, tempfile.TemporaryDirectory() as tmp:
        for site_id in SITES:
            folder = Path(tmp) / site_id
            folder.mkdir()
            bench = Bench(site_id, bases[site_id], bases.servers[site_id], folder)
            articles = len(bench.server.site.articles)
            listings = len(bench.source.listings)

            runs = [bench.crawl("(a) first")]
            runs.append(bench.crawl("(b) unchanged"))
            bench.publish(NEW_ARTICLES)
            runs.append(bench.crawl(f"(c) {NEW_ARTICLES} new"))
            edited = bench.edit()
            runs.append(bench.crawl("(d) 1 edited"))

            edited_url = bench.server.site.url_of(edited, bench.base)
            steps = ("first", "unchanged", "new", "edited")
            errors = [
                f"{run.name}: {error}"
                for run, step in zip(runs, steps, strict=True)
                for error in shape_errors(run, step, articles, listings, edited_url)
            ]
            ids = [json.loads(line)["id"] for line in bench.lines()]
            if len(ids) != articles + NEW_ARTICLES + 1 or len(set(ids)) != len(ids) - 1:
                errors.append(
                    f"output: {len(ids)} lines, {len(set(ids))} ids; expected "
                    f"{articles + NEW_ARTICLES} articles, the edited one twice"
                )

            print(table(site_id, runs))
            print(
                f"expected: (a) {articles} article pages, {articles} records; (b) 0 article pages, "
                f"feeds/sitemaps 304 (indexes read in full), 0 records; (c) {NEW_ARTICLES} "
                f"article pages, ≤ {listings}+{listings} listing pages, {NEW_ARTICLES} records; "
                f"(d) 1 article page, 1 record v2"
            )
            print("shape: ok" if not errors else "shape BROKEN:\n  " + "\n  ".join(errors))
            print()
            failures += [f"{site_id} {error}" for error in errors]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
