"""Credits normalized to the credited outlet's name: "Theo TTXVN", "(TTXVN/Vietnam+)" and
"Nguồn: Thông tấn xã Việt Nam" are all `TTXVN`; "Nguồn: QBTV.vn" is `QBTV`."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from newscrawl.sources import outlet_names

_NOT_WORD = re.compile(r"[^\w]+")
# Masthead words a credit may add or leave out ("Báo Nghệ An" / "Nghệ An", "… điện tử").
_MASTHEAD = re.compile(r"^(?:báo|đài|tạp chí) | (?:điện tử|online)$")


def _key(name: str) -> str:
    """Case, punctuation and spacing do not tell outlets apart; accents do (báo ≠ bão)."""
    words = _NOT_WORD.sub(" ", unicodedata.normalize("NFC", name).casefold()).strip()
    return _MASTHEAD.sub("", words).strip()


@cache
def _outlets_by_key() -> dict[str, str]:
    index: dict[str, str] = {}
    for outlet, names in outlet_names().items():
        for name in (outlet, *names):
            index.setdefault(_key(name), outlet)
    return index


def normalize_credit(credit: str | None) -> str | None:
    """The outlet's name when the credit names a known outlet, else the credit as written."""
    if not credit:
        return credit
    return _outlets_by_key().get(_key(credit), credit)
