"""A fault-injecting HTTP server on 127.0.0.1 for the hostile-site tests (issue 6).

Each route is a function that writes the whole response itself through the request handler, so
it can do what a broken or hostile server does: reset the connection, stall, stop halfway,
lie about the charset, redirect in a loop.

    def reset(handler):
        handler.close_connection = True
        handler.connection.shutdown(socket.SHUT_RDWR)

    with serve_hostile({"/reset": reset}) as server:
        server.base_url  # "http://127.0.0.1:54321"
        server.hits["/reset"]  # how many times it was requested
        server.hit_times["/reset"]  # when (time.monotonic()), to check a client's pauses

Routes match the path without its query; unknown paths get a plain 404. A route that stalls
waits on ``server.closing``, which is set when the server stops, so that no handler outlives
the test. `replica.faults` holds the routes of a whole misbehaving site.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

Route = Callable[[BaseHTTPRequestHandler], None]


def send(
    handler: BaseHTTPRequestHandler,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> None:
    """A complete, well-formed response (the routes that misbehave write their own)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


class HostileServer(ThreadingHTTPServer):
    """Serves ``routes``; ``hits`` counts requests per path, ``hit_times`` says when they came,
    ``requests`` lists the raw paths."""

    daemon_threads = True
    allow_reuse_address = True
    # A stalled route must not keep the test process alive at exit.
    block_on_close = False

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.routes = dict(routes)
        self.base_url = f"http://{host}:{self.server_port}"
        self.hits: Counter[str] = Counter()
        self.hit_times: defaultdict[str, list[float]] = defaultdict(list)
        self.requests: list[str] = []
        self.closing = threading.Event()

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (a timeout, a size limit) or a route that broke the connection
        # on purpose is what this server is for, not an error of it: no traceback on stderr.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path or "/"
        self.server.hits[path] += 1
        self.server.hit_times[path].append(time.monotonic())
        self.server.requests.append(self.path)
        route = self.server.routes.get(path)
        if route is None:
            send(self, b"Not Found\n", "text/plain; charset=utf-8", status=404)
        else:
            route(self)

    do_HEAD = do_GET


@contextmanager
def serve_hostile(routes: dict[str, Route], host: str = "127.0.0.1") -> Iterator[HostileServer]:
    server = HostileServer(routes, host)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.closing.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
