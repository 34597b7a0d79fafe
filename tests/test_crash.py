"""`kill -9` of a crawl at any moment is harmless (design.md §5): after a normal re-run, every
article of the replica is in the output exactly once over the two runs, and no output file holds
a partial or corrupt line.

Done for real: `scrapy crawl <source>` runs as a subprocess against the replica sites and gets
SIGKILL at a chosen point — early in discovery, mid-crawl, right after the k-th line reached the
output file, exactly between the exporter's write and the state commit, with a torn line left by
a kill mid-write — then runs again to completion, and the output files are counted. The kill
points are chosen by time or by polling the output; nothing here asserts a duration.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy import signals

from newscrawl import settings as newscrawl_settings
from newscrawl.record import article_id, schema_errors
from newscrawl.state import open_state
from replica.expected import expected_records
from replica.server import serve
from replica.web import ICT

if not hasattr(signal, "SIGKILL"):
    pytest.skip("SIGKILL is not available on this platform", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("qbtv", "baohatinh")
# The killed run is slowed down so that it lasts a few seconds (~20 requests, 0.2 s apart, after
# ~0.7 s of start-up): the time-based kill points then fall in discovery and mid-crawl. The
# re-run that must repair everything runs at full speed.
SLOW = ["DOWNLOAD_DELAY=0.2", "AUTOTHROTTLE_ENABLED=False", "RANDOMIZE_DOWNLOAD_DELAY=False"]
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False"]
# Only against a hung subprocess; never reached by a healthy crawl.
DEADLINE = 60.0
POLL = 0.002


class KillAfterExport:
    """Test-only extension: SIGKILLs its own process when the k-th item was scraped (setting
    NEWSCRAWL_TEST_KILL_AFTER_EXPORT = k). Ordered between Scrapy's FeedExporter and newscrawl's
    IncrementalRun, its `item_scraped` handler runs after the line was written and fsynced and
    before the article is recorded in the state: the one window where a kill leaves a written
    record the state does not know."""

    def __init__(self, k: int):
        self.k = k
        self.count = 0

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler.settings.getint("NEWSCRAWL_TEST_KILL_AFTER_EXPORT"))
        crawler.signals.connect(extension.item_scraped, signals.item_scraped)
        return extension

    def item_scraped(self, item, response, spider) -> None:
        self.count += 1
        if self.count >= self.k:
            os.kill(os.getpid(), signal.SIGKILL)


def kill_in_window(k: int) -> list[str]:
    """Settings that install KillAfterExport for the k-th item, keeping every other extension."""
    extensions = {
        **newscrawl_settings.EXTENSIONS,
        f"{__name__}.KillAfterExport": 50,
    }
    assert all(priority > 50 for priority in newscrawl_settings.EXTENSIONS.values()), (
        "KillAfterExport must run before IncrementalRun records the item"
    )
    return [f"EXTENSIONS={json.dumps(extensions)}", f"NEWSCRAWL_TEST_KILL_AFTER_EXPORT={k}"]


# --- running crawls --------------------------------------------------------------------------


@dataclass
class Crawl:
    """One `scrapy crawl <source>` subprocess, in its own working folder (so its own data/)."""

    source: str
    base_url: str
    cwd: Path
    logs: list[Path] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    started: float = 0.0

    @property
    def folder(self) -> Path:
        return self.cwd / "data" / self.source

    def start(self, settings: list[str]) -> None:
        self.cwd.mkdir(parents=True, exist_ok=True)
        log = self.cwd / f"crawl-{len(self.logs) + 1}.log"
        self.logs.append(log)
        env = {
            **os.environ,
            "SCRAPY_SETTINGS_MODULE": "newscrawl.settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
        command = [sys.executable, "-m", "scrapy", "crawl", self.source]
        command += ["-a", f"base_url={self.base_url}"]
        for setting in settings:
            command += ["-s", setting]
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                command, cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.started = time.monotonic()

    def log_tail(self) -> str:
        return self.logs[-1].read_text("utf-8", "replace")[-3000:]

    def lines_written(self) -> int:
        """Whole lines in the source's output files, read as the crawl writes them."""
        if not self.folder.is_dir():
            return 0
        return sum(path.read_bytes().count(b"\n") for path in self.folder.glob("*.jsonl"))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


class At:
    """Kill point: this many seconds after the subprocess was started."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"{self.seconds}s"

    def due(self, crawl: Crawl) -> bool:
        return time.monotonic() - crawl.started >= self.seconds


class AfterLines:
    """Kill point: as soon as the output holds k whole lines (polled every few ms), that is
    between the exporter's write of the k-th record and, at best, its state commit."""

    def __init__(self, k: int):
        self.k = k

    def __repr__(self) -> str:
        return f"after-line-{self.k}"

    def due(self, crawl: Crawl) -> bool:
        return crawl.lines_written() >= self.k


def run_and_kill(crawls: list[Crawl], point) -> None:
    """Start the crawls slowed down, side by side, and SIGKILL each at `point`."""
    for crawl in crawls:
        crawl.start(SLOW)
    pending = list(crawls)
    while pending:
        for crawl in list(pending):
            if crawl.proc.poll() is not None:
                pytest.fail(
                    f"{crawl.source}: the crawl ended (exit {crawl.proc.returncode}) before the "
                    f"kill point {point!r}, so nothing was tested\n{crawl.log_tail()}"
                )
            if point.due(crawl):
                crawl.kill()
                pending.remove(crawl)
            elif time.monotonic() - crawl.started > DEADLINE:
                crawl.kill()
                pytest.fail(f"{crawl.source}: hung before {point!r}\n{crawl.log_tail()}")
        time.sleep(POLL)
    for crawl in crawls:
        assert crawl.proc.returncode == -signal.SIGKILL, crawl.log_tail()


def run_to_completion(crawls: list[Crawl]) -> list[int]:
    """Run the crawls at full speed, side by side, to their end; returns their exit codes."""
    for crawl in crawls:
        crawl.start(FAST)
    codes = []
    for crawl in crawls:
        try:
            codes.append(crawl.proc.wait(timeout=DEADLINE))
        except subprocess.TimeoutExpired:
            crawl.kill()
            pytest.fail(f"{crawl.source}: hung\n{crawl.log_tail()}")
    return codes


def rerun(crawls: list[Crawl]) -> None:
    for crawl, code in zip(crawls, run_to_completion(crawls), strict=True):
        assert code == 0, f"{crawl.source}: the re-run exited with {code}\n{crawl.log_tail()}"


# --- what the output must be -----------------------------------------------------------------


def output_files(crawl: Crawl) -> list[Path]:
    """The day files, after checking that the folder holds nothing else than them and the
    quarantined torn lines (`<day file>.torn-N`) of the repair."""
    names = sorted(path.name for path in crawl.folder.iterdir())
    outputs = [name for name in names if name.endswith(".jsonl")]
    for name in set(names) - set(outputs):
        stem, _, n = name.rpartition(".torn-")
        assert stem in outputs and n.isdigit() and int(n) >= 1, f"unexpected file {name}"
    assert outputs, f"no output in {crawl.folder}"
    return [crawl.folder / name for name in outputs]


def check_output(crawl: Crawl) -> Counter:
    """Every line whole, JSON, valid against the schema; every replica article exactly once.
    Returns the ids' counts."""
    ids: Counter = Counter()
    for path in output_files(crawl):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path.name} ends in a partial line"
        for number, line in enumerate(data.splitlines(), 1):
            where = f"{path.name}:{number}"
            try:
                record = json.loads(line)
            except ValueError as exc:
                pytest.fail(f"{where} is not JSON ({exc}): {line[:120]!r}")
            assert schema_errors(record) == [], where
            assert record["source"] == crawl.source, where
            assert record["id"] == article_id(record["url"]), where
            assert record["version"] == 1, f"{where}: the replica never changed this article"
            ids[record["id"]] += 1
    expected = {article_id(r["url"]) for r in expected_records(crawl.source, crawl.base_url)}
    assert not set(expected) - set(ids), f"{crawl.source}: articles missing from the output"
    assert not set(ids) - set(expected), f"{crawl.source}: records of no replica article"
    assert {i: n for i, n in ids.items() if n > 1} == {}, f"{crawl.source}: records repeated"
    return ids


def lines_of(crawl: Crawl) -> dict[str, bytes]:
    """id -> its whole line, over the crawl's output files."""
    lines = {}
    for path in crawl.folder.glob("*.jsonl"):
        for line in path.read_bytes().splitlines(keepends=True):
            lines[json.loads(line)["id"]] = line
    return lines


def from_state(crawl: Crawl, question):
    """`question(store, source)` asked of the crawl's state store."""
    store = open_state(crawl.cwd / "data" / "state.sqlite3")
    try:
        return question(store, crawl.source)
    finally:
        store.close()


def recorded(crawl: Crawl) -> int:
    """Articles the state store holds for the crawl's source."""
    return from_state(crawl, lambda store, source: store.article_count(source))


def runs(crawl: Crawl) -> list:
    """The source's runs as the state store tells them, newest first."""
    return from_state(crawl, lambda store, source: store.runs(source))


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites():
    with serve(list(SOURCES)) as bases:
        yield bases


@pytest.fixture
def crawls(sites, tmp_path) -> list[Crawl]:
    """One crawl per replica site, each in a fresh working folder; both are killed and re-run
    side by side."""
    return [Crawl(source, sites[source], tmp_path / source) for source in SOURCES]


@pytest.fixture(scope="module")
def reference(sites, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The lines an uninterrupted crawl writes: source -> id -> line (for torn writes)."""
    folder = tmp_path_factory.mktemp("reference")
    whole = [Crawl(source, sites[source], folder / source) for source in SOURCES]
    rerun(whole)
    for crawl in whole:
        check_output(crawl)
    return {crawl.source: lines_of(crawl) for crawl in whole}


# --- the cases -------------------------------------------------------------------------------


# Where the time-based points fall on this 2-core machine (two crawls side by side): 0.3 s, in
# start-up, before the state or the output exists; 1.0 s, right after robots.txt; 1.5 s, feeds,
# sitemaps and listings being read; 2.0 s, the first articles exported. AfterLines(k) kills
# after the k-th exported line, before or after its state commit, whichever the poll catches.
@pytest.mark.parametrize(
    "point",
    [At(0.3), At(1.0), At(1.5), At(2.0), AfterLines(1), AfterLines(3)],
    ids=repr,
)
def test_kill_then_rerun_writes_every_article_once(crawls, point):
    run_and_kill(crawls, point)
    for crawl in crawls:
        if isinstance(point, AfterLines):
            assert crawl.lines_written() >= point.k
    rerun(crawls)
    for crawl in crawls:
        check_output(crawl)


@pytest.mark.parametrize("k", [1, 3])
def test_kill_between_export_and_state_commit(crawls, k):
    """The window that polling can only aim at, hit exactly: k lines are on disk, k - 1 are in
    the state. The re-run must record the k-th from the output instead of writing it again."""
    for crawl in crawls:
        crawl.start([*FAST, *kill_in_window(k)])
    for crawl in crawls:
        assert crawl.proc.wait(timeout=DEADLINE) == -signal.SIGKILL, crawl.log_tail()
        assert crawl.lines_written() == k
        assert recorded(crawl) == k - 1
    rerun(crawls)
    for crawl in crawls:
        ids = check_output(crawl)
        rerun_, killed = runs(crawl)[:2]
        assert (killed.status, killed.report) == ("killed", {"recovered": 1})
        assert rerun_.report["articles"]["new"] == len(ids) - k


def test_torn_line_is_moved_aside(crawls, reference):
    """A kill during the write of a line leaves its first part at the end of the day file. The
    re-run moves it to `<file>.torn-1`, then writes that article whole, once. (The run is
    killed after its 2nd line, before that line's state commit; the torn part is the first half
    of a line it had not written, as an uninterrupted crawl writes it.)"""
    for crawl in crawls:
        crawl.start([*FAST, *kill_in_window(2)])
    torn = {}
    for crawl in crawls:
        assert crawl.proc.wait(timeout=DEADLINE) == -signal.SIGKILL, crawl.log_tail()
        (day_file,) = crawl.folder.glob("*.jsonl")
        written = lines_of(crawl)
        unwritten = sorted(set(reference[crawl.source]) - set(written))
        line = reference[crawl.source][unwritten[0]]
        torn[crawl.source] = (day_file, line[: len(line) // 2])
        with day_file.open("ab") as out:
            out.write(torn[crawl.source][1])
    rerun(crawls)
    for crawl in crawls:
        day_file, part = torn[crawl.source]
        quarantine = day_file.with_name(day_file.name + ".torn-1")
        assert quarantine.read_bytes() == part
        assert sorted(p.name for p in crawl.folder.iterdir()) == [day_file.name, quarantine.name]
        check_output(crawl)


def test_second_rerun_writes_nothing(crawls):
    """Killed, then re-run twice: the second re-run finds everything recorded and writes
    nothing, and the output stays byte for byte what the first re-run left."""
    run_and_kill(crawls, AfterLines(2))
    rerun(crawls)
    after_first = {crawl.source: check_output(crawl) for crawl in crawls}
    contents = {p: p.read_bytes() for crawl in crawls for p in crawl.folder.iterdir()}
    rerun(crawls)
    for crawl in crawls:
        assert check_output(crawl) == after_first[crawl.source]
        assert runs(crawl)[0].report["articles"]["new"] == 0
    assert {p: p.read_bytes() for crawl in crawls for p in crawl.folder.iterdir()} == contents


EDITED = "Bài viết đã được cập nhật sau khi lần chạy trước bị dừng."


def test_edit_made_after_a_kill_is_not_lost(tmp_path):
    """A run was killed an hour ago between export and state commit; half an hour ago the site
    edited that very article; the re-run is now. It must write the edit as version 2, as it
    does when the earlier run was not killed. (Báo Hà Tĩnh: its sitemaps date every edit.)"""
    hour_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    with serve(["baohatinh"]) as bases:
        crawl = Crawl("baohatinh", bases["baohatinh"], tmp_path / "baohatinh")
        crawl.start([*FAST, *kill_in_window(1)])
        assert crawl.proc.wait(timeout=DEADLINE) == -signal.SIGKILL, crawl.log_tail()
        assert recorded(crawl) == 0
        # The killed run's one line, as that run wrote it an hour ago.
        (day_file,) = crawl.folder.glob("*.jsonl")
        written = json.loads(day_file.read_bytes())
        written["crawled_at"] = hour_ago.isoformat()
        day_file.write_text(json.dumps(written, ensure_ascii=False) + "\n", "utf-8")

        server = bases.servers["baohatinh"]
        site = server.site
        (i,) = [
            i
            for i, a in enumerate(site.articles)
            if site.url_of(a, crawl.base_url) == written["url"]
        ]
        site.articles[i] = replace(
            site.articles[i],
            paragraphs=[EDITED, *site.articles[i].paragraphs[1:]],
            modified=(hour_ago + timedelta(minutes=30)).astimezone(ICT).isoformat(),
        )
        server.rerender()
        rerun([crawl])
    versions = [
        (record["version"], record["body"].startswith(EDITED))
        for path in output_files(crawl)
        for record in map(json.loads, path.read_bytes().splitlines())
        if record["id"] == written["id"]
    ]
    assert versions == [(1, False), (2, True)]
