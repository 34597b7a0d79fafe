"""Exact duplicates: an article's text is written once, whichever URL or outlet shows it again."""

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawl.record import text_fingerprint
from newscrawl.state import open_state
from replica.server import serve

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"]
BODY = " ".join(["Hội nghị giao ban công tác dân vận được tổ chức tại Đồng Hới."] * 8)


def crawl(folder: Path, source: str, base_url: str, *extra: str) -> list[dict]:
    out = folder / f"{source}-{len(list(folder.glob('*.jsonl')))}.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", source, "-a", f"base_url={base_url}",
         "-O", str(out), *FAST, *extra],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def copy_of(article, **changes):
    return dataclasses.replace(
        article,
        slug=f"{article.slug}-ban-sao",
        post_id=article.post_id + 5000,
        title=f"{article.title} (đăng lại)",
        **changes,
    )


def text(title: str, body: str) -> dict:
    return {"title": title, "body": body}


VIDEO = "Mời quý vị xem video"


@pytest.mark.parametrize(
    ("original", "same_text", "other_text"),
    [
        (text("A", BODY), text("B", BODY.upper()), text("A", BODY + " Thêm.")),
        (text("A", BODY), text("A", "  " + BODY.replace(" ", "\n")), text("A", "x")),
        # A short body (a template many pages share) only matches with its title.
        (text("Video 1", VIDEO), text("video 1", VIDEO), text("Video 2", VIDEO)),
    ],
)
def test_text_fingerprint(original, same_text, other_text):
    assert text_fingerprint(original) == text_fingerprint(same_text)
    assert text_fingerprint(original) != text_fingerprint(other_text)


@pytest.mark.parametrize("policy", ["drop", "mark"])
def test_the_same_text_under_another_url_of_the_site(tmp_path, policy):
    with serve(["qbtv"]) as bases:
        server = bases.servers["qbtv"]
        first = crawl(tmp_path, "qbtv", bases["qbtv"])
        original = server.site.articles[2]
        server.site.articles.append(copy_of(original))
        server.rerender()
        second = crawl(tmp_path, "qbtv", bases["qbtv"], "-s", f"NEWSCRAWL_DUPLICATES={policy}")
    first_id = next(r["id"] for r in first if r["url"].endswith(server.site.path_of(original)))
    if policy == "drop":
        assert second == []
    else:
        (marked,) = second
        assert marked["duplicate_of"] == first_id
        assert marked["url"].endswith(server.site.path_of(server.site.articles[-1]))


def test_a_republication_by_another_outlet_in_the_same_store(tmp_path):
    with serve(["qbtv", "baohatinh"]) as bases:
        qbtv, baohatinh = bases.servers["qbtv"], bases.servers["baohatinh"]
        written = crawl(tmp_path, "qbtv", bases["qbtv"])
        original = qbtv.site.articles[0]
        template = baohatinh.site.articles[0]
        republished = copy_of(
            template,
            paragraphs=original.paragraphs,
            byline=["Theo QBTV"],
            images=[],
            lead=None,
        )
        baohatinh.site.articles.append(republished)
        baohatinh.rerender()
        records = crawl(tmp_path, "baohatinh", bases["baohatinh"])
    urls = {r["url"] for r in records}
    assert bases["baohatinh"] + baohatinh.site.path_of(republished) not in urls
    assert len(records) == len(baohatinh.site.articles) - 1
    assert any(r["url"].endswith(qbtv.site.path_of(original)) for r in written)


def test_a_version_1_state_file_is_migrated(tmp_path):
    path = tmp_path / "state.sqlite3"
    store = open_state(path)
    store.close()
    with sqlite3.connect(path) as db:  # make it a version 1 file, as the first release wrote
        for table in ("fingerprint", "band", "signature"):
            db.execute(f"DROP TABLE {table}")
        db.execute("PRAGMA user_version = 1")
    store = open_state(path)
    assert store.first_with_fingerprint("ab" * 20) is None
    store.close()


def test_the_original_is_preferred_when_its_copy_was_seen_first(tmp_path):
    with serve(["qbtv", "baohatinh"]) as bases:
        qbtv, baohatinh = bases.servers["qbtv"], bases.servers["baohatinh"]
        original = qbtv.site.articles[0]
        copy = copy_of(
            baohatinh.site.articles[0],
            paragraphs=original.paragraphs,
            byline=["Nguồn: Đài PT-TH Quảng Bình"],
            images=[],
            lead=None,
        )
        baohatinh.site.articles.append(copy)
        baohatinh.rerender()
        copies = crawl(tmp_path, "baohatinh", bases["baohatinh"])
        originals = crawl(tmp_path, "qbtv", bases["qbtv"])
    (copied,) = [r for r in copies if r["url"].endswith(baohatinh.site.path_of(copy))]
    assert copied["credit"] == "QBTV"  # the credit line, normalized to the outlet
    (kept,) = [r for r in originals if r["url"].endswith(qbtv.site.path_of(original))]
    state = open_state(tmp_path / "data" / "state.sqlite3")
    assert state.first_with_fingerprint(text_fingerprint(kept))[:2] == ("qbtv", kept["id"])
    state.close()


def test_an_edited_republication_is_a_near_duplicate(tmp_path):
    # Another outlet's copy: its own lead, one paragraph dropped, a sentence of its own added,
    # a credit line, another title (vn-press.md §3.3).
    with serve(["qbtv", "baohatinh"]) as bases:
        qbtv, baohatinh = bases.servers["qbtv"], bases.servers["baohatinh"]
        crawl(tmp_path, "qbtv", bases["qbtv"])
        original = next(a for a in qbtv.site.articles if len(a.paragraphs) >= 5)
        edited = [*original.paragraphs[:2], *original.paragraphs[3:]]
        edited.append("Địa phương sẽ tiếp tục cập nhật tình hình trong những ngày tới.")
        copy = dataclasses.replace(
            copy_of(baohatinh.site.articles[0]),
            title="Đăng lại: " + original.title.lower(),
            lead="Bản tin tổng hợp từ đài phát thanh tỉnh bạn.",
            paragraphs=edited,
            byline=["Theo QBTV"],
            images=[],
        )
        baohatinh.site.articles.append(copy)
        baohatinh.rerender()
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "baohatinh",
             "-a", f"base_url={bases['baohatinh']}", "-O", "b.jsonl", *FAST],
            cwd=tmp_path, capture_output=True, text=True, timeout=300,
            env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
        )  # fmt: skip
    urls = [json.loads(line)["url"] for line in (tmp_path / "b.jsonl").open(encoding="utf-8")]
    assert bases["baohatinh"] + baohatinh.site.path_of(copy) not in urls
    assert len(urls) == len(baohatinh.site.articles) - 1  # no original article merged
    assert "'newscrawl/dropped/near_duplicate': 1" in result.stderr


def test_the_original_is_kept_when_an_edited_copy_was_seen_first(tmp_path):
    with serve(["qbtv", "baohatinh"]) as bases:
        qbtv, baohatinh = bases.servers["qbtv"], bases.servers["baohatinh"]
        original = next(a for a in qbtv.site.articles if len(a.paragraphs) >= 5)
        copy = dataclasses.replace(
            copy_of(baohatinh.site.articles[0]),
            paragraphs=[*original.paragraphs[:2], *original.paragraphs[3:]],
            byline=["Theo QBTV"],
            images=[],
        )
        baohatinh.site.articles.append(copy)
        baohatinh.rerender()
        copies = crawl(tmp_path, "baohatinh", bases["baohatinh"])
        originals = crawl(tmp_path, "qbtv", bases["qbtv"])
    assert any(r["url"].endswith(baohatinh.site.path_of(copy)) for r in copies)
    assert any(r["url"].endswith(qbtv.site.path_of(original)) for r in originals)


def test_an_article_updated_under_a_new_url_is_not_its_own_duplicate(tmp_path):
    # The site renamed the page with its edited title: same article, new URL, text edited.
    with serve(["qbtv"]) as bases:
        server = bases.servers["qbtv"]
        crawl(tmp_path, "qbtv", bases["qbtv"])
        article = server.site.articles[2]
        article.slug += "-cap-nhat"
        article.title += " (cập nhật)"
        article.paragraphs.append("Cập nhật: số liệu đã được điều chỉnh theo báo cáo mới nhất.")
        server.rerender()
        records = crawl(tmp_path, "qbtv", bases["qbtv"])
    assert [r["url"] for r in records] == [bases["qbtv"] + server.site.path_of(article)]


def test_a_dropped_copy_is_not_fetched_again(tmp_path):
    with serve(["qbtv"]) as bases:
        server = bases.servers["qbtv"]
        crawl(tmp_path, "qbtv", bases["qbtv"])
        copy = copy_of(server.site.articles[2])
        server.site.articles.append(copy)
        server.rerender()
        crawl(tmp_path, "qbtv", bases["qbtv"])
        before = len(server.requests)
        crawl(tmp_path, "qbtv", bases["qbtv"])
        paths = [path for _, path, _ in server.requests[before:]]
    assert server.site.path_of(copy) not in paths
