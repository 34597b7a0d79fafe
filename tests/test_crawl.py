"""End to end: the real spider, run as a user runs it (`scrapy crawl <source>`), against the
bundled replica sites served on 127.0.0.1, must write exactly the expected records."""

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.request import urlopen

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.extract.dates import VN_TZ
from newscrawl.record import article_id, schema_errors
from newscrawl.spiders.news import NewsSpider
from replica.expected import expected_records
from replica.server import serve

# The replica is local: politeness delays would only slow the test down.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]


def crawl(source: str, base_url: str, cwd: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    command = [sys.executable, "-m", "scrapy", "crawl", source, "-a", f"base_url={base_url}"]
    return subprocess.run(
        [*command, *FAST, *extra], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def sites():
    with serve(["qbtv", "baohatinh"]) as bases:
        yield bases


@pytest.mark.parametrize("source", ["qbtv", "baohatinh"])
def test_crawl_writes_exactly_the_expected_records(source, sites, tmp_path):
    result = crawl(source, sites[source], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]

    day = datetime.now(VN_TZ).date().isoformat()
    out = tmp_path / "data" / source / f"{day}.jsonl"
    lines = out.read_text("utf-8").splitlines()
    records = {r["url"]: r for r in map(json.loads, lines)}
    assert len(records) == len(lines), "a record was written twice"

    expected = {e["url"]: e for e in expected_records(source, sites[source])}
    assert set(records) == set(expected)
    for url, want in expected.items():
        got = records[url]
        assert schema_errors(got) == []
        assert got["id"] == article_id(url)
        assert got["source"] == source
        for field, value in want.items():
            assert got[field] == value, (url, field)
    assert "Traceback" not in result.stderr
    assert "newscrawl/skipped" not in result.stderr
    # Each kind of start point, on its own, leads to every article (distinct URLs per route).
    for route in ("feed", "sitemap", "listing"):
        found = re.search(rf"'newscrawl/discovered/{route}': (\d+)", result.stderr)
        assert found and int(found[1]) == len(expected), route


def test_output_is_utf8_not_ascii_escaped(sites, tmp_path):
    result = crawl("qbtv", sites["qbtv"], tmp_path, "-O", "out.jsonl")
    assert result.returncode == 0, result.stderr[-3000:]
    text = (tmp_path / "out.jsonl").read_text("utf-8")
    assert "\\u" not in text
    assert "Quảng Bình" in text


def test_crawl_obeys_robots_txt_and_identifies_itself(tmp_path):
    with serve(["qbtv"]) as bases:
        server = bases.servers["qbtv"]
        forbidden = expected_records("qbtv", bases["qbtv"])[0]["url"].removeprefix(bases["qbtv"])
        robots = server.pages["/robots.txt"]
        server.pages["/robots.txt"] = replace(
            robots, body=robots.body + f"Disallow: {forbidden}\n".encode()
        )
        result = crawl("qbtv", bases["qbtv"], tmp_path, "-O", "out.jsonl")
        requests = list(server.requests)

    assert result.returncode == 0, result.stderr[-3000:]
    paths = [path for _, path, _ in requests]
    assert paths[0] == "/robots.txt"
    assert forbidden not in paths
    urls = {json.loads(line)["url"] for line in (tmp_path / "out.jsonl").open(encoding="utf-8")}
    assert bases["qbtv"] + forbidden not in urls
    assert len(urls) == len(expected_records("qbtv", bases["qbtv"])) - 1
    assert "'robotstxt/forbidden': 1" in result.stderr
    (user_agent,) = {agent for _, _, agent in requests}
    assert user_agent.startswith("newscrawl/") and "(+https://" in user_agent


@pytest.mark.parametrize(("source", "first", "second"), [
    ("qbtv", "/category/thoi-su/", "/category/thoi-su/page/2/"),
    ("baohatinh", "/xa-hoi/", "/xa-hoi/?page=2"),
])  # fmt: skip
def test_a_listing_page_leads_to_its_articles_and_the_next_page(source, first, second, sites):
    settings = {"NEWSCRAWL_RECHECK": "lastmod", "NEWSCRAWL_MAX_LISTING_PAGES": 5}
    crawler = get_crawler(NewsSpider, settings_dict=settings)
    spider = NewsSpider.from_crawler(crawler, source=source, base_url=sites[source])
    url = sites[source] + first
    with urlopen(url) as page:
        response = HtmlResponse(url, body=page.read(), encoding="utf-8")

    requests = list(spider.parse_listing(response, page=1))

    listed = {r.url for r in requests if r.callback == spider.parse_article}
    assert listed and all(spider.source.is_article(u) for u in listed)
    assert [r.url for r in requests if r.callback == spider.parse_listing] == [
        sites[source] + second
    ]
    last = list(
        spider.parse_listing(response, page=spider.settings.getint("NEWSCRAWL_MAX_LISTING_PAGES"))
    )
    assert not [r for r in last if r.callback == spider.parse_listing]
