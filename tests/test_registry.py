"""The source registry (sources.toml) as data: one current outlet for each of the 34 provinces,
the former outlets merged into them, and well-formed entries."""

import json
import re
import subprocess
import sys
from collections import Counter
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from newscrawl import sources as registry
from newscrawl.cli import main as newscrawl
from newscrawl.extract.credit import normalize_credit
from newscrawl.sources import load_profiles, load_sources, outlet_names
from tests.conftest import REPO

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

# The 29 provinces (63 − 34) merged into another unit by the same resolution.
PROVINCES_MERGED_AWAY_2025 = {
    "Hà Giang", "Yên Bái", "Bắc Kạn", "Vĩnh Phúc", "Hòa Bình", "Bắc Giang", "Thái Bình",
    "Hải Dương", "Hà Nam", "Nam Định", "Quảng Bình", "Kon Tum", "Bình Định", "Phú Yên",
    "Ninh Thuận", "Đắk Nông", "Bình Thuận", "Bình Phước", "Bình Dương", "Bà Rịa - Vũng Tàu",
    "Long An", "Bến Tre", "Trà Vinh", "Tiền Giang", "Sóc Trăng", "Hậu Giang", "Bạc Liêu",
    "Kiên Giang", "Quảng Nam",
}  # fmt: skip

# Thừa Thiên Huế was not merged away but became the city of Huế (its paper, Huế ngày nay).
RENAMED_BEFORE_2025 = {"Thừa Thiên Huế"}

CONFIDENCE = {"replica", "public-code", "unverified"}

SOURCES = load_sources()
CURRENT = {sid: s for sid, s in SOURCES.items() if s.merged_into is None}
FORMER = {sid: s for sid, s in SOURCES.items() if s.merged_into is not None}


def provinces(field: str | None) -> set[str]:
    """`former_province` lists several provinces as "A, B"."""
    return {name.strip() for name in (field or "").split(",") if name.strip()}


FORMER_PROVINCES = {
    (name, sid) for sid, source in CURRENT.items() for name in provinces(source.former_province)
}


def test_the_province_lists_have_34_and_29_names():
    assert len(PROVINCES_2025) == 34
    assert len(PROVINCES_MERGED_AWAY_2025) == 63 - 34


def test_each_of_the_34_provinces_has_exactly_one_current_source():
    by_province = Counter(s.province for s in CURRENT.values())
    assert set(by_province) == PROVINCES_2025
    assert [p for p, n in by_province.items() if n > 1] == []


def test_every_source_belongs_to_one_of_the_34_provinces():
    assert {s.province for s in SOURCES.values()} <= PROVINCES_2025


def test_the_current_sources_name_every_province_merged_away():
    merged_away = {name for name, _ in FORMER_PROVINCES}
    assert merged_away == PROVINCES_MERGED_AWAY_2025 | RENAMED_BEFORE_2025
    assert len(FORMER_PROVINCES) == len(merged_away), "a province is merged into two sources"


@pytest.mark.parametrize("sid", sorted(FORMER))
def test_a_former_outlet_points_to_the_current_source_of_its_province(sid):
    former = FORMER[sid]
    successor = CURRENT.get(former.merged_into)
    assert successor is not None, f"{former.merged_into!r} is not a current source"
    assert former.province == successor.province
    assert provinces(former.former_province) <= provinces(successor.former_province)


@pytest.mark.parametrize(("province", "sid"), sorted(FORMER_PROVINCES))
def test_every_province_merged_away_has_a_former_outlet(province, sid):
    outlets = [
        s.id
        for s in FORMER.values()
        if s.merged_into == sid and province in provinces(s.former_province)
    ]
    assert outlets, f"no former outlet of {province} is merged into {sid}"


def toml_loaded(monkeypatch, sources_toml: dict) -> dict:
    """load_sources over `sources_toml` instead of the shipped file (profiles as shipped)."""
    read_toml = registry._read_toml
    monkeypatch.setattr(
        registry,
        "_read_toml",
        lambda name: sources_toml if name == "sources.toml" else read_toml(name),
    )
    return registry.load_sources.__wrapped__()


def entry(**fields) -> dict:
    minimal = {
        "name": "Báo X",
        "province": "Huế",
        "domains": ["x.vn"],
        "article_path": "^/a$",
        "profile": "generic",
    }
    return minimal | fields


def test_merged_into_is_read_and_checked_at_load(monkeypatch):
    loaded = toml_loaded(monkeypatch, {"new": entry(), "old": entry(merged_into="new")})
    assert loaded["old"].merged_into == "new"
    assert loaded["new"].merged_into is None
    unknown = {"old": entry(merged_into="nobody")}
    with pytest.raises(ValueError, match="'old': merged_into must name a current source"):
        toml_loaded(monkeypatch, unknown)
    chained = {"new": entry(), "mid": entry(merged_into="new"), "old": entry(merged_into="mid")}
    with pytest.raises(ValueError, match="'old': merged_into must name a current source"):
        toml_loaded(monkeypatch, chained)


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
    assert source.name.strip() and source.province.strip() and source.outlet
    assert source.domains and all(d == d.lower() and "/" not in d for d in source.domains)
    assert source.facts_from.strip()
    assert source.confidence in CONFIDENCE
    assert source.profile in load_profiles()


@pytest.mark.parametrize("sid", sorted(SOURCES))
def test_selectors_are_valid_css(sid):
    page = Selector(text="<html><body><p>x</p></body></html>")
    for selectors in SOURCES[sid].selectors.values():
        for css in selectors:
            page.css(css)  # raises on a selector parsel cannot compile


def test_no_two_sources_claim_the_same_domain():
    owners = {}
    for source in SOURCES.values():
        for domain in source.domains:
            assert domain not in owners, f"{domain}: {owners.get(domain)} and {source.id}"
            owners[domain] = source.id


def test_no_source_claims_a_host_under_another_sources_domain():
    # A URL goes to the first source that owns its host: a former site now served under its
    # successor's domain (dongkhoi.baovinhlong.vn) belongs to the successor alone.
    owners = {domain: source.id for source in SOURCES.values() for domain in source.domains}
    for domain, sid in owners.items():
        for parent, other in owners.items():
            assert other == sid or not domain.endswith("." + parent), f"{domain} ({sid}) < {other}"


def test_outlet_names_are_unique():
    # Credits are normalized to an outlet's name: two sources with one name would merge them.
    names = Counter(s.outlet for s in SOURCES.values())
    assert [name for name, n in names.items() if n > 1] == []
    assert set(names) <= set(outlet_names())


@pytest.mark.parametrize("sid", sorted(FORMER))
def test_a_former_outlet_is_credited_under_its_own_name(sid):
    # A credit written before the merger names the old paper, not its successor.
    assert normalize_credit(FORMER[sid].domain) == FORMER[sid].outlet


def test_scrapy_list_has_a_spider_for_every_source():
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert set(SOURCES) | {"news"} <= set(result.stdout.split())


def test_sources_command_carries_merged_into_in_table_and_json(capsys):
    assert newscrawl(["sources", "--json"]) == 0
    rows = {row["id"]: row for row in map(json.loads, capsys.readouterr().out.splitlines())}
    assert newscrawl(["sources"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()

    keys = ["id", "province", "outlet", "profile", "merged_into", "start_points"]
    assert header.split() == keys
    assert all(list(row) == keys for row in rows.values())
    assert set(rows) == set(SOURCES) and len(lines) == len(SOURCES)
    assert {sid: row["merged_into"] for sid, row in rows.items()} == {
        sid: s.merged_into for sid, s in SOURCES.items()
    }
    column = slice(header.index("merged_into"), header.index("start_points"))
    in_table = {line.split()[0]: line[column].strip() for line in lines}
    assert in_table == {sid: s.merged_into or "-" for sid, s in SOURCES.items()}
