"""`newscrawl extract` and `newscrawl sources`, run as a user runs them."""

import gzip
import json
import subprocess
import sys

import pytest

from tests.conftest import GOLDEN


def newscrawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newscrawl.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_extract_prints_one_json_line_per_page_gzipped_or_not(shared_pages, tmp_path):
    gz = tmp_path / "cafef.html.gz"
    gz.write_bytes(gzip.compress((shared_pages / "cafef_article.html").read_bytes()))

    result = newscrawl("extract", str(shared_pages / "dantri_article.html"), str(gz))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    titles = [json.loads(line)["title"] for line in lines]
    assert titles == [
        "Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng",
        "Tăng hỗ trợ, giảm áp lực tài chính khi chuyển mục đích sử dụng đất",
    ]
    assert "\\u" not in result.stdout  # UTF-8, not ASCII-escaped


def test_extract_picks_the_source_from_the_url(shared_pages):
    golden = next(
        (
            g
            for g in (json.loads(p.read_text("utf-8")) for p in sorted(GOLDEN.glob("*.json")))
            if g["source"] and not g["page"].startswith("shared:")
        ),
        None,
    )
    if golden is None:
        pytest.skip("no stored registry-source page")
    page = GOLDEN / golden["page"]
    by_url = newscrawl("extract", str(page), "--url", golden["url"])
    by_flag = newscrawl("extract", str(page), "--source", golden["source"])
    assert json.loads(by_url.stdout)["source"] == golden["source"]
    assert json.loads(by_flag.stdout)["source"] == golden["source"]


def test_a_page_without_an_article_says_why_and_fails(shared_pages):
    result = newscrawl("extract", str(shared_pages / "dantri_list.html"))
    assert result.returncode == 1
    assert "dantri_list.html" in result.stderr
    assert "no_body" in result.stderr


def test_a_listing_page_is_not_a_valid_record(shared_pages):
    result = newscrawl("extract", str(shared_pages / "nld_list.html"))
    assert result.returncode == 1
    assert "missing date" in result.stderr


def test_unreadable_page_and_unknown_source_are_clear_errors(tmp_path):
    missing = newscrawl("extract", str(tmp_path / "nope.html"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    page = tmp_path / "p.html"
    page.write_text("<html><h1>x</h1></html>", "utf-8")
    unknown = newscrawl("extract", str(page), "--source", "no-such-site")
    assert unknown.returncode == 2 and "unknown source 'no-such-site'" in unknown.stderr


def test_sources_lists_every_registry_entry_as_table_and_json():
    table = newscrawl("sources")
    as_json = newscrawl("sources", "--json")
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    ids = {row["id"] for row in rows}
    assert {"qbtv", "baoquangtri", "baohatinh", "baonghean", "baothanhhoa"} <= ids
    for source_id in ids:
        assert source_id in table.stdout
    keys = ["id", "province", "outlet", "profile", "merged_into", "start_points"]
    assert all(list(row) == keys for row in rows)
    assert table.stdout.split()[:6] == keys
    qbtv = next(row for row in rows if row["id"] == "qbtv")
    assert qbtv["profile"] == "wordpress-tagdiv"
    assert "https://qbtv.vn/feed/" in qbtv["start_points"]


def test_a_gzip_bomb_is_refused_not_unpacked(tmp_path):
    page = tmp_path / "bomb.html.gz"
    with gzip.open(page, "wb") as out:  # 17 MiB of zeros packs into ~17 KiB
        for _ in range(17):
            out.write(bytes(2**20))
    result = newscrawl("extract", str(page))
    assert result.returncode == 1
    assert "unpacks to more than 16 MiB" in result.stderr
    assert result.stdout == ""


def test_a_utf8_page_declared_windows_1252_reads_as_the_crawl_reads_it(tmp_path):
    # The crawl's CharsetMiddleware reads such a page as UTF-8; extract must give the same record.
    golden = json.loads((GOLDEN / "qbtv_wordpress_tagdiv.json").read_text("utf-8"))
    with gzip.open(GOLDEN / golden["page"], "rt", encoding="utf-8") as packed:
        html = packed.read()
    page = tmp_path / "mislabeled.html"
    page.write_bytes(
        html.replace("<head>", '<head><meta charset="windows-1252">', 1).encode("utf-8")
    )
    result = newscrawl("extract", str(page), "--url", golden["url"])
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == golden["record"]["title"]
    assert record["body"] == golden["record"]["body"]
