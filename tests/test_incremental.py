"""Repeated cron runs on the replica: only what is new is fetched and written, updates are
versioned, runs are locked, reported, and their exit codes say how they went."""

import dataclasses
import fcntl
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from newscrawl.commands.crawl import EXIT_BLOCKED, EXIT_DEGRADED, EXIT_LOCKED, EXIT_UNREACHABLE
from newscrawl.extract.dates import VN_TZ
from newscrawl.state import open_state
from replica.expected import expected_records
from replica.server import serve
from replica.site import new_articles

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]


class Runs:
    """One source crawled again and again in one data folder, as cron would."""

    def __init__(self, source: str, base_url: str, server, folder: Path):
        self.source, self.base_url, self.server, self.folder = source, base_url, server, folder

    def crawl(self, *extra: str) -> tuple[subprocess.CompletedProcess, list[str]]:
        before = len(self.server.requests)
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", self.source,
             "-a", f"base_url={self.base_url}", *FAST, *extra],
            cwd=self.folder, capture_output=True, text=True, timeout=300,
            env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
        )  # fmt: skip
        return result, [path for _, path, _ in self.server.requests[before:]]

    def records(self) -> list[dict]:
        day = datetime.now(VN_TZ).date().isoformat()
        path = self.folder / "data" / self.source / f"{day}.jsonl"
        return [json.loads(line) for line in path.read_text("utf-8").splitlines()]

    def article_paths(self, paths: list[str]) -> list[str]:
        return [p for p in paths if self.server.site and self._is_article(p)]

    def _is_article(self, path: str) -> bool:
        return path in {self.server.site.path_of(a) for a in self.server.site.articles}

    def last_report(self) -> dict:
        reports = sorted((self.folder / "data" / "runs" / self.source).glob("*.json"))
        return json.loads(reports[-1].read_text("utf-8"))


@pytest.fixture
def runs(tmp_path, request):
    source = request.param
    with serve([source]) as bases:
        yield Runs(source, bases[source], bases.servers[source], tmp_path)


def publish(server, count: int) -> list[str]:
    """Publish `count` new articles on the replica; returns their paths."""
    now = datetime.now(VN_TZ).replace(microsecond=0).isoformat()
    added = new_articles(server.site, count, now)
    server.site.articles.extend(added)
    server.rerender()
    return [server.site.path_of(a) for a in added]


def edit(server) -> str:
    """Edit one existing article (new paragraph, modified now); returns its path."""
    article = server.site.articles[1]
    article.paragraphs.append("Cập nhật: số liệu trên đã được cơ quan chức năng điều chỉnh lại.")
    article.modified = datetime.now(VN_TZ).replace(microsecond=0).isoformat()
    server.rerender()
    return server.site.path_of(article)


@pytest.mark.parametrize("runs", ["qbtv", "baohatinh"], indirect=True)
def test_repeated_runs_fetch_and_write_only_what_is_new(runs):
    first, _ = runs.crawl()
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(runs.records()) == len(expected_records(runs.source, runs.base_url))
    assert runs.last_report()["articles"]["new"] == len(runs.records())

    unchanged, paths = runs.crawl()
    assert unchanged.returncode == 0
    assert runs.article_paths(paths) == []  # no article page fetched again
    report = runs.last_report()
    assert report["not_modified"] >= 1  # feeds/sitemaps answered 304
    assert report["articles"]["new"] == 0
    assert len(runs.records()) == len(expected_records(runs.source, runs.base_url))

    added = publish(runs.server, 3)
    after_news, paths = runs.crawl()
    assert after_news.returncode == 0
    assert sorted(runs.article_paths(paths)) == sorted(added)
    written = runs.records()[-3:]
    assert {r["url"].removeprefix(runs.base_url) for r in written} == set(added)
    assert all(r["version"] == 1 for r in written)

    edited = edit(runs.server)
    after_edit, paths = runs.crawl()
    assert after_edit.returncode == 0
    assert runs.article_paths(paths) == [edited]
    update = runs.records()[-1]
    assert update["url"] == runs.base_url + edited and update["version"] == 2
    assert "Cập nhật: số liệu trên" in update["body"]
    ids = [r["id"] for r in runs.records()]
    assert ids.count(update["id"]) == 2 and len(ids) == len(set(ids)) + 1


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_second_run_while_one_holds_the_lock_exits_at_once(runs):
    lock = runs.folder / "data" / "locks" / "qbtv.lock"
    lock.parent.mkdir(parents=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result, paths = runs.crawl()
    assert result.returncode == EXIT_LOCKED
    assert "another run of 'qbtv'" in result.stderr
    assert paths == []


def test_an_unreachable_site_has_its_own_exit_code(tmp_path):
    with serve(["qbtv"]) as bases:  # a port that was open, now closed
        base = bases["qbtv"]
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "qbtv", "-a", f"base_url={base}", *FAST,
         "-s", "RETRY_TIMES=0"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
    )  # fmt: skip
    assert result.returncode == EXIT_UNREACHABLE, result.stderr[-2000:]
    reports = list((tmp_path / "data" / "runs" / "qbtv").glob("*.json"))
    assert json.loads(reports[0].read_text("utf-8"))["status"] == "unreachable"


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_since_bounds_a_backfill(runs):
    since = "2025-06-01"
    result, _ = runs.crawl("-a", f"since={since}")
    assert result.returncode == 0, result.stderr[-2000:]
    expected = [r for r in expected_records("qbtv", runs.base_url) if r["date"] >= since]
    assert 0 < len(expected) < len(expected_records("qbtv", runs.base_url))
    assert {r["url"] for r in runs.records()} == {r["url"] for r in expected}


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_the_run_report_counts_the_run_and_warns_when_a_source_goes_empty(runs):
    runs.crawl()
    report = runs.last_report()
    assert report["source"] == "qbtv" and report["status"] == "finished"
    assert report["requests"] == sum(report["responses_by_status"].values())
    assert report["articles"]["found"] >= report["articles"]["new"] > 0
    assert report["warnings"] == []

    runs.server.site.articles.clear()  # the site "changed layout": nothing is found any more
    runs.server.rerender()
    result, _ = runs.crawl()
    report = runs.last_report()
    assert report["articles"]["found"] == 0
    assert any("no article found" in w for w in report["warnings"])
    assert "no article found" in result.stderr
    assert result.returncode == EXIT_DEGRADED
    state = open_state(runs.folder / "data" / "state.sqlite3")
    assert [r.status for r in state.runs("qbtv")] == ["degraded", "finished"]
    state.close()


# A Spidermon action that writes what it was told, standing in for Slack or e-mail.
ALERT_ACTION = """
from spidermon.core.actions import Action

class WriteAlert(Action):
    def run_action(self):
        failed = len(self.result.monitors_failed_results)
        with open("alerts.txt", "a", encoding="utf-8") as out:
            out.write(f"{failed} {self.data.stats['newscrawl/health']}\\n")
"""


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_an_unhealthy_run_alerts_through_the_configured_spidermon_actions(runs):
    (runs.folder / "health_alert.py").write_text(ALERT_ACTION, "utf-8")
    alert = ("-s", "NEWSCRAWL_HEALTH_ALERTS=health_alert.WriteAlert")
    healthy, _ = runs.crawl(*alert)
    assert healthy.returncode == 0
    assert not (runs.folder / "alerts.txt").exists()

    runs.server.site.articles.clear()
    runs.server.rerender()
    result, _ = runs.crawl(*alert)

    assert result.returncode == EXIT_DEGRADED
    alerts = (runs.folder / "alerts.txt").read_text("utf-8").splitlines()
    assert len(alerts) == 1 and alerts[0].startswith("1 degraded; no article found")


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_field_that_stops_being_filled_flags_the_run(runs):
    first, _ = runs.crawl()
    assert first.returncode == 0
    assert runs.last_report()["fill_rates"]["author"] >= 0.5
    # The site's new layout: bylines are gone from the articles it publishes.
    publish(runs.server, 6)
    for article in runs.server.site.articles[-6:]:
        article.byline = []
    runs.server.rerender()
    result, _ = runs.crawl()
    report = runs.last_report()
    assert report["fill_rates"]["author"] == 0
    assert any(w.startswith("author filled in 0% of records") for w in report["warnings"])
    assert result.returncode == EXIT_DEGRADED
    assert "health qbtv: degraded" in result.stderr


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_page_that_answered_for_good_is_not_asked_for_again(runs):
    (missing,) = publish(runs.server, 1)
    del runs.server.pages[missing]  # listed, but answers 404
    first, paths = runs.crawl()
    assert first.returncode == 0, first.stderr[-2000:]
    assert missing in paths
    again, paths = runs.crawl()
    assert again.returncode == 0
    assert missing not in paths and runs.article_paths(paths) == []


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_an_output_that_fails_to_write_fails_the_run_and_records_nothing(runs):
    result, _ = runs.crawl("-O", "/dev/full:jsonlines")  # every write: "No space left on device"
    assert result.returncode == 1
    state = open_state(runs.folder / "data" / "state.sqlite3")
    assert state.article_count("qbtv") == 0  # the next run writes them all
    state.close()
    again, _ = runs.crawl()
    assert again.returncode == 0
    assert len(runs.records()) == len(expected_records("qbtv", runs.base_url))


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_an_unusable_state_file_fails_the_run_before_it_writes_anything(runs):
    state = runs.folder / "data" / "state.sqlite3"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"not a database" * 100)
    result, paths = runs.crawl()
    assert result.returncode == 1
    assert "cannot use the state store" in result.stderr
    assert runs.article_paths(paths) == []


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_start_point_that_fails_makes_a_degraded_run_that_names_it(runs):
    runs.server.pages["/feed/"] = dataclasses.replace(runs.server.pages["/feed/"], status=503)
    result, _ = runs.crawl("-s", "RETRY_TIMES=0")
    assert result.returncode == EXIT_DEGRADED
    report = runs.last_report()
    assert report["status"] == "degraded"
    assert any(
        w.startswith(f"start point {runs.base_url}/feed/ failed (http_503)")
        for w in report["warnings"]
    )
    assert len(runs.records()) == len(expected_records("qbtv", runs.base_url))  # the rest ran


def test_a_source_spider_refuses_another_source(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "baohatinh", "-a", "source=qbtv"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "scrapy crawl qbtv" in result.stderr


CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='challenge-running'>Checking your browser before accessing the site.</div>"
    b"<script src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1'></script>"
    b"</body></html>"
)


def challenge(resource, status: int):
    return dataclasses.replace(
        resource, body=CHALLENGE, status=status, headers={"Server": "cloudflare"}
    )


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_site_that_answers_with_challenge_pages_is_blocked_not_extracted(runs):
    pages = runs.server.pages
    for start in ("/feed/", "/wp-sitemap.xml", "/", "/category/thoi-su/", "/category/kinh-te/"):
        pages[start] = challenge(pages[start], 403)
    result, _ = runs.crawl("-s", "RETRY_TIMES=0")
    assert result.returncode == EXIT_BLOCKED, result.stderr[-2000:]
    report = runs.last_report()
    assert report["status"] == "blocked" and report["articles"]["blocked"]
    assert not (runs.folder / "data" / "qbtv").exists() or runs.records() == []


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_challenge_served_as_an_article_is_counted_not_written(runs):
    article = runs.server.site.path_of(runs.server.site.articles[0])
    runs.server.pages[article] = challenge(runs.server.pages[article], 200)
    result, _ = runs.crawl()
    assert result.returncode == EXIT_DEGRADED
    report = runs.last_report()
    assert report["articles"]["blocked"] == {"challenge": 1}
    assert "1 article page(s) answered with a block or challenge page" in report["warnings"][0]
    assert len(runs.records()) == len(expected_records("qbtv", runs.base_url)) - 1
    assert all("Just a moment" not in r["title"] for r in runs.records())


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_blocked_child_sitemap_is_not_a_blocked_article(runs):
    assert runs.crawl()[0].returncode == 0
    sitemap = next(p for p in runs.server.pages if p.startswith("/wp-sitemap-posts-post-"))
    runs.server.pages[sitemap] = challenge(runs.server.pages[sitemap], 200)
    result, _ = runs.crawl()  # nothing new: no article page asked for
    report = runs.last_report()
    assert report["articles"]["blocked"] == {"challenge": 1}
    assert report["status"] != "blocked" and result.returncode != EXIT_BLOCKED


@pytest.mark.parametrize("runs", ["qbtv"], indirect=True)
def test_a_site_whose_article_pages_are_all_challenges_is_blocked(runs):
    # Start points still answer (cached by a CDN, say); every article is behind the challenge.
    for a in runs.server.site.articles:
        path = runs.server.site.path_of(a)
        runs.server.pages[path] = challenge(runs.server.pages[path], 403)
    result, _ = runs.crawl("-s", "RETRY_TIMES=0")
    assert result.returncode == EXIT_BLOCKED
    report = runs.last_report()
    assert report["status"] == "blocked" and report["articles"]["written"] == 0
