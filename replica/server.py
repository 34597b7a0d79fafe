"""Serve replica sites on 127.0.0.1, each on its own port, in background threads.

    with serve(["qbtv", "baohatinh"]) as urls:
        urls["qbtv"]  # "http://127.0.0.1:54321"

Every page is rendered once at start, with the server's own base URL substituted, into a dict
path(+query) -> response. Unknown paths get the site's 404 page; ``HEAD`` and conditional
``GET`` (``If-None-Match`` / ``If-Modified-Since``) are supported.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from replica.site import Site, load_site
from replica.web import Resource, http_date

NOT_FOUND = "*404*"
TRACKING_PARAMS = ("fbclid", "gclid", "zarsrc", "gidzl", "_ga")


def render_site(site: Site, base_url: str) -> dict[str, Resource]:
    """All resources of ``site`` with ``base_url`` substituted (via the site's render module)."""
    module = importlib.import_module(f"replica.sites.{site.id}.render")
    return module.render(site, base_url)


def _strip_tracking(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [
        (k, v) for k, v in pairs if not k.lower().startswith("utm_") and k not in TRACKING_PARAMS
    ]
    return urlencode(kept)


class ReplicaServer(ThreadingHTTPServer):
    """One replica site. ``site`` and ``pages`` are plain attributes; ``requests`` lists every
    request served, as (method, path, User-Agent), for tests that count or inspect them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, site_id: str, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.site_id = site_id
        self.site = load_site(site_id)
        self.base_url = f"http://{host}:{self.server_port}"
        self.pages: dict[str, Resource] = render_site(self.site, self.base_url)
        self.requests: list[tuple[str, str, str]] = []

    def rerender(self) -> None:
        """Render every page again after a test changed `site` (published or edited an article)."""
        self.pages = render_site(self.site, self.base_url)

    def lookup(self, raw_path: str) -> tuple[Resource | None, str | None]:
        """(resource, None) for a page, (None, location) for a redirect."""
        parts = urlsplit(raw_path)
        path = parts.path or "/"
        pages = self.pages
        candidates = [path + ("?" + parts.query if parts.query else "")]
        if parts.query:
            query = _strip_tracking(parts.query)
            candidates.append(path + ("?" + query if query else ""))
        for key in candidates:
            if key in pages:
                return pages[key], None
        # WordPress-style canonical redirect: "/category/thoi-su" -> "/category/thoi-su/".
        if not path.endswith("/"):
            query = _strip_tracking(parts.query) if parts.query else ""
            key = path + "/" + ("?" + query if query else "")
            if key in pages:
                return None, self.base_url + key
        return pages.get(NOT_FOUND), None


class _Handler(BaseHTTPRequestHandler):
    server: ReplicaServer
    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return "nginx"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _not_modified(self, res: Resource) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip() for t in inm.split(",")}
            return res.etag in tags or "*" in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and res.last_modified is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return res.last_modified.astimezone(UTC).replace(microsecond=0) <= since
        return False

    def _respond(self, send_body: bool) -> None:
        self.server.requests.append((self.command, self.path, self.headers.get("User-Agent", "")))
        res, location = self.server.lookup(self.path)
        if location is not None:
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if res is None:  # no 404 page rendered: plain text
            res = Resource(b"Not Found\n", "text/plain; charset=utf-8", status=404)
        if res.status == 200 and self._not_modified(res):
            self.send_response(304)
            self.send_header("ETag", res.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(res.status)
        self.send_header("Content-Type", res.content_type)
        self.send_header("Content-Length", str(len(res.body)))
        if res.status == 200:
            self.send_header("ETag", res.etag)
            if res.last_modified is not None:
                self.send_header("Last-Modified", http_date(res.last_modified))
        for name, value in res.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(res.body)


class Replicas(dict):
    """``{site_id: base_url}``; ``.servers`` holds the running :class:`ReplicaServer` objects."""

    servers: dict[str, ReplicaServer]


@contextmanager
def serve(
    site_ids: Iterable[str] | str,
    host: str = "127.0.0.1",
    ports: dict[str, int] | None = None,
) -> Iterator[Replicas]:
    """Serve each site on its own port (a free one unless ``ports`` names it) until exit."""
    if isinstance(site_ids, str):
        site_ids = [site_ids]
    running: list[tuple[ReplicaServer, threading.Thread]] = []
    try:
        for site_id in site_ids:
            srv = ReplicaServer(site_id, host, (ports or {}).get(site_id, 0))
            thread = threading.Thread(
                target=srv.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"replica-{site_id}",
                daemon=True,
            )
            thread.start()
            running.append((srv, thread))
        urls = Replicas({srv.site_id: srv.base_url for srv, _ in running})
        urls.servers = {srv.site_id: srv for srv, _ in running}
        yield urls
    finally:
        for srv, thread in running:
            srv.shutdown()
            srv.server_close()
            thread.join(timeout=5)
