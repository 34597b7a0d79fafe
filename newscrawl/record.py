"""The article record (design.md §2) and its JSON Schema, which ships for downstream users."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import jsonschema


@dataclass
class Image:
    url: str
    caption: str | None = None


# Record fields whose fill rate each run reports and compares with the source's recent runs
# (`newscrawl check` rates them too, after the required ones).
FILL_FIELDS = ("author", "date_modified", "lead", "images", "category", "tags", "credit")


@dataclass
class Article:
    id: str
    url: str
    source: str
    source_domain: str
    title: str
    author: list[str]
    date: str | None
    date_modified: str | None
    credit: str | None
    lead: str | None
    body: str
    images: list[Image] = field(default_factory=list)
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str = "vi"
    crawled_at: str | None = None
    version: int = 1
    duplicate_of: str | None = None


def article_id(canonical_url: str) -> str:
    """Stable across runs and workers: the same canonical URL always gives the same id."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()


# Below this many words a text may be a template many articles share ("Mời quý vị xem video"),
# so its fingerprint takes the title in too.
_SHORT_TEXT_WORDS = 40


def text_fingerprint(record: Article | dict) -> str:
    """The same text, wherever it was published: the body (already NFC, chrome and byline
    free) case-folded with whitespace collapsed; a short body is taken with its title."""
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
    words = get("body").casefold().split()
    if len(words) < _SHORT_TEXT_WORDS:
        words = [*get("title").casefold().split(), "\x1f", *words]
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()


def content_hash(record: Article | dict) -> str:
    """What decides whether a refetched page is an update: its text and how it is credited,
    not the page around it nor the time it was fetched."""
    get = record.get if isinstance(record, dict) else lambda name: getattr(record, name)
    parts = [
        get("title"),
        get("lead") or "",
        get("body"),
        "|".join(get("author")),
        get("credit") or "",
    ]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


@cache
def schema() -> dict:
    text = resources.files("newscrawl.schema").joinpath("article.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(schema())
    return cls(schema(), format_checker=cls.FORMAT_CHECKER)


def schema_errors(record: dict) -> list[str]:
    """Every way the record breaks the schema, as `field: message` lines (empty when valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(record)'}: {e.message}"
        for e in _validator().iter_errors(record)
    ]
