import pytest

from newscrawl.extract.blocked import block_reason

ARTICLE = (
    "<html><head><title>Hội nghị giao ban công tác dân vận</title></head><body><article>…"
    "<form id='commentform'><div class='g-recaptcha' data-sitekey='x'></div></form>"
    "<script src='/cdn-cgi/challenge-platform/scripts/jsd/main.js'></script>"
    "</article></body></html>"
)


@pytest.mark.parametrize(
    ("status", "text", "server", "reason"),
    [
        (403, "<title>Just a moment...</title><div id='cf-chl-widget'>", "cloudflare", "challenge"),
        (200, "<title>Attention Required! | Cloudflare</title>", "cloudflare", "challenge"),
        (403, "<html>Request unsuccessful. Incapsula incident ID: 1-2</html>", "", "challenge"),
        (503, "<title>DDoS-Guard</title>", "ddos-guard", "challenge"),
        (403, "<title>Access Denied</title>", "AkamaiGHost", "challenge"),
        (403, "Forbidden", "cloudflare", "http_403"),
        (429, "Too Many Requests", "nginx", "rate_limited"),
        # Not blocks: an ordinary article with a captcha in its comment form and Cloudflare's
        # script, a plain 404 and a plain 503 of an overloaded server.
        (200, ARTICLE, "cloudflare", None),
        (404, "<title>Không tìm thấy trang</title>", "nginx", None),
        (503, "Service Unavailable", "nginx", None),
    ],
)
def test_block_reason(status, text, server, reason):
    assert block_reason(status, text, server) == reason
