"""Canonical article URLs: one URL per article, whichever link or feed led to it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that track a visit and never select content.
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "zarsrc", "_ga", "mc_", "ref_src")


def _site(host: str) -> str:
    """The host without `www.` and `m.`, the prefixes Vietnamese outlets use for one site."""
    host = host.lower()
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """The page's declared canonical URL when it points into the same site, else the page URL,
    with fragment and tracking parameters removed and the query sorted (w3lib)."""
    url = page_url
    if declared:
        candidate = urljoin(page_url, declared.strip())
        parts = urlsplit(candidate)
        if parts.scheme in ("http", "https") and _site(parts.hostname or "") == _site(
            urlsplit(page_url).hostname or ""
        ):
            url = candidate
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return canonicalize_url(url, keep_fragments=False)
