"""Traps (issue 6, point 4): redirect loops, an endless calendar archive, sitemap indexes that
nest forever, session ids in links, a link farm of near-identical URLs. Each is served among
the good pages of a replica site on 127.0.0.1; the crawl stays bounded, counts what stopped it
(`newscrawl/trap/<reason>`), logs no traceback, and writes each good article once, nothing
else."""

import json
import re
import secrets
from datetime import datetime
from urllib.request import urlopen

from newscrawl.extract.dates import VN_TZ
from newscrawl.record import schema_errors
from replica.expected import expected_records
from replica.hostile import serve_hostile
from replica.site import load_site
from replica.traps import (
    copies,
    endless_archive,
    endless_redirects,
    endless_sitemaps,
    redirect_loop,
    session_ids,
    site_routes,
)
from tests.test_crawl import crawl

SITE = load_site("qbtv")
ARTICLES = [SITE.path_of(a) for a in SITE.articles]
# Scrapy's settings the traps run into (newscrawl/settings.py).
REDIRECT_MAX_TIMES = 5
DEPTH_LIMIT = 10
NEWSCRAWL_MAX_LISTING_PAGES = 5
CONCURRENT = 4


def _stat(result, name: str) -> int:
    found = re.search(rf"'newscrawl/{name}': (\d+)", result.stderr)
    return int(found[1]) if found else 0


def _written(result, output) -> list[dict]:
    """The records of a run that logged no traceback: every line valid, and each of the site's
    good articles written exactly once, nothing else."""
    assert "Traceback" not in result.stderr
    records = [json.loads(line) for line in output.read_text("utf-8").splitlines()]
    assert all(schema_errors(r) == [] for r in records)
    assert len({r["id"] for r in records}) == len(records), "an article was written twice"
    assert sorted(r["title"] for r in records) == sorted(a.title for a in SITE.articles)
    return records


def _urls(base: str) -> set[str]:
    return {e["url"] for e in expected_records("qbtv", base)}


def _logged(result, stat: str) -> int:
    """How many log lines report `stat` (each trap is logged once, counted every time)."""
    return len(re.findall(rf"\[newscrawl\.middlewares\] WARNING: refused .*{stat}", result.stderr))


def test_redirect_loops_and_endless_redirects_end_and_are_counted(tmp_path):
    loop = ["/2026/01/01/vong-lap/", "/2026/01/01/vong-lap-2/", "/2026/01/01/vong-lap-3/"]
    chain = "/2026/01/02/chuyen-huong-mai/"
    routes = site_routes("qbtv", links=[loop[0], chain])
    routes |= redirect_loop(*loop)
    routes[chain] = endless_redirects(chain)
    with serve_hostile(routes) as server:
        result = crawl("qbtv", server.base_url, tmp_path, "-O", "out.jsonl")
        hits = dict(server.hits)

    assert result.returncode == 0, result.stderr[-3000:]
    # The loop ends at its first turn: its pages are asked for once each. (A loop entered by
    # two links is cut, uncounted, by Scrapy's dupefilter: each page is still asked for once.)
    assert [hits[path] for path in loop] == [1, 1, 1]
    assert _stat(result, "trap/redirect_loop") == 1
    assert _logged(result, "a redirect loop") == 1
    # A chain of ever new URLs ends after REDIRECT_MAX_TIMES redirects.
    assert hits[chain] == REDIRECT_MAX_TIMES + 1
    assert _stat(result, "trap/too_many_redirects") == 1
    records = _written(result, tmp_path / "out.jsonl")
    assert {r["url"] for r in records} == _urls(server.base_url)


def test_an_endless_archive_and_endless_sitemap_indexes_are_bounded(tmp_path):
    routes = site_routes("qbtv", sitemaps=["/sitemap-archive.xml"])
    # A listing start point turned into a calendar that always has a month before.
    routes["/category/kinh-te/"] = endless_archive("/category/kinh-te/")
    routes["/sitemap-archive.xml"] = endless_sitemaps("/sitemap-archive.xml")
    with serve_hostile(routes) as server:
        result = crawl("qbtv", server.base_url, tmp_path, "-O", "out.jsonl")
        hits = dict(server.hits)

    assert result.returncode == 0, result.stderr[-3000:]
    assert hits["/category/kinh-te/"] == NEWSCRAWL_MAX_LISTING_PAGES
    assert _stat(result, "listing_stopped_page_limit") == 1
    # wp-sitemap.xml (a start point) → sitemap-archive.xml?p=1 … ?p=10, then DEPTH_LIMIT.
    assert hits["/sitemap-archive.xml"] == DEPTH_LIMIT
    assert _stat(result, "trap/depth_limit") == 1
    assert _logged(result, "DEPTH_LIMIT") == 1
    records = _written(result, tmp_path / "out.jsonl")
    assert {r["url"] for r in records} == _urls(server.base_url)


def test_session_ids_in_links_do_not_multiply_the_articles(tmp_path):
    # A site that cannot set a cookie puts a new session id in every link of every page.
    with serve_hostile(site_routes("qbtv", rewrite=session_ids)) as server:
        with urlopen(server.base_url + "/feed/") as feed, urlopen(server.base_url) as home:
            assert ";jsessionid=" in feed.read().decode() and "?PHPSESSID=" in home.read().decode()
        result = crawl("qbtv", server.base_url, tmp_path, "-O", "out.jsonl")
        hits, requested = dict(server.hits), list(server.requests)

    assert result.returncode == 0, result.stderr[-3000:]
    assert [hits[path] for path in ARTICLES] == [1] * len(ARTICLES)
    assert not [path for path in requested if "sessionid" in path.lower() or "sessid" in path]
    # Every route still leads to every article (the ids are no part of what matches).
    for route in ("feed", "sitemap", "listing"):
        assert _stat(result, f"discovered/{route}") == len(ARTICLES), route
    records = _written(result, tmp_path / "out.jsonl")
    assert {r["url"] for r in records} == _urls(server.base_url)


def _farm(article: str, size: int) -> list[str]:
    """Near-identical URLs of one article: its slug with a number."""
    return [f"{article.rstrip('/')}-{n}/" for n in range(1, size + 1)]


def test_a_link_farm_costs_one_fetch_per_distinct_url_and_writes_each_article_once(tmp_path):
    variants = [
        variant
        for path in ARTICLES
        for variant in (
            path + "?utm_source=zalo&utm_medium=social",
            path + "#comments",
            path + "?fbclid=IwAR" + secrets.token_hex(8),
            path + "?PHPSESSID=" + secrets.token_hex(16),
            path + ";jsessionid=" + secrets.token_hex(16).upper(),
            path + "amp/",
            path + "?amp=1",
            path + "?x=" + secrets.token_hex(4),  # no article URL of this site has a query
        )
    ]
    # Copies of one article under new slugs: half name the original as canonical, half
    # themselves (the same text at many addresses).
    to_original, to_themselves = _farm(ARTICLES[2], 10), _farm(ARTICLES[3], 10)
    routes = site_routes("qbtv", links=variants + to_original + to_themselves)
    routes |= copies("qbtv", ARTICLES[2], to_original)
    routes |= copies("qbtv", ARTICLES[3], to_themselves, declare_self=True)
    with serve_hostile(routes) as server:
        result = crawl("qbtv", server.base_url, tmp_path, "-O", "out.jsonl")
        hits, requested = dict(server.hits), list(server.requests)

    assert result.returncode == 0, result.stderr[-3000:]
    # The variants are one URL each: the article, fetched once.
    assert [hits[path] for path in ARTICLES] == [1] * len(ARTICLES)
    assert not [path for path in requested if "?" in path or ";" in path]
    # Each distinct URL costs one fetch; none is written as an article of its own.
    assert [hits[path] for path in to_original + to_themselves] == [1] * 20
    assert _stat(result, "dropped/duplicate") == 10
    records = _written(result, tmp_path / "out.jsonl")
    # The text served at eleven addresses is written once, at whichever came first.
    (copied,) = [r["url"] for r in records if r["title"] == SITE.articles[3].title]
    assert copied.removeprefix(server.base_url) in [ARTICLES[3], *to_themselves]
    others = _urls(server.base_url) - {server.base_url + ARTICLES[3]}
    assert {r["url"] for r in records} - {copied} == others


def test_the_page_budget_stops_a_run_and_the_next_run_goes_on(tmp_path):
    # Requests already handed to the downloader (at most CONCURRENT_REQUESTS) still complete.
    farm = _farm(ARTICLES[2], 60)
    routes = site_routes("qbtv", links=farm) | copies("qbtv", ARTICLES[2], farm, declare_self=True)
    with serve_hostile(routes) as server:
        stopped = crawl(
            "qbtv", server.base_url, tmp_path,
            "-s", "CLOSESPIDER_PAGECOUNT=20", "-s", f"CONCURRENT_REQUESTS={CONCURRENT}",
        )  # fmt: skip
        fetched = sum(server.hits.values())
        finished = crawl("qbtv", server.base_url, tmp_path)

    assert 20 <= fetched <= 20 + CONCURRENT
    assert stopped.returncode == 1  # the run did not finish
    assert "Traceback" not in stopped.stderr
    assert _stat(stopped, "trap/page_budget") == 1
    assert (
        len(re.findall(r"WARNING: qbtv: the run stopped at its page budget", stopped.stderr)) == 1
    )
    first_report = sorted((tmp_path / "data" / "runs" / "qbtv").glob("*.json"))[0]
    report = json.loads(first_report.read_text("utf-8"))
    assert report["status"] == "failed" and report["faults"]["trap/page_budget"] == 1
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert _stat(finished, "trap/page_budget") == 0
    day = datetime.now(VN_TZ).date().isoformat()
    _written(finished, tmp_path / "data" / "qbtv" / f"{day}.jsonl")
