import pytest

from newscrawl.extract.urls import canonical_url

PAGE = "https://qbtv.vn/2020/06/26/hoi-nghi/"


@pytest.mark.parametrize(
    ("page", "declared", "expected"),
    [
        (PAGE, None, PAGE),
        (PAGE + "?utm_source=facebook&utm_medium=social", None, PAGE),
        (PAGE + "?fbclid=IwAR0abc#comments", None, PAGE),
        (
            "https://baohatinh.vn/a-post1.html?zarsrc=30&utm_campaign=x",
            None,
            "https://baohatinh.vn/a-post1.html",
        ),
        (PAGE + "?amp", PAGE, PAGE),  # the page declares its canonical
        ("https://m.qbtv.vn/x/", "https://qbtv.vn/x/", "https://qbtv.vn/x/"),  # mobile host
        (PAGE, "/2020/06/26/hoi-nghi/", PAGE),  # relative canonical
        (PAGE, "https://aggregator.example/copy/", PAGE),  # another site's claim is ignored
        (PAGE, "javascript:void(0)", PAGE),
        ("https://cafef.vn/a.chn?b=2&a=1", None, "https://cafef.vn/a.chn?a=1&b=2"),
    ],
)
def test_canonical_url(page, declared, expected):
    assert canonical_url(page, declared) == expected
    assert canonical_url(canonical_url(page, declared)) == canonical_url(page, declared)
