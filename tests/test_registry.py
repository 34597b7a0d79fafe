"""The source registry (sources.toml) as data: the 34 provinces, and well-formed entries."""

import re
from urllib.parse import urlsplit

import pytest

from newscrawl.sources import load_profiles, load_sources

# The 34 provincial-level units in force from 1 July 2025 (28 provinces, 6 centrally-run cities):
# Resolution 202/2025/QH15, as summarised in shared/vn-press.md §1.1 (vietnamplus.vn
# …-post1047526.amp; vnexpress.net/quoc-hoi-chot-ca-nuoc-con-34-tinh-thanh-pho-4897740.html;
# nghean24h.vn/34-tinh-thanh-du-kien-hoat-dong-ngay-tu-ngay-172025-a753727.html).
PROVINCES_2025 = {
    # the six centrally-run cities
    "Hà Nội", "Thành phố Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế",
    # the provinces left unmerged
    "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng",
    # the merged provinces, under their new names
    "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Ninh Bình",
    "Quảng Trị", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Đồng Nai",
    "Tây Ninh", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
}  # fmt: skip

CONFIDENCE = {"replica", "public-code", "unverified"}

SOURCES = load_sources()


def test_the_province_list_has_34_names():
    assert len(PROVINCES_2025) == 34


def test_the_registry_covers_exactly_the_34_provinces():
    assert {s.province for s in SOURCES.values()} == PROVINCES_2025


def test_ids_are_unique_in_the_file():
    # tomllib rejects a repeated table; this also catches ids that differ only in case.
    ids = [sid.lower() for sid in SOURCES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("sid", sorted(SOURCES))
def test_article_path_is_anchored_and_compiles(sid):
    pattern = SOURCES[sid].article_path.pattern
    assert pattern.startswith("^")
    assert pattern.endswith("$"), "an unanchored end would also match longer paths"
    re.compile(pattern)
    re.compile(SOURCES[sid].article_url.pattern)


@pytest.mark.parametrize("sid", sorted(SOURCES))
def test_start_points_are_absolute_and_on_the_source_domains(sid):
    source = SOURCES[sid]
    starts = (*source.feeds, *source.sitemaps, *source.listings)
    assert starts, "a source needs at least one start point"
    for url in starts:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.hostname, url
        assert source.owns(url), f"{url} is not on {source.domains}"
        assert not source.is_article(url), f"{url} would be taken for an article"


@pytest.mark.parametrize("sid", sorted(SOURCES))
def test_entry_names_its_facts_and_confidence(sid):
    source = SOURCES[sid]
    assert source.name.strip() and source.province.strip()
    assert source.domains and all(d == d.lower() and "/" not in d for d in source.domains)
    assert source.facts_from.strip()
    assert source.confidence in CONFIDENCE
    assert source.profile in load_profiles()


def test_no_two_sources_claim_the_same_domain():
    owners = {}
    for source in SOURCES.values():
        for domain in source.domains:
            assert domain not in owners, f"{domain}: {owners.get(domain)} and {source.id}"
            owners[domain] = source.id
