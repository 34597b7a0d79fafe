"""canonical_url: a table of real-shaped URLs of Vietnamese outlets, and idempotence on generated
URLs (a known pitfall of URL cleaners: applying one twice must change nothing)."""

from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from w3lib.url import canonicalize_url

from newscrawl.extract.urls import TRACKING_PARAMS, canonical_url
from newscrawl.sources import get_source

QBTV = "https://qbtv.vn/2024/10/29/hon-32-000-ngoi-nha-o-quang-binh-bi-ngap-do-mua-lu-sau-bao-so-6/"
HATINH = "https://baohatinh.vn/ha-tinh-chu-dong-ung-pho-voi-bao-so-3-post272456.html"
QUANGTRI = "https://baoquangtri.vn/dat-va-nguoi-quang-binh/202507/le-hoi-dua-thuyen-tren-song-nhat-le-5a3f2c1/"
NGHEAN = (
    "https://baonghean.vn/nghe-an-don-nhan-bang-xep-hang-di-tich-quoc-gia-dac-biet-10283746.html"
)
THANHHOA = "https://baothanhhoa.vn/thoi-su/ky-hop-thu-hai-hdnd-tinh-khoa-xviii/124578.htm"
DANTRI = (
    "https://dantri.com.vn/xa-hoi/ha-noi-mua-lon-nhieu-tuyen-pho-ngap-sau-20240910083512345.htm"
)
VNEXPRESS = "https://vnexpress.net/quoc-hoi-chot-ca-nuoc-con-34-tinh-thanh-pho-4897740.html"
TUOITRE = "https://tuoitre.vn/bao-so-3-do-bo-quang-ninh-hai-phong-20240907152845667.htm"
ZALO = "zarsrc=30&utm_source=zalo&utm_medium=zalo&utm_campaign=zalo&gidzl=gzlKVx88OtQZnDnxknLbUQF4"
REPLICA = "http://127.0.0.1:8801/2024/10/29/hon-32-000-ngoi-nha/"

# (page URL, declared canonical or None, expected canonical URL)
CASES = {
    # -- QBTV: WordPress, /YYYY/MM/DD/slug/, https start points ---------------------------------
    "qbtv-wordpress-clean": (QBTV, None, QBTV),
    "qbtv-facebook-share-fbclid": (QBTV + "?fbclid=IwAR2Zx7dQk_3Fq0m9", None, QBTV),
    "qbtv-utm-and-comments-fragment": (
        QBTV + "?utm_source=facebook&utm_medium=social&utm_campaign=fanpage#comments",
        None,
        QBTV,
    ),
    "qbtv-wordpress-amp-endpoint": (QBTV + "amp/", None, QBTV),
    "qbtv-wordpress-amp-endpoint-no-slash": (QBTV + "amp", None, QBTV),
    "qbtv-wordpress-amp-query": (QBTV + "?amp=1", None, QBTV),
    "qbtv-wordpress-amp-bare-query": (QBTV + "?amp", None, QBTV),
    "qbtv-http-to-https": (QBTV.replace("https:", "http:"), None, QBTV),
    "qbtv-www-host": (QBTV.replace("//qbtv", "//www.qbtv"), None, QBTV),
    "qbtv-mobile-host": (QBTV.replace("//qbtv", "//m.qbtv"), None, QBTV),
    "qbtv-uppercase-scheme-host-default-port": (
        QBTV.replace("https://qbtv.vn", "HTTPS://QBTV.VN:443"),
        None,
        QBTV,
    ),
    "qbtv-empty-query-and-fragment": (QBTV + "?#", None, QBTV),
    "qbtv-plain-permalink-p-kept": (
        "https://qbtv.vn/?p=68&utm_source=rss",
        None,
        "https://qbtv.vn/?p=68",
    ),
    "qbtv-tag-vietnamese-slug": (
        "https://qbtv.vn/tag/lệ-thủy/",
        None,
        "https://qbtv.vn/tag/l%E1%BB%87-th%E1%BB%A7y/",
    ),
    "qbtv-declared-from-amp-page": (QBTV + "amp/", QBTV, QBTV),
    "qbtv-declared-relative": (
        QBTV + "?amp",
        "/2024/10/29/hon-32-000-ngoi-nha-o-quang-binh-bi-ngap-do-mua-lu-sau-bao-so-6/",
        QBTV,
    ),
    "qbtv-declared-http-og-url": (QBTV, QBTV.replace("https:", "http:"), QBTV),
    "qbtv-declared-home-page-ignored": (QBTV, "https://qbtv.vn/", QBTV),
    "qbtv-declared-date-archive-ignored": (QBTV, "https://qbtv.vn/2024/10/29/", QBTV),
    "qbtv-declared-category-listing-ignored": (QBTV, "https://qbtv.vn/category/thoi-su/", QBTV),
    "qbtv-declared-other-site-ignored": (
        QBTV,
        "https://baomoi.com/hon-32-000-ngoi-nha/c/50112.epi",
        QBTV,
    ),
    "qbtv-declared-javascript-ignored": (QBTV, "javascript:void(0)", QBTV),
    "qbtv-declared-empty-ignored": (QBTV, "  ", QBTV),
    # -- Báo Hà Tĩnh: cms-body, -post<id>.html -------------------------------------------------
    "baohatinh-zalo-share": (HATINH + "?" + ZALO, None, HATINH),
    "baohatinh-google-ads-gclid-ga": (HATINH + "?gclid=Cj0KCQjw&_ga=2.1234", None, HATINH),
    "baohatinh-amp-post-suffix": (HATINH.replace(".html", ".amp"), None, HATINH),
    "baohatinh-http-www": (HATINH.replace("https://", "http://www."), None, HATINH),
    "baohatinh-declared-mobile-host": (HATINH, HATINH.replace("//", "//m."), HATINH),
    "baohatinh-declared-section-listing-ignored": (HATINH, "https://baohatinh.vn/xa-hoi/", HATINH),
    "baohatinh-listing-page-duplicate-and-empty-params": (
        "https://baohatinh.vn/xa-hoi/?page=2&page=2&&",
        None,
        "https://baohatinh.vn/xa-hoi/?page=2",
    ),
    "baohatinh-search-vietnamese-query": (
        "https://baohatinh.vn/tim-kiem.html?q=h%c3%a0+t%C4%A9nh&utm_term=x",
        None,
        "https://baohatinh.vn/tim-kiem.html?q=h%C3%A0+t%C4%A9nh",
    ),
    # -- Báo Quảng Trị: /{cat}/{YYYYMM}/{slug}-{hex}/ -------------------------------------------
    "baoquangtri-cat-yyyymm-hex-slash-kept": (QUANGTRI, None, QUANGTRI),
    "baoquangtri-no-slash-not-added": (QUANGTRI[:-1], None, QUANGTRI[:-1]),
    "baoquangtri-declared-parent-section-ignored": (
        QUANGTRI,
        "https://baoquangtri.vn/dat-va-nguoi-quang-binh/",
        QUANGTRI,
    ),
    # -- Báo Nghệ An: -<id>.html, -event<id>.html --------------------------------------------------
    "baonghean-ref-param": (NGHEAN + "?ref=home", None, NGHEAN),
    "baonghean-rssom-fragment": (NGHEAN + "#rssom", None, NGHEAN),
    "baonghean-amp-path-prefix": (NGHEAN.replace(".vn/", ".vn/amp/"), None, NGHEAN),
    # -- Báo Thanh Hóa: /<section>/<slug>/<id>.htm ----------------------------------------------
    "baothanhhoa-section-slug-id-http": (THANHHOA.replace("https:", "http:"), None, THANHHOA),
    # -- national outlets (not in the registry: scheme kept as given) ---------------------------
    "dantri-htm-clean": (DANTRI, None, DANTRI),
    "dantri-amp-subdomain": (DANTRI.replace("//dantri", "//amp.dantri"), None, DANTRI),
    "vnexpress-vn-source-fragment": (
        VNEXPRESS + "#vn_source=Home&vn_campaign=Box-TinNoiBat&vn_medium=Item-1&vn_term=Desktop",
        None,
        VNEXPRESS,
    ),
    "vnexpress-vn-source-query": (VNEXPRESS + "?vn_source=Folder&vn_term=Desktop", None, VNEXPRESS),
    "vnexpress-mobile-host": (VNEXPRESS.replace("//", "//m."), None, VNEXPRESS),
    "vnexpress-http-kept-off-registry": (
        VNEXPRESS.replace("https:", "http:"),
        None,
        VNEXPRESS.replace("https:", "http:"),
    ),
    "tuoitre-htm-utm": (TUOITRE + "?utm_source=tuoitre&utm_medium=referral", None, TUOITRE),
    "cafef-chn-query-sorted": (
        "https://cafef.vn/a.chn?b=2&a=1",
        None,
        "https://cafef.vn/a.chn?a=1&b=2",
    ),
    "kenh14-mobile-host-chn": (
        "https://m.kenh14.vn/ngam-tron-ven-quoc-phuc-khanh-van-20210513210421412.chn",
        None,
        "https://kenh14.vn/ngam-tron-ven-quoc-phuc-khanh-van-20210513210421412.chn",
    ),
    "vietnamplus-amp-suffix-unknown-desktop-kept": (
        "https://www.vietnamplus.vn/thong-tin-chi-tiet-ve-34-tinh-post1047526.amp",
        None,
        "https://www.vietnamplus.vn/thong-tin-chi-tiet-ve-34-tinh-post1047526.amp",
    ),
    "huengaynay-amp-aspx-newid-kept": (
        "https://huengaynay.vn/amp.aspx?newid=149647",
        None,
        "https://huengaynay.vn/amp.aspx?newid=149647",
    ),
    "mobile-prefix-of-public-suffix-kept": (
        "https://m.com.vn/a-1.html",
        None,
        "https://m.com.vn/a-1.html",
    ),
    "idn-host-punycode": (
        "https://HàNội.vn/tin-1.html",
        None,
        "https://xn--hni-9ka0849a.vn/tin-1.html",
    ),
    "generic-declared-index-document-parent": (
        "https://example.vn/2024/bai-viet/index.html",
        "/2024/bai-viet/",
        "https://example.vn/2024/bai-viet/",
    ),
    # -- session ids: a new one in every link of a site that cannot set a cookie --------------
    "session-php": (HATINH + "?PHPSESSID=9f3c2b1a7e6d5c4b3a2918f7e6d5c4b3", None, HATINH),
    "session-java-path-parameter": (
        HATINH.replace("https", "http") + ";jsessionid=A1B2C3D4E5F60718293A4B5C6D7E8F90",
        None,
        HATINH,
    ),
    "session-token-sid": (QBTV + "?sid=0123456789abcdef0123456789abcdef&p=2", None, QBTV + "?p=2"),
    "session-short-sid-selects-a-section": (
        "https://example.vn/tin-tuc.aspx?sid=12",
        None,
        "https://example.vn/tin-tuc.aspx?sid=12",
    ),
    # -- the offline replica: http://127.0.0.1:port keeps http and its port -------------------
    "replica-http-origin-kept": (REPLICA + "?utm_source=rss", None, REPLICA),
    "replica-declared-same-origin": (REPLICA + "?amp", REPLICA, REPLICA),
    "replica-declared-other-port-ignored": (REPLICA, REPLICA.replace("8801", "8802"), REPLICA),
}


@pytest.mark.parametrize(("page", "declared", "expected"), CASES.values(), ids=CASES.keys())
def test_canonical_url(page, declared, expected):
    assert canonical_url(page, declared) == expected
    assert canonical_url(expected) == expected


def test_table_is_large_enough():
    assert len(CASES) >= 30


def test_callers_signatures():
    # The spider and the incremental extension pass the URL alone, the extractor the declared
    # canonical as second argument.
    assert canonical_url(QBTV + "?utm_source=rss") == QBTV
    assert canonical_url(QBTV + "amp/", QBTV) == QBTV


def test_source_mobile_hosts_are_mapped_to_the_main_domain():
    source = replace(get_source("baohatinh"), mobile_hosts=("mobile.baohatinh.vn",))
    mobile = HATINH.replace("//", "//mobile.")
    assert canonical_url(mobile) == mobile  # not a generic prefix
    assert canonical_url(mobile, source=source) == HATINH


def test_rebased_source_keeps_the_mirror_scheme():
    source = get_source("qbtv").rebased("http://127.0.0.1:8801")
    assert canonical_url(REPLICA + "amp/?fbclid=x", source=source) == REPLICA


def test_declared_listing_of_a_registry_article_is_ignored():
    # Not an ancestor of the page's path, but not an article of the source either.
    assert canonical_url(HATINH, "https://baohatinh.vn/kinh-te/") == HATINH
    # A page that is no article may be moved anywhere on its site.
    assert canonical_url("https://baohatinh.vn/print.html?id=272456", HATINH) == HATINH


def test_unparsable_and_non_http_urls():
    assert canonical_url(" http://[::1 ") == "http://[::1"
    assert canonical_url("file:///tmp/trang tin.html") == "file:///tmp/trang%20tin.html"
    assert canonical_url("file:///tmp/a.html", "https://qbtv.vn/") == "file:///tmp/a.html"


# --- idempotence on generated URLs ----------------------------------------------------------

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
_text = st.text(alphabet=VIET + VIET.upper() + "0123456789-_.~ +%/=&?#:@!$'()*,;", max_size=12)
_escape = st.integers(0, 255).map(lambda b: f"%{b:02x}" if b % 2 else f"%{b:02X}")
_segment = st.one_of(
    st.sampled_from(
        ["amp", "AMP", "", ".", "..", "tin-tuc", "index.html", "2024", "bai-viet-post123.amp"]
    ),
    _text,
    st.lists(st.one_of(_text, _escape), max_size=4).map("".join),
)
_host = st.builds(
    lambda prefix, base, dot: prefix + base + dot,
    st.sampled_from(
        ["", "www.", "m.", "amp.", "WWW.", "M.", "Amp.", "m.www.", "amp.m.", "mobile."]
    ),
    st.sampled_from(
        [
            "qbtv.vn", "baohatinh.vn", "baoquangtri.vn", "baonghean.vn", "baothanhhoa.vn",
            "vnexpress.net", "dantri.com.vn", "cafef.vn", "tuoitre.vn", "com.vn", "vn",
            "127.0.0.1", "localhost", "hànội.vn", "xn--hni-9ka0849a.vn", "x.blogspot.com",
            "QBTV.VN", "tv.baohatinh.vn",
        ]
    ),
    st.sampled_from(["", "", "", "."]),
)  # fmt: skip
_port = st.sampled_from(["", "", "", ":80", ":443", ":8080", ":8801", ":"])
_path = st.builds(
    lambda segs, end: "/" + "/".join(segs) + end,
    st.lists(_segment, max_size=5),
    st.sampled_from(["", "/", ".html", ".htm", ".chn", ".amp", "/amp", "/amp/", ".html/amp/"]),
)
_key = st.one_of(
    st.sampled_from(
        [
            "utm_source", "UTM_Campaign", "utm%5Fmedium", "fbclid", "gclid", "zarsrc", "gidzl",
            "_ga", "mc_cid", "ref", "ref_src", "amp", "AMP", "outputType", "id", "p", "page", "q",
            "newid", "", "a+b", "k%3D", "PHPSESSID", "jsessionid", "sid",
        ]
    ),
    _text,
)  # fmt: skip
_value = st.one_of(
    st.sampled_from(["", "1", "amp", "Hà Nội", "h%C3%A0", "a+b", "%ZZ", "%e9"]), _text
)
_pair = st.one_of(
    st.builds(lambda k, v: f"{k}={v}", _key, _value),
    _key,  # a key alone (`?amp`)
    st.just(""),  # an empty pair (`&&`)
)
_query = st.one_of(
    st.just(""),
    st.just("?"),
    st.lists(_pair, max_size=6).map(lambda pairs: "?" + "&".join(pairs)),
    # duplicated pairs, in any order
    st.lists(_pair, min_size=1, max_size=3).map(lambda pairs: "?" + "&".join(pairs * 2)),
)
_fragment = st.one_of(
    st.sampled_from(["", "#", "#rssom", "#comments", "#vn_source=Home"]), _text.map("#".__add__)
)
_scheme = st.sampled_from(["http", "https", "HTTP", "HttpS"])
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}{path}{query}{fragment}"
    ),
    _scheme,
    _host,
    _port,
    _path,
    _query,
    _fragment,
)
declared = st.one_of(
    st.none(),
    urls,
    _path,  # relative to the site
    st.builds(lambda p, q: p + q, _path, _query),
    st.sampled_from(
        ["", " ", "javascript:void(0)", "#", "//qbtv.vn/", "/", "mailto:toasoan@qbtv.vn"]
    ),
    st.builds(lambda host, path: f"//{host}{path}", _host, _path),
)

PROPERTY = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(urls)
@example("https://qbtv.vn/a?")
@example("https://qbtv.vn/a/#")
@example("HTTP://M.QBTV.VN:80/2024/10/29/x/amp/?amp&utm_source=a&utm_source=a#rssom")
@example("https://m.www.baohatinh.vn./a-post1.amp?q=h%c3%a0&q=h%C3%A0")
@example("https://amp.m.dantri.com.vn/amp/amp/x/amp/amp/")
@example("http://hànội.vn/đường-phố?q=Hà Nội&&x=")
def test_canonical_url_is_idempotent(url):
    once = canonical_url(url)
    assert canonical_url(once) == once


@PROPERTY
@given(urls, declared)
@example(
    QBTV + "amp/", "/2024/10/29/hon-32-000-ngoi-nha-o-quang-binh-bi-ngap-do-mua-lu-sau-bao-so-6/"
)
@example(HATINH, "https://m.baohatinh.vn/xa-hoi/?amp")
@example(REPLICA, "http://127.0.0.1:8801/")
def test_canonical_url_with_declared_is_idempotent(url, declared):
    once = canonical_url(url, declared)
    assert canonical_url(once) == once
    if declared is None or urlsplit(declared.strip()).scheme:
        # an absolute declared canonical is decided the same way the second time
        assert canonical_url(once, declared) == once


@PROPERTY
@given(urls)
def test_canonical_url_output_shape(url):
    out = canonical_url(url)
    parts = urlsplit(out)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return
    assert "#" not in out and not out.endswith("?")
    assert canonicalize_url(out) == out  # already w3lib-canonical
    keys = [k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)]
    assert not any(k in TRACKING_PARAMS or k.startswith("utm_") or k == "amp" for k in keys)
    assert parts.port != {"http": 80, "https": 443}[parts.scheme]  # no default port
    assert not parts.hostname.startswith(("m.qbtv", "amp.qbtv", "www.qbtv"))


def test_a_url_no_parser_reads_belongs_to_no_source():
    assert not get_source("qbtv").owns("http://[qbtv.vn/2020/06/26/bai/")
