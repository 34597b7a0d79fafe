"""`scrapy crawl`, ready for cron: one run per source at a time, and an exit code that says how
the run went.

Exit codes: 0 the run finished; 1 it failed (Scrapy's own errors, a crawl that did not finish);
65 (EX_DATAERR) it finished but the source looks changed (no article found where there were
some, a field's fill rate fell); 69 (EX_UNAVAILABLE) the site did not answer at all; 75
(EX_TEMPFAIL) another run of the same source holds the lock, so this one did nothing; 77
(EX_NOPERM) every start point answered with a block or challenge page.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from newscrawl import settings as project_settings
from newscrawl.sources import load_sources

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_DEGRADED = 65
EXIT_UNREACHABLE = 69
EXIT_LOCKED = 75
EXIT_BLOCKED = 77
EXIT_CODES = {
    "finished": EXIT_OK,
    "degraded": EXIT_DEGRADED,
    "unreachable": EXIT_UNREACHABLE,
    "blocked": EXIT_BLOCKED,
}


class Command(ScrapyCrawl):
    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        if opts.output or opts.overwrite_output:
            # Scrapy adds -o/-O to the project's FEEDS; a user naming an output means that one.
            feeds = self.settings.getdict("FEEDS")
            for uri in project_settings.FEEDS:
                feeds.pop(uri, None)
            self.settings.set("FEEDS", feeds, priority="cmdline")

    def run(self, args: list[str], opts) -> None:
        if len(args) != 1:
            return super().run(args, opts)  # Scrapy's usage errors
        source = args[0] if args[0] in load_sources() else opts.spargs.get("source")
        if source in load_sources() and "base_url" in opts.spargs:
            try:  # a mistyped or internal base_url is the user's error, not a traceback
                load_sources()[source].rebased(opts.spargs["base_url"])
            except ValueError as exc:
                raise UsageError(str(exc), print_help=False) from None
        lock = self._lock(source) if source else None
        if source and lock is None:
            lock_path = self._lock_path(source)
            print(
                f"newscrawl: another run of {source!r} holds {lock_path}; this run did nothing",
                file=sys.stderr,
            )
            self.exitcode = EXIT_LOCKED
            return None
        crawler = self._create_crawler(args[0])
        assert self.crawler_process
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.stats is None:
            self.exitcode = EXIT_FAILED
            return None
        status = crawler.stats.get_value("newscrawl/run_status", "failed")
        self.exitcode = EXIT_CODES.get(status, EXIT_FAILED)
        return None

    def _lock_path(self, source: str) -> Path:
        return Path(self.settings.get("NEWSCRAWL_LOCK_DIR")) / f"{source}.lock"

    def _lock(self, source: str) -> int | None:
        """An exclusive lock held until this process ends (the OS releases it even on kill -9)."""
        path = self._lock_path(source)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd
