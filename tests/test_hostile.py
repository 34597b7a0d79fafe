"""Hostile and broken sites (issue 6): the real spider crawls the misbehaving sites of
replica/faults.py on 127.0.0.1 — every HTTP, content, feed and sitemap fault of a run at once —
and must finish with no traceback and no error, count every fault by reason in its stats and
in its run report, write each good article exactly once, repaired where its page was broken,
and nothing else."""

import itertools
import json
import os
import re
import subprocess
import sys
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from newscrawl.charset import mislabeled_utf8
from newscrawl.commands.crawl import EXIT_DEGRADED
from newscrawl.extract.dates import VN_TZ
from newscrawl.record import schema_errors
from newscrawl.retry_after import retry_after
from replica.faults import (
    BROKEN_DISCOVERY,
    REPAIRABLE,
    FaultSite,
    big_sitemap_site,
    broken_discovery_site,
    cp1258,
    fault_site,
)
from replica.hostile import HostileServer, serve_hostile

# No politeness delays on 127.0.0.1, a short timeout for the server that never answers, and
# enough concurrency that the slow faults do not queue the rest behind them.
FAST = [
    "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_TIMEOUT=2",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "LOG_LEVEL=INFO",
]  # fmt: skip
RETRIES = 2  # RETRY_TIMES: a request that keeps failing is made 3 times

# Every fault of a run of fault_site, by reason, as stats and report count them; and `mojibake`,
# once for every page that shows the double-encoded article's texts (its title is in the
# "latest news" widget of most pages): as many as the listing pages the run happens to read.
FAULTS = {
    "binary_body": 1,
    "connection_lost": 1,
    "decompressed_too_large": 2,  # the gzip bomb served as a page and as a .xml.gz sitemap
    "empty_body": 1,
    "future_date": 1,
    "http_404": 1,
    "http_500": 1,
    "http_502": 1,
    "http_503": 2,  # 503, and the 503 asking to retry after a day
    "mislabeled_charset": 1,
    "retry_after_too_long": 1,
    "sitemap_loop": 1,
    "sitemap_malformed": 1,
    "timeout": 1,
    "too_large": 2,  # 20 MB announced, and streamed without a length
    "truncated": 2,  # cut short with a Content-Length, and chunked
    "xml_entities": 1,
}
BLOCKED = {"challenge": 3, "http_403": 1, "rate_limited": 1}


@dataclass
class Run:
    result: subprocess.CompletedProcess
    report: dict
    stats: dict[str, int]  # the numeric stats the crawl dumped at its end
    peak_rss: int  # bytes

    @property
    def faults(self) -> dict[str, int]:
        prefix = "newscrawl/fault/"
        return {k.removeprefix(prefix): v for k, v in self.stats.items() if k.startswith(prefix)}


def crawl(base_url: str, folder: Path, *extra: str) -> Run:
    """`scrapy crawl qbtv` against `base_url`, as cron runs it, with its peak memory."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    command = [sys.executable, "-m", "scrapy", "crawl", "qbtv", "-a", f"base_url={base_url}"]
    log = folder / "crawl.log"
    with log.open("w") as stderr:
        process = subprocess.Popen([*command, *FAST, *extra], cwd=folder, env=env, stderr=stderr)
        timer = threading.Timer(300, process.kill)
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)  # wait4: the child's own peak RSS
        timer.cancel()
    text = log.read_text("utf-8")
    result = subprocess.CompletedProcess(command, os.waitstatus_to_exitcode(status), "", text)
    reports = sorted((folder / "data" / "runs" / "qbtv").glob("*.json"))
    dump = text[text.rindex("Dumping Scrapy stats:") :]
    stats = {k: int(v) for k, v in re.findall(r"'([^']+)': (\d+)[,}]", dump)}
    return Run(result, json.loads(reports[-1].read_text("utf-8")), stats, usage.ru_maxrss * 1024)


def records(folder: Path) -> list[dict]:
    day = datetime.now(VN_TZ).date().isoformat()
    path = folder / "data" / "qbtv" / f"{day}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def assert_clean(run: Run, *, serves_block_pages: bool = False) -> None:
    """The run finished, nothing went wrong on our side, and nothing raised. A site that
    served block pages among its articles is flagged for them (degraded), and for nothing else."""
    assert "Traceback" not in run.result.stderr
    assert run.stats.get("log_count/ERROR", 0) == 0, run.result.stderr[-3000:]
    if serves_block_pages:
        assert run.result.returncode == EXIT_DEGRADED, run.result.stderr[-3000:]
        assert run.report["status"] == "degraded"
        assert len(run.report["warnings"]) == 1
        assert "answered with a block or challenge page" in run.report["warnings"][0]
    else:
        assert run.result.returncode == 0, run.result.stderr[-3000:]
        assert run.report["status"] == "finished"


def assert_written_right(written: list[dict], expected: dict[str, dict]) -> None:
    """Each expected article written once, exactly as its record should be, valid and NFC."""
    assert sorted(r["url"] for r in written) == sorted(expected)
    for record in written:
        assert schema_errors(record) == []
        for field, value in expected[record["url"]].items():
            assert record[field] == value, (record["url"], field)
        for text in (record["title"], record["body"], *record["author"], *record["tags"]):
            assert unicodedata.is_normalized("NFC", text)
            assert "\ufffd" not in text and "Ã" not in text


# --- one run through every fault -------------------------------------------------------------


@dataclass
class Hostile:
    server: HostileServer
    site: FaultSite
    folder: Path
    first: Run
    hits: dict[str, int]  # requests per path during the first run


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    with serve_hostile({}) as server:
        site = fault_site(server.base_url)
        server.routes.update(site.routes)
        first = crawl(server.base_url, folder)
        yield Hostile(server, site, folder, first, dict(server.hits))


@pytest.fixture(scope="module")
def rerun(hostile):
    """The next cron run against the same broken site, with the same state."""
    return crawl(hostile.server.base_url, hostile.folder)


def test_a_run_through_every_fault_finishes_with_no_traceback_and_no_error(hostile):
    assert_clean(hostile.first, serves_block_pages=True)


def test_every_fault_is_counted_by_reason_in_the_stats_and_the_report(hostile):
    faults = hostile.first.faults
    assert faults.pop("mojibake") >= 1
    assert faults == FAULTS
    assert hostile.first.report["faults"] == hostile.first.faults
    blocked = {k.removeprefix("newscrawl/blocked/"): v for k, v in hostile.first.stats.items()
               if k.startswith("newscrawl/blocked/")}  # fmt: skip
    assert blocked == BLOCKED
    assert hostile.first.report["articles"]["blocked"] == BLOCKED
    assert hostile.first.report["retries"] == hostile.first.stats["retry/count"] > 0


def test_the_good_articles_are_written_exactly_once_and_nothing_else(hostile):
    assert_written_right(records(hostile.folder), hostile.site.written)


@pytest.mark.parametrize(
    ("name", "reason", "requests"),
    [
        ("500", "http_500", 1 + RETRIES),
        ("502", "http_502", 1 + RETRIES),
        ("503", "http_503", 1 + RETRIES),
        ("never-answers", "timeout", 1 + RETRIES),
        ("truncated", "truncated", 1 + RETRIES),
        ("truncated-chunked", "truncated", 1 + RETRIES),
        # Twisted retries a request once more itself when a reused connection breaks.
        ("reset", "connection_lost", None),
        ("404", "http_404", 1),
        ("20mb", "too_large", 1),
        ("20mb-unannounced", "too_large", 1),
        ("gzip-bomb", "decompressed_too_large", 1),
        ("empty-200", "empty_body", 1),
        ("binary-as-html", "binary_body", 1),
    ],
)
def test_a_page_that_fails_is_retried_as_scrapy_does_counted_and_not_written(
    hostile, name, reason, requests
):
    path = hostile.site.paths[name]
    if requests is None:
        assert hostile.hits[path] >= 1 + RETRIES
    else:
        assert hostile.hits[path] == requests
    assert hostile.first.faults[reason] >= 1
    assert re.search(rf"fault at \S+{re.escape(path)}: {reason}\b", hostile.first.result.stderr)
    assert not [r for r in records(hostile.folder) if r["url"].endswith(path)]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("403-cloudflare-block", "challenge"),
        ("403-challenge", "challenge"),
        ("200-challenge", "challenge"),
        ("403-cloudflare-bare", "http_403"),
        ("429", "rate_limited"),
    ],
)
def test_block_and_challenge_pages_are_counted_as_blocked_not_extracted(hostile, name, reason):
    path = hostile.site.paths[name]
    assert f"blocked at {hostile.server.base_url}{path} ({reason})" in hostile.first.result.stderr
    assert not [r for r in records(hostile.folder) if r["url"].endswith(path)]


def test_a_good_article_that_fails_once_is_retried_and_written_once(hostile):
    for name in ("503-then-ok-retry-after", "500-then-ok", "reset-then-ok", "truncated-then-ok"):
        path = hostile.site.paths[name]
        assert hostile.hits[path] == 2, name
        urls = [r["url"] for r in records(hostile.folder)]
        assert urls.count(hostile.server.base_url + path) == 1, name


def test_retry_after_is_waited_for_up_to_its_cap(hostile):
    times = hostile.server.hit_times
    first, second = times[hostile.site.paths["503-then-ok-retry-after"]][:2]
    assert second - first >= 2  # Retry-After: 2
    rate_limited = times[hostile.site.paths["429"]][:3]  # Retry-After: 1, each time
    assert all(b - a >= 1 for a, b in itertools.pairwise(rate_limited))
    # Retry-After: 86400 is past NEWSCRAWL_RETRY_AFTER_MAX: not waited for, left to the next run.
    assert hostile.hits[hostile.site.paths["503-retry-after-a-day"]] == 1


@pytest.mark.parametrize("name", REPAIRABLE)
def test_a_page_in_a_wrong_charset_or_form_is_written_as_its_text_reads(hostile, name):
    url = hostile.server.base_url + hostile.site.paths[name]
    (record,) = [r for r in records(hostile.folder) if r["url"] == url]
    expected = hostile.site.written[url]
    assert record["title"] == expected["title"]
    assert record["body"] == expected["body"]
    assert record["author"] == expected["author"] == ["Thu Hà", "Thiên Vỹ"]


def test_the_sitemap_index_that_lists_itself_is_read_once(hostile):
    assert hostile.hits[hostile.site.paths["sitemap-index"]] == 1
    for name in ("sitemap-posts", "sitemap-malformed", "sitemap-entity-bomb", "sitemap-gzip-bomb"):
        assert hostile.hits[hostile.site.paths[name]] == 1


def test_bombs_and_huge_pages_stay_within_the_size_limit(hostile):
    # A crawl starts at about 150 MB; each of the 1 GiB bomb and the 20 MB pages is cut at
    # DOWNLOAD_MAXSIZE (16 MiB).
    assert hostile.first.peak_rss < 400 * 2**20


def test_the_next_run_asks_again_only_for_what_may_have_recovered(hostile, rerun):
    assert_clean(rerun, serves_block_pages=True)
    hits = {path: hostile.server.hits[path] - hostile.hits.get(path, 0) for path in hostile.hits}
    paths = hostile.site.paths
    # Passing faults are asked for again; answers for good (404, too large, binary) are not.
    for name in ("500", "503", "503-retry-after-a-day", "never-answers", "reset", "empty-200"):
        assert hits[paths[name]] >= 1, name
    for name in ("404", "20mb", "20mb-unannounced", "gzip-bomb", "binary-as-html"):
        assert hits[paths[name]] == 0, name
    # Nothing written is fetched again: not the article the feed dates a year ahead either.
    for url in hostile.site.written:
        assert hits[url.removeprefix(hostile.server.base_url)] == 0, url
    assert rerun.faults["future_date"] == 1
    assert rerun.report["articles"]["new"] == 0
    assert_written_right(records(hostile.folder), hostile.site.written)


# --- feeds and sitemaps broken, listings not ---------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "faults"),
    [
        (
            "entity-bomb-feed",
            {"xml_entities": 1, "sitemap_malformed": 2, "not_a_sitemap": 1, "connection_lost": 1},
        ),
        ("truncated-feed", {"feed_malformed": 1, "not_a_sitemap": 1}),
    ],
)
def test_broken_feeds_and_sitemaps_are_counted_skips(tmp_path, variant, faults):
    assert variant in BROKEN_DISCOVERY
    with serve_hostile({}) as server:
        site = broken_discovery_site(server.base_url, variant)
        server.routes.update(site.routes)
        run = crawl(server.base_url, tmp_path)
    assert_clean(run)
    assert run.faults == faults
    assert run.report["faults"] == faults
    # The listings still lead to every article; no entity was expanded.
    assert_written_right(records(tmp_path), site.written)
    assert run.peak_rss < 400 * 2**20


# --- 100 000 URLs in one sitemap ---------------------------------------------------------------


def test_a_sitemap_of_100000_urls_is_streamed_and_capped(tmp_path):
    cap, listed = 50, 100_000
    runs = {}
    for count in (10, listed):
        folder = tmp_path / str(count)
        folder.mkdir()
        with serve_hostile({}) as server:
            server.routes.update(big_sitemap_site(server.base_url, count).routes)
            run = crawl(server.base_url, folder, "-s", f"NEWSCRAWL_MAX_ARTICLES={cap}")
            listed_requests = sum(n for p, n in server.hits.items() if "/bai-viet-so-" in p)
        runs[count] = run, listed_requests
    (small, small_requests), (big, big_requests) = runs[10], runs[listed]
    assert_clean(big)
    assert small_requests == 10 and small.report["articles"]["deferred"] == 0
    # At most `cap` articles asked for (feed and listings share the cap); the rest is left for
    # the next runs, counted.
    assert big_requests <= cap
    assert big.stats["newscrawl/articles/deferred"] == listed - big_requests
    assert big.report["articles"]["deferred"] == listed - big_requests
    # The 11 MB sitemap costs little more memory than a sitemap of 10 URLs: no 100 000 requests,
    # no list of all its entries.
    assert big.peak_rss - small.peak_rss < 80 * 2**20


# --- charsets and Retry-After values -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "declared", "utf8"),
    [
        ("Người dân về Ngã ba Đồng Lộc".encode(), "cp1252", True),
        ("Người dân về Ngã ba Đồng Lộc".encode(), "latin-1", True),
        ("Người dân về Ngã ba Đồng Lộc".encode(), "utf-8", False),  # declared right
        (b"<p>Hello</p>", "cp1252", False),  # ASCII reads the same in both
        (cp1258("Người dân về Ngã ba Đồng Lộc"), "cp1258", False),
        ("Café crème".encode("cp1252"), "cp1252", False),
    ],
)
def test_a_utf8_page_declared_in_another_charset_is_told_apart(body, declared, utf8):
    assert mislabeled_utf8(body, declared) is utf8


NOW = datetime(2026, 3, 2, 8, 0, 0, tzinfo=VN_TZ)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (b"120", 120.0),
        (b" 0 ", 0.0),
        (b"Mon, 02 Mar 2026 01:00:30 GMT", 30.0),  # an HTTP date, 30 s after NOW
        (b"Mon, 02 Mar 2026 00:59:00 GMT", 0.0),  # already past
        (None, None),
        (b"", None),
        (b"-5", None),
        (b"soon", None),
        (b"1.5", None),  # RFC 9110: delay-seconds is an integer
    ],
)
def test_retry_after_values(value, seconds):
    assert retry_after(value, now=NOW) == seconds
