"""`newscrawl` command line: extract records from stored pages, list the sources, write the
health report of a data folder."""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import zlib
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

from newscrawl import check
from newscrawl.charset import mislabeled_utf8, repair_page_mojibake
from newscrawl.extract.article import NotAnArticle, extract_article, parse_page
from newscrawl.extract.metadata import read_metadata
from newscrawl.pipelines.validate import REQUIRED
from newscrawl.record import schema_errors
from newscrawl.settings import DOWNLOAD_MAXSIZE
from newscrawl.sources import UnknownSource, get_source, load_sources, source_for_url

# Python codecs that decode bytes but no web page: they read "\ud800" written in the page as a
# lone surrogate, which no UTF-8 output (nor the parser) can hold.
_ESCAPE_CODECS = frozenset({"unicode-escape", "raw-unicode-escape"})


class PageTooLarge(ValueError):
    pass


def read_page(path: Path) -> str:
    """A stored page as text, gunzipped if needed, decoded the way Scrapy decodes a response
    (BOM, then <meta charset>, then a guess) and repaired as the crawl repairs it
    (newscrawl/charset.py), so that a page gives the record a crawl of it would write."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        # The crawl's own bound: a stored page that unpacks to more is a gzip bomb.
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as packed:
            raw = packed.read(DOWNLOAD_MAXSIZE + 1)
        if len(raw) > DOWNLOAD_MAXSIZE:
            raise PageTooLarge(f"unpacks to more than {DOWNLOAD_MAXSIZE // 2**20} MiB")
    return repair_page_mojibake(_decode(raw))


def _decode(raw: bytes) -> str:
    declared = html_body_declared_encoding(raw)
    if declared is None or resolve_encoding(declared) not in _ESCAPE_CODECS:
        try:
            encoding, text = html_to_unicode(None, raw)
        except (LookupError, UnicodeError):
            pass  # a codec that is no text encoding ("rot13") or cannot decode ("idna")
        else:
            return raw.decode("utf-8") if mislabeled_utf8(raw, encoding) else text
    # A declaration no browser would follow is as good as none.
    return html_to_unicode("text/html; charset=utf-8", raw)[1]


def _http_url(text: str | None) -> str | None:
    """`text` when it is an absolute http(s) URL that parses, else None."""
    text = (text or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # "http://[broken": an IPv6 bracket left open
        return None
    return text if parts.scheme in ("http", "https") and parts.hostname else None


def _extract_one(path: Path, url: str | None, source_id: str | None) -> int:
    sel = parse_page(read_page(path))
    # A canonical link that is relative or broken is no address: the file's own is used.
    url = url or _http_url(read_metadata(sel).canonical_url) or path.resolve().as_uri()
    source = get_source(source_id) if source_id else source_for_url(url)
    try:
        article = extract_article(
            sel, url, source, crawled_at=datetime.now(UTC).isoformat(timespec="seconds")
        )
    except NotAnArticle as exc:
        print(f"{path}: no article: {exc}", file=sys.stderr)
        return 1
    record = asdict(article)
    problems = [f"missing {f}" for f in REQUIRED if not record.get(f)] or schema_errors(record)
    if problems:
        # Only records a crawl would write go to stdout, so `extract pages/* > out.jsonl` is clean.
        print(f"{path}: a crawl would drop this record: {'; '.join(problems)}", file=sys.stderr)
        return 1
    print(json.dumps(record, ensure_ascii=False))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    if args.url and len(args.pages) > 1:
        print("--url names one page's address: give one PAGE with it", file=sys.stderr)
        return 2
    if args.url and not _http_url(args.url):
        print(f"--url {args.url!r} is no http(s) address", file=sys.stderr)
        return 2
    status = 0
    for page in args.pages:
        try:
            status |= _extract_one(Path(page), args.url, args.source)
        # gzip raises the first three on a bad file.
        except (OSError, EOFError, zlib.error, PageTooLarge) as exc:
            print(f"{page}: cannot read: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
            status |= 1
    return status


def cmd_sources(args: argparse.Namespace) -> int:
    """One row per source; the table and --json carry the same keys. `merged_into` is the
    current source a former outlet merged into (null, `-` in the table, for a current one)."""
    rows = [
        {
            "id": s.id,
            "province": s.province,
            "outlet": s.name,
            "profile": s.profile,
            "merged_into": s.merged_into,
            "start_points": [*s.feeds, *s.sitemaps, *s.listings],
        }
        for s in load_sources().values()
    ]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0

    def table_cell(value: str | list[str] | None) -> str:
        return " ".join(value) if isinstance(value, list) else value or "-"

    table = [tuple(rows[0])] + [tuple(map(table_cell, row.values())) for row in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    # Imported here: the report's plotting library takes half a second to import, which every
    # other command (`extract` runs once per page in scripts) would pay for nothing.
    from newscrawl import report

    return report.main(Path(args.data_dir), args.output and Path(args.output), args.days)


def _days(text: str) -> int:
    days = int(text)
    if not 1 <= days <= 366:
        raise argparse.ArgumentTypeError("give a number of days from 1 to 366")
    return days


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newscrawl", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="print the record of stored pages (.html or .html.gz), one JSON line each"
    )
    extract.add_argument("pages", nargs="+", metavar="PAGE")
    extract.add_argument("--url", help="the page's address (default: its canonical link)")
    extract.add_argument("--source", help="registry id (default: chosen by the URL's domain)")
    extract.set_defaults(run=cmd_extract)
    sources = commands.add_parser("sources", help="list the registry's sources")
    sources.add_argument("--json", action="store_true", help="one JSON object per line")
    sources.set_defaults(run=cmd_sources)
    report = commands.add_parser(
        "report", help="write one HTML page on the health of every source in a data folder"
    )
    report.add_argument("data_dir", metavar="DATA_DIR", help="the crawl's data folder, e.g. data")
    report.add_argument(
        "-o", "--output", metavar="FILE", help="the page to write (default: DATA_DIR/report.html)"
    )
    report.add_argument(
        "--days", type=_days, default=14, help="how many days back the page shows (default: 14)"
    )
    report.set_defaults(run=cmd_report)
    check_parser = commands.add_parser(
        "check", help="fetch sources' start points and a few articles: can they still be crawled?"
    )
    check.add_arguments(check_parser)
    check_parser.set_defaults(run=check.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except UnknownSource as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
