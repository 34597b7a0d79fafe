"""``python -m replica serve [--port-base 8801]``: serve the replica sites until SIGTERM/SIGINT.

qbtv listens on the port base, baohatinh on port base + 1; one line per site is printed:
``qbtv http://127.0.0.1:8801``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from replica.server import serve
from replica.site import SITE_IDS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    srv = sub.add_parser("serve", help="serve the replica sites on 127.0.0.1")
    srv.add_argument("--port-base", type=int, default=8801, help="port of the first site (8801)")
    srv.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    srv.add_argument(
        "--sites",
        default=",".join(SITE_IDS),
        help=f"comma-separated site ids, in port order ({','.join(SITE_IDS)})",
    )
    args = parser.parse_args(argv)

    site_ids = [s.strip() for s in args.sites.split(",") if s.strip()]
    unknown = sorted(set(site_ids) - set(SITE_IDS))
    if unknown:
        parser.error(f"unknown site(s): {', '.join(unknown)}")
    ports = {site_id: args.port_base + i for i, site_id in enumerate(site_ids)}

    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with serve(site_ids, host=args.host, ports=ports) as urls:
        for site_id in site_ids:
            print(f"{site_id} {urls[site_id]}", flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
