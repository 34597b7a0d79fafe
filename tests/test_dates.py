import datetime
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newscrawl.extract.dates import VN_TZ, format_date, parse_date

# (text, expected format_date(parse_date(text)) or None); the id says where the shape is seen.
# "vn-press" is /work/shared/vn-press.md §3.1; "docbao" is a format that section quotes from
# hailoc12/docbao's parse_date_from_string; fixtures are /work/shared/fixtures/pages/.
CASES = [
    # vn-press §3.1
    pytest.param(
        "Thứ Sáu, 22/11/2024 10:16 (GMT +7)",
        "2024-11-22T10:16:00+07:00",
        id="baoquangninh-weekday-gmt",
    ),
    pytest.param(
        "Thứ 2, 02/09/2024 | 08:31:01 [GMT +7]",
        "2024-09-02T08:31:01+07:00",
        id="baoquangninh-ordinal-weekday-seconds",
    ),
    pytest.param(
        "Thứ hai, 8/5/2023, 15:58 (GMT+7)",
        "2023-05-08T15:58:00+07:00",
        id="vnexpress-unpadded-day-month",
    ),
    pytest.param(
        "Cập nhật lúc 10:24 01/04/2025 (GMT+7)",
        "2025-04-01T10:24:00+07:00",
        id="duthi.congdoan-updated-at",
    ),
    pytest.param(
        "26/06/2020 - 15:30", "2020-06-26T15:30:00+07:00", id="thhp-haiphong-date-dash-time"
    ),
    pytest.param("2020-06-26T15:30", "2020-06-26T15:30:00+07:00", id="baomoi-iso-minutes"),
    pytest.param("1.1.2016", "2016-01-01T00:00:00+07:00", id="thanhnien-dots"),
    pytest.param("15:30, 26/06/2020", "2020-06-26T15:30:00+07:00", id="docbao-time-comma-date"),
    pytest.param("15:30:45 26/06/2020", "2020-06-26T15:30:45+07:00", id="docbao-seconds-first"),
    pytest.param("15:30 - 26/06/2020", "2020-06-26T15:30:00+07:00", id="docbao-time-dash-date"),
    pytest.param("26/06/2020 | 15:30", "2020-06-26T15:30:00+07:00", id="docbao-date-bar-time"),
    pytest.param("08:30 ngày 14-4-2024", "2024-04-14T08:30:00+07:00", id="docbao-ngay-dashes"),
    pytest.param("15:30' 26/06/2020", "2020-06-26T15:30:00+07:00", id="docbao-time-quote"),
    pytest.param(
        "ngày 26 tháng 6 , 2020", "2020-06-26T00:00:00+07:00", id="docbao-ngay-thang-comma"
    ),
    pytest.param(
        "NGÀY 14 THÁNG 4, 2024 | 08:30", "2024-04-14T08:30:00+07:00", id="docbao-upper-words"
    ),
    pytest.param("26/06/2020 03:30 PM", "2020-06-26T15:30:00+07:00", id="docbao-pm"),
    pytest.param("26/06/2020 12:05 AM", "2020-06-26T00:05:00+07:00", id="docbao-midnight-am"),
    pytest.param("ngày 14 tháng 4 năm 2024", "2024-04-14T00:00:00+07:00", id="vn-press-words"),
    pytest.param("T6, 22/11/2024", "2024-11-22T00:00:00+07:00", id="vn-press-T2-T7"),
    pytest.param("CN, 24/11/2024", "2024-11-24T00:00:00+07:00", id="vn-press-CN"),
    pytest.param(
        "Chủ nhật, 24/11/2024 - 07:00", "2024-11-24T07:00:00+07:00", id="vn-press-chu-nhat"
    ),
    pytest.param("Thu bay, 23/11/2024", "2024-11-23T00:00:00+07:00", id="vn-press-no-diacritics"),
    pytest.param(
        "Chu nhat, 24/11/2024 - 07:00", "2024-11-24T07:00:00+07:00", id="vn-press-chu-nhat-ascii"
    ),
    # Fixture dantri_article.html: JSON-LD, page state, <time datetime> and its visible text.
    pytest.param(
        "2026-03-07T08:07:18+07:00", "2026-03-07T08:07:18+07:00", id="dantri-jsonld-datePublished"
    ),
    pytest.param(
        "2026-03-07T08:07:18.987+07:00",
        "2026-03-07T08:07:18+07:00",
        id="dantri-published_date-milliseconds",
    ),
    pytest.param("2026-03-07 08:07", "2026-03-07T08:07:00+07:00", id="dantri-time-datetime"),
    pytest.param(
        " Thứ bảy, 07/03/2026 - 08:07 ", "2026-03-07T08:07:00+07:00", id="dantri-time-text"
    ),
    pytest.param("Thứ 7, 07/03/2026", "2026-03-07T00:00:00+07:00", id="dantri-weather-today"),
    # Fixture cafef_article.html: naive ISO metadata, the visible dateline and list times.
    pytest.param(
        "2026-03-07T09:40:00", "2026-03-07T09:40:00+07:00", id="cafef-article-published_time"
    ),
    pytest.param("07-03-2026 - 09:40 AM ", "2026-03-07T09:40:00+07:00", id="cafef-pdate"),
    pytest.param("08:40 , 07/03/2026", "2026-03-07T08:40:00+07:00", id="cafef-related-time"),
    pytest.param(
        "2026-03-07T07:41:20.843000", "2026-03-07T07:41:20+07:00", id="cafef-last-modified"
    ),
    pytest.param("2026/03/07", "2026-03-07T00:00:00+07:00", id="cafef-distributionDate"),
    pytest.param("07/03/2026 09:40:07", "2026-03-07T09:40:07+07:00", id="cafef-cache-comment"),
    # Feeds and machine-readable metadata: a stated offset is kept, never shifted to +07:00.
    pytest.param(
        "Fri, 26 Jun 2020 08:30:00 +0000", "2020-06-26T08:30:00+00:00", id="rss-rfc822-utc"
    ),
    pytest.param("Fri, 26 Jun 2020 15:30:00 GMT", "2020-06-26T15:30:00+00:00", id="rss-bare-gmt"),
    pytest.param(
        "2020-06-26T15:30:00+07:00", "2020-06-26T15:30:00+07:00", id="article:published_time"
    ),
    pytest.param("2020-06-26T08:30:00Z", "2020-06-26T08:30:00+00:00", id="jsonld-zulu"),
    pytest.param("2020-06-26T15:30:00+00:00", "2020-06-26T15:30:00+00:00", id="explicit-utc-kept"),
    pytest.param("2020-06-26 15:30:00", "2020-06-26T15:30:00+07:00", id="wordpress-naive-sql"),
    pytest.param("26/06/2020 15:30 UTC+7", "2020-06-26T15:30:00+07:00", id="utc-plus-7"),
    # Hours written out, meridiem words, two-digit years.
    pytest.param("15h30, ngày 26/6/2020", "2020-06-26T15:30:00+07:00", id="15h30"),
    pytest.param("15h 26/6/2020", "2020-06-26T15:00:00+07:00", id="15h-no-minutes"),
    pytest.param("8 giờ 30 phút ngày 26/6/2020", "2020-06-26T08:30:00+07:00", id="8-gio-30-phut"),
    pytest.param("26/06/2020 03:30 CH", "2020-06-26T15:30:00+07:00", id="CH-chieu"),
    pytest.param("26/06/2020 9:15 SA", "2020-06-26T09:15:00+07:00", id="SA-sang"),
    pytest.param("3 giờ chiều 26/6/2020", "2020-06-26T15:00:00+07:00", id="gio-chieu"),
    pytest.param("22/11/24", "2024-11-22T00:00:00+07:00", id="two-digit-year"),
    pytest.param("Tin 24h - 26/06/2020 15:30", "2020-06-26T15:30:00+07:00", id="24h-not-a-time"),
    # Composed and decomposed Unicode both occur (vn-press §3.2), and NBSP between words.
    pytest.param(
        unicodedata.normalize("NFD", "Chủ nhật, 24/11/2024 - 07:00 (GMT+7)"),
        "2024-11-24T07:00:00+07:00",
        id="nfd-chu-nhat",
    ),
    pytest.param(
        unicodedata.normalize("NFD", "NGÀY 14 THÁNG 4 NĂM 2024"),
        "2024-04-14T00:00:00+07:00",
        id="nfd-ngay-thang-nam",
    ),
    pytest.param("Thứ\xa0Sáu,\xa022/11/2024\xa010:16", "2024-11-22T10:16:00+07:00", id="nbsp"),
    # No complete date: a record date must not be guessed.
    pytest.param(None, None, id="none"),
    pytest.param("", None, id="empty"),
    pytest.param("Đang cập nhật", None, id="words-only"),
    pytest.param("0", None, id="zero"),
    pytest.param("81", None, id="bare-number"),
    pytest.param("31/02/2024", None, id="no-such-day"),
    pytest.param("2024-13-01", None, id="no-such-month"),
    pytest.param("ngày 14-4", None, id="nld-no-year"),
    pytest.param("Thứ Sáu, 10:16 (GMT+7)", None, id="time-without-date"),
    pytest.param("Số 15/GP-BVHTTDL", None, id="dantri-licence-number"),
    pytest.param("1" * 10_000, None, id="10kb-digits"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_date(text, expected):
    parsed = parse_date(text)
    assert (parsed and format_date(parsed)) == expected


def test_naive_text_takes_the_given_zone():
    parsed = parse_date("26/06/2020 15:30", tz=datetime.UTC)
    assert parsed == datetime.datetime(2020, 6, 26, 15, 30, tzinfo=datetime.UTC)


def test_vietnam_dates_share_vn_tz():
    assert parse_date("26/06/2020").tzinfo is VN_TZ
    assert parse_date("2020-06-26T15:30:00+07:00").tzinfo is VN_TZ


def test_format_date_refuses_naive():
    with pytest.raises(ValueError):
        format_date(datetime.datetime(2020, 6, 26, 15, 30))


# Random text rarely looks like a date; joined fragments reach the deeper branches.
date_characters = st.sampled_from("0123456789/-.:,|'(+ \xa0\u0301TZh")
date_words = st.sampled_from(("2024", "SA", "CH", "GMT", "giờ", "ngày", "tháng", "năm", "Thứ"))
date_fragments = st.lists(date_characters | date_words).map("".join)


@given(st.one_of(st.text(), date_fragments))
def test_parse_date_never_raises(text):
    parsed = parse_date(text)
    assert parsed is None or parsed.utcoffset() is not None


# ISO 8601 offsets are whole minutes; records are kept to the second.
whole_minute_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)


@given(st.datetimes(timezones=whole_minute_offsets).map(lambda d: d.replace(microsecond=0)))
def test_format_then_parse_round_trips(value):
    parsed = parse_date(format_date(value))
    assert parsed == value
    assert parsed.utcoffset() == value.utcoffset()
