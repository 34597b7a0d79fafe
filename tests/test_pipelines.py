"""The item pipelines: normalize repairs text, validate drops and counts bad records."""

import unicodedata
from dataclasses import replace

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.pipelines.normalize import NormalizePipeline
from newscrawl.pipelines.validate import ValidatePipeline
from newscrawl.record import Article, Image, article_id

URL = "https://qbtv.vn/2020/06/26/hoi-nghi-giao-ban-cong-tac-dan-van/"


def article(**changes) -> Article:
    base = Article(
        id=article_id(URL),
        url=URL,
        source="qbtv",
        source_domain="qbtv.vn",
        title="Hội nghị giao ban công tác dân vận",
        author=["Minh Phong"],
        date="2020-06-26T15:30:00+07:00",
        date_modified=None,
        credit="QBTV.vn",
        lead=None,
        body="Ngày 26/6, tại thành phố Đồng Hới, hội nghị đã diễn ra.",
        images=[Image(url="https://qbtv.vn/a.jpg", caption="Toàn cảnh hội nghị")],
        category="Thời sự",
        tags=[],
        crawled_at="2026-11-26T10:00:00+00:00",
    )
    return replace(base, **changes)


def test_normalize_composes_nfd_decodes_entities_and_strips_chrome():
    nfd = unicodedata.normalize("NFD", "Hội nghị tại Đồng Hới")
    item = article(
        title=f"  {nfd}\u200b ",
        body="\n\n".join(
            [
                "0",
                "81",
                "Đoạn một &amp; hai.",
                "Năm 2024",
                "32.767",
                "Đoạn ba.",
                "Loading...",
                "BÌNH LUẬN",
                "Please enter…",
            ]
        ),
        lead="",
    )
    out = NormalizePipeline().process_item(item)
    assert out.title == "Hội nghị tại Đồng Hới"
    assert unicodedata.is_normalized("NFC", out.title)
    # Counters above the text go; a number inside it (a table cell) stays.
    assert out.body == "Đoạn một & hai.\n\nNăm 2024\n\n32.767\n\nĐoạn ba."
    assert out.lead is None


def test_normalize_repairs_utf8_read_as_cp1252():
    broken = "Quảng Bình đón khách".encode().decode("cp1252", errors="ignore")
    out = NormalizePipeline().process_item(article(title=broken))
    assert out.title == "Quảng Bình đón khách"


def test_normalize_is_idempotent():
    once = NormalizePipeline().process_item(article(body="A  b\n\nc\u00a0d"))
    assert NormalizePipeline().process_item(once) == once


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"date": None}, "missing_date"),
        ({"title": ""}, "missing_title"),
        ({"body": ""}, "missing_body"),
        ({"url": ""}, "missing_url"),
        ({"date": "26/06/2020"}, "schema"),
        ({"images": [Image(url="data:image/png;base64,xx")]}, "schema"),
    ],
)
def test_validate_drops_and_counts_by_reason(changes, reason):
    crawler = get_crawler()
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=reason) as dropped:
        pipeline.process_item(article(**changes))
    assert URL in str(dropped.value) or reason == "missing_url"
    assert crawler.stats.get_value(f"newscrawl/dropped/{reason}") == 1


def test_validate_passes_a_good_record():
    crawler = get_crawler()
    item = article()
    assert ValidatePipeline.from_crawler(crawler).process_item(item) is item
    assert not any(k.startswith("newscrawl/dropped") for k in crawler.stats.get_stats())
