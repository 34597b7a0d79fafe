"""`newscrawl report`: the health page of a data folder, built from real crawls of the replica
sites, opened in headless Chromium and read as a person would read it."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.cli import main
from newscrawl.commands.crawl import EXIT_BLOCKED, EXIT_DEGRADED
from newscrawl.extensions.incremental import build_report
from newscrawl.extract.dates import VN_TZ
from newscrawl.record import FILL_FIELDS
from replica.expected import expected_records
from replica.server import serve
from replica.site import new_articles

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0"]
DAYS = 7
TODAY = datetime.now(VN_TZ).date()
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='challenge-running'>Checking your browser before accessing the site.</div>"
    b"</body></html>"
)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def crawl(folder: Path, source: str, base_url: str) -> int:
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", source, "-a", f"base_url={base_url}", *FAST],
        cwd=folder, capture_output=True, text=True, timeout=300,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "newscrawl.settings"},
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.returncode


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """A data folder as cron leaves it: both replicas crawled, then qbtv written again with
    duplicates and an article error, then blocked; baohatinh found empty (degraded)."""
    folder = tmp_path_factory.mktemp("crawls")
    with serve(["qbtv", "baohatinh"]) as bases:
        qbtv, baohatinh = bases.servers["qbtv"], bases.servers["baohatinh"]
        assert crawl(folder, "baohatinh", bases["baohatinh"]) == 0
        assert crawl(folder, "qbtv", bases["qbtv"]) == 0
        # The first qbtv records, as if written two days ago: the plot must put them there.
        files = folder / "data" / "qbtv"
        (files / f"{TODAY}.jsonl").rename(files / f"{TODAY - timedelta(days=2)}.jsonl")

        # new_articles publishes the other replica's texts: baohatinh wrote them already.
        published = new_articles(qbtv.site, 3, datetime.now(VN_TZ).isoformat(timespec="seconds"))
        qbtv.site.articles.extend(published)
        edited = qbtv.site.articles[1]
        edited.paragraphs.append("Cập nhật: số liệu trên đã được điều chỉnh lại.")
        edited.modified = datetime.now(VN_TZ).isoformat(timespec="seconds")
        qbtv.rerender()
        del qbtv.pages[qbtv.site.path_of(published[0])]  # listed, but answers 404
        assert crawl(folder, "qbtv", bases["qbtv"]) == 0

        for start in ("/feed/", "/wp-sitemap.xml", "/", "/category/thoi-su/", "/category/kinh-te/"):
            qbtv.pages[start] = dataclasses.replace(
                qbtv.pages[start], body=CHALLENGE, status=403, headers={"Server": "cloudflare"}
            )
        assert crawl(folder, "qbtv", bases["qbtv"]) == EXIT_BLOCKED

        baohatinh.site.articles.clear()
        baohatinh.rerender()
        assert crawl(folder, "baohatinh", bases["baohatinh"]) == EXIT_DEGRADED
    return folder / "data"


def reports(data: Path, source: str) -> list[dict]:
    paths = sorted((data / "runs" / source).glob("*.json"))
    return [json.loads(path.read_text("utf-8")) for path in paths]


def records(data: Path, source: str, day: date | None = None) -> list[dict]:
    pattern = f"{day}.jsonl" if day else "*.jsonl"
    return [
        json.loads(line)
        for path in sorted((data / source).glob(pattern))
        for line in path.read_text("utf-8").splitlines()
    ]


def vietnam_time(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(VN_TZ).strftime("%Y-%m-%d %H:%M")


def fill_rate(rows: list[dict], field: str) -> str:
    return f"{sum(bool(row[field]) for row in rows) / len(rows):.0%}"


@pytest.fixture(scope="session")
def chromium() -> str:
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("NEWSCRAWL_REQUIRE_CHROMIUM"):
        pytest.fail("NEWSCRAWL_REQUIRE_CHROMIUM is set but no chromium is installed")
    pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")


def browse(chromium: str, page: Path, profile: Path, *mode: str) -> tuple[str, list[str]]:
    """Open `page` in headless Chromium; returns what it printed and every URL the page asked
    for (from Chromium's network log). The proxy is a closed local port, so nothing the
    browser asks for, the page or its own background services, can leave this machine."""
    net_log = profile / "net-log.json"
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--proxy-server=http://127.0.0.1:9",
         f"--log-net-log={net_log}", *mode, page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    log = json.loads(net_log.read_text("utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    # A request the page made is keyed to the page's own site (file://); the browser's own
    # (update checks, account probes) are not.
    asked = [
        event["params"]["url"]
        for event in log["events"]
        if event["type"] == start_job
        and event["params"].get("network_isolation_key", "").startswith("file://")
    ]
    return result.stdout, asked


@pytest.fixture(scope="module")
def page(chromium, data, tmp_path_factory) -> Selector:
    output = tmp_path_factory.mktemp("page") / "health.html"
    assert main(["report", str(data), "-o", str(output), "--days", str(DAYS)]) == 0
    dom, asked = browse(chromium, output, tmp_path_factory.mktemp("profile"), "--dump-dom")
    assert asked == []
    return Selector(text=dom)


def text(selection) -> str:
    """What a reader sees of the selected elements: their text, spaces collapsed."""
    return " ".join(element.xpath("normalize-space()").get() for element in selection)


def test_problems_come_first_and_are_named_at_the_top(page):
    assert page.css("html::attr(lang)").get() == "en"
    assert page.css("meta[charset]::attr(charset)").get() == "utf-8"
    banner = text(page.css(".banner.problems"))
    assert banner.startswith("2 of 2 source(s) need attention")
    assert "qbtv: blocked" in banner
    assert "baohatinh: degraded" in banner and "no article found" in banner
    # blocked (nothing crawled) before degraded (crawled, looks changed), whatever the names
    assert page.css("table.summary tbody tr::attr(data-source)").getall() == ["qbtv", "baohatinh"]
    assert page.css("section.source::attr(data-source)").getall() == ["qbtv", "baohatinh"]
    assert page.css("section.source.attention").getall()


def test_each_source_shows_its_runs_records_duplicates_errors_and_last_success(page, data):
    qbtv_runs, baohatinh_runs = reports(data, "qbtv"), reports(data, "baohatinh")
    assert [r["status"] for r in qbtv_runs] == ["finished", "finished", "blocked"]
    assert [r["status"] for r in baohatinh_runs] == ["finished", "degraded"]
    # every replica article, and the edited one's version 2
    qbtv_written = len(expected_records("qbtv", "http://127.0.0.1")) + 1
    baohatinh_written = len(expected_records("baohatinh", "http://127.0.0.1"))
    assert len(records(data, "qbtv")) == qbtv_written
    expected = {
        # two of the three texts qbtv published were baohatinh's already (the third answered
        # 404: an article error)
        "qbtv": ("blocked", qbtv_runs[1]["finished_at"], qbtv_written, 2, 1, 3),
        "baohatinh": ("degraded", baohatinh_runs[0]["finished_at"], baohatinh_written, 0, 0, 2),
    }
    for source, (status, success, written, duplicates, errors, runs) in expected.items():
        row = page.css(f"table.summary tr[data-source={source}]")
        assert text(row.css(".status")) == status
        assert text(row.css(".last-success")).startswith(vietnam_time(success))
        assert text(row.css(".written")) == str(written)
        assert text(row.css(".duplicates")) == str(duplicates)
        assert text(row.css(".errors")) == str(errors)
        assert text(row.css(".runs")) == str(runs)

    qbtv = page.css("section#source-qbtv")
    assert text(qbtv.css(".counts .new")) == str(qbtv_written - 1)
    assert text(qbtv.css(".counts .updated")) == "1"
    assert text(qbtv.css(".counts .article-errors")) == "1"
    assert text(qbtv.css(".counts .blocked")) == str(
        sum(qbtv_runs[2]["articles"]["blocked"].values())
    )
    assert int(text(qbtv.css(".counts .blocked"))) > 0
    dropped = qbtv_runs[1]["articles"]["dropped"]
    assert text(qbtv.css(".counts .duplicates-dropped")) == str(dropped.get("duplicate", 0))
    assert text(qbtv.css(".counts .near-duplicates-dropped")) == str(
        dropped.get("near_duplicate", 0)
    )
    assert "3 run(s) in 7 days: 2 finished, 1 blocked" in text(qbtv.css(".run-statuses"))
    baohatinh = page.css("section#source-baohatinh")
    assert "Báo Hà Tĩnh (Hà Tĩnh)" in text(baohatinh.css("header"))
    assert "has the site changed?" in text(baohatinh.css("ul.warnings"))


def test_fill_rates_of_the_latest_run_with_records_and_of_the_window(page, data):
    latest = {"qbtv": records(data, "qbtv", TODAY), "baohatinh": records(data, "baohatinh")}
    for source, latest_records in latest.items():
        rows = page.css(f"section#source-{source} table.fill-rates tr[data-field]")
        assert rows.css("::attr(data-field)").getall() == list(FILL_FIELDS)
        for field in FILL_FIELDS:
            row = rows.css(f"[data-field={field}]")
            assert text(row.css(".latest")) == fill_rate(latest_records, field), (source, field)
            assert text(row.css(".window")) == fill_rate(records(data, source), field)


def test_the_plot_has_a_bar_per_day_and_the_records_of_each_day(page, data):
    window = [TODAY - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    per_day = {
        "qbtv": {TODAY - timedelta(days=2): len(records(data, "qbtv", TODAY - timedelta(days=2))),
                 TODAY: 1},
        "baohatinh": {TODAY: len(records(data, "baohatinh"))},
    }  # fmt: skip
    for source, counts in per_day.items():
        plot = page.css(f"section#source-{source} figure.per-day svg")
        assert len(plot) == 1
        bars = plot.css(f"[id^=bar-{source}-]::attr(id)").getall()
        assert bars == [f"bar-{source}-{day}" for day in window]
        for day in window:
            shown = text(plot.css(f"#count-{source}-{day}"))
            assert shown == (str(counts[day]) if day in counts else ""), (source, day)
        assert text(plot.css("text")).count("/") >= DAYS  # a dd/mm label under each bar


def test_the_page_is_one_file_that_asks_for_nothing(page):
    links = page.xpath("//@src | //@href | //@*[local-name()='href'] | //@srcset").getall()
    assert links and all(link.startswith("#") for link in links)
    for style in page.css("style::text").getall() + page.css("[style]::attr(style)").getall():
        assert "@import" not in style and "url(" not in style.replace("url(#", "")


def test_a_page_that_asks_for_a_remote_file_is_caught(chromium, tmp_path):
    # The network check of the tests above, shown to see a request when there is one.
    page = tmp_path / "remote.html"
    page.write_text('<img src="http://example.invalid/logo.png">', "utf-8")
    _, asked = browse(chromium, page, tmp_path / "profile", "--dump-dom")
    assert asked == ["http://example.invalid/logo.png"]


# --- bad input -------------------------------------------------------------------------------


def write_run(data: Path, source: str, started: str, status: str, **stats) -> Path:
    report = build_report(source, started, started, status, stats)
    path = data / "runs" / source / (started.replace(":", "")[:17] + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report), "utf-8")
    return path


def test_unreadable_files_are_left_out_and_named(tmp_path, capsys):
    now = datetime.now(VN_TZ).replace(microsecond=0)
    good = write_run(tmp_path, "qbtv", now.isoformat(), "finished", **{"newscrawl/written": 2})
    (good.parent / "torn.json").write_text('{"source": "qbtv", "sta', "utf-8")
    (good.parent / "other.json").write_text(
        json.dumps(json.loads(good.read_text("utf-8")) | {"status": 3}), "utf-8"
    )
    (good.parent / "naive.json").write_text(
        good.read_text("utf-8").replace(now.isoformat(), now.isoformat()[:19]), "utf-8"
    )
    day = tmp_path / "qbtv" / f"{now.date()}.jsonl"
    day.parent.mkdir()
    day.write_text(
        '{"id": "a", "version": 1}\n{"id": "b", "version": 2}\n{"id": "c", "ver', "utf-8"
    )

    assert main(["report", str(tmp_path)]) == 0

    out, err = capsys.readouterr()
    assert out.strip() == str(tmp_path / "report.html")
    page = Selector(text=(tmp_path / "report.html").read_text("utf-8"))
    skipped = page.css(".skipped li::text").getall()
    assert len(skipped) == 4
    for name, why in [
        ("torn.json", "not a readable JSON file"),
        ("other.json", "not a run report ($.status: 3 is not of type 'string')"),
        ("naive.json", "has no UTC offset"),
        (f"{now.date()}.jsonl", "1 line(s) that are not JSON records left out (line 3)"),
    ]:
        assert any(name in line and why in line for line in skipped), name
        assert any(name in line and why in line for line in err.splitlines()), name
    row = page.css("table.summary tr[data-source=qbtv]")
    assert text(row.css(".runs")) == "1"
    assert text(row.css(".written")) == "2"
    assert text(page.css("section#source-qbtv .counts .updated")) == "1"


def test_records_without_run_reports_are_shown_as_such(tmp_path, capsys):
    day = tmp_path / "baohatinh" / f"{TODAY}.jsonl"
    day.parent.mkdir()
    day.write_text('{"id": "a", "version": 1, "duplicate_of": "b"}\n', "utf-8")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "qbtv.jsonl").write_text("{}\n", "utf-8")  # not a day file: not a source

    assert main(["report", str(tmp_path), "-o", str(tmp_path / "out" / "page.html")]) == 0

    page = Selector(text=(tmp_path / "out" / "page.html").read_text("utf-8"))
    assert page.css("table.summary tbody tr::attr(data-source)").getall() == ["baohatinh"]
    row = page.css("table.summary tr[data-source=baohatinh]")
    assert text(row.css(".status")) == "no run report"
    assert text(row.css(".last-success")) == "never"
    assert text(row.css(".duplicates")) == "1"
    assert "no run report with records" in text(page.css("section#source-baohatinh"))
    assert capsys.readouterr().err == ""


def test_an_empty_data_folder_says_so(tmp_path, capsys):
    (tmp_path / "runs").mkdir()
    assert main(["report", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"nothing to report in {tmp_path}" in err and "data folder?" in err
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize("make", [lambda p: None, lambda p: p.write_text("not a folder")])
def test_a_missing_data_folder_is_a_usage_error(tmp_path, capsys, make):
    missing = tmp_path / "data"
    make(missing)
    assert main(["report", str(missing)]) == 2
    assert capsys.readouterr().err == f"newscrawl report: no data folder at {missing}\n"


def test_days_must_be_a_sensible_number(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["report", str(tmp_path), "--days", "0"])
    assert exit.value.code == 2
    assert "from 1 to 366" in capsys.readouterr().err


def test_a_page_that_cannot_be_written_is_an_error(tmp_path, capsys):
    write_run(tmp_path, "qbtv", datetime.now(VN_TZ).isoformat(timespec="seconds"), "finished")
    (tmp_path / "report.html").mkdir()  # where the page should go, a folder stands
    assert main(["report", str(tmp_path)]) == 1
    assert f"cannot write {tmp_path / 'report.html'}" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_sources_are_listed_worst_first(tmp_path):
    started = datetime.now(VN_TZ).isoformat(timespec="seconds")
    for source, status in [("a", "finished"), ("b", "killed"), ("c", "failed"), ("d", "blocked")]:
        write_run(tmp_path, source, started, status)
    day = tmp_path / "e" / f"{TODAY}.jsonl"
    day.parent.mkdir()
    day.write_text('{"id": "x"}\n', "utf-8")

    assert main(["report", str(tmp_path)]) == 0

    page = Selector(text=(tmp_path / "report.html").read_text("utf-8"))
    assert page.css("section.source::attr(data-source)").getall() == ["c", "d", "b", "e", "a"]
    assert text(page.css(".banner.problems")).startswith("4 of 5 source(s) need attention")

    (tmp_path / "e" / f"{TODAY}.jsonl").unlink()
    for source in "bcd":
        shutil.rmtree(tmp_path / "runs" / source)
    assert main(["report", str(tmp_path)]) == 0
    page = Selector(text=(tmp_path / "report.html").read_text("utf-8"))
    assert text(page.css(".banner")) == "Every source finished its latest run."


def test_records_written_to_a_file_of_ones_own_are_counted_from_the_run_reports(tmp_path):
    # `scrapy crawl qbtv -O qbtv.jsonl` (the offline demo does so): no day files, the runs
    # still say what they wrote.
    now = datetime.now(VN_TZ).replace(microsecond=0)
    write_run(tmp_path, "qbtv", (now - timedelta(days=1)).isoformat(), "finished")
    write_run(tmp_path, "qbtv", now.isoformat(), "finished", **{"newscrawl/written": 8})
    (tmp_path / "qbtv.jsonl").write_text("{}\n" * 8, "utf-8")

    assert main(["report", str(tmp_path), "--days", "3"]) == 0

    page = Selector(text=(tmp_path / "report.html").read_text("utf-8"))
    assert text(page.css("table.summary tr[data-source=qbtv] .written")) == "8"
    section = page.css("section#source-qbtv")
    assert "from its run reports" in text(section.css("figcaption"))
    today, yesterday = now.date(), now.date() - timedelta(days=1)
    assert text(section.css(f"svg #count-qbtv-{today}")) == "8"
    assert text(section.css(f"svg #count-qbtv-{yesterday}")) == ""  # a run that wrote nothing


def test_last_success_is_the_latest_finished_run_not_the_latest_run(tmp_path):
    # Runs minutes apart (as cron makes them) would show one time for both: days apart here.
    now = datetime.now(VN_TZ).replace(microsecond=0)
    finished = now - timedelta(days=3)
    write_run(tmp_path, "qbtv", finished.isoformat(), "finished")
    write_run(tmp_path, "qbtv", (now - timedelta(days=1)).isoformat(), "degraded")
    write_run(tmp_path, "qbtv", now.isoformat(), "blocked")

    assert main(["report", str(tmp_path)]) == 0

    page = Selector(text=(tmp_path / "report.html").read_text("utf-8"))
    row = page.css("table.summary tr[data-source=qbtv]")
    assert text(row.css(".status")) == "blocked"
    assert text(row.css(".last-success")) == f"{vietnam_time(finished.isoformat())} 3 days ago"
