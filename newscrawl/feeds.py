"""Feed export that survives `kill -9`: lines are durable once written, a torn last line is
quarantined before a file is appended to, and `%(source_id)s` / `%(day)s` name the files."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FileFeedStorage

from newscrawl.extract.dates import VN_TZ

logger = logging.getLogger(__name__)

# How far from the end of an output file a torn line is looked for: one record is far smaller.
_TAIL_BYTES = 1 << 20


def uri_params(params: dict, spider) -> dict:
    # The day is Vietnam's: a run at 01:00 local time belongs to that local day's file.
    return {**params, "day": datetime.now(VN_TZ).date().isoformat()}


def last_lines(path: Path, count: int) -> list[bytes]:
    """The last `count` lines of a file, read from its tail only (the first may be cut)."""
    with path.open("rb") as file:
        file.seek(max(0, path.stat().st_size - _TAIL_BYTES))
        return file.read().splitlines()[-count:]


def repair_torn_tail(path: str | os.PathLike) -> Path | None:
    """Cut a partial last line (a write interrupted by a kill) off a JSON Lines file and keep it
    beside the file as `<name>.torn-<n>`, so the file holds only whole lines again. Returns the
    quarantine file, or None when the file was whole."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    if size == 0:
        return None
    with path.open("r+b") as file:
        start = max(0, size - _TAIL_BYTES)
        file.seek(start)
        tail = file.read()
        if tail.endswith(b"\n"):
            return None
        cut = tail.rfind(b"\n") + 1  # 0 when the torn line is the whole tail
        quarantine = _free_name(path)
        quarantine.write_bytes(tail[cut:])
        file.truncate(start + cut)
        file.flush()
        os.fsync(file.fileno())
    logger.warning(
        "%s ended in a partial line (%d bytes), moved to %s",
        path, len(tail) - cut, quarantine,
    )  # fmt: skip
    return quarantine


def _free_name(path: Path) -> Path:
    n = 1
    while (candidate := path.with_name(f"{path.name}.torn-{n}")).exists():
        n += 1
    return candidate


class RecoveringFileFeedStorage(FileFeedStorage):
    """Scrapy's local-file storage, repairing a torn last line before appending to a file."""

    def open(self, spider) -> IO[bytes]:
        if self.write_mode == "ab":
            repair_torn_tail(self.path)
        return super().open(spider)


class DurableJsonLinesItemExporter(JsonLinesItemExporter):
    """JSON Lines whose every line is on disk when export_item returns (flush + fsync), so that
    the state store, which records an article after it is exported, never records a line that
    a crash could still lose."""

    def export_item(self, item: Any) -> None:
        super().export_item(item)
        self.file.flush()
        fileno = getattr(self.file, "fileno", None)
        if fileno is not None:
            os.fsync(fileno())
