"""`python -m replica.demo` (what `make demo` runs): a real crawl, offline.

Serves the bundled replicas on 127.0.0.1, runs the real spider against each one exactly as a
user would (`scrapy crawl <source> -a base_url=…`), writes one JSON Lines file per source under
data/demo/, and prints what was written.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from replica.server import serve
from replica.site import SITE_IDS

# Politeness delays are for real sites; the replica is on this machine.
LOCAL_SETTINGS = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_START_DELAY=0.1"]


def crawl(source: str, base_url: str, out: Path) -> subprocess.Popen:
    # The demo's own state, so that it never mixes with real crawls' and starts afresh.
    state = out.parent / f"{source}.state.sqlite3"
    for leftover in state.parent.glob(f"{state.name}*"):
        leftover.unlink()
    command = [
        sys.executable, "-m", "scrapy", "crawl", source, "-a", f"base_url={base_url}",
        "-O", str(out), "-s", "LOG_LEVEL=WARNING", "-s", f"NEWSCRAWL_STATE_PATH={state}",
        "-s", f"NEWSCRAWL_RUNS_DIR={out.parent / 'runs'}", *LOCAL_SETTINGS,
    ]  # fmt: skip
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"}
    print("$", " ".join(command[2:]), flush=True)
    return subprocess.Popen(command, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m replica.demo", description=__doc__)
    parser.add_argument("--port-base", type=int, default=8801, help="port of the first site")
    parser.add_argument("--out", type=Path, default=Path("data/demo"), help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    ports = {site_id: args.port_base + i for i, site_id in enumerate(SITE_IDS)}
    with serve(SITE_IDS, ports=ports) as bases:
        outputs = {site_id: args.out / f"{site_id}.jsonl" for site_id in SITE_IDS}
        runs = {site_id: crawl(site_id, bases[site_id], outputs[site_id]) for site_id in SITE_IDS}
        failed = [site_id for site_id, run in runs.items() if run.wait() != 0]

    for site_id, path in outputs.items():
        records = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
        print(f"\n{site_id}: {len(records)} articles → {path}")
        for record in records:
            print(f"  {record['date']}  {record['title']}")
    sample = json.loads(outputs[SITE_IDS[0]].read_text("utf-8").splitlines()[0])
    sample["body"] = sample["body"][:300] + "…"
    print("\none record, body shortened:\n" + json.dumps(sample, ensure_ascii=False, indent=2))
    if failed:
        print(f"\ncrawl failed for: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
