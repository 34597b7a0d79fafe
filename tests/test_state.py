"""The state store: round trips, per-source separation, runs, and what several processes (and a
`kill -9`) do to one SQLite file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newscrawl.record import article_id
from newscrawl.state import ArticleState, RunInfo, open_state
from newscrawl.state.sqlite import SCHEMA_VERSION, SQLiteStateStore

REPO = Path(__file__).resolve().parents[1]
CHILD_TIMEOUT = 120  # only so that a broken test cannot hang the suite; nothing is timed


def make_state(url: str, version: int = 1, **changes) -> ArticleState:
    fields = {
        "id": article_id(url),
        "url": url,
        "content_hash": f"{version:02x}" * 32,
        "date": "2024-10-29T10:30:00+07:00",
        "date_modified": None,
        "version": version,
        "last_written": "2026-11-26T11:21:18+00:00",
    }
    return ArticleState(**(fields | changes))


URL = "https://qbtv.vn/2024/10/29/hon-32-000-ngoi-nha-o-quang-binh-bi-ngap/"
MOBILE = "https://m.qbtv.vn/2024/10/29/hon-32-000-ngoi-nha-o-quang-binh-bi-ngap/"
AMP = "https://qbtv.vn/2024/10/29/hon-32-000-ngoi-nha-o-quang-binh-bi-ngap/amp/"


@pytest.fixture
def store(tmp_path):
    store = open_state(tmp_path / "state.db")
    yield store
    store.close()


def run_child(script: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        env=child_env(),
        **kwargs,
    )


def child_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }


# -- articles ---------------------------------------------------------------------------------


def test_article_round_trip(store):
    state = make_state(URL, date_modified="2024-10-29T14:12:05+07:00")
    store.record_article("qbtv", state)
    assert store.article("qbtv", state.id) == state
    assert store.article_count("qbtv") == 1


def test_unknown_article_and_source(store):
    assert store.article("qbtv", "0" * 40) is None
    assert store.seen("qbtv", [URL]) == set()
    assert store.article_count("qbtv") == 0
    store.record_article("qbtv", make_state(URL))
    assert store.article("qbtv", "0" * 40) is None


def test_new_version_replaces_state(store):
    first = make_state(URL)
    store.record_article("qbtv", first, [MOBILE])
    second = make_state(
        URL,
        version=2,
        date_modified="2024-10-30T08:00:00+07:00",
        last_written="2026-11-27T01:00:00+00:00",
    )
    store.record_article("qbtv", second)
    assert store.article("qbtv", first.id) == second
    assert store.article_count("qbtv") == 1
    assert store.seen("qbtv", [URL, MOBILE]) == {URL, MOBILE}  # aliases outlive versions


@pytest.mark.parametrize(
    "value",
    [
        None,
        "2024-10-29T10:30:00+07:00",
        "2024-10-29T03:30:00+00:00",
        "2024-10-29T03:30:00Z",
        "2024-10-29T10:30:00",
        "2024-10-29T10:30:00.250+07:00",
        "2024-10-29T10:30:00.250000+07:00",
        "2024-10-29T10:30+07:00",
        "2024-10-29 10:30:00+07:00",
        "2024-10-29",
        "2024",
        "1969-07-20T20:17:40-05:45",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "not a date",
    ],
)
def test_dates_come_back_exactly_as_given(store, value):
    state = make_state(URL, date=value, date_modified=value, last_written=value or "2026")
    store.record_article("qbtv", state)
    assert store.article("qbtv", state.id) == state


def test_content_hash_of_any_length(store):
    for content_hash in ["ab", "0123456789abcdef", "f" * 40, "0" * 128]:
        state = make_state(URL, content_hash=content_hash)
        store.record_article("qbtv", state)
        assert store.article("qbtv", state.id) == state


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "A" * 40},
        {"id": "a" * 39},
        {"id": "ab cd" + "0" * 35},
        {"content_hash": "ABCD"},
        {"content_hash": "abc"},
        {"content_hash": ""},
    ],
)
def test_ids_and_hashes_must_be_lowercase_hex(store, changes):
    with pytest.raises(ValueError):
        store.record_article("qbtv", make_state(URL, **changes))
    assert store.article_count("qbtv") == 0


def test_article_lookup_needs_a_valid_id(store):
    with pytest.raises(ValueError):
        store.article("qbtv", "B8350A96995226CE2B65450814C0595AB086B706")


def test_every_given_url_maps_to_the_article(store):
    store.record_article("qbtv", make_state(URL), [MOBILE, AMP, MOBILE])
    other = "https://qbtv.vn/2024/10/30/khac/"
    assert store.seen("qbtv", [URL, MOBILE, AMP, other]) == {URL, MOBILE, AMP}
    assert store.seen("qbtv", iter([AMP])) == {AMP}
    assert store.article_count("qbtv") == 1


def test_one_url_is_not_a_batch(store):
    with pytest.raises(TypeError):
        store.seen("qbtv", URL)
    with pytest.raises(TypeError):
        store.record_article("qbtv", make_state(URL), MOBILE)


def test_urls_are_exact_strings(store):
    store.record_article("qbtv", make_state(URL))
    variants = [URL.upper(), URL + "?utm_source=fb", URL.replace("https", "http"), URL[:-1]]
    assert store.seen("qbtv", variants) == set()


def test_article_whose_id_is_not_the_hash_of_its_url(store):
    # The contract says id = SHA-1(url); a caller that breaks it still gets exact answers.
    state = make_state(URL, id="1" * 40)
    store.record_article("qbtv", state)
    assert store.seen("qbtv", [URL]) == {URL}
    moved = make_state(MOBILE, id="1" * 40, version=2)
    store.record_article("qbtv", moved)
    assert store.article("qbtv", "1" * 40) == moved
    assert store.seen("qbtv", [URL, MOBILE]) == {URL, MOBILE}
    # A canonical URL whose hash is some article's id is not "seen" unless it was recorded.
    assert store.seen("qbtv", ["https://qbtv.vn/other/"]) == set()


def test_seen_in_large_batches(store):
    urls = [f"https://baohatinh.vn/bai-viet-so-{n}-post{100000 + n}.html" for n in range(1500)]
    for url in urls[::2]:
        store.record_article("baohatinh", make_state(url), [url + "?amp"])
    known = set(urls[::2]) | {url + "?amp" for url in urls[::2]}
    asked = urls + [url + "?amp" for url in urls]
    assert store.seen("baohatinh", asked) == known
    assert store.seen("baohatinh", []) == set()


def test_sources_are_kept_apart(store):
    state = make_state(URL)
    store.record_article("qbtv", state, [MOBILE])
    store.save_validators("qbtv", {"https://qbtv.vn/feed/": ('"e1"', None)})
    store.start_run("qbtv", "2026-11-26T11:00:00+00:00", ["data/qbtv/2026-11-26.jsonl"])
    assert store.seen("baohatinh", [URL, MOBILE]) == set()
    assert store.article("baohatinh", state.id) is None
    assert store.article_count("baohatinh") == 0
    assert store.validators("baohatinh", "https://qbtv.vn/feed/") is None
    assert store.last_run("baohatinh") is None
    assert store.runs("baohatinh") == []
    # The same article under another source is a separate entry.
    other = make_state(URL, version=3)
    store.record_article("baohatinh", other)
    assert store.article("baohatinh", state.id) == other
    assert store.article("qbtv", state.id) == state


def test_state_persists_across_opens(tmp_path):
    path = tmp_path / "deep" / "er" / "state.db"
    with SQLiteStateStore(path) as store:
        store.record_article("qbtv", make_state(URL), [MOBILE])
        store.save_validators("qbtv", {"https://qbtv.vn/feed/": ('"e1"', "Tue, 29 Oct 2024")})
        run_id = store.start_run("qbtv", "2026-11-26T11:00:00+00:00", ["a.jsonl"])
    store = open_state(path)
    try:
        assert store.article("qbtv", article_id(URL)) == make_state(URL)
        assert store.seen("qbtv", [MOBILE]) == {MOBILE}
        assert store.validators("qbtv", "https://qbtv.vn/feed/") == ('"e1"', "Tue, 29 Oct 2024")
        assert store.last_run("qbtv").id == run_id
    finally:
        store.close()


# -- validators -------------------------------------------------------------------------------


def test_validators_round_trip_and_overwrite(store):
    feed, sitemap = "https://qbtv.vn/feed/", "https://qbtv.vn/sitemap.xml"
    assert store.validators("qbtv", feed) is None
    store.save_validators(
        "qbtv", {feed: ('W/"abc"', "Tue, 29 Oct 2024 03:30:00 GMT"), sitemap: (None, None)}
    )
    assert store.validators("qbtv", feed) == ('W/"abc"', "Tue, 29 Oct 2024 03:30:00 GMT")
    assert store.validators("qbtv", sitemap) == (None, None)
    store.save_validators("qbtv", {feed: (None, "Wed, 30 Oct 2024 01:00:00 GMT")})
    assert store.validators("qbtv", feed) == (None, "Wed, 30 Oct 2024 01:00:00 GMT")
    assert store.validators("qbtv", sitemap) == (None, None)
    store.save_validators("qbtv", {})
    assert store.validators("qbtv", "https://qbtv.vn/other.xml") is None


def test_validators_are_saved_all_or_none(store):
    feed = "https://qbtv.vn/feed/"
    store.save_validators("qbtv", {feed: ('"old"', None)})
    with pytest.raises(sqlite3.Error):
        store.save_validators(
            "qbtv", {feed: ('"new"', None), "https://qbtv.vn/bad.xml": (object(), None)}
        )
    assert store.validators("qbtv", feed) == ('"old"', None)
    assert store.validators("qbtv", "https://qbtv.vn/bad.xml") is None
    store.save_validators("qbtv", {feed: ('"newer"', None)})  # the store is still usable
    assert store.validators("qbtv", feed) == ('"newer"', None)


# -- runs -------------------------------------------------------------------------------------


def test_runs(store):
    assert store.last_run("qbtv") is None
    assert store.last_run("qbtv", finished_only=True) is None
    outputs = ["data/qbtv/2026-11-26.jsonl", "s3://bucket/qbtv/2026-11-26.jsonl"]
    first = store.start_run("qbtv", "2026-11-26T11:00:00+00:00", outputs)
    unfinished = RunInfo(
        first, "qbtv", "2026-11-26T11:00:00+00:00", None, None, tuple(outputs), None
    )
    assert store.last_run("qbtv") == unfinished
    assert store.last_run("qbtv", finished_only=True) is None

    report = {"item_scraped_count": 12, "newscrawl/dropped/no_date": 1, "note": "Quảng Bình"}
    store.finish_run(first, "2026-11-26T11:03:00+00:00", "finished", report)
    finished = RunInfo(
        first, "qbtv", "2026-11-26T11:00:00+00:00", "2026-11-26T11:03:00+00:00", "finished",
        tuple(outputs), report,
    )  # fmt: skip
    assert store.last_run("qbtv") == finished

    second = store.start_run("qbtv", "2026-11-26T11:15:00+00:00", [])
    assert second > first
    assert store.last_run("qbtv").id == second
    assert store.last_run("qbtv").finished_at is None
    assert store.last_run("qbtv", finished_only=True) == finished

    third = store.start_run("qbtv", "2026-11-26T11:30:00+00:00", ["c.jsonl"])
    store.finish_run(third, "2026-11-26T11:30:01+00:00", "locked", {})
    assert [run.id for run in store.runs("qbtv")] == [third, second, first]
    assert [run.id for run in store.runs("qbtv", limit=2)] == [third, second]
    assert store.runs("qbtv", limit=0) == []
    assert store.last_run("qbtv", finished_only=True).status == "locked"
    assert store.runs("qbtv")[1].finished_at is None


def test_run_report_keeps_what_json_cannot_hold_as_text(store):
    run_id = store.start_run("qbtv", "2026-11-26T11:00:00+00:00", ["a.jsonl"])
    start = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)
    store.finish_run(run_id, "2026-11-26T11:03:00+00:00", "finished", {"start_time": start})
    assert store.last_run("qbtv").report == {"start_time": str(start)}


def test_finishing_an_unknown_run(store):
    with pytest.raises(KeyError):
        store.finish_run(999, "2026-11-26T11:03:00+00:00", "finished", {})


def test_outputs_must_be_a_sequence_of_paths(store):
    with pytest.raises(TypeError):
        store.start_run("qbtv", "2026-11-26T11:00:00+00:00", "data/qbtv.jsonl")


# -- the file ---------------------------------------------------------------------------------


def test_schema_version_and_journal(tmp_path):
    path = tmp_path / "state.db"
    open_state(path).close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "state.db"
    open_state(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(RuntimeError, match="newer"):
        open_state(path)


# -- several processes, and kill -9 -----------------------------------------------------------

WRITER = """
    import os, sys, time
    from newscrawl.record import article_id
    from newscrawl.state import ArticleState, open_state

    path, go, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    while not os.path.exists(go):  # start together
        time.sleep(0.005)
    store = open_state(path)  # both processes may be creating the file and schema right now
    run = store.start_run("qbtv", "2026-11-26T11:00:00+00:00", [name + ".jsonl"])
    for n in range(count):
        url = f"https://qbtv.vn/{name}/bai-{n}/"
        state = ArticleState(article_id(url), url, "ab" * 20, "2024-10-29T10:30:00+07:00", None,
                             1, "2026-11-26T11:21:18+00:00")
        store.record_article("qbtv", state, [url + "amp/"])
    store.save_validators("qbtv", {f"https://qbtv.vn/{name}.xml": (name, None)})
    store.finish_run(run, "2026-11-26T11:05:00+00:00", "finished", {"written": count})
    store.close()
"""


def test_processes_write_at_once(tmp_path):
    # Four rather than two: they also race to create the file, its WAL and its schema.
    path, go, names, count = tmp_path / "state.db", tmp_path / "go", "abcd", 250
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(WRITER), str(path), str(go), name, str(count)],
            env=child_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    go.touch()
    for child in children:
        _, stderr = child.communicate(timeout=CHILD_TIMEOUT)
        assert child.returncode == 0, stderr
    with closing(open_state(path)) as store:
        assert store.article_count("qbtv") == len(names) * count
        urls = [f"https://qbtv.vn/{name}/bai-{n}/" for name in names for n in range(count)]
        aliases = [url + "amp/" for url in urls]
        assert store.seen("qbtv", urls + aliases) == set(urls + aliases)
        for name in names:
            assert store.validators("qbtv", f"https://qbtv.vn/{name}.xml") == (name, None)
        runs = store.runs("qbtv")
        assert sorted(run.outputs for run in runs) == [(f"{name}.jsonl",) for name in names]
        assert {run.status for run in runs} == {"finished"}


HOLDER = """
    import sqlite3, sys
    from newscrawl.state import ArticleState, open_state
    from newscrawl.record import article_id

    path, url = sys.argv[1], sys.argv[2]
    store = open_state(path)
    store.record_article("qbtv", ArticleState(article_id(url), url, "ab", None, None, 1, "2026"))
    store.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")  # hold the write lock, with a write not yet committed
    db.execute("INSERT INTO source (name) VALUES ('uncommitted')")
    print("holding", flush=True)
    sys.stdin.readline()
    db.execute("COMMIT")
    print("released", flush=True)
"""

READER = """
    import json, sqlite3, sys
    from newscrawl.state import ArticleState
    from newscrawl.state.sqlite import SQLiteStateStore
    from newscrawl.record import article_id

    path, url = sys.argv[1], sys.argv[2]
    store = SQLiteStateStore(path, busy_timeout=0)  # any wait for a lock fails at once
    result = {
        "seen": sorted(store.seen("qbtv", [url, "https://qbtv.vn/x/"])),
        "article": store.article("qbtv", article_id(url)).url,
        "count": store.article_count("qbtv"),
        "last_run": store.last_run("qbtv"),
        "validators": store.validators("qbtv", url),
        "other_source": store.article_count("uncommitted"),
    }
    try:  # proves the lock really is held: a write cannot get it
        store.save_validators("qbtv", {url: ("e", None)})
        result["write"] = "succeeded"
    except sqlite3.OperationalError as error:
        result["write"] = str(error)
    print(json.dumps(result))
"""


def test_reader_is_not_blocked_by_a_writer(tmp_path):
    path = tmp_path / "state.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLDER), str(path), URL],
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "holding\n", holder.stderr.read()
        reader = run_child(READER, str(path), URL)
        assert reader.returncode == 0, reader.stderr
        assert json.loads(reader.stdout) == {
            "seen": [URL],
            "article": URL,
            "count": 1,
            "last_run": None,
            "validators": None,
            "other_source": 0,  # the writer's uncommitted row is invisible
            "write": "database is locked",
        }
        stdout, stderr = holder.communicate("\n", timeout=CHILD_TIMEOUT)
        assert holder.returncode == 0, stderr
        assert stdout == "released\n"
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


KILLED = """
    import os, signal, sys
    from newscrawl.state import ArticleState, open_state

    path, url, article_id = sys.argv[1], sys.argv[2], sys.argv[3]
    store = open_state(path)
    store.start_run("qbtv", "2026-11-26T11:00:00+00:00", ["data/qbtv/2026-11-26.jsonl"])
    state = ArticleState(article_id, url, "cd" * 32, "2024-10-29T10:30:00+07:00",
                         "2024-10-29T14:12:05+07:00", 2, "2026-11-26T11:21:18+00:00")
    store.record_article("qbtv", state, [url + "amp/"])
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_record_survives_kill_9(tmp_path):
    path = tmp_path / "state.db"
    child = run_child(KILLED, str(path), URL, article_id(URL))
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert Path(f"{path}-wal").exists()  # never checkpointed nor closed: read back from the WAL
    with closing(open_state(path)) as store:
        assert store.article("qbtv", article_id(URL)) == ArticleState(
            article_id(URL),
            URL,
            "cd" * 32,
            "2024-10-29T10:30:00+07:00",
            "2024-10-29T14:12:05+07:00",
            2,
            "2026-11-26T11:21:18+00:00",
        )
        assert store.seen("qbtv", [URL, URL + "amp/"]) == {URL, URL + "amp/"}
        run = store.last_run("qbtv")
        assert (run.finished_at, run.status, run.report) == (None, None, None)
        assert run.outputs == ("data/qbtv/2026-11-26.jsonl",)


def test_prune_runs_keeps_the_latest(tmp_path):
    store = open_state(tmp_path / "state.sqlite3")
    ids = [store.start_run("qbtv", f"2026-11-26T10:0{i}:00+00:00", []) for i in range(5)]
    store.start_run("baohatinh", "2026-11-26T10:00:00+00:00", [])
    assert store.prune_runs("qbtv", keep=2) == 3
    assert [r.id for r in store.runs("qbtv")] == [ids[4], ids[3]]
    assert len(store.runs("baohatinh")) == 1
    store.close()
