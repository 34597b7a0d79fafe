"""Cost of deduplication in the state store as the archive grows.

    python bench/dedup.py [--sizes 10000,100000,1000000] [--samples 300]

For each size, two fresh stores are filled with the same synthetic articles published over
five years, through the store's API as a crawl does: one without deduplication data, one with a
text fingerprint per article and, for the articles of the near-duplicate window
(NEWSCRAWL_NEAR_DUPLICATE_DAYS, 30 days), a MinHash signature with its LSH band keys; older
signatures are then forgotten, as at the end of a run. It prints the bytes per article the
deduplication data adds (file size difference, after a checkpoint), and the median time per
article of a lookup (exact fingerprint, then LSH candidates compared in full — what
DuplicatePipeline does) and of an insert (fingerprint and signature recorded). Targets:
≤ 0.5 ms per lookup at 1 M articles, ≤ 200 bytes per article.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# The repository, not this folder, goes first: bench/incremental.py would shadow the
# `incremental` package that Twisted imports.
sys.path[0] = str(REPO)

from datasketch import LeanMinHash  # noqa: E402

from bench.common import file_size, timed  # noqa: E402
from newscrawl.extract.similarity import (  # noqa: E402
    NUM_PERM,
    SCHEME,
    SEED,
    THRESHOLD,
    band_keys,
    from_bytes,
    to_bytes,
)
from newscrawl.record import article_id  # noqa: E402
from newscrawl.state import ArticleState, open_state  # noqa: E402

SOURCE = "baohatinh"
YEARS = 5
WINDOW = timedelta(days=30)
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def synthetic_signature(rng: np.random.Generator) -> LeanMinHash:
    values = rng.integers(0, 1 << 16, NUM_PERM, dtype=np.uint64)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def article(n: int, published: datetime) -> ArticleState:
    url = f"https://baohatinh.vn/bai-viet-so-{n}-post{100000 + n}.html"
    return ArticleState(
        id=article_id(url),
        url=url,
        content_hash=f"{n:040x}",
        date=published.isoformat(),
        date_modified=None,
        version=1,
        last_written=published.isoformat(),
    )


def lookup(store, fingerprint: str, sig: LeanMinHash) -> bool:
    if store.first_with_fingerprint(fingerprint):
        return True
    candidates = store.near_candidates(band_keys(sig))
    return any(from_bytes(stored).jaccard(sig) >= THRESHOLD for _, _, stored, _ in candidates)


def bench(size: int, samples: int, folder: Path) -> str:
    rng = np.random.default_rng(size)
    pyrng = random.Random(size)
    span = timedelta(days=365 * YEARS)
    dates = sorted(NOW - span * pyrng.random() for _ in range(size))
    plain, dedup = open_state(folder / f"plain-{size}.db"), open_state(folder / f"dedup-{size}.db")
    recent: list[tuple[str, LeanMinHash]] = []
    for n, published in enumerate(dates):
        state = article(n, published)
        plain.record_article(SOURCE, state)
        fingerprint = f"{n + 1:040x}"
        dedup.record_article(SOURCE, state, fingerprint=fingerprint)
        if published >= NOW - WINDOW:
            sig = synthetic_signature(rng)
            dedup.record_signature(
                SOURCE, state.id, to_bytes(sig), band_keys(sig), published.isoformat()
            )
            recent.append((fingerprint, sig))
    dedup.forget_signatures((NOW - WINDOW).isoformat())
    plain.close()
    dedup.close()
    extra = file_size(folder / f"dedup-{size}.db") - file_size(folder / f"plain-{size}.db")

    store = open_state(folder / f"dedup-{size}.db")
    lookups, inserts = [], []
    for i in range(samples):
        if i % 2 and recent:  # a copy of a recent article: found through its band keys
            _, sig = pyrng.choice(recent)
            fingerprint = f"{pyrng.getrandbits(160):040x}"
        else:  # a new text
            fingerprint, sig = f"{pyrng.getrandbits(160):040x}", synthetic_signature(rng)
        lookups.append(timed(lookup, store, fingerprint, sig))
        state = article(size + i, NOW)
        inserts.append(
            timed(store.record_article, SOURCE, state, (), fingerprint)
            + timed(
                store.record_signature,
                SOURCE,
                state.id,
                to_bytes(sig),
                band_keys(sig),
                NOW.isoformat(),
            )
        )
    store.close()
    return (
        f"{size:>9} articles ({len(recent):>6} in the window)  {extra / size:6.0f} B/article"
        f"  lookup {statistics.median(lookups) * 1e3:6.3f} ms"
        f"  insert {statistics.median(inserts) * 1e3:6.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated")
    parser.add_argument("--samples", type=int, default=300, help="timed lookups and inserts")
    args = parser.parse_args()
    print(
        f"SQLite {sqlite3.sqlite_version}; articles over {YEARS} years, window {WINDOW.days} days"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in map(int, args.sizes.split(",")):
            print(bench(size, args.samples, Path(tmp)), flush=True)
    print("targets: lookup ≤ 0.5 ms at 1 M articles; ≤ 200 B per article")


if __name__ == "__main__":
    main()
