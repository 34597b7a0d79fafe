"""Extraction speed and accuracy, newscrawl against trafilatura, measured in one run.

    python bench/extract.py [--repeat N]

Speed: median time per page of newscrawl's full record (parse + extraction + normalization),
of trafilatura's bare_extraction(with_metadata=True), and of lxml parsing alone; then the two
ratios (targets on the stored pages: ≤ 0.33 × trafilatura, ≤ 3 × parse), and the same for the
replica pages. Accuracy: on every page with a known
record, which fields each tool gets exactly right and how many body paragraphs it finds and
keeps clean — the measurement behind using our own cascade, not trafilatura, as the generic
fallback.

Pages: every golden page (tests/golden/*.json; the shared real pages when ../shared is there)
and every article page of the bundled replicas; speed is shown for the real pages and for the
pages written for newscrawl separately.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import lxml.html
import trafilatura
from parsel import Selector

REPO = Path(__file__).resolve().parents[1]
# The repository, not this folder, goes first: bench/incremental.py would shadow the
# `incremental` package that Twisted imports.
sys.path[0] = str(REPO)

from newscrawl.cli import read_page  # noqa: E402
from newscrawl.extract.article import extract_article  # noqa: E402
from newscrawl.sources import Source, get_source  # noqa: E402
from replica.expected import expected_records  # noqa: E402
from replica.site import SITE_IDS, render_article_pages  # noqa: E402
from tests.conftest import GOLDEN, SHARED  # noqa: E402


@dataclass
class StoredPage:
    name: str
    url: str
    html: str
    expected: dict
    source: Source | None
    fetched: bool = False  # a real page as a site served it, not one written for newscrawl


def golden_pages() -> list[StoredPage]:
    pages = []
    for case in sorted(GOLDEN.glob("*.json")):
        golden = json.loads(case.read_text("utf-8"))
        name = golden["page"]
        path = (
            SHARED / name.removeprefix("shared:") if name.startswith("shared:") else GOLDEN / name
        )
        if path.exists():
            source = get_source(golden["source"]) if golden["source"] else None
            url = golden["url"] or golden["record"]["url"]
            fetched = golden["origin"]["fetched"]
            page = StoredPage(case.stem, url, read_page(path), golden["record"], source, fetched)
            pages.append(page)
    return pages


def replica_pages() -> list[StoredPage]:
    pages = []
    for port, site_id in enumerate(SITE_IDS, start=8801):
        base = f"http://127.0.0.1:{port}"
        expected = {r["url"]: r for r in expected_records(site_id, base)}
        source = get_source(site_id).rebased(base)
        for url, html in render_article_pages({site_id: base}):
            name = f"{site_id}:{url.removeprefix(base)}"
            pages.append(StoredPage(name, url, html, expected[url], source))
    return pages


def full_record(page: StoredPage):
    return extract_article(Selector(text=page.html), page.url, page.source)


def trafilatura_record(page: StoredPage):
    return trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _paragraphs(text: str | None) -> set[str]:
    return {" ".join(p.split()) for p in (text or "").splitlines() if p.strip()}


def accuracy(pages: list[StoredPage]) -> None:
    print("\naccuracy (✓ = exactly right; body = paragraphs found/expected, right/returned)")
    print(f"{'page':44} {'tool':12} title author date  lead  body")
    totals = {"newscrawl": [0, 0], "trafilatura": [0, 0]}
    for page in pages:
        want = page.expected
        doc = trafilatura_record(page).as_dict()
        theirs = {
            "title": doc.get("title"),
            "author": [a.strip() for a in (doc.get("author") or "").split(";") if a.strip()],
            "date": doc.get("date"),
            "lead": doc.get("description"),
            "body": doc.get("text"),
        }
        expected_paragraphs = _paragraphs(want["body"].replace("\n\n", "\n"))
        for tool, got in (("newscrawl", asdict(full_record(page))), ("trafilatura", theirs)):
            found = _paragraphs((got["body"] or "").replace("\n\n", "\n"))
            hits = len(found & expected_paragraphs)
            marks = [
                got["title"] == want["title"],
                got["author"] == want["author"],
                (got["date"] or "")[:16] == want["date"][:16],
                got["lead"] == want["lead"],
            ]
            totals[tool][0] += sum(marks) + (found == expected_paragraphs)
            totals[tool][1] += len(marks) + 1
            cells = " ".join(f"{'✓' if ok else '✗':5}" for ok in marks)
            print(
                f"{page.name[:44]:44} {tool:12} {cells} {hits}/{len(expected_paragraphs)} "
                f"{hits}/{len(found)}"
            )
    for tool, (right, fields) in totals.items():
        print(f"{tool}: {right}/{fields} fields exactly right (body counted as one field)")


def speed(pages: list[StoredPage], repeat: int, label: str) -> None:
    ours, theirs, parse = [], [], []
    for page in pages:
        ours.append(median_seconds(partial(full_record, page), repeat))
        theirs.append(median_seconds(partial(trafilatura_record, page), repeat))
        parse.append(median_seconds(partial(lxml.html.document_fromstring, page.html), repeat))
        print(
            f"{page.name[:56]:56} {len(page.html) / 1024:5.0f} KiB  newscrawl {ours[-1] * 1e3:5.2f}"
            f" ms  trafilatura {theirs[-1] * 1e3:6.2f} ms  parse {parse[-1] * 1e3:5.2f} ms"
        )
    m_ours, m_theirs, m_parse = map(statistics.median, (ours, theirs, parse))
    print(
        f"{label}: {len(pages)} pages; median per page: newscrawl {m_ours * 1e3:.2f} ms, "
        f"trafilatura {m_theirs * 1e3:.2f} ms, lxml parse {m_parse * 1e3:.2f} ms\n"
        f"  newscrawl / trafilatura = {m_ours / m_theirs:.2f}  (target ≤ 0.33)\n"
        f"  newscrawl / parse-only  = {m_ours / m_parse:.2f}  (target ≤ 3)\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per page and tool")
    args = parser.parse_args()
    stored = golden_pages()
    replicas = [p for p in stored if not p.fetched] + replica_pages()
    speed([p for p in stored if p.fetched], args.repeat, "real pages, as fetched")
    # Pages written for newscrawl are lean (14-40 KiB, little chrome), so fixed per-page
    # costs weigh more than on real pages.
    speed(replicas, args.repeat, "replica pages")
    accuracy(stored + replica_pages())


if __name__ == "__main__":
    main()
