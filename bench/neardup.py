"""Near-duplicate matching on the labeled pairs of tests/neardup_pairs.py: precision, recall and
F1 of `is_near_duplicate` per threshold, the threshold in use, signature time per article and
bytes per signature.

    python bench/neardup.py                                  # the defaults
    python bench/neardup.py --shingles 3,4,5 --perms 32,64   # compare parameters

Needs ../shared/fixtures (or $NEWSCRAWL_SHARED).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# The repository, not this folder, goes first: bench/incremental.py would shadow the
# `incremental` package that Twisted imports.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from newscrawl.extract import similarity as sim  # noqa: E402
from tests.neardup_pairs import FixturesMissing, build_pairs, counts  # noqa: E402


def scores(pairs, k: int, num_perm: int) -> list[tuple[float, bool]]:
    """(estimated Jaccard, label) per pair; -1 where a text is too short to be matched."""
    out = []
    for p in pairs:
        if sim.matchable(p.a) and sim.matchable(p.b):
            s = sim.signature(p.a, k=k, num_perm=num_perm).jaccard(
                sim.signature(p.b, k=k, num_perm=num_perm)
            )
        else:
            s = -1.0
        out.append((float(s), p.duplicate))
    return out


def prf(rows: list[tuple[float, bool]], threshold: float) -> tuple[float, float, float, int, int]:
    tp = sum(1 for s, d in rows if s >= threshold and d)
    fp = sum(1 for s, d in rows if s >= threshold and not d)
    fn = sum(1 for s, d in rows if s < threshold and d)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, fp, fn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shingles", default=str(sim.SHINGLE_WORDS), help="k values, e.g. 3,4,5")
    ap.add_argument("--perms", default=str(sim.NUM_PERM), help="num_perm values, e.g. 32,64")
    args = ap.parse_args(argv)
    try:
        pairs = build_pairs()
    except FixturesMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    positives = sum(p.duplicate for p in pairs)
    print(f"labeled pairs: {len(pairs)} ({positives} positive, {len(pairs) - positives} negative)")
    for kind, n in counts(pairs).items():
        print(f"  {kind:<16}{n:>4}")
    thresholds = [round(0.20 + 0.05 * i, 2) for i in range(13)]
    for k in (int(x) for x in args.shingles.split(",")):
        for num_perm in (int(x) for x in args.perms.split(",")):
            rows = scores(pairs, k, num_perm)
            print(f"\nshingle words {k}, num_perm {num_perm} ({sim.VALUE_BITS}-bit values)")
            print(
                f"  {'threshold':>9} {'precision':>9} {'recall':>7} {'F1':>6} {'FP':>4} {'FN':>4}"
            )
            for t in thresholds:
                p, r, f, fp, fn = prf(rows, t)
                mark = "  <- THRESHOLD" if abs(t - sim.THRESHOLD) < 1e-9 else ""
                print(f"  {t:>9.2f} {p:>9.3f} {r:>7.3f} {f:>6.3f} {fp:>4} {fn:>4}{mark}")
            neg = [s for s, d in rows if not d and s >= 0]
            pos = [s for s, d in rows if d and s >= 0]
            print(f"  highest negative {max(neg):.3f}, lowest positive {min(pos):.3f}")
    p, r, f, fp, fn = prf(scores(pairs, sim.SHINGLE_WORDS, sim.NUM_PERM), sim.THRESHOLD)
    print(
        f"\nchosen: THRESHOLD={sim.THRESHOLD}, SHINGLE_WORDS={sim.SHINGLE_WORDS}, "
        f"NUM_PERM={sim.NUM_PERM}: precision {p:.3f}, recall {r:.3f}, F1 {f:.3f} "
        f"({fp} false positives, {fn} false negatives)"
    )
    texts = list(dict.fromkeys(t for pr in pairs if pr.duplicate for t in (pr.a, pr.b)))
    start = time.perf_counter()
    sigs = [sim.signature(t) for t in texts]
    elapsed = time.perf_counter() - start
    words = sum(len(sim.words(t)) for t in texts) / len(texts)
    print(
        f"signature: {elapsed / len(texts) * 1000:.2f} ms per article ({len(texts)} articles, "
        f"{words:.0f} words on average); {len(sim.to_bytes(sigs[0]))} bytes per signature "
        f"(to_bytes; datasketch's own serialization: {sigs[0].bytesize()} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
