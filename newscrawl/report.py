"""`newscrawl report DATA_DIR`: one self-contained HTML page on the health of every source
crawled into a data folder — the page a person opens in the morning.

Where each number comes from, and why:

- Records per day, and records written, new, updated and marked as duplicates: the JSON Lines
  files `DATA_DIR/<source>/<YYYY-MM-DD>.jsonl`. They are what the crawl delivered, named by
  the Vietnam day they were written on, and they outlive the run reports (only the latest
  `NEWSCRAWL_KEEP_RUNS` of a source are kept: a week of runs every 10 minutes). A source with
  no day files (its output went to a file of the user's choosing, `-O`) is counted from its
  run reports instead.
- Runs, their status, last success, duplicates dropped, errors and fill rates: the run reports
  `DATA_DIR/runs/<source>/*.json`, the crawler's own account of each run (the same numbers
  its log table and health line show).

A file that cannot be read is left out, named on stderr and on the page; it never stops the
page from being written.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path

import jsonschema
import matplotlib
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from newscrawl.extensions.incremental import FILL_DROP
from newscrawl.extract.dates import VN_TZ
from newscrawl.sources import load_sources

FINISHED = "finished"
NO_REPORT = "no run report"
# Latest statuses in the order the page lists their sources, worst first: nothing crawled, then
# crawled but suspicious. A status not named (one a later crawler adds) takes the place of
# None: after the named problems, before the sources without reports and the healthy ones.
STATUS_ORDER = ("failed", "unreachable", "blocked", "degraded", None, NO_REPORT, FINISHED)
DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl$")

_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}
# The part of a run report (newscrawl.extensions.incremental.build_report) this page reads.
RUN_REPORT_SCHEMA = {
    "type": "object",
    "required": ["source", "status", "started_at", "finished_at", "articles", "errors"],
    "properties": {
        "source": {"type": "string", "minLength": 1},
        "status": {"type": "string", "minLength": 1},
        "started_at": {"type": "string"},
        "finished_at": {"type": "string"},
        "requests": {"type": "integer"},
        "fill_rates": {"type": "object", "additionalProperties": {"type": "number"}},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "articles": {
            "type": "object",
            "properties": {
                key: {"type": "integer"} for key in ("found", "written", "new", "updated")
            }
            | {"dropped": _COUNTS, "blocked": _COUNTS},
        },
        "errors": {
            "type": "object",
            "properties": {
                "article_fetches": _COUNTS,
                "downloads": _COUNTS,
                "log_errors": {"type": "integer"},
            },
        },
    },
}
_REPORT_VALIDATOR = jsonschema.Draft202012Validator(RUN_REPORT_SCHEMA)


class NothingToReport(Exception):
    """The data folder holds no run report and no record file."""


@dataclass(frozen=True)
class Run:
    """One run, from its report file."""

    status: str
    started: datetime
    finished: datetime
    report: dict

    @property
    def written(self) -> int:
        return self.report["articles"].get("written", 0)

    @property
    def dropped(self) -> dict[str, int]:
        return self.report["articles"].get("dropped", {})

    @property
    def duplicates_dropped(self) -> int:
        return self.dropped.get("duplicate", 0) + self.dropped.get("near_duplicate", 0)

    @property
    def article_fetch_errors(self) -> int:
        return sum(self.report["errors"].get("article_fetches", {}).values())

    @property
    def logged_errors(self) -> int:
        return self.report["errors"].get("log_errors", 0)

    @property
    def download_exceptions(self) -> int:
        return sum(self.report["errors"].get("downloads", {}).values())

    @property
    def blocked_pages(self) -> int:
        return sum(self.report["articles"].get("blocked", {}).values())

    @property
    def errors(self) -> int:
        # What the run's own log table counts as errors (report_table): failed article
        # fetches and errors logged. Download exceptions include those a retry recovered.
        return self.article_fetch_errors + self.logged_errors


@dataclass
class DayRecords:
    """What one day's JSON Lines file of a source holds."""

    written: int = 0
    new: int = 0
    updated: int = 0
    marked_duplicates: int = 0


@dataclass(frozen=True)
class FillRate:
    field: str
    latest: float | None
    window: float | None

    @property
    def fell(self) -> bool:
        """The latest run filled the field far less than the window did: the crawler's own
        sign of a changed layout (newscrawl.extensions.incremental)."""
        return (
            self.latest is not None
            and self.window is not None
            and self.latest <= self.window - FILL_DROP
        )


@dataclass
class SourceHealth:
    id: str
    name: str | None
    province: str | None
    days: list[date]
    runs: list[Run] = field(default_factory=list)  # every kept report, oldest first
    records: dict[date, DayRecords] = field(default_factory=dict)
    records_from: str = ""  # where `records` were counted, as the page says under the plot
    plot: Markup = field(default_factory=Markup)

    @property
    def latest(self) -> Run | None:
        return self.runs[-1] if self.runs else None

    @property
    def status(self) -> str:
        return self.latest.status if self.latest else NO_REPORT

    @property
    def needs_attention(self) -> bool:
        return self.status != FINISHED

    @property
    def rank(self) -> tuple[int, str]:
        status = self.status if self.status in STATUS_ORDER else None
        return STATUS_ORDER.index(status), self.id

    @property
    def last_success(self) -> Run | None:
        return next((run for run in reversed(self.runs) if run.status == FINISHED), None)

    @cached_property
    def window_runs(self) -> list[Run]:
        first = self.days[0]
        return [run for run in self.runs if run.started.astimezone(VN_TZ).date() >= first]

    @property
    def runs_by_status(self) -> list[tuple[str, int]]:
        return Counter(run.status for run in self.window_runs).most_common()

    def per_day(self) -> list[int]:
        return [self.records.get(day, DayRecords()).written for day in self.days]

    def records_total(self, name: str) -> int:
        """A DayRecords count summed over the window's record files."""
        return sum(getattr(day, name) for day in self.records.values())

    def runs_total(self, name: str) -> int:
        """A Run count summed over the window's runs."""
        return sum(getattr(run, name) for run in self.window_runs)

    @property
    def duplicates(self) -> int:
        return self.runs_total("duplicates_dropped") + self.records_total("marked_duplicates")

    @property
    def dropped_otherwise(self) -> list[tuple[str, int]]:
        reasons: Counter[str] = Counter()
        for run in self.window_runs:
            reasons.update(run.dropped)
        for duplicate in ("duplicate", "near_duplicate"):
            reasons.pop(duplicate, None)
        return sorted((reason, n) for reason, n in reasons.items() if n)

    def dropped_as(self, reason: str) -> int:
        return sum(run.dropped.get(reason, 0) for run in self.window_runs)

    @property
    def latest_with_records(self) -> Run | None:
        return next((run for run in reversed(self.runs) if run.report.get("fill_rates")), None)

    @property
    def fill_rates(self) -> list[FillRate]:
        """Each field's rate in the latest run that wrote records, and over the window's runs
        weighted by the records each wrote."""
        latest = self.latest_with_records
        rated = [run for run in self.window_runs if run.report.get("fill_rates")]
        fields = dict.fromkeys(
            name
            for run in ([latest] if latest else []) + rated
            for name in run.report["fill_rates"]
        )
        written = sum(run.written for run in rated)
        rows = []
        for name in fields:
            filled = sum(run.report["fill_rates"].get(name, 0.0) * run.written for run in rated)
            rows.append(
                FillRate(
                    name,
                    latest.report["fill_rates"].get(name) if latest else None,
                    filled / written if written else None,
                )
            )
        return rows


@dataclass
class Health:
    data_dir: Path
    generated: datetime
    days: list[date]
    sources: list[SourceHealth]
    skipped: list[str]

    @property
    def attention(self) -> list[SourceHealth]:
        return [source for source in self.sources if source.needs_attention]


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment


def read_runs(data_dir: Path, skipped: list[str]) -> dict[str, list[Run]]:
    """Every run report under DATA_DIR/runs, by source, oldest first; an unreadable or
    malformed one is named in `skipped` and left out."""
    runs: dict[str, list[Run]] = {}
    for path in sorted((data_dir / "runs").glob("*/*.json")):
        name = path.relative_to(data_dir)
        try:
            report = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            skipped.append(f"{name}: left out, not a readable JSON file ({exc})")
            continue
        problem = jsonschema.exceptions.best_match(_REPORT_VALIDATOR.iter_errors(report))
        if problem is not None:
            skipped.append(
                f"{name}: left out, not a run report ({problem.json_path}: {problem.message})"
            )
            continue
        try:
            started, finished = _time(report["started_at"]), _time(report["finished_at"])
        except ValueError as exc:
            skipped.append(
                f"{name}: left out, not a run report (a time that is not ISO 8601: {exc})"
            )
            continue
        runs.setdefault(report["source"], []).append(
            Run(report["status"], started, finished, report)
        )
    for source_runs in runs.values():
        source_runs.sort(key=lambda run: run.started)
    return runs


def record_days(data_dir: Path) -> dict[str, dict[date, Path]]:
    """The day files of every source folder: DATA_DIR/<source>/<YYYY-MM-DD>.jsonl."""
    found: dict[str, dict[date, Path]] = {}
    for path in sorted(data_dir.glob("*/*.jsonl")):
        if (match := DAY_FILE.match(path.name)) is None:
            continue
        try:
            day = date.fromisoformat(match[1])
        except ValueError:
            continue  # 2026-13-45.jsonl was not written by a crawl
        found.setdefault(path.parent.name, {})[day] = path
    return found


def read_day(path: Path, name: Path, skipped: list[str]) -> DayRecords:
    counts = DayRecords()
    unreadable = []
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        skipped.append(f"{name}: left out, cannot be read ({exc.strerror or exc})")
        return counts
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
            version = int(record.get("version", 1))
        except (ValueError, TypeError, AttributeError):
            unreadable.append(number)
            continue
        counts.written += 1
        counts.new += version == 1
        counts.updated += version > 1
        counts.marked_duplicates += bool(record.get("duplicate_of"))
    if unreadable:
        shown = ", ".join(map(str, unreadable[:5])) + (", …" if len(unreadable) > 5 else "")
        skipped.append(
            f"{name}: {len(unreadable)} line(s) that are not JSON records left out (line {shown})"
        )
    return counts


def records_of_runs(runs: list[Run], window: list[date]) -> dict[date, DayRecords]:
    """Records per Vietnam day as the runs counted them: for a source whose output went to a
    file of the user's choosing (`-O`, FEEDS of their own) rather than to day files. Marked
    duplicates are not in the run reports: they stay 0."""
    by_day: dict[date, DayRecords] = {}
    for run in runs:
        day = run.started.astimezone(VN_TZ).date()
        if day in window:
            counts = by_day.setdefault(day, DayRecords())
            counts.written += run.written
            counts.new += run.report["articles"].get("new", 0)
            counts.updated += run.report["articles"].get("updated", 0)
    return by_day


def collect(data_dir: Path, days: int, now: datetime | None = None) -> Health:
    """Everything the page shows, read from `data_dir`; raises NothingToReport when it holds
    neither run reports nor records."""
    now = now or datetime.now(UTC)
    today = now.astimezone(VN_TZ).date()
    window = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    skipped: list[str] = []
    runs = read_runs(data_dir, skipped)
    files = record_days(data_dir)
    if not runs and not files:
        raise NothingToReport(
            f"nothing to report in {data_dir}: no run report (runs/<source>/*.json) and no "
            "records (<source>/<YYYY-MM-DD>.jsonl) — is it the crawl's data folder?"
            + (f" ({len(skipped)} unreadable file(s) left out)" if skipped else "")
        )
    registry = load_sources()
    sources = []
    for source_id in sorted(runs.keys() | files.keys()):
        known = registry.get(source_id)
        health = SourceHealth(
            source_id,
            known.name if known else None,
            known.province if known else None,
            window,
            runs.get(source_id, []),
        )
        if source_id in files:
            health.records_from = f"{source_id}/<day>.jsonl"
            for day, path in files[source_id].items():
                if day in window:
                    health.records[day] = read_day(path, path.relative_to(data_dir), skipped)
        else:
            health.records_from = "its run reports: no day files (output written elsewhere, -O)"
            health.records = records_of_runs(health.runs, window)
        health.plot = per_day_plot(source_id, window, health.per_day())
        sources.append(health)
    sources.sort(key=lambda source: source.rank)
    return Health(data_dir, now, window, sources, skipped)


def per_day_plot(source_id: str, days: list[date], counts: list[int]) -> Markup:
    """Records written per day as a bar chart, an inline SVG element: text stays text (the
    browser's fonts, nothing fetched) and each bar and its count carry an id for tests and
    stylesheets."""
    figure = Figure(figsize=(8, 1.6), layout="constrained")
    axes = figure.add_subplot()
    positions = range(len(days))
    bars = axes.bar(positions, counts, width=0.75, color="#3b6ea8")
    labels = axes.bar_label(
        bars, labels=[str(n) if n else "" for n in counts], padding=2, fontsize=8
    )
    for bar, label, day in zip(bars, labels, days, strict=True):
        bar.set_gid(f"bar-{source_id}-{day.isoformat()}")
        label.set_gid(f"count-{source_id}-{day.isoformat()}")
    step = -(-len(days) // 14)  # at most 14 date labels, however long the window
    axes.set_xticks(
        positions[::-step][::-1], [day.strftime("%d/%m") for day in days[::-step][::-1]]
    )
    axes.tick_params(labelsize=8, length=2)
    axes.set_xlim(-0.6, len(days) - 0.4)
    axes.set_ylim(0, max(*counts, 1) * 1.25)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    svg = io.StringIO()
    # No metadata block: its Dublin Core and Creative Commons URIs would only be noise here.
    no_metadata = dict.fromkeys(("Creator", "Date", "Format", "Type"))
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(svg, format="svg", metadata=no_metadata)
    text = svg.getvalue()
    # Inline in HTML: the XML declaration and DOCTYPE before <svg> belong to a file only.
    return Markup(text[text.index("<svg") :])


def _vietnam_time(moment: datetime | None) -> str:
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def _ago(moment: datetime, now: datetime) -> str:
    seconds = max((now - moment).total_seconds(), 0)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} days ago"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def render(health: Health) -> str:
    environment = Environment(
        loader=PackageLoader("newscrawl", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(vntime=_vietnam_time, percent=_percent)
    environment.globals["ago"] = lambda moment: _ago(moment, health.generated)
    return environment.get_template("report.html").render(health=health)


def write_page(path: Path, page: str) -> None:
    """Replace the page in one step, so a browser or web server never reads half of it (the
    standard library's temporary file and os.replace are all this needs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with open(descriptor, "w", encoding="utf-8") as file:
            file.write(page)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the page from a web server
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(data_dir: Path, output: Path | None, days: int) -> int:
    """The `newscrawl report` command: writes the page, prints its path; exit 2 when the
    data folder is missing, 1 when it holds nothing to report or the page cannot be written."""
    if not data_dir.is_dir():
        print(f"newscrawl report: no data folder at {data_dir}", file=sys.stderr)
        return 2
    try:
        health = collect(data_dir, days)
    except NothingToReport as exc:
        print(f"newscrawl report: {exc}", file=sys.stderr)
        return 1
    for problem in health.skipped:
        print(f"newscrawl report: {problem}", file=sys.stderr)
    output = output or data_dir / "report.html"
    try:
        write_page(output, render(health))
    except OSError as exc:
        print(f"newscrawl report: cannot write {output}: {exc}", file=sys.stderr)
        return 1
    print(output)
    return 0
