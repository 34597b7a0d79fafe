"""Size and speed of the SQLite state store as a source's history grows.

    python bench/state.py [--sizes 1000,10000,100000] [--samples 300]

For each size, a fresh store is filled through `record_article` (one committed transaction per
article, as a crawl does) with articles shaped like Báo Hà Tĩnh's: a canonical URL
`https://baohatinh.vn/<60-char slug>-post<6 digits>.html` plus its mobile-host alias, SHA-1
content hash, publication date with +07:00 offset, a modification date on a third of them, a
few second versions. Then it prints the file size after a checkpoint (database + WAL), bytes
per article, and the median time of `seen()` on a batch of 50 URLs (half known, as a listing
page of a site crawled every few minutes) and of `record_article` (new articles and new versions
of known ones) on the filled store.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository, not this folder, goes first: bench/incremental.py would shadow the
# `incremental` package that Twisted imports.
sys.path[0] = str(REPO)

from bench.common import file_size, timed  # noqa: E402
from newscrawl.record import article_id  # noqa: E402
from newscrawl.state import ArticleState, StateStore, open_state  # noqa: E402

SOURCE = "baohatinh"
VN = timezone(timedelta(hours=7))
VOCABULARY = (  # words of Vietnamese headlines, without diacritics as in slugs
    "ha tinh tinh uy ubnd huyen xa thi tran nong dan lua vu xuan he thu mua lu bao so ngap "
    "giao thong duong bo cau cang vung ang dau tu du an khoi cong hoan thanh nghiem thu hoi "
    "nghi tong ket trien khai ke hoach phong chong thien tai cuu tro nhan dan dia phuong "
    "giao duc hoc sinh thi tot nghiep y te benh vien kinh te du lich bien thien cam"
)
WORDS = VOCABULARY.split()


def slug(rng: random.Random) -> str:
    text = ""
    while len(text) < 60:
        text += rng.choice(WORDS) + "-"
    return text[:60].strip("-").ljust(60, "x")


def article_urls(rng: random.Random, post: int) -> tuple[str, str]:
    path = f"{slug(rng)}-post{post}.html"
    return f"https://baohatinh.vn/{path}", f"https://m.baohatinh.vn/{path}"


def article_state(rng: random.Random, url: str, version: int = 1) -> ArticleState:
    published = datetime(2020, 1, 1, tzinfo=VN) + timedelta(seconds=rng.randrange(6 * 365 * 86400))
    modified = published + timedelta(hours=rng.randrange(1, 48)) if rng.random() < 0.33 else None
    written = datetime.now(UTC).replace(microsecond=0)
    return ArticleState(
        id=article_id(url),
        url=url,
        content_hash=hashlib.sha1(
            f"{url}#{version}".encode()
        ).hexdigest(),  # as record.content_hash
        date=published.isoformat(),
        date_modified=modified.isoformat() if modified else None,
        version=version,
        last_written=written.isoformat(),
    )


def bench(size: int, samples: int, folder: Path) -> str:
    rng = random.Random(size)
    path = folder / f"state-{size}.db"
    store: StateStore = open_state(path)
    try:
        posts = rng.sample(range(100000, 1000000), size + samples)
        known: list[tuple[str, str]] = []
        fill = 0.0
        for post in posts[:size]:
            urls = article_urls(rng, post)
            version = 2 if rng.random() < 0.05 else 1
            state = article_state(rng, urls[0], version)
            # Every written article also owns its text's fingerprint, as in a crawl.
            fill += timed(store.record_article, SOURCE, state, urls, f"{rng.getrandbits(160):040x}")
            known.append(urls)
        size_bytes = file_size(path)

        fresh = [article_urls(rng, post) for post in posts[size:]]
        seen_times = []
        for _ in range(samples):
            batch = [urls[rng.randrange(2)] for urls in rng.sample(known, 25)]
            batch += [urls[rng.randrange(2)] for urls in rng.sample(fresh, 25)]
            rng.shuffle(batch)
            seen_times.append(timed(store.seen, SOURCE, batch))
            assert len(store.seen(SOURCE, batch)) == 25

        record_times = []
        for n in range(samples):
            if n % 2:  # a new version of a known article
                urls = rng.choice(known)
                state = article_state(rng, urls[0], version=3)
            else:
                urls = fresh[n]
                state = article_state(rng, urls[0])
            record_times.append(timed(store.record_article, SOURCE, state, urls))
        assert store.article_count(SOURCE) == size + (samples + 1) // 2
    finally:
        store.close()
    return (
        f"{size:>8} articles  {size_bytes / 1e6:8.2f} MB  {size_bytes / size:6.0f} B/article"
        f"  seen(50) {statistics.median(seen_times) * 1e6:6.0f} µs"
        f"  record_article {statistics.median(record_times) * 1e6:6.0f} µs"
        f"  (fill {fill:5.1f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated")
    parser.add_argument("--samples", type=int, default=300, help="timed calls per measure")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"SQLite {sqlite3.sqlite_version}, 2 URLs per article, medians of {args.samples} calls")
    with tempfile.TemporaryDirectory(prefix="newscrawl-bench-state-") as folder:
        for size in sizes:
            print(bench(size, args.samples, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
