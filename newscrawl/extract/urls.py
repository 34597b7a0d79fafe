"""Canonical article URLs: one URL per article, whichever link, feed or page variant led to it.

`canonical_url(page_url, declared)` is the record's `url` (its SHA-1 is the `id`), the key the
spider matches and dedupes discovered links by, and the key the state remembers. The rules, in
the order they apply:

1. **Declared canonical.** The page's `link[rel=canonical]` / `og:url` (resolved against the page
   URL) replaces the page URL when it is http(s), on the same site (same registrable domain,
   so `www.`/`m.`/`amp.` hosts and other subdomains agree; origin for IP hosts), and not a
   known CMS bug: the home page, or a listing, declared by an article (`listing` = a path the
   page's path lies under, or for a registry source, a URL that is not an article when the page
   is one).
2. **w3lib** `canonicalize_url`: IDNA host, lowercase scheme and host, percent-encoding made
   uniform, dot segments resolved, query sorted, fragment (`#rssom`, `#comments`) dropped.
3. **Host.** No userinfo, default port or trailing dot. `m.` and `amp.` prefixes are dropped when
   what is left is still a registrable domain (`m.kenh14.vn` → `kenh14.vn`, never `m.com.vn`);
   for a registry source, its `mobile_hosts` and `www.`/`m.`/`amp.` + its main domain become the
   main domain (`domains[0]`).
4. **Scheme.** Kept as given, except `http` → `https` on a registry source's own domains when
   all its start points are https (so the two sightings of one article collapse). The offline
   replica (`http://127.0.0.1:port`) is no registry host and keeps `http`.
5. **Path.** A Java session id (`;jsessionid=…`) is dropped. AMP variants: a leading `/amp/`
   segment (`/amp/slug-123.html`), a final `amp` segment (WordPress `/slug/amp/` → `/slug/`,
   `/slug.html/amp/` → `/slug.html`), then the source's own `amp_paths` rewrites
   (`-post123.amp` → `-post123.html`). Trailing slashes are otherwise left alone: they can
   change the resource.
6. **Query.** Tracking parameters (`utm_*`, `fbclid`, Zalo's `zarsrc`/`gidzl`, …), session ids
   (`PHPSESSID`, `jsessionid`, a token-like `sid`, …) and the AMP switch (`?amp`, `?amp=1`) are
   dropped, as are exact duplicate pairs; content-selecting ones (`?id=`, `?p=`, `?page=`)
   stay. An empty query leaves no `?`.

The result is a fixed point: `canonical_url(canonical_url(u, d)) == canonical_url(u, d)` for
every input (tests/test_urls.py checks it on generated URLs). A URL that cannot be parsed is
returned stripped, unchanged; a non-http(s) URL (`file:` for a stored page) gets step 2 only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from tldextract import TLDExtract
from w3lib.url import canonicalize_url

from newscrawl.sources import Source, load_sources

# Query parameters that track a visit and never select content (keys compared lowercased).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "ttclid", "igshid", "mibextid", "zarsrc", "gidzl", "_ga", "_gl", "ref", "ref_src",
        "ref_url", "mkt_tok", "vn_source", "vn_campaign", "vn_medium", "vn_term", "vn_content",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "_hs")
# Query parameters that carry a visitor's session (PHP, Java, ASP, ColdFusion, osCommerce): a
# site that cannot set a cookie puts a new one in every link, which makes each page endlessly
# many URLs. `sid` counts only with a session-like value: a short one (`?sid=12`) may select a
# section.
SESSION_PARAMS = frozenset(
    {"phpsessid", "jsessionid", "sessionid", "session_id", "aspsessionid", "cfid", "cftoken",
     "oscsid", "zenid"}
)  # fmt: skip
_SESSION_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,}$")
_SESSION_PATH_PARAM = re.compile(r";jsessionid=[^/?;]*", re.IGNORECASE)  # Java's, in the path
# Query parameters that switch a page to its AMP rendering: key → the values that do (None: any).
AMP_PARAMS: dict[str, frozenset[str] | None] = {
    "amp": None,
    "outputtype": frozenset({"amp"}),
}
# Host labels of a site's mobile/AMP editions, dropped everywhere (when a registrable domain is
# left), and the ones that also collapse onto a registry source's main domain.
GENERIC_HOST_PREFIXES = frozenset({"m", "amp"})
SOURCE_HOST_PREFIXES = frozenset({"www", "m", "amp"})

_AMP_LEADING = re.compile(r"^/amp(?=/.)")  # /amp/slug-123.html → /slug-123.html
_AMP_TRAILING = re.compile(r"(?<=[^/]/)amp/?$")  # /slug/amp/ → /slug/
_FILE_SLASH = re.compile(r"(\.[A-Za-z0-9]+)/$")  # /slug.html/ (left by the rule above) → /slug.html
_HOME = re.compile(r"^/(?:(?:index|default|home|trang-chu)(?:\.[a-z]+)?/?)?$", re.IGNORECASE)
_INDEX_DOC = re.compile(r"^(?:index|default)\.[a-z]+$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# The public suffix list snapshot bundled with tldextract (a Scrapy dependency): no network,
# no cache files. Private suffixes count, so two blogspot.com blogs are two sites.
_PSL = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def canonical_url(
    page_url: str, declared: str | None = None, *, source: Source | None = None
) -> str:
    """The canonical URL of the page at `page_url` that declares `declared` (rel=canonical or
    og:url, possibly relative) as its canonical URL; see the module's docstring for the rules.

    `source` supplies the per-source variants (mobile hosts, AMP paths, https); by default it is
    the registry source whose domains or mobile hosts hold the URL's host.
    """
    page = _clean(page_url, source)
    if declared and declared.strip():
        try:
            candidate = _clean(urljoin(page_url.strip(), declared.strip()), source)
        except ValueError:  # urljoin on an unparsable page URL
            return page
        if _declared_is_usable(page, candidate, source):
            return candidate
    return page


# --- the declared canonical -----------------------------------------------------------------


def _declared_is_usable(page: str, declared: str, source: Source | None) -> bool:
    if declared == page:
        return True
    p, d = urlsplit(page), urlsplit(declared)
    if d.scheme not in ("http", "https") or p.scheme not in ("http", "https"):
        return False
    try:
        if _site(p) != _site(d):
            return False
    except ValueError:  # a URL _clean could not parse (bad port): no site to compare
        return False
    page_is_home = _HOME.match(p.path) is not None and not p.query
    if not page_is_home and _HOME.match(d.path) and not d.query:
        return False  # every page of the site declares the home page
    if d.path != "/" and d.path.endswith("/") and p.path.startswith(d.path) and p.path != d.path:
        rest = p.path[len(d.path) :]
        if not _INDEX_DOC.match(rest):
            return False  # an article declaring its section, date archive or parent listing
    # A registry article declaring a URL of another shape (a listing) is not moved there.
    source = source or _source_for_host(p.hostname or "")
    return source is None or not source.is_article(page) or source.is_article(declared)


def _site(parts) -> str:
    """What two URLs of one site share: the registrable domain, else (IP hosts, `localhost`)
    the origin's host and port."""
    host = parts.hostname or ""
    return _registrable(host) or f"{host}:{parts.port or _DEFAULT_PORTS.get(parts.scheme)}"


# --- one URL ----------------------------------------------------------------------------------


def _clean(url: str, source: Source | None) -> str:
    url = url.strip()
    try:
        canon = canonicalize_url(url, keep_fragments=False)
        parts = urlsplit(canon)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return canon
        port = parts.port
    except ValueError:  # unparsable (bad port, bad IPv6 literal, bad IDNA label): left as is
        return url
    scheme = parts.scheme
    host = parts.hostname.rstrip(".")
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    source = source or _source_for_host(host)
    host = _desktop_host(host, source)
    if scheme == "http" and port is None and source is not None and _https_host(host, source):
        scheme = "https"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = _desktop_path(_SESSION_PATH_PARAM.sub("", parts.path) or "/", source)
    return urlunsplit((scheme, netloc, path, _query(parts.query), ""))


def _desktop_host(host: str, source: Source | None) -> str:
    if source is not None:
        main = source.domain.lower()
        if host in source.mobile_hosts or (
            _strip_labels(host, SOURCE_HOST_PREFIXES) == _strip_labels(main, SOURCE_HOST_PREFIXES)
        ):
            return main
    return _strip_labels(host, GENERIC_HOST_PREFIXES)


@lru_cache(maxsize=4096)
def _strip_labels(host: str, labels: frozenset[str]) -> str:
    """`host` without leading `labels` as long as a registrable domain is left."""
    while True:
        first, _, rest = host.partition(".")
        site = _registrable(host)
        if first not in labels or not site or _registrable(rest) != site:
            return host
        host = rest


@lru_cache(maxsize=4096)
def _registrable(host: str) -> str:
    """The registrable domain (public suffix + one label) of `host`; "" for IPs, `localhost`,
    a bare public suffix."""
    ext = _PSL(host)
    return f"{ext.domain}.{ext.suffix}" if ext.domain and ext.suffix else ""


def _https_host(host: str, source: Source) -> bool:
    starts = (*source.feeds, *source.sitemaps, *source.listings)
    return (
        host in (d.lower() for d in source.domains)
        and bool(starts)
        and all(u.startswith("https://") for u in starts)
    )


@lru_cache(maxsize=4096)
def _source_for_host(host: str) -> Source | None:
    for s in load_sources().values():
        if host in s.mobile_hosts or s.on_domains(host):
            return s
    return None


def _desktop_path(path: str, source: Source | None) -> str:
    while True:
        before = path
        path = _AMP_LEADING.sub("", path)
        trimmed = _AMP_TRAILING.sub("", path)
        if trimmed != path:
            path = _FILE_SLASH.sub(r"\1", trimmed)
        for pattern, replacement in source.amp_paths if source else ():
            path = pattern.sub(replacement, path)
        if path == before:
            return path


def _query(query: str) -> str:
    """The canonical (w3lib-sorted) `query` without tracking, session, AMP or repeated pairs."""
    kept: list[str] = []
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        key = unquote_plus(key).lower()
        if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
            continue
        if key in SESSION_PARAMS or (key == "sid" and _SESSION_TOKEN.match(unquote_plus(value))):
            continue
        if key in AMP_PARAMS and (
            AMP_PARAMS[key] is None or unquote_plus(value).lower() in AMP_PARAMS[key]
        ):
            continue
        if pair not in kept:
            kept.append(pair)
    return "&".join(kept)
