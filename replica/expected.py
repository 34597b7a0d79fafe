"""The records a correct extractor must produce for the replica sites.

Derived from the article data files, never from the rendered HTML, so a test can compare an
extractor's output with an answer that does not depend on the markup.
"""

from __future__ import annotations

import re

from newscrawl.extract.credit import normalize_credit
from replica.site import Article, Site, load_site
from replica.web import fill, text_of

# Credit prefixes that precede a reporter's name on the closing byline line.
_ROLE_PREFIX = re.compile(
    r"^(?:Bài và ảnh|Bài, ảnh|Tin và ảnh|Tin, ảnh|Ảnh, bài|Bài|Tin|Ảnh|Video|Clip|PV|CTV)"
    r"\s*[:：]\s*",
    re.IGNORECASE,
)
# Outlet credits: "Nguồn: QBTV.vn", "Theo TTXVN", "(TTXVN)".
_CREDIT = re.compile(r"^(?:Nguồn\s*[:：]|Theo)\s*(?P<who>.+?)\.?$|^\((?P<paren>[^()]+)\)$")
_NAME_SPLIT = re.compile(r"\s+[-–—]\s+")  # "Thu Hà - Thiên Vỹ"


def _name_case(name: str) -> str:
    """``CHÂU AN`` -> ``Châu An``; names already in mixed case are kept as written."""
    if name.upper() != name:
        return name
    return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())


def byline_parts(lines: list[str]) -> tuple[list[str], str | None]:
    """Split the closing byline lines into (persons, outlet credit)."""
    names: list[str] = []
    credit: str | None = None
    for raw in lines:
        line = " ".join(raw.split())
        match = _CREDIT.match(line)
        if match:
            credit = (match.group("who") or match.group("paren")).strip()
            continue
        line = _ROLE_PREFIX.sub("", line)
        for part in _NAME_SPLIT.split(line):
            if part.strip():
                names.append(_name_case(part.strip()))
    return names, credit


def body_text(article: Article, base_url: str = "") -> str:
    """Paragraph plain texts (link and bold text kept) joined by a blank line."""
    return "\n\n".join(text_of(fill(p, base_url)) for p in article.paragraphs)


def expected_record(site: Site, article: Article, base_url: str) -> dict:
    base = base_url.rstrip("/")
    names, credit = byline_parts(article.byline)
    ordered = sorted(enumerate(article.images), key=lambda pair: (pair[1].after, pair[0]))
    return {
        "url": site.url_of(article, base),
        "title": article.title,
        "author": names,
        "date": article.published,
        "date_modified": article.modified,
        # Records name the credited outlet as the registry and outlets.toml know it.
        "credit": normalize_credit(credit),
        "lead": article.lead,
        "body": body_text(article, base),
        "images": [{"url": base + img.src, "caption": img.caption} for _, img in ordered],
        "category": site.categories.get(article.category, article.category),
        "tags": list(article.tags),
        "language": "vi",
    }


def expected_records(site_id: str, base_url: str, site: Site | None = None) -> list[dict]:
    """One record per article file of ``site_id`` (in file order), URLs under ``base_url``.

    Pass ``site`` to get the records of an edited in-memory site instead of the data files.
    """
    site = site or load_site(site_id)
    return [expected_record(site, a, base_url) for a in site.articles]
