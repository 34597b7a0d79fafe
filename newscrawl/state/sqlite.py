"""The embedded state store: one SQLite file under data/, shared safely by the processes of one
machine (cron runs that overlap, a `newscrawl` command reading while a crawl writes).

Why it is built the way it is:

- WAL journal: readers never wait for the writer and the writer never waits for readers; two
  writers take turns (`BEGIN IMMEDIATE` plus a busy timeout), never fail with "locked".
- Every write method is one transaction, committed before it returns.
- Compact, because a source is crawled for years: ids and hashes are stored as bytes, times as
  one packed integer (the ISO text only when packing would not give back the exact string),
  each URL's text once, sources as small integers, tables clustered on their key
  (`WITHOUT ROWID`) so the key is not stored twice.

Schema, version 2 (`PRAGMA user_version`; older versions migrate in `_migrate`):

    source    (id INTEGER PRIMARY KEY, name TEXT UNIQUE)
    article   (source, id BLOB[20], url TEXT, content_hash BLOB, date, date_modified,
               version INTEGER, last_written)                   PRIMARY KEY (source, id)
    url       (source, url TEXT, article BLOB[20])              PRIMARY KEY (source, url)
    validator (source, url TEXT, etag TEXT, last_modified TEXT) PRIMARY KEY (source, url)
    run       (id INTEGER PRIMARY KEY AUTOINCREMENT, source, started_at TEXT,
               finished_at TEXT, status TEXT, outputs TEXT (JSON array), report TEXT (JSON))
    fingerprint (hash BLOB PRIMARY KEY, source, article BLOB[20], credit TEXT)
               (version 2; across sources: who showed a text first, and whom it credited)

`url` also holds URLs that answered without an article (`record_gone`), mapped to 20 zero bytes.
It holds only the URLs an article is known by *besides* its canonical URL (the canonical one
is found through `article.id` = SHA-1 of the URL, and its text is `article.url`). The time
columns hold `unix_seconds << 12 | code` where code is 0 for a time without offset, 1 for a
`Z` suffix, else the UTC offset in minutes + 2048; in SQL, `date >> 12` is the Unix time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from newscrawl.state import ArticleState, RunInfo

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE source (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
-- The time columns have no declared type on purpose: no affinity, so a packed integer stays an
-- integer and a fallback ISO string stays text (INTEGER affinity would turn "2024" into 2024).
CREATE TABLE article (
    source INTEGER NOT NULL,
    id BLOB NOT NULL,
    url TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    date,
    date_modified,
    version INTEGER NOT NULL,
    last_written NOT NULL,
    PRIMARY KEY (source, id)
) WITHOUT ROWID;
CREATE TABLE url (
    source INTEGER NOT NULL,
    url TEXT NOT NULL,
    article BLOB NOT NULL,
    PRIMARY KEY (source, url)
) WITHOUT ROWID;
CREATE TABLE validator (
    source INTEGER NOT NULL,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    PRIMARY KEY (source, url)
) WITHOUT ROWID;
-- AUTOINCREMENT: a run id is never reused, as logs and output files may name it.
CREATE TABLE run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT,
    outputs TEXT NOT NULL,
    report TEXT
);
-- Entries are (source, rowid): serves both "runs of a source, newest first" queries.
CREATE INDEX run_by_source ON run (source);
"""

# Version 2: body fingerprints, across sources, to write an article's text once; MinHash
# signatures of recent articles with their LSH band keys, to find edited copies.
_FINGERPRINTS = """
CREATE TABLE fingerprint (
    hash BLOB PRIMARY KEY,
    source INTEGER NOT NULL,
    article BLOB NOT NULL,
    credit TEXT
) WITHOUT ROWID;
CREATE TABLE signature (
    id INTEGER PRIMARY KEY,
    source INTEGER NOT NULL,
    article BLOB NOT NULL,
    signature BLOB NOT NULL,
    recorded INTEGER NOT NULL,
    credit TEXT
);
CREATE INDEX signature_by_time ON signature (recorded);
-- Keys first, then the small integer of the signature row: an entry is a few bytes.
CREATE TABLE band (
    key INTEGER NOT NULL,
    signature INTEGER NOT NULL,
    PRIMARY KEY (key, signature)
) WITHOUT ROWID;
"""

# Enough for any batch in one statement while staying under SQLite's oldest default limit of
# 999 bound parameters (seen() binds each URL twice).
_CHUNK = 400

_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_GONE = bytes(20)

_OFFSET_BITS = 12
_OFFSET_BIAS = 2048  # |offset| < 24 h = 1440 min, so offset + bias fits in 12 bits, above 1
_NAIVE, _ZULU = 0, 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)
_MINUTE = timedelta(minutes=1)


class SQLiteStateStore:
    """`newscrawl.state.StateStore` on one SQLite file; one instance per process (not for
    sharing between threads), any number of processes on the same file."""

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = 30.0) -> None:
        """`busy_timeout` (seconds) is how long a write waits for another process's write
        transaction before failing; a crawl's writes are short, so 30 s means something is
        stuck."""
        path = os.fspath(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions; each write opens BEGIN IMMEDIATE
        # itself, so it takes the write lock up front (waiting under the busy timeout) instead
        # of failing when a read transaction cannot be upgraded.
        self._db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        self._sources: dict[str, int] = {}
        try:
            mode = self._enable_wal(busy_timeout)
            if mode != "wal" and path != ":memory:":
                raise RuntimeError(f"{path}: SQLite cannot use WAL here (journal_mode={mode})")
            # NORMAL in WAL mode skips the fsync at commit, not the write: a committed
            # transaction is in the WAL file (the OS page cache) when COMMIT returns, so it
            # survives the process being killed (kill -9, OOM); only an OS crash or power loss
            # can drop the last commits, and even then the file stays consistent.
            self._db.execute("PRAGMA synchronous = NORMAL")
            # The WAL is checkpointed every ~4 MB (SQLite's default) but never shrinks by
            # itself; cap what stays on disk after a checkpoint.
            self._db.execute("PRAGMA journal_size_limit = 8388608")
            self._init_schema(path)
        except BaseException:
            self._db.close()
            raise

    # -- articles ---------------------------------------------------------------------------

    def seen(self, source: str, urls: Iterable[str]) -> set[str]:
        wanted = _url_set(urls)
        source_id = self._source_id(source)
        if source_id is None or not wanted:
            return set()
        found: set[str] = set()
        pending = list(wanted)
        for start in range(0, len(pending), _CHUNK):
            chunk = pending[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            # A canonical URL is found by its hash through the article key (its text is checked
            # below, so an article whose id is not the hash of its URL cannot give a false hit);
            # every other URL is found in `url`.
            rows = self._db.execute(
                f"SELECT url FROM url WHERE source = ? AND url IN ({marks})"
                f" UNION ALL SELECT url FROM article WHERE source = ? AND id IN ({marks})",
                (source_id, *chunk, source_id, *map(_url_key, chunk)),
            ).fetchall()
            found.update(url for (url,) in rows if url in wanted)
        return found

    def article(self, source: str, article_id: str) -> ArticleState | None:
        key = _hex_bytes(article_id, "article_id", 20)
        source_id = self._source_id(source)
        if source_id is None:
            return None
        rows = self._db.execute(
            "SELECT url, content_hash, date, date_modified, version, last_written"
            " FROM article WHERE source = ? AND id = ?",
            (source_id, key),
        ).fetchall()
        if not rows:
            return None
        url, content_hash, date, date_modified, version, last_written = rows[0]
        return ArticleState(
            id=article_id,
            url=url,
            content_hash=content_hash.hex(),
            date=_unpack_time(date),
            date_modified=_unpack_time(date_modified),
            version=version,
            last_written=_unpack_time(last_written),
        )

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
        key = _hex_bytes(state.id, "ArticleState.id", 20)
        row = (
            key,
            state.url,
            _hex_bytes(state.content_hash, "ArticleState.content_hash"),
            _pack_time(state.date),
            _pack_time(state.date_modified),
            state.version,
            _pack_time(state.last_written),
        )
        aliases = _url_set(urls)
        aliases.add(state.url)
        source_id = self._ensure_source(source)
        with self._transaction():
            old = self._db.execute(
                "SELECT url FROM article WHERE source = ? AND id = ?", (source_id, key)
            ).fetchall()
            if old:
                # Only if the caller broke id = SHA-1(url): keep the old URL findable.
                aliases.add(old[0][0])
            if _url_key(state.url) == key:
                aliases.discard(state.url)  # found through the article key, stored once
            self._db.execute(
                "INSERT INTO article (source, id, url, content_hash, date, date_modified,"
                " version, last_written) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (source, id) DO UPDATE SET url = excluded.url,"
                " content_hash = excluded.content_hash, date = excluded.date,"
                " date_modified = excluded.date_modified, version = excluded.version,"
                " last_written = excluded.last_written",
                (source_id, *row),
            )
            self._db.executemany(
                "INSERT INTO url (source, url, article) VALUES (?, ?, ?)"
                " ON CONFLICT (source, url) DO UPDATE SET article = excluded.article"
                " WHERE article != excluded.article",
                ((source_id, url, key) for url in aliases),
            )
            if fingerprint is not None:
                # The first article to show a text keeps it, unless the original comes later.
                self._db.execute(
                    "INSERT INTO fingerprint (hash, source, article, credit) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (hash) DO "
                    + (
                        "UPDATE SET source = excluded.source, article = excluded.article,"
                        " credit = excluded.credit"
                        if original
                        else "NOTHING"
                    ),
                    (_hex_bytes(fingerprint, "fingerprint"), source_id, key, credit),
                )

    def record_signature(
        self,
        source: str,
        article_id: str,
        signature: bytes,
        bands: Sequence[int],
        at: str,
        credit: str | None = None,
    ) -> None:
        key = _hex_bytes(article_id, "article_id", 20)
        source_id = self._ensure_source(source)
        recorded = int(datetime.fromisoformat(at).timestamp())
        with self._transaction():
            # One signature per article: a new version replaces the old one.
            old = "SELECT id FROM signature WHERE source = ? AND article = ?"
            self._db.execute(f"DELETE FROM band WHERE signature IN ({old})", (source_id, key))
            self._db.execute(
                "DELETE FROM signature WHERE source = ? AND article = ?", (source_id, key)
            )
            row = self._db.execute(
                "INSERT INTO signature (source, article, signature, recorded, credit)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (source_id, key, signature, recorded, credit),
            ).fetchone()
            self._db.executemany(
                "INSERT OR IGNORE INTO band (key, signature) VALUES (?, ?)",
                ((band, row[0]) for band in bands),
            )

    def near_candidates(self, bands: Sequence[int]) -> list[tuple[str, str, bytes, str | None]]:
        if not bands:
            return []
        marks = ",".join("?" * len(bands))
        rows = self._db.execute(
            "SELECT source.name, signature.article, signature.signature, signature.credit"
            " FROM signature JOIN source ON source.id = signature.source WHERE signature.id IN"
            f" (SELECT signature FROM band WHERE key IN ({marks}))",
            tuple(bands),
        ).fetchall()
        return [(name, article.hex(), sig, credit) for name, article, sig, credit in rows]

    def forget_signatures(self, before: str) -> int:
        cutoff = int(datetime.fromisoformat(before).timestamp())
        with self._transaction():
            old = "SELECT id FROM signature WHERE recorded < ?"
            self._db.execute(f"DELETE FROM band WHERE signature IN ({old})", (cutoff,))
            return self._db.execute("DELETE FROM signature WHERE recorded < ?", (cutoff,)).rowcount

    def first_with_fingerprint(self, fingerprint: str) -> tuple[str, str, str | None] | None:
        row = self._db.execute(
            "SELECT source.name, fingerprint.article, fingerprint.credit FROM fingerprint"
            " JOIN source ON source.id = fingerprint.source WHERE hash = ?",
            (_hex_bytes(fingerprint, "fingerprint"),),
        ).fetchone()
        return (row[0], row[1].hex(), row[2]) if row else None

    def record_gone(self, source: str, urls: Iterable[str]) -> None:
        # Stored in `url` under an id no article has (20 zero bytes): `seen` finds them with no
        # extra query, and an article that later takes the URL simply remaps it.
        source_id = self._ensure_source(source)
        with self._transaction():
            self._db.executemany(
                "INSERT INTO url (source, url, article) VALUES (?, ?, ?)"
                " ON CONFLICT (source, url) DO NOTHING",
                ((source_id, url, _GONE) for url in _url_set(urls)),
            )

    def article_count(self, source: str) -> int:
        source_id = self._source_id(source)
        if source_id is None:
            return 0
        return self._db.execute(
            "SELECT count(*) FROM article WHERE source = ?", (source_id,)
        ).fetchall()[0][0]

    # -- conditional GET --------------------------------------------------------------------

    def validators(self, source: str, url: str) -> tuple[str | None, str | None] | None:
        source_id = self._source_id(source)
        if source_id is None:
            return None
        rows = self._db.execute(
            "SELECT etag, last_modified FROM validator WHERE source = ? AND url = ?",
            (source_id, url),
        ).fetchall()
        return (rows[0][0], rows[0][1]) if rows else None

    def save_validators(
        self, source: str, validators: Mapping[str, tuple[str | None, str | None]]
    ) -> None:
        rows = [(url, etag, last_modified) for url, (etag, last_modified) in validators.items()]
        if not rows:
            return
        source_id = self._ensure_source(source)
        with self._transaction():
            self._db.executemany(
                "INSERT INTO validator (source, url, etag, last_modified) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (source, url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified",
                ((source_id, *row) for row in rows),
            )

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, source: str, started_at: str, outputs: Sequence[str]) -> int:
        if isinstance(outputs, str):
            raise TypeError("outputs is a sequence of paths, not one string")
        source_id = self._ensure_source(source)
        with self._transaction():
            cursor = self._db.execute(
                "INSERT INTO run (source, started_at, outputs) VALUES (?, ?, ?)",
                (source_id, started_at, json.dumps(list(outputs), ensure_ascii=False)),
            )
        return cursor.lastrowid

    def finish_run(self, run_id: int, finished_at: str, status: str, report: dict) -> None:
        # default=str: a crawl's stats hold datetimes; losing the report over one would leave
        # the run looking killed.
        text = json.dumps(report, ensure_ascii=False, default=str)
        with self._transaction():
            cursor = self._db.execute(
                "UPDATE run SET finished_at = ?, status = ?, report = ? WHERE id = ?",
                (finished_at, status, text, run_id),
            )
            if cursor.rowcount == 0:
                raise KeyError(f"no run {run_id}")

    def last_run(self, source: str, *, finished_only: bool = False) -> RunInfo | None:
        # Most recent = started last: ids follow the order in which start_run committed, which
        # does not depend on the callers' clocks agreeing.
        where = " AND finished_at IS NOT NULL" if finished_only else ""
        runs = self._runs(source, where, 1)
        return runs[0] if runs else None

    def runs(self, source: str, limit: int = 10) -> list[RunInfo]:
        return self._runs(source, "", limit) if limit > 0 else []

    def prune_runs(self, source: str, keep: int) -> int:
        source_id = self._source_id(source)
        if source_id is None:
            return 0
        with self._transaction():
            cursor = self._db.execute(
                "DELETE FROM run WHERE source = ? AND id NOT IN"
                " (SELECT id FROM run WHERE source = ? ORDER BY id DESC LIMIT ?)",
                (source_id, source_id, max(keep, 1)),
            )
        return cursor.rowcount

    def _runs(self, source: str, where: str, limit: int) -> list[RunInfo]:
        source_id = self._source_id(source)
        if source_id is None:
            return []
        rows = self._db.execute(
            "SELECT id, started_at, finished_at, status, outputs, report FROM run"
            f" WHERE source = ?{where} ORDER BY id DESC LIMIT ?",
            (source_id, limit),
        ).fetchall()
        return [
            RunInfo(
                id=run_id,
                source=source,
                started_at=started_at,
                finished_at=finished_at,
                status=status,
                outputs=tuple(json.loads(outputs)),
                report=None if report is None else json.loads(report),
            )
            for run_id, started_at, finished_at, status, outputs, report in rows
        ]

    # -- plumbing ---------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStateStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _source_id(self, name: str) -> int | None:
        """The source's key, or None if it never wrote anything (reads then create nothing)."""
        source_id = self._sources.get(name)
        if source_id is None:
            rows = self._db.execute("SELECT id FROM source WHERE name = ?", (name,)).fetchall()
            if rows:
                source_id = self._sources[name] = rows[0][0]
        return source_id

    def _ensure_source(self, name: str) -> int:
        """Keys are never deleted or reused, so once committed one may be cached for good; it
        gets its own transaction so a rolled-back write cannot leave a phantom key cached."""
        source_id = self._source_id(name)
        if source_id is None:
            with self._transaction():
                self._db.execute("INSERT OR IGNORE INTO source (name) VALUES (?)", (name,))
            source_id = self._source_id(name)
            assert source_id is not None
        return source_id

    def _enable_wal(self, busy_timeout: float) -> str:
        """Switching a new file to WAL needs an exclusive lock, and SQLite reports BUSY at once
        instead of calling the busy handler when processes race to create the same file: retry
        for as long as the busy timeout would have waited. An existing WAL file is not locked."""
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                return self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _init_schema(self, path: str) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return  # the common case takes no lock: opening never waits for a writer
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"{path}: state schema version {version} is newer than this newscrawl's"
                f" ({SCHEMA_VERSION}); upgrade newscrawl"
            )
        with self._transaction():
            # Re-read under the write lock: another process may have created it meanwhile.
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in (_SCHEMA + _FINGERPRINTS).split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif version < SCHEMA_VERSION:
                self._migrate(version)

    def _migrate(self, version: int) -> None:
        """Bring an older schema up to SCHEMA_VERSION, inside the caller's write transaction."""
        if version == 1:
            for statement in _FINGERPRINTS.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        raise RuntimeError(f"no migration from state schema version {version}")


def _url_set(urls: Iterable[str]) -> set[str]:
    if isinstance(urls, str):  # would otherwise be taken as a set of characters
        raise TypeError("urls is an iterable of URLs, not one string")
    return set(urls)


def _url_key(url: str) -> bytes:
    """The article id a URL has when it is the canonical one (newscrawl.record.article_id)."""
    return hashlib.sha1(url.encode("utf-8")).digest()


def _hex_bytes(value: str, name: str, size: int | None = None) -> bytes:
    if not (isinstance(value, str) and _HEX.fullmatch(value)) or (
        size is not None and len(value) != 2 * size
    ):
        length = f"{2 * size} " if size else ""
        raise ValueError(f"{name} must be {length}lowercase hex digits, got {value!r}")
    return bytes.fromhex(value)


def _pack_time(text: str | None) -> int | str | None:
    """An ISO 8601 string as one integer (7 bytes on disk instead of ~26), or the string itself
    when the integer would not give back exactly that string (fractions, date only, …)."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"an ISO 8601 string is expected, got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
        offset = moment.utcoffset()
        if offset is None:
            seconds, code = (moment - _NAIVE_EPOCH) // _SECOND, _NAIVE
        else:
            minutes, rest = divmod(offset, _MINUTE)
            if rest:
                return text
            seconds = (moment - _EPOCH) // _SECOND
            code = _ZULU if text.endswith("Z") else minutes + _OFFSET_BIAS
        packed = seconds << _OFFSET_BITS | code
        return packed if _unpack_time(packed) == text else text
    except (ValueError, OverflowError):
        return text


def _unpack_time(value: int | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    seconds, code = value >> _OFFSET_BITS, value & ((1 << _OFFSET_BITS) - 1)
    if code == _NAIVE:
        return (_NAIVE_EPOCH + timedelta(seconds=seconds)).isoformat()
    if code == _ZULU:
        return (_EPOCH + timedelta(seconds=seconds)).isoformat().removesuffix("+00:00") + "Z"
    zone = timezone(timedelta(minutes=code - _OFFSET_BIAS))
    return (_EPOCH + timedelta(seconds=seconds)).astimezone(zone).isoformat()
