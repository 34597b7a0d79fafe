"""What a crawl remembers between runs, so that a cron run fetches only what is new and a killed
run neither loses nor repeats a record (design.md §5).

The interface is deliberately small and storage-neutral: the embedded SQLite store lives here
today, a Redis store shared by many workers (design.md §1) will implement the same protocol.
Everything is keyed by source, so sources sharing one store never see each other's articles.

Contract for callers:

- `record_article` is durable when it returns. Call it only *after* the record has reached its
  output (flushed), so a kill between the two repeats at most that record and never loses it;
  the run's `outputs` are kept so the next run can reconcile an unfinished run's files with the
  state (records present there but not recorded here).
- `seen` answers from exact URL strings: canonicalize (tracking parameters, mobile host, …)
  before asking, and pass every variant you met to `record_article` so each one maps to the
  article.
- Ids and hashes are lowercase hex strings; anything else is a `ValueError`, because a hash that
  compares unequal only by case would silently write a duplicate.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ArticleState", "RunInfo", "StateStore", "open_state"]


@dataclass(frozen=True)
class ArticleState:
    """The last version of an article that was durably written, enough to tell whether a page
    fetched again is new, unchanged or an update (and which version number that update gets)."""

    id: str  # 40-hex SHA-1 of the canonical URL (newscrawl.record.article_id)
    url: str  # the canonical URL
    content_hash: str  # hex
    date: str | None  # ISO 8601, returned exactly as given
    date_modified: str | None  # ISO 8601, returned exactly as given
    version: int  # 1 for the first written version
    last_written: str  # ISO 8601 UTC, when that version was durably written


@dataclass(frozen=True)
class RunInfo:
    """One crawl run of one source; a run with no `finished_at` was killed (or is still going),
    and its `outputs` are where to look for records it wrote but never recorded."""

    id: int
    source: str
    started_at: str
    finished_at: str | None  # None: the run never finished (killed or still running)
    status: str | None  # e.g. "finished", "unreachable", "failed", "locked"
    outputs: tuple[str, ...]  # output files (paths/URIs) the run wrote to
    report: dict | None


class StateStore(Protocol):
    """Per-source memory of a crawl. Every write is committed before the method returns."""

    def seen(self, source: str, urls: Iterable[str]) -> set[str]:
        """The URLs among `urls` ever recorded for an article of `source` (canonical or alias),
        so discovery can skip them: one round trip per batch, whatever its size."""
        ...

    def article(self, source: str, article_id: str) -> ArticleState | None:
        """The last written version, to compare a refetched page's content hash against."""
        ...

    def record_article(
        self,
        source: str,
        state: ArticleState,
        urls: Iterable[str] = (),
        fingerprint: str | None = None,
        *,
        credit: str | None = None,
        original: bool = False,
    ) -> None:
        """Insert or replace the article's state and map `state.url` and every URL in `urls` to
        it, and the text `fingerprint` (hex, with the outlet the text credits) to it unless
        another article had it first — or this one is the `original` of that earlier copy — in
        one transaction: after return, a `kill -9` cannot undo it."""
        ...

    def first_with_fingerprint(self, fingerprint: str) -> tuple[str, str, str | None] | None:
        """(source, article id, credit) of the article that holds this text fingerprint, in any
        source: how a copy under another URL or outlet is recognised, and whom it credited."""
        ...

    def record_gone(self, source: str, urls: Iterable[str]) -> None:
        """URLs that answered for good without an article (404, 410, a page that is no article,
        one published before `since`): `seen` counts them, so no later run asks for them."""
        ...

    def record_signature(
        self,
        source: str,
        article_id: str,
        signature: bytes,
        bands: Sequence[int],
        at: str,
        credit: str | None = None,
    ) -> None:
        """Keep a written article's MinHash signature, and the outlet its text credits, indexed
        under its LSH band keys (`newscrawl.extract.similarity`), dated `at` (ISO 8601) for
        `forget_signatures`."""
        ...

    def near_candidates(self, bands: Sequence[int]) -> list[tuple[str, str, bytes, str | None]]:
        """(source, article id, signature, credit) of every kept signature sharing a band key:
        the articles, in any source, worth comparing with a new text."""
        ...

    def forget_signatures(self, before: str) -> int:
        """Drop signatures recorded before `before` (ISO 8601): republications follow the
        original within days, and the index stays small. Returns how many were dropped."""
        ...

    def validators(self, source: str, url: str) -> tuple[str | None, str | None] | None:
        """(ETag, Last-Modified) last saved for a feed or sitemap URL, for a conditional GET;
        None when nothing was saved."""
        ...

    def save_validators(
        self, source: str, validators: Mapping[str, tuple[str | None, str | None]]
    ) -> None:
        """Save (ETag, Last-Modified) per URL, all or none: validators are saved at the end of a
        run, and a partial save would make the next run skip a feed it never fully read."""
        ...

    def start_run(self, source: str, started_at: str, outputs: Sequence[str]) -> int:
        """Record a run as started (committed at once, so a killed run stays visible)."""
        ...

    def finish_run(self, run_id: int, finished_at: str, status: str, report: dict) -> None:
        """Close a run; raises KeyError for an unknown id."""
        ...

    def last_run(self, source: str, *, finished_only: bool = False) -> RunInfo | None:
        """The most recently started run (or the most recently started one that finished)."""
        ...

    def runs(self, source: str, limit: int = 10) -> list[RunInfo]:
        """The latest runs, newest first."""
        ...

    def prune_runs(self, source: str, keep: int) -> int:
        """Forget all but the `keep` latest runs (at least one): a cron run every few minutes
        would otherwise grow the history without bound. Returns how many were removed."""
        ...

    def article_count(self, source: str) -> int:
        """Articles recorded for `source` (not URLs: aliases are not counted)."""
        ...

    def close(self) -> None: ...


def open_state(path: str | os.PathLike) -> StateStore:
    """The embedded SQLite store at `path` (parent folders and schema created as needed); safe to
    open from several processes at once."""
    from newscrawl.state.sqlite import SQLiteStateStore

    return SQLiteStateStore(path)
