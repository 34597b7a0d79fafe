"""Shared test fixtures. Real pages are read from the project's shared folder (../shared beside
the repository, or $NEWSCRAWL_SHARED); they are never copied into the repository."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSCRAWL_SHARED", REPO.parent / "shared"))
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def shared_pages() -> Path:
    pages = SHARED / "fixtures" / "pages"
    if not pages.is_dir():
        pytest.skip(f"shared fixtures not found at {pages} (set NEWSCRAWL_SHARED)")
    return pages
