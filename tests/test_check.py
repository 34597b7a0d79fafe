"""`newscrawl check`, run as a user runs it, against the replica sites on 127.0.0.1: a healthy
source, a challenge page, a bare 403, a redesigned article layout, a dead and a stalled server,
robots.txt refusals; and the verdict rules on their own."""

import json
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newscrawl import check
from newscrawl.check import FIELDS, SourceCheck, StartPoint, exit_code, judge
from newscrawl.cli import main
from newscrawl.sources import get_source
from replica.expected import expected_records
from replica.server import serve
from replica.web import HTML, XML, Resource, esc, fill, page

# The replica is local: politeness delays would only slow the test down.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def run_check(
    source: str, base_url: str, cwd: Path, *extra: str, json_lines: bool = True
) -> tuple[subprocess.CompletedProcess, dict | None]:
    command = [sys.executable, "-m", "newscrawl.cli", "check", source, "--base-url", base_url]
    result = subprocess.run(
        [*command, *FAST, *(["--json"] if json_lines else []), *extra],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if not json_lines:
        return result, None
    (line,) = result.stdout.splitlines()
    return result, json.loads(line)


def start_point_paths(source: str) -> list[str]:
    s = get_source(source)
    return [urlsplit(url).path for url in (*s.feeds, *s.sitemaps, *s.listings)]


def article_paths(server) -> list[str]:
    return [server.site.path_of(a) for a in server.site.articles]


@pytest.mark.parametrize("source", ["qbtv", "baohatinh"])
def test_a_healthy_source_is_ok_with_its_fill_rates(source, tmp_path):
    with serve(source) as bases:
        result, report = run_check(source, bases[source], tmp_path)
        expected = expected_records(source, bases[source])

    assert result.returncode == 0, result.stderr[-3000:]
    assert report["verdict"] == "ok" and report["reasons"] == []
    assert report["reachable"] and report["robots"]["status"] == 200
    assert all(p["status"] == 200 and p["articles"] > 0 for p in report["start_points"])
    n = len(expected)
    articles = report["articles"]
    assert (articles["found"], articles["fetched"], articles["valid"]) == (n, n, n)
    assert articles["layout_matched"] == n
    # Every article is read, so the rates are the site's: those of the expected records.
    for field in FIELDS:
        want = sum(bool(r[field]) for r in expected) / n
        assert report["fill_rates"][field] == pytest.approx(want, abs=0.001), field
    # A dry run: no output file, no state, no run report, no lock.
    assert list(tmp_path.iterdir()) == []


def test_the_readable_report_reads_only_the_sample_of_articles_asked_for(tmp_path):
    with serve("qbtv") as bases:
        # The crawl's own cap on articles asked for does not hide what later start points list.
        extra = ["--articles", "3", "-s", "NEWSCRAWL_MAX_ARTICLES=2"]
        result, _ = run_check("qbtv", bases["qbtv"], tmp_path, *extra, json_lines=False)
        article_requests = [
            path for _, path, _ in bases.servers["qbtv"].requests if path in article_paths(
                bases.servers["qbtv"]
            )
        ]  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    assert len(article_requests) == 3
    lines = result.stdout.splitlines()
    assert lines[0].startswith("qbtv: ok  (QBTV")
    # Label and value are two or more spaces apart; labels have single spaces.
    rows = dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in lines[1:] if line)
    assert rows["reachable"].startswith("yes")
    assert rows["robots.txt"] == "HTTP 200; allows every start point"
    assert rows["start points"] == "5 of 5 list articles"
    assert rows["feed"].split() == [f"{bases['qbtv']}/feed/", "8", "articles"]
    assert rows["articles"].startswith("8 found") and rows["articles"].endswith(
        "3 fetched, 3 extracted, 3 valid"
    )
    assert rows["fill rates"].startswith("title 100%  date 100%  body 100%")
    assert rows["layout"] == "profile wordpress-tagdiv reads 3 of 3 article pages"


def test_a_sitemap_index_is_read_a_few_sitemaps_deep(tmp_path):
    # WordPress splits its posts sitemap every 2000 posts (wp-sitemap-posts-post-1.xml, -2, …):
    # here every 2, so the replica's 8 articles fill 4 sitemaps, listed before the categories.
    with serve("qbtv") as bases:
        base, server = bases["qbtv"], bases.servers["qbtv"]
        urls = [server.site.url_of(a, base) for a in server.site.newest_first()]
        children = [f"/wp-sitemap-posts-post-{n}.xml" for n in range(1, 5)]
        for n, path in enumerate(children):
            entries = "".join(f"<url><loc>{url}</loc></url>" for url in urls[2 * n : 2 * n + 2])
            server.pages[path] = Resource(f"<urlset {SITEMAP_NS}>{entries}</urlset>".encode(), XML)
        children.append("/wp-sitemap-taxonomies-category-1.xml")
        listed = "".join(f"<sitemap><loc>{base}{path}</loc></sitemap>" for path in children)
        index = f"<sitemapindex {SITEMAP_NS}>{listed}</sitemapindex>"
        server.pages["/wp-sitemap.xml"] = Resource(index.encode(), XML)
        result, report = run_check("qbtv", base, tmp_path)
        fetched = {path for _, path, _ in server.requests}

    assert result.returncode == 0, result.stderr[-3000:]
    assert [path in fetched for path in children] == [True, True, True, False, False]
    (sitemap,) = [p for p in report["start_points"] if p["kind"] == "sitemap"]
    assert sitemap["articles"] == 6


# Cloudflare's managed challenge as served to a crawler: 403, its own title and script.
CHALLENGE = Resource(
    b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper" role="main">
<div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">Enable
JavaScript and cookies to continue</span></div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "qbtv.vn",cType: 'managed'};
var a=document.createElement('script');
a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f1c2a3b4d5e6f70';
document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>""",
    HTML,
    status=403,
    headers={"cf-mitigated": "challenge", "CF-RAY": "8f1c2a3b4d5e6f70-HKG"},
)
# nginx's own answer to a `deny` rule: a bare 403, no anti-bot service named.
NGINX_403 = Resource(
    b"<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden"
    b"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    HTML,
    status=403,
)


@pytest.mark.parametrize("where", ["start points", "article pages"])
def test_a_challenge_page_makes_the_source_blocked(where, tmp_path):
    with serve("qbtv") as bases:
        server = bases.servers["qbtv"]
        paths = start_point_paths("qbtv") if where == "start points" else article_paths(server)
        server.pages.update(dict.fromkeys(paths, CHALLENGE))
        result, report = run_check("qbtv", bases["qbtv"], tmp_path)

    assert result.returncode == 77, result.stderr[-3000:]
    assert report["verdict"] == "blocked"
    assert report["articles"]["valid"] == 0
    if where == "start points":
        assert {p["blocked"] for p in report["start_points"]} == {"challenge"}
        assert "feed http://127.0.0.1" in report["reasons"][0]
        assert report["reasons"][0].endswith("/feed/: blocked (challenge)")
    else:
        assert report["articles"]["blocked"] == {"challenge": len(paths)}
        assert f"article pages blocked: challenge ×{len(paths)}" in report["reasons"]


def test_a_bare_403_on_the_start_points_is_blocked(tmp_path):
    with serve("baohatinh") as bases:
        bases.servers["baohatinh"].pages.update(
            dict.fromkeys(start_point_paths("baohatinh"), NGINX_403)
        )
        result, report = run_check("baohatinh", bases["baohatinh"], tmp_path)

    assert result.returncode == 77, result.stderr[-3000:]
    assert report["verdict"] == "blocked"
    assert [p["status"] for p in report["start_points"]] == [403] * 5
    assert {p["blocked"] for p in report["start_points"]} == {"http_403"}


def test_start_points_redirected_to_another_site_are_broken(tmp_path):
    # What QBTV may do since it merged into the Quảng Trị paper (vn-press.md §1.2): send its
    # visitors to the new site. The crawl stays on the source's own hosts, so nothing is read.
    moved = Resource(b"", HTML, status=301, headers={"Location": "https://baoquangtri.vn/"})
    with serve("qbtv") as bases:
        bases.servers["qbtv"].pages.update(dict.fromkeys(start_point_paths("qbtv"), moved))
        result, report = run_check("qbtv", bases["qbtv"], tmp_path)

    assert result.returncode == 69, result.stderr[-3000:]
    assert report["verdict"] == "broken" and report["reachable"]
    assert report["reasons"][0] == "no start point lists an article"
    assert report["reasons"][1].endswith("/feed/: HTTP 301 to https://baoquangtri.vn/")
    assert {p["status"] for p in report["start_points"]} == {301}


def redesigned_article(server, article, *, publish_time_meta: bool) -> Resource:
    """An article page of the platform the merged Quảng Trị paper runs on (the former Báo Quảng
    Bình CMS, vn-press.md §1.2 and §2 E: title `h2#title`, date in `.page-detail-meta
    li.list-inline-item`, text under `div.col-md-8.mb-5`, images under /dataimages/), as QBTV's
    pages would look after moving onto it: none of the tagDiv markup the profile reads."""
    base = server.base_url
    published = datetime.fromisoformat(article.published)
    weekday = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
    stamp = f"{weekday[published.weekday()]}, {published:%d/%m/%Y, %H:%M}"
    month = f"{published:%Y%m}"
    paragraphs = [f"<p>{fill(text, base)}</p>" for text in article.paragraphs]
    for n, image in enumerate(article.images, start=1):
        caption = f"<figcaption>{esc(image.caption)}</figcaption>" if image.caption else ""
        figure = (
            f'<div class="image center"><img src="{base}/dataimages/{month}/original/'
            f'images{article.post_id}{n}_x.jpg" alt="">{caption}</div>'
        )
        paragraphs.insert(min(image.after, len(paragraphs)), figure)
    byline = "".join(
        f'<p style="text-align: right;"><strong>{esc(b)}</strong></p>' for b in article.byline
    )
    meta = (
        f'<meta property="article:published_time" content="{article.published}">'
        if publish_time_meta
        else ""
    )
    url = server.site.url_of(article, base)
    text = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(article.title)}</title>
<meta property="og:type" content="article"><meta property="og:title" content="{esc(article.title)}">
<meta property="og:url" content="{url}">{meta}
<link rel="stylesheet" href="{base}/css/bootstrap.min.css"></head>
<body><header class="header"><nav class="navbar navbar-expand-lg"><ul class="navbar-nav">
<li class="nav-item"><a class="nav-link" href="{base}/">Trang chủ</a></li>
<li class="nav-item"><a class="nav-link" href="{base}/thoi-su/">Thời sự</a></li>
<li class="nav-item"><a class="nav-link" href="{base}/kinh-te/">Kinh tế</a></li></ul></nav></header>
<main class="container"><div class="row">
<div class="col-md-8 mb-5">
<h2 id="title">{esc(article.title)}</h2>
<ul class="page-detail-meta list-inline"><li class="list-inline-item">{stamp}</li>
<li class="list-inline-item">Lượt xem: {article.views}</li></ul>
<div id="content">{"".join(paragraphs)}{byline}</div>
</div>
<div class="col-md-4"><h3>Tin mới</h3><ul class="list-unstyled">
<li><a href="{base}/">Trang chủ</a></li></ul></div>
</div></main>
<footer class="footer"><p>Báo và Phát thanh, Truyền hình Quảng Trị</p></footer></body></html>"""
    return page(text)


@pytest.mark.parametrize(
    ("publish_time_meta", "verdict", "code"), [(True, "degraded", 65), (False, "broken", 69)]
)
def test_an_article_layout_the_profile_no_longer_matches(
    publish_time_meta, verdict, code, tmp_path
):
    with serve("qbtv") as bases:
        server = bases.servers["qbtv"]
        for article in server.site.articles:
            server.pages[server.site.path_of(article)] = redesigned_article(
                server, article, publish_time_meta=publish_time_meta
            )
        result, report = run_check("qbtv", bases["qbtv"], tmp_path)

    assert result.returncode == code, result.stderr[-3000:]
    assert report["verdict"] == verdict
    n = len(server.site.articles)
    assert report["articles"]["fetched"] == n
    assert report["articles"]["layout_matched"] == 0
    layout = (
        f"the source's selectors (profile wordpress-tagdiv) find the title and body on 0 of {n} "
        "article pages: the layout changed?"
    )
    assert layout in report["reasons"]
    if publish_time_meta:
        # Records still come, through page metadata and the generic rules, with fewer fields.
        assert report["articles"]["valid"] == n
        assert "category filled in 0% of records (expected on most articles)" in report["reasons"]
    else:
        # Without a machine-readable date, no record is complete: a crawl would write nothing.
        assert report["articles"]["valid"] == 0
        assert report["articles"]["dropped"] == {"missing_date": n}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_dead_server_is_broken_and_unreachable_quickly(tmp_path):
    started = time.monotonic()
    result, report = run_check("qbtv", f"http://127.0.0.1:{free_port()}", tmp_path)

    assert result.returncode == 69
    assert report["verdict"] == "broken" and not report["reachable"]
    assert report["reasons"][0].startswith("unreachable: the site did not answer (")
    assert "ConnectionRefusedError" in report["reasons"][0]
    assert time.monotonic() - started < 30


def test_a_server_that_never_answers_is_cut_off_by_the_time_budget(tmp_path):
    # It accepts connections (the kernel completes them) and reads nothing, ever.
    with socket.socket() as stalled:
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(64)
        started = time.monotonic()
        result, report = run_check(
            "qbtv", f"http://127.0.0.1:{stalled.getsockname()[1]}", tmp_path, "--timeout", "2"
        )
        elapsed = time.monotonic() - started

    assert result.returncode == 69
    assert report["verdict"] == "broken" and not report["reachable"]
    assert "DownloadTimeoutError" in report["reasons"][0]
    # Within about twice the budget, plus the time Python and Scrapy take to start.
    assert report["seconds"] <= 5
    assert elapsed < 30


def test_robots_txt_refusals_are_reported(tmp_path):
    with serve("qbtv") as bases:
        server = bases.servers["qbtv"]
        refused_article = article_paths(server)[0]
        robots = server.pages["/robots.txt"]
        server.pages["/robots.txt"] = replace(
            robots, body=robots.body + f"Disallow: /feed/\nDisallow: {refused_article}\n".encode()
        )
        result, report = run_check("qbtv", bases["qbtv"], tmp_path)

    assert result.returncode == 65, result.stderr[-3000:]
    assert report["verdict"] == "degraded"
    feed = report["start_points"][0]
    assert (feed["kind"], feed["robots_disallowed"], feed["status"]) == ("feed", True, None)
    assert report["robots"]["disallowed_start_points"] == [feed["url"]]
    assert report["robots"]["forbidden_articles"] == 1
    assert report["reasons"] == [f"feed {feed['url']}: robots.txt disallows it"]
    n = len(server.site.articles)
    assert report["articles"]["found"] == n and report["articles"]["valid"] == n - 1


# --- the verdict rules, on what a check saw -------------------------------------------------


def seen(**changes) -> SourceCheck:
    """A healthy check of a source with one feed and one listing, 10 articles, all valid."""
    points = [
        StartPoint("https://x.vn/rss", "feed", 200, articles={f"a{i}" for i in range(10)}),
        StartPoint("https://x.vn/", "listing", 200, articles={"a1"}),
    ]
    healthy = SourceCheck(
        "x", "X", "cms-body", points, answers=13, robots_status=200, articles_found=10,
        article_pages=10, layout_matched=10, records=10, valid=10,
        filled=Counter(dict.fromkeys(FIELDS, 10)),
    )  # fmt: skip
    return replace(healthy, **changes)


def listing(status: int | None = 200, **changes) -> StartPoint:
    return StartPoint("https://x.vn/", "listing", status, **changes)


@pytest.mark.parametrize(
    ("changes", "verdict", "reasons"),
    [
        ({}, "ok", []),
        (
            {"answers": 0, "download_errors": {"DNSLookupError": 3}},
            "broken",
            ["unreachable: the site did not answer (DNSLookupError ×3)"],
        ),
        # A start point that fails while the others bring records: the crawl would fail (exit 1).
        (
            {"start_points": [seen().start_points[0], listing(404)]},
            "degraded",
            ["listing https://x.vn/: HTTP 404"],
        ),
        (
            {"start_points": [seen().start_points[0], listing(200)]},
            "degraded",
            ["listing https://x.vn/: lists no article"],
        ),
        # Blocked start points with records through the others: degraded, not blocked.
        (
            {"start_points": [seen().start_points[0], listing(403, blocked="http_403")]},
            "degraded",
            ["listing https://x.vn/: blocked (http_403)"],
        ),
        (
            {
                "start_points": [listing(200, blocked="challenge")],
                "articles_found": 0,
                "article_pages": 0,
                "layout_matched": None,
                "records": 0,
                "valid": 0,
            },
            "blocked",
            ["listing https://x.vn/: blocked (challenge)"],
        ),
        (
            {
                "article_pages": 0,
                "layout_matched": None,
                "records": 0,
                "valid": 0,
                "article_blocked": Counter(rate_limited=10),
            },
            "blocked",
            ["article pages blocked: rate_limited ×10"],
        ),
        (
            {
                "start_points": [listing(None, robots_disallowed=True)],
                "articles_found": 0,
                "article_pages": 0,
                "records": 0,
                "valid": 0,
            },
            "broken",
            ["robots.txt disallows every start point"],
        ),
        (
            {
                "start_points": [listing(200)],
                "articles_found": 0,
                "article_pages": 0,
                "records": 0,
                "valid": 0,
            },
            "broken",
            ["no start point lists an article", "listing https://x.vn/: lists no article"],
        ),
        (
            {"records": 0, "valid": 0, "skipped": {"no_body": 10}},
            "broken",
            ["10 articles found, no record extracted", "pages skipped: no_body ×10"],
        ),
        # Two pages in ten without a valid record: degraded; one is tolerated.
        (
            {"records": 8, "valid": 8, "skipped": {"no_title": 2}},
            "degraded",
            ["8 of 10 article pages give a valid record", "pages skipped: no_title ×2"],
        ),
        ({"records": 9, "valid": 9, "skipped": {"no_title": 1}}, "ok", []),
        (
            {"valid": 7, "dropped": {"missing_date": 3}},
            "degraded",
            ["7 of 10 article pages give a valid record", "records dropped: missing_date ×3"],
        ),
        # Usually filled fields: 30 % is enough (a site that signs some texts), 20 % is not.
        ({"filled": Counter({**dict.fromkeys(FIELDS, 10), "author": 3})}, "ok", []),
        (
            {"filled": Counter({**dict.fromkeys(FIELDS, 10), "author": 2})},
            "degraded",
            ["author filled in 20% of records (expected on most articles)"],
        ),
        # Other fields may be empty on a whole site (qbtv has no lead).
        ({"filled": Counter({**dict.fromkeys(FIELDS, 10), "lead": 0, "credit": 0})}, "ok", []),
        (
            {"layout_matched": 4},
            "degraded",
            [
                "the source's selectors (profile cms-body) find the title and body on 4 of 10 "
                "article pages: the layout changed?"
            ],
        ),
        ({"layout_matched": 5}, "ok", []),
        ({"layout_matched": None}, "ok", []),  # a generic source: nothing of its own to match
        (
            {"timeout": 60.0},
            "degraded",
            ["the time budget (60 s) ran out"],
        ),
    ],
)
def test_verdict(changes, verdict, reasons):
    assert judge(seen(**changes)) == (verdict, reasons)


def test_the_exit_code_is_that_of_the_worst_verdict():
    assert exit_code([]) == 0
    assert exit_code(["ok", "ok"]) == 0
    assert exit_code(["ok", "degraded"]) == 65
    assert exit_code(["degraded", "blocked", "ok"]) == 77
    assert exit_code(["blocked", "broken"]) == 69


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check"], "name sources or give --all (not both)"),
        (["check", "qbtv", "--all"], "name sources or give --all (not both)"),
        (
            ["check", "qbtv", "baohatinh", "--base-url", "http://127.0.0.1:1"],
            "--base-url points one source elsewhere: name exactly one",
        ),
        (["check", "qbtv", "--base-url", "ftp://mirror"], "base_url must be an absolute http(s)"),
        (["check", "qbtv", "--articles", "0"], "--articles and --parallel must be at least 1"),
        (["check", "qbtv", "--timeout", "nan"], "--timeout above 0"),
        (["check", "qbtv", "-s", "DOWNLOAD_DELAY"], "-s takes NAME=VALUE, got 'DOWNLOAD_DELAY'"),
        (["check", "qbtv", "-s", "DOWNLOAD_TIMEOUT=soon"], "a -s setting has a bad value"),
        (["check", "nosuchsource"], "unknown source 'nosuchsource'"),
    ],
)
def test_usage_errors_say_what_is_wrong_and_exit_2(argv, message, capsys, monkeypatch):
    # None of these may start a crawl.
    monkeypatch.setattr(check, "run_checks", lambda *a, **k: pytest.fail("a check ran"))
    assert main(argv) == 2
    assert message in capsys.readouterr().err
