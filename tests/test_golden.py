"""Golden pages: a stored page, its origin, and the exact record extraction must give.

Each tests/golden/*.json names its page: `shared:<path>` is read from the shared fixtures
folder (real pages, never copied here); any other path is relative to tests/golden/.
Every field is compared exactly; only `crawled_at` (the clock) is left out."""

import json
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from newscrawl.cli import read_page
from newscrawl.extract.article import extract_article
from newscrawl.sources import get_source
from tests.conftest import GOLDEN, SHARED

CASES = sorted(GOLDEN.glob("*.json"))


def _page_path(name: str) -> Path:
    if name.startswith("shared:"):
        path = SHARED / name.removeprefix("shared:")
        if not path.exists():
            pytest.skip(f"shared fixture {path} not found (set NEWSCRAWL_SHARED)")
        return path
    return GOLDEN / name


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_page_gives_its_record(case: Path):
    golden = json.loads(case.read_text("utf-8"))
    expected = golden["record"]
    assert golden["origin"]["url"], "every golden page records where it comes from"
    source = get_source(golden["source"]) if golden["source"] else None
    sel = Selector(text=read_page(_page_path(golden["page"])))

    record = asdict(extract_article(sel, golden["url"] or expected["url"], source))
    del record["crawled_at"]

    for field in expected:
        assert record[field] == expected[field], field
    assert record == expected


PROFILE_CASES = [c for c in CASES if json.loads(c.read_text("utf-8"))["source"]]


@pytest.mark.parametrize("case", PROFILE_CASES, ids=[c.stem for c in PROFILE_CASES])
def test_a_profile_page_on_an_unconfigured_site_reads_the_same(case: Path):
    # Profile detection (vn-press.md §5): the same CMS page served from a domain with no
    # registry entry is matched to its profile by its markers, so every field a page (not the
    # registry) decides comes out as in the configured source's golden record.
    golden = json.loads(case.read_text("utf-8"))
    expected = golden["record"]
    sel = Selector(text=read_page(_page_path(golden["page"])))
    url = "https://tin-tinh.example.vn/bai-viet/" + expected["id"] + ".html"

    record = asdict(extract_article(sel, url, None))

    assert record["source"] == "generic" and record["source_domain"] == "tin-tinh.example.vn"
    decided_by_page = ["title", "author", "date", "date_modified", "lead", "body"]
    decided_by_page += ["category", "tags", "language"]
    assert {f: record[f] for f in decided_by_page} == {f: expected[f] for f in decided_by_page}
    # Relative image addresses resolve against the page's own URL.
    assert [(urlsplit(i["url"]).path, i["caption"]) for i in record["images"]] == [
        (urlsplit(i["url"]).path, i["caption"]) for i in expected["images"]
    ]
