"""Block and challenge pages: what anti-bot services answer instead of the page asked for.

They must be counted as "blocked", never extracted as articles, and a run whose start points
are all blocked must say so (exit code 77). Markers are the services' own page texts and
headers, as they serve them to crawlers (Cloudflare, Incapsula/Imperva, DDoS-Guard, Sucuri,
generic WAF and captcha pages)."""

from __future__ import annotations

import re

# Only what a block page says of itself: ordinary pages also embed a captcha in their comment
# form and Cloudflare's "challenge-platform" script, so those are no markers.
_MARKERS = re.compile(
    r"cf-chl-|<title>\s*(?:just a moment|attention required!? \| cloudflare|access denied"
    r"|ddos-guard|sucuri website firewall)|_incapsula_resource|incapsula incident"
    r"|request unsuccessful\. incapsula|verify you are (?:a )?human"
    r"|vui lòng xác minh bạn không phải là robot",
    re.IGNORECASE,
)
# Only the start of a page is read: challenge pages are small and say so in their head.
_HEAD_CHARS = 20_000


def block_reason(status: int, text: str, server: str = "") -> str | None:
    """Why a response is a block or challenge page, or None when it is not one."""
    head = text[:_HEAD_CHARS]
    if _MARKERS.search(head):
        return "challenge"
    # A bare 401/403 from a CDN's edge is its firewall's answer, not the site's.
    if status in (401, 403) and "cloudflare" in server.lower():
        return f"http_{status}"
    if status == 429:
        return "rate_limited"
    return None
