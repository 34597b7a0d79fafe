"""The replica site model: a plain list of articles loaded from TOML data files.

A site lives in ``replica/sites/<site_id>/``:

- ``site.toml`` — name, domain, permalink pattern, categories (slug → display name);
- ``articles/*.toml`` — one article per file (see ``replica/README.md`` for the fields);
- ``render.py`` — ``render(site, base_url) -> dict[str, Resource]``, the site's pages.

Everything here is plain data: a test may append to ``site.articles`` or edit an article and
render again.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

SITES_DIR = Path(__file__).parent / "sites"
SITE_IDS = ("qbtv", "baohatinh")


@dataclass
class Image:
    """An image of the article body, placed after paragraph ``after`` (0 = before the first)."""

    src: str  # path on the site, e.g. "/wp-content/uploads/2024/10/lu-le-thuy-1.jpg"
    caption: str | None
    after: int
    # The CMS repeats the caption as a plain paragraph right after the image (real pages do).
    repeat_caption: bool = False
    # How the site's CMS wraps it: qbtv "figure" | "div" | "bare"; baohatinh "table" | "figure".
    style: str = ""


@dataclass
class Article:
    slug: str
    post_id: int
    category: str  # category slug
    title: str
    published: str  # ISO 8601 with offset
    paragraphs: list[str]  # HTML fragments; "{base}" stands for the site's base URL
    byline: list[str] = field(default_factory=list)  # closing lines of the body, as printed
    images: list[Image] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lead: str | None = None
    modified: str | None = None
    account: str | None = None  # WordPress posting account (qbtv), not the reporter
    views: int = 0
    facts_from: list[str] = field(default_factory=list)
    file: Path | None = None

    @property
    def published_dt(self) -> datetime:
        return datetime.fromisoformat(self.published)

    @property
    def modified_dt(self) -> datetime | None:
        return datetime.fromisoformat(self.modified) if self.modified else None


@dataclass
class Site:
    id: str
    name: str
    domain: str
    permalink: str  # e.g. "/{year}/{month}/{day}/{slug}/" or "/{slug}-post{post_id}.html"
    categories: dict[str, str]  # slug -> display name, in menu order
    articles: list[Article]
    accounts: dict[str, str] = field(default_factory=dict)  # login -> display name
    description: str = ""

    def path_of(self, article: Article) -> str:
        d = article.published_dt
        return self.permalink.format(
            year=f"{d.year:04d}",
            month=f"{d.month:02d}",
            day=f"{d.day:02d}",
            slug=article.slug,
            post_id=article.post_id,
        )

    def url_of(self, article: Article, base_url: str) -> str:
        return base_url.rstrip("/") + self.path_of(article)

    def newest_first(self, articles: list[Article] | None = None) -> list[Article]:
        items = self.articles if articles is None else articles
        return sorted(items, key=lambda a: (a.published_dt, a.post_id), reverse=True)

    def in_category(self, slug: str) -> list[Article]:
        return self.newest_first([a for a in self.articles if a.category == slug])

    def with_tag(self, tag: str) -> list[Article]:
        return self.newest_first([a for a in self.articles if tag in a.tags])

    def all_tags(self) -> list[str]:
        seen: dict[str, None] = {}
        for article in self.newest_first():
            for tag in article.tags:
                seen.setdefault(tag, None)
        return list(seen)


class PageContext:
    """What every template needs: the site, its base URL and URL builders. Each site's
    renderer adds the builders of its own URL scheme."""

    def __init__(self, site: Site, base: str) -> None:
        self.site = site
        self.base = base.rstrip("/")

    def url(self, path: str) -> str:
        return self.base + path

    def art(self, a: Article) -> str:
        return self.site.url_of(a, self.base)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """NFC and single spaces: data files may wrap long strings over several lines."""
    return " ".join(nfc(text).split())


def slugify(text: str) -> str:
    """Vietnamese-aware ASCII slug: ``"Đồng Hới"`` -> ``"dong-hoi"``."""
    text = nfc(text).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    out, dash = [], False
    for c in text:
        if c.isascii() and c.isalnum():
            out.append(c)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def load_article(path: Path) -> Article:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    images = [
        Image(
            src=img["src"],
            caption=squash(img["caption"]) if img.get("caption") else None,
            after=int(img["after"]),
            repeat_caption=bool(img.get("repeat_caption", False)),
            style=img.get("style", ""),
        )
        for img in data.get("images", [])
    ]
    return Article(
        slug=data["slug"],
        post_id=int(data["post_id"]),
        category=data["category"],
        title=squash(data["title"]),
        published=data["published"],
        modified=data.get("modified"),
        lead=squash(data["lead"]) if data.get("lead") else None,
        paragraphs=[squash(p) for p in data["paragraphs"]],
        byline=[squash(line) for line in data.get("byline", [])],
        images=images,
        tags=[squash(t) for t in data.get("tags", [])],
        account=data.get("account"),
        views=int(data.get("views", 0)),
        facts_from=list(data.get("facts_from", [])),
        file=path,
    )


def load_site(site_id: str) -> Site:
    folder = SITES_DIR / site_id
    with (folder / "site.toml").open("rb") as fh:
        meta = tomllib.load(fh)
    articles = [load_article(p) for p in sorted((folder / "articles").glob("*.toml"))]
    return Site(
        id=site_id,
        name=squash(meta["name"]),
        domain=meta["domain"],
        permalink=meta["permalink"],
        categories={c["slug"]: squash(c["name"]) for c in meta["categories"]},
        accounts={a["login"]: squash(a["name"]) for a in meta.get("accounts", [])},
        description=squash(meta.get("description", "")),
        articles=articles,
    )


def render_article_pages(
    base_urls: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """(url, html) of every article page of the bundled replicas, rendered without a server.

    URLs default to the ``python -m replica serve`` ports (qbtv :8801, baohatinh :8802).
    """
    from replica.server import render_site

    bases = base_urls or {
        site_id: f"http://127.0.0.1:{8801 + i}" for i, site_id in enumerate(SITE_IDS)
    }
    pages: list[tuple[str, str]] = []
    for site_id, base in bases.items():
        site = load_site(site_id)
        rendered = render_site(site, base)
        for article in site.articles:
            path = site.path_of(article)
            pages.append((base.rstrip("/") + path, rendered[path].body.decode("utf-8")))
    return pages


def new_articles(site: Site, count: int, published: str) -> list[Article]:
    """`count` articles `site` has not published, dated `published`, for tests that publish
    news between two crawls. Their texts are the other replica site's (ones `site` does not
    carry yet): an edited copy of one of `site`'s own articles would be a near duplicate."""
    other = load_site(next(i for i in SITE_IDS if i != site.id))
    titles = {a.title for a in site.articles}
    template = site.newest_first()[0]
    top = max(a.post_id for a in site.articles)
    fresh = [a for a in other.newest_first() if a.title not in titles][:count]
    return [
        replace(
            template,
            slug=a.slug,
            post_id=top + n,
            title=a.title,
            lead=a.lead if template.lead else None,
            paragraphs=a.paragraphs,
            images=[],
            published=published,
            modified=None,
            file=None,
        )
        for n, a in enumerate(fresh, start=1)
    ]
