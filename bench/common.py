"""Helpers shared by the benchmarks that measure the state store."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path


def timed(function, *args, **kwargs) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def file_size(path: Path) -> int:
    """Database plus WAL after a checkpoint: what the store occupies between runs."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return sum(os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}"))
