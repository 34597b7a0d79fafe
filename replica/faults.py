"""A news site gone wrong, served by `replica.hostile` for the hostile-site tests (issue 6).

`fault_site(base_url)` is QBTV's replica (WordPress with the tagDiv theme: the same articles,
listings and robots.txt) where everything a crawler can meet on a broken or hostile site
happens at once:

- article URLs, listed in the feed and the sitemap, that answer 500, 502, 503 (with and without
  a `Retry-After`), 429, a Cloudflare block or challenge page, 404; that reset the connection,
  never answer, or stop halfway through their body;
- good articles that fail once (a 503 asking to retry after 2 s, a 500, a reset, a cut body)
  and then answer;
- article pages in the wrong or no charset (UTF-8 declared windows-1252, windows-1258), with
  their text double-encoded by the CMS (mojibake) or decomposed (NFD), with malformed HTML; a
  binary file served as text/html, an empty 200, a 20 MB page (announced and not), a gzip bomb;
- a feed dating some articles a year ahead; a sitemap index that lists itself, a malformed
  sitemap, an XML entity bomb and a gzipped sitemap bomb.

Pages with a text are the QBTV theme's own article pages, their texts those of the other
replica (`replica.site.new_articles`), so each is a distinct article. `FaultSite.written` holds
the records (`replica.expected`) a correct crawl writes — the replica's articles and the
repairable pages — and `FaultSite.paths` names every URL that misbehaves.

`broken_discovery_site` keeps the articles and listings but breaks the feed and the sitemaps;
`big_sitemap_site` lists 100 000 URLs in one sitemap.
"""

from __future__ import annotations

import gzip
import socket
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)

from replica.expected import expected_record
from replica.hostile import Route, send
from replica.server import NOT_FOUND, render_site
from replica.site import load_site, new_articles
from replica.web import HTML, RSS, TEXT, XML, Resource, esc, png_placeholder, rfc822, utc_iso

# Fault URLs are QBTV article URLs (its permalinks), so the source's article pattern takes them.
FAULT_DAY = "/2026/03/02"
CONTENT_PUBLISHED = "2026-03-01T08:00:00+07:00"
CONTENT_MODIFIED = "2026-03-01T09:30:00+07:00"
# The pages whose text a crawler must repair (or just read right) and write.
REPAIRABLE = ("utf8-declared-windows-1252", "cp1258", "mojibake", "nfd", "malformed", "no-charset")
NGINX = {"Server": "nginx"}
UNAVAILABLE = "Service Temporarily Unavailable"
HTML_NO_CHARSET = "text/html"
HTML_WINDOWS_1252 = "text/html; charset=windows-1252"
CLOUDFLARE = {"Server": "cloudflare", "CF-RAY": "8f1c2a3b4d5e6f70-SIN"}


@dataclass
class FaultSite:
    routes: dict[str, Route]
    paths: dict[str, str]  # fault name -> path
    written: dict[str, dict]  # URL -> the record a correct crawl writes for it


# --- routes ------------------------------------------------------------------------------------


def serve(resource: Resource) -> Route:
    return lambda handler: send(
        handler, resource.body, resource.content_type, resource.status, resource.headers
    )


def status(code: int, body: bytes, content_type: str = HTML, **headers: str) -> Route:
    return lambda handler: send(handler, body, content_type, code, headers)


def nginx_error(code: int, reason: str, retry_after: str | None = None) -> Route:
    """The error page nginx writes itself (upstream down, overloaded, rate limit)."""
    headers = NGINX | ({"Retry-After": retry_after} if retry_after else {})
    page = (
        f"<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return status(code, page.encode(), **headers)


def first_then(first: Route, then: Route) -> Route:
    """`first` answers the first request of the path, `then` every later one."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        (first if handler.server.hits[path] == 1 else then)(handler)

    return route


def reset(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP reset, the request read and nothing answered."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def never_answer(handler: BaseHTTPRequestHandler) -> None:
    """Accept the request and say nothing until the server stops."""
    handler.close_connection = True
    handler.server.closing.wait()


def cut_short(body: bytes) -> Route:
    """Announce the whole body, send half of it, close."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", HTML)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.close_connection = True

    return route


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def cut_short_chunked(body: bytes) -> Route:
    """Send the body in chunks and close before the last one and the end marker."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", HTML)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        half = len(body) // 2
        handler.wfile.write(_chunk(body[: half // 2]) + _chunk(body[half // 2 : half]))
        handler.close_connection = True

    return route


def oversized(start: bytes, size: int, announced: bool) -> Route:
    """A page of `size` bytes: `start`, then an HTML comment of padding, streamed; with its
    Content-Length (`announced`) or chunked, its size known only as it comes."""
    piece = 1 << 16

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", HTML)
        if announced:
            handler.send_header("Content-Length", str(size))
        else:
            handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        frame = (lambda data: data) if announced else _chunk
        handler.wfile.write(frame(start + b"<!--"))
        sent = len(start) + 4
        while sent < size:  # the client hangs up at its size limit: the write then fails
            data = b" " * min(piece, size - sent)
            handler.wfile.write(frame(data))
            sent += len(data)
        if not announced:
            handler.wfile.write(b"0\r\n\r\n")

    return route


@cache
def gzip_bomb() -> bytes:
    """1 GiB of HTML when unpacked, 1 MiB on the wire: gzip members may follow one another, and
    one member of 1 MiB of spaces packs into about 1 KiB."""
    member = gzip.compress(b" " * (1 << 20), 9)
    return gzip.compress(b"<!doctype html><html><head><title>") + member * 1024


def billion_laughs(root: str, inner: str) -> bytes:
    """An XML document whose entities, expanded, would make 10^9 copies of "lol" (3 GB)."""
    entities = "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10)
    ).replace("&lol0;", "lol")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE {root} [\n{entities}]>\n{inner}'
    ).encode()


# --- broken pages ------------------------------------------------------------------------------

# The five Vietnamese tone marks, which windows-1258 writes as combining characters after the
# letter; the letters with circumflex, breve and horn (â ê ô ă ơ ư) it has precomposed.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def cp1258(text: str) -> bytes:
    """`text` as a windows-1258 page holds it: a letter with a tone mark it has no code for is
    written as the letter and then the combining mark; characters it lacks as references."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        marks = "".join(c for c in parts if c in _TONE_MARKS)
        out += (letter + marks).encode("cp1258", "xmlcharrefreplace")
    return bytes(out)


def double_encoded(text: str) -> str:
    """What a CMS that stored its texts double-encoded shows: the UTF-8 bytes read as
    windows-1252 and written out again as UTF-8 (markup, being ASCII, is left as it was)."""
    return text.encode("utf-8").decode("sloppy-windows-1252")


def malformed(page: str) -> str:
    """What hand-edited and CMS-mangled markup looks like, where every browser reads the same
    text: no </p> or </li>, stray end tags, a NUL byte, no end to the document."""
    page = page.replace("</p>", "").replace("</li>", "")
    page = page.replace("<p>", "<p></span></em>", 1).replace("<p>", "<p>\x00", 2)
    return page[: page.rindex("</div><!--close td-outer-wrap-->")]


def _declared(page: str, charset: str | None) -> str:
    meta = f'<meta charset="{charset}" />' if charset else ""
    return page.replace('<meta charset="UTF-8" />', meta, 1)


# Cloudflare's managed challenge ("Just a moment...") and its block page (error 1020), as they
# read to a client that runs no JavaScript.
CLOUDFLARE_CHALLENGE = (
    b"<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title>"
    b"<meta http-equiv='refresh' content='390'></head><body><div class='main-wrapper'>"
    b"<div class='main-content'><h1>qbtv.vn</h1><p>Verifying you are human.</p></div></div>"
    b"<script>window._cf_chl_opt={cvId:'3',cZone:'qbtv.vn',cType:'managed'};</script>"
    b"<div id='cf-chl-widget-x'></div></body></html>"
)
CLOUDFLARE_BLOCK = (
    b"<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head><body>"
    b"<div id='cf-wrapper'><h1 data-translate='block_headline'>Sorry, you have been blocked</h1>"
    b"<h2>You are unable to access qbtv.vn</h2><p>Cloudflare Ray ID: 8f1c2a3b4d5e6f70</p>"
    b"</div></body></html>"
)


# --- feeds and sitemaps ------------------------------------------------------------------------


def wordpress_feed(base: str, items: Iterable[tuple[str, str, datetime]]) -> bytes:
    """A WordPress RSS 2.0 feed of (url, title, publication date) items."""
    entries = "".join(
        f"\t<item>\n\t\t<title>{esc(title)}</title>\n\t\t<link>{url}</link>\n"
        f"\t\t<pubDate>{rfc822(date, utc=True)}</pubDate>\n"
        f'\t\t<guid isPermaLink="false">{url}</guid>\n\t</item>\n'
        for url, title, date in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
        '\txmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n\t<title>QBTV</title>\n'
        f'\t<atom:link href="{base}/feed/" rel="self" type="application/rss+xml" />\n'
        f"\t<link>{base}</link>\n\t<language>vi</language>\n{entries}</channel>\n</rss>\n"
    ).encode()


SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def sitemap_index(locations: Iterable[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locations)
    return f"{XML_DECLARATION}<sitemapindex {SITEMAP_NS}>{entries}</sitemapindex>\n".encode()


def urlset(entries: Iterable[tuple[str, datetime]]) -> bytes:
    urls = "".join(f"<url><loc>{u}</loc><lastmod>{utc_iso(d)}</lastmod></url>" for u, d in entries)
    return f"{XML_DECLARATION}<urlset {SITEMAP_NS}>{urls}</urlset>\n".encode()


# A plugin's PHP warning printed before the XML: the commonest way a WordPress sitemap breaks.
PHP_WARNING = (
    b'<br />\n<b>Warning</b>:  Undefined array key "page" in <b>/var/www/html/wp-content/'
    b"plugins/sitemap/sitemap.php</b> on line <b>42</b><br />\n"
)


# --- the sites ---------------------------------------------------------------------------------


def _replica_routes(pages: dict[str, Resource]) -> dict[str, Route]:
    """Every page of a rendered replica, by path (assets' version queries dropped)."""
    return {urlsplit(key).path: serve(res) for key, res in pages.items() if key != NOT_FOUND}


def fault_site(base_url: str) -> FaultSite:
    """The whole misbehaving site, its URLs under `base_url` (the server's own address)."""
    base = base_url.rstrip("/")
    site = load_site("qbtv")
    own = list(site.articles)
    fresh = new_articles(site, len(REPAIRABLE), CONTENT_PUBLISHED)
    repairable = {
        name: replace(article, modified=CONTENT_MODIFIED)
        for name, article in zip(REPAIRABLE, fresh, strict=True)
    }
    # The CMS stored one article's texts double-encoded: every page that shows them, mojibake.
    stored = repairable | {"mojibake": _double_encoded_article(repairable["mojibake"])}
    site.articles = own + list(stored.values())
    pages = render_site(site, base)

    def page(article) -> bytes:
        return pages[site.path_of(article)].body

    def text(name: str) -> str:
        return page(stored[name]).decode("utf-8")

    routes = _replica_routes(pages)
    paths: dict[str, str] = {}
    written = {site.url_of(a, base): expected_record(site, a, base) for a in own}

    # Four of the replica's own articles fail once before they answer.
    flaky = {
        "503-then-ok-retry-after": nginx_error(503, UNAVAILABLE, retry_after="2"),
        "500-then-ok": nginx_error(500, "Internal Server Error"),
        "reset-then-ok": reset,
        "truncated-then-ok": cut_short(page(own[3])),
    }
    for article, (name, fault) in zip(own, flaky.items(), strict=False):
        paths[name] = site.path_of(article)
        routes[paths[name]] = first_then(fault, serve(pages[paths[name]]))
    paths["future-dated"] = site.path_of(own[-1])

    # Pages to repair: each must be written as the replica's record of its article says.
    repaired = {
        "utf8-declared-windows-1252": status(200, text(REPAIRABLE[0]).encode(), HTML_WINDOWS_1252),
        "cp1258": status(200, cp1258(_declared(text("cp1258"), "windows-1258")), HTML_NO_CHARSET),
        "mojibake": status(200, text("mojibake").encode()),
        "nfd": status(200, unicodedata.normalize("NFD", text("nfd")).encode()),
        "malformed": status(200, malformed(text("malformed")).encode()),
        "no-charset": status(200, _declared(text("no-charset"), None).encode(), HTML_NO_CHARSET),
    }
    for name, article in repairable.items():
        paths[name] = site.path_of(article)
        routes[paths[name]] = repaired[name]
        written[site.url_of(article, base)] = expected_record(site, article, base)

    # Pages that hold no article to write.
    not_found = pages[NOT_FOUND].body
    broken = {
        "500": nginx_error(500, "Internal Server Error"),
        "502": nginx_error(502, "Bad Gateway"),
        "503": nginx_error(503, UNAVAILABLE),
        "503-retry-after-a-day": nginx_error(503, UNAVAILABLE, retry_after="86400"),
        "429": nginx_error(429, "Too Many Requests", retry_after="1"),
        "403-cloudflare-block": status(403, CLOUDFLARE_BLOCK, **CLOUDFLARE),
        "403-cloudflare-bare": status(403, b"error code: 1020", TEXT, **CLOUDFLARE),
        "403-challenge": status(
            403, CLOUDFLARE_CHALLENGE, **CLOUDFLARE, **{"cf-mitigated": "challenge"}
        ),
        "200-challenge": status(200, CLOUDFLARE_CHALLENGE, **CLOUDFLARE),
        "404": status(404, not_found, **NGINX),
        "reset": reset,
        "never-answers": never_answer,
        # Halves of pages that are written whole from their own URLs: a half written from
        # here would be a record of its own.
        "truncated": cut_short(page(stored["nfd"])),
        "truncated-chunked": cut_short_chunked(page(stored["no-charset"])),
        "binary-as-html": status(200, png_placeholder(640, 480), HTML_NO_CHARSET),
        "empty-200": status(200, b""),
        "20mb": oversized(not_found[:2000], 20 << 20, announced=True),
        "20mb-unannounced": oversized(not_found[:2000], 20 << 20, announced=False),
        "gzip-bomb": status(200, gzip_bomb(), **{"Content-Encoding": "gzip"}),
    }
    for name, route in broken.items():
        paths[name] = f"{FAULT_DAY}/{name}/"
        routes[paths[name]] = route

    # Discovery: a feed of every article, one dated a year ahead, and a sitemap index that
    # lists itself, the posts, the posts cut in the middle, an entity bomb and a gzipped bomb.
    listed = {base + path: name for name, path in paths.items()}
    listed |= {url: record["title"] for url, record in written.items()}
    day = datetime.fromisoformat(CONTENT_PUBLISHED)
    ahead = datetime.now(UTC) + timedelta(days=365)
    future = base + paths["future-dated"]
    feed = [(url, title, ahead if url == future else day) for url, title in listed.items()]
    sitemaps = {
        "sitemap-index": "/wp-sitemap.xml",
        "sitemap-posts": "/wp-sitemap-posts-post-1.xml",
        "sitemap-malformed": "/wp-sitemap-posts-post-2.xml",
        "sitemap-entity-bomb": "/wp-sitemap-posts-post-3.xml",
        "sitemap-gzip-bomb": "/sitemap-news.xml.gz",
    }
    posts = urlset((url, day) for url in listed)
    bomb = f"<urlset {SITEMAP_NS}><url><loc>{base}{FAULT_DAY}/&lol9;/</loc></url></urlset>"
    paths |= sitemaps | {"feed": "/feed/"}
    routes |= {
        "/feed/": status(200, wordpress_feed(base, feed), RSS),
        "/wp-sitemap.xml": status(200, sitemap_index(base + p for p in sitemaps.values()), XML),
        "/wp-sitemap-posts-post-1.xml": status(200, posts, XML),
        "/wp-sitemap-posts-post-2.xml": status(200, posts[: len(posts) // 2], XML),
        "/wp-sitemap-posts-post-3.xml": status(200, billion_laughs("urlset", bomb), XML),
        "/sitemap-news.xml.gz": status(200, gzip_bomb(), "application/gzip"),
    }
    return FaultSite(routes, paths, written)


def _double_encoded_article(article):
    return replace(
        article,
        title=double_encoded(article.title),
        paragraphs=[double_encoded(p) for p in article.paragraphs],
        byline=[double_encoded(line) for line in article.byline],
        tags=[double_encoded(tag) for tag in article.tags],
    )


BROKEN_DISCOVERY = ("entity-bomb-feed", "truncated-feed")


def broken_discovery_site(base_url: str, variant: str) -> FaultSite:
    """QBTV's replica whose feed and sitemaps are broken, its listings not: the articles are
    found all the same. `entity-bomb-feed`: an entity bomb for a feed, a sitemap index listing an
    empty sitemap, one behind a PHP warning, a binary file and one that resets the connection.
    `truncated-feed`: the feed cut in the middle (a PHP time limit), WordPress's database error
    page for the sitemap."""
    base = base_url.rstrip("/")
    site = load_site("qbtv")
    pages = render_site(site, base)
    routes = _replica_routes(pages)
    written = {site.url_of(a, base): expected_record(site, a, base) for a in site.articles}
    feed = pages["/feed/"].body
    if variant == "entity-bomb-feed":
        first = feed.index(b"<item>")
        bomb = feed[:first] + b"<item><title>&lol9;</title></item>" + feed[first:]
        bomb = billion_laughs("rss", bomb.split(b"?>", 1)[1].decode())
        posts = pages["/wp-sitemap-posts-post-1.xml"].body
        children = {
            "/wp-sitemap-posts-post-1.xml": status(200, b"", XML),
            "/wp-sitemap-posts-post-2.xml": status(200, PHP_WARNING + posts, XML),
            "/wp-sitemap-posts-post-3.xml": status(200, png_placeholder(64, 64), XML),
            "/wp-sitemap-posts-post-4.xml": reset,
        }
        routes |= children | {
            "/feed/": status(200, bomb, RSS),
            "/wp-sitemap.xml": status(200, sitemap_index(base + path for path in children), XML),
        }
    elif variant == "truncated-feed":
        routes |= {
            "/feed/": status(200, feed[: len(feed) // 2], RSS),
            "/wp-sitemap.xml": status(200, WORDPRESS_DATABASE_ERROR, HTML),
        }
    else:
        raise ValueError(f"variant must be one of {BROKEN_DISCOVERY}")
    return FaultSite(routes, {}, written)


# What WordPress answers, with 200 on many hosts, when MySQL is down.
WORDPRESS_DATABASE_ERROR = (
    b"<!DOCTYPE html>\n<html dir='ltr'><head><meta charset=\"utf-8\" />"
    b'<title>Database Error</title></head><body id="error-page"><div class="wp-die-message">'
    b"<h1>Error establishing a database connection</h1></div></body></html>"
)


def big_sitemap_site(base_url: str, urls: int) -> FaultSite:
    """QBTV's replica whose one sitemap lists `urls` article URLs (the sitemap protocol allows
    50 000 a file), none of which exists."""
    base = base_url.rstrip("/")
    site = load_site("qbtv")
    routes = _replica_routes(render_site(site, base))
    day = datetime.fromisoformat(CONTENT_PUBLISHED)
    listed = (f"{base}/2025/01/01/bai-viet-so-{n}/" for n in range(urls))
    routes["/wp-sitemap.xml"] = status(200, urlset((url, day) for url in listed), XML)
    written = {site.url_of(a, base): expected_record(site, a, base) for a in site.articles}
    return FaultSite(routes, {}, written)
