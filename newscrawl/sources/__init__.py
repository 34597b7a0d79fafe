"""The source registry and CMS profiles, loaded from the TOML files beside this module."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from urllib.parse import urlsplit

from newscrawl.addresses import DESCRIPTIONS, host_kind, is_local_host

Selectors = Mapping[str, tuple[str, ...]]

GENERIC_PROFILE = "generic"


class UnknownSource(KeyError):
    def __str__(self) -> str:
        known = ", ".join(sorted(load_sources()))
        return f"unknown source {self.args[0]!r} (known: {known})"


@dataclass(frozen=True)
class Profile:
    id: str
    description: str
    selectors: Selectors
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    province: str
    domains: tuple[str, ...]
    article_path: re.Pattern[str]
    profile: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    selectors: Selectors = field(default_factory=dict)
    former_province: str | None = None
    # A former outlet (a paper or station merged away in 2025, kept for its archive) names the
    # id of the current source that took it over; a current outlet has None.
    merged_into: str | None = None
    confidence: str = "unverified"
    outlet: str | None = None
    credit_names: tuple[str, ...] = ()
    facts_from: str = ""
    # URL variants of one article (newscrawl/extract/urls.py maps them to the desktop URL):
    # hosts that serve the site's mobile edition, beyond the `m.`/`amp.` prefixes every source
    # gets; and (regex over the canonical path, replacement) pairs from an AMP path to the
    # desktop one, for AMP shapes the generic rules cannot map (`-post123.amp` → `.html`).
    mobile_hosts: tuple[str, ...] = ()
    amp_paths: tuple[tuple[re.Pattern[str], str], ...] = ()

    @property
    def domain(self) -> str:
        """The site's main domain, as records name it (`source_domain`)."""
        return self.domains[0]

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts the source's requests may go to, with their subdomains: its domains and the
        hosts of its mobile edition."""
        return (*self.domains, *self.mobile_hosts)

    @property
    def local(self) -> bool:
        """Served from this machine (rebased onto a loopback `base_url`, as the tests and the
        offline demo are): its requests may go to loopback addresses, which are otherwise
        refused. A registry source never is."""
        return all(is_local_host(d) for d in self.domains)

    def owns(self, url: str) -> bool:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:  # "http://[broken": no host at all, so none of ours
            return False
        return self.on_domains(host)

    def on_domains(self, host: str, *, mobile: bool = False) -> bool:
        """Whether `host` (lower case) is one of the source's domains or a subdomain of one,
        or, with `mobile`, also one of its mobile hosts."""
        names = self.hosts if mobile else self.domains
        return any(host == d or host.endswith("." + d) for d in names)

    def is_article(self, url: str) -> bool:
        return self.article_url.search(url) is not None

    @cached_property
    def article_url(self) -> re.Pattern[str]:
        """`is_article`'s test, compiled once: the article path on the source's hosts (any
        subdomain, any port), over the whole URL."""
        hosts = "|".join(re.escape(d) for d in self.domains)
        path = self.article_path.pattern.removeprefix("^")
        return re.compile(rf"^https?://(?:[^/@]+\.)?(?:{hosts})(?::\d+)?{path}")

    def selector_layers(self) -> tuple[Selectors, ...]:
        """Selector layers in the order extraction tries them: the source's own, then its
        profile's (the generic layer is applied by the extractor after page metadata)."""
        layers = [self.selectors]
        if self.profile != GENERIC_PROFILE:
            layers.append(load_profiles()[self.profile].selectors)
        return tuple(layers)

    def selectors_for(self, key: str) -> tuple[str, ...]:
        """All selectors for `key`, the generic layer's last."""
        layers = (*self.selector_layers(), load_profiles()[GENERIC_PROFILE].selectors)
        return tuple(css for layer in layers for css in layer.get(key, ()))

    def rebased(self, base_url: str) -> Source:
        """The same source served from another origin (a mirror, a staging copy, the offline
        replica): start points keep their paths, the origin's host becomes the only domain.

        The origin must be a public host, or this machine (`127.0.0.1`, `::1`, `localhost`),
        which makes the source `local`; an internal network (`10.0.0.5`, `169.254.169.254`,
        `intranet`, `cms.internal`) is refused."""
        base = urlsplit(base_url)
        if base.scheme not in ("http", "https") or not base.hostname:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        kind = host_kind(base.hostname)
        if kind not in (None, "loopback"):
            raise ValueError(
                f"base_url {base_url!r}: {base.hostname} is {DESCRIPTIONS[kind]}; a source may "
                "be served from a public host, or from this machine (127.0.0.1, ::1, localhost)"
            )
        origin = f"{base.scheme}://{base.netloc}"

        def move(url: str) -> str:
            parts = urlsplit(url)
            return origin + parts.path + ("?" + parts.query if parts.query else "")

        return replace(
            self,
            domains=(base.hostname,),
            mobile_hosts=(),
            feeds=tuple(map(move, self.feeds)),
            sitemaps=tuple(map(move, self.sitemaps)),
            listings=tuple(map(move, self.listings)),
        )


def _selectors(table: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in table.items() if isinstance(v, list)}


def _read_toml(name: str) -> dict:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text("utf-8"))


@cache
def load_profiles() -> dict[str, Profile]:
    profiles = {}
    for pid, table in _read_toml("profiles.toml").items():
        selectors = _selectors({k: v for k, v in table.items() if k != "markers"})
        profiles[pid] = Profile(
            id=pid,
            description=table["description"],
            selectors=selectors,
            markers=tuple(table.get("markers", ())),
        )
    return profiles


@cache
def load_sources() -> dict[str, Source]:
    profiles = load_profiles()
    sources = {}
    for sid, table in _read_toml("sources.toml").items():
        if not table["article_path"].startswith("^"):
            raise ValueError(f"source {sid!r}: article_path must be anchored with '^'")
        if table["profile"] not in profiles:
            raise ValueError(f"source {sid!r} names unknown profile {table['profile']!r}")
        sources[sid] = Source(
            id=sid,
            name=table["name"],
            province=table["province"],
            former_province=table.get("former_province"),
            merged_into=table.get("merged_into"),
            domains=tuple(d.lower() for d in table["domains"]),
            feeds=tuple(table.get("feeds", ())),
            sitemaps=tuple(table.get("sitemaps", ())),
            listings=tuple(table.get("listings", ())),
            article_path=re.compile(table["article_path"]),
            profile=table["profile"],
            selectors=_selectors(table.get("selectors", {})),
            confidence=table.get("confidence", "unverified"),
            outlet=table.get("outlet"),
            credit_names=tuple(table.get("credit_names", ())),
            facts_from=table.get("facts_from", ""),
            mobile_hosts=tuple(h.lower() for h in table.get("mobile_hosts", ())),
            amp_paths=_amp_paths(sid, table.get("amp_paths", ())),
        )
        check_public_site(sources[sid])
    _check_merged_into(sources)
    return sources


def _check_merged_into(sources: Mapping[str, Source]) -> None:
    """A former outlet must name a current source: one that exists and was not merged itself."""
    for source in sources.values():
        if source.merged_into is None:
            continue
        successor = sources.get(source.merged_into)
        if successor is None or successor.merged_into is not None:
            raise ValueError(
                f"source {source.id!r}: merged_into must name a current source,"
                f" got {source.merged_into!r}"
            )


def check_public_site(source: Source) -> None:
    """A registry source is a public site: its domains and mobile hosts are public names, and its
    start points are http(s) URLs on them. Raises ValueError otherwise, so that no typo or
    copied intranet address sends a crawl into an internal network (a local copy of a site is
    crawled with `-a base_url=http://127.0.0.1:PORT` instead)."""
    for what, host in [
        *(("domain", d) for d in source.domains),
        *(("mobile host", h) for h in source.mobile_hosts),
    ]:
        kind = host_kind(host)
        if kind is not None:
            raise ValueError(
                f"source {source.id!r}: {what} {host!r} is {DESCRIPTIONS[kind]}; a registry "
                "source must be a public site (crawl a local copy with -a base_url=…)"
            )
    for url in (*source.feeds, *source.sitemaps, *source.listings):
        host = (urlsplit(url).hostname or "").lower()
        if urlsplit(url).scheme not in ("http", "https") or not source.on_domains(
            host, mobile=True
        ):
            raise ValueError(
                f"source {source.id!r}: start point {url!r} must be an http(s) URL on its "
                f"domains {', '.join(source.hosts)}"
            )


def _amp_paths(sid: str, pairs: list) -> tuple[tuple[re.Pattern[str], str], ...]:
    if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise ValueError(f"source {sid!r}: amp_paths must be [pattern, replacement] pairs")
    return tuple((re.compile(pattern), replacement) for pattern, replacement in pairs)


def detect_profile(names: Iterable[str]) -> Profile | None:
    """The CMS profile whose markers (class or id names) a page carries, if any."""
    names = set(names)
    return next(
        (p for p in load_profiles().values() if p.markers and not names.isdisjoint(p.markers)),
        None,
    )


@cache
def outlet_names() -> dict[str, tuple[str, ...]]:
    """Every outlet a credit line may name — the registry's and the national ones of
    outlets.toml — with the other ways pages write its name."""
    outlets = {name: tuple(t.get("names", ())) for name, t in _read_toml("outlets.toml").items()}
    for source in load_sources().values():
        if source.outlet:
            outlets[source.outlet] = (*source.credit_names, source.domain)
    return outlets


def get_source(source_id: str) -> Source:
    try:
        return load_sources()[source_id]
    except KeyError:
        raise UnknownSource(source_id) from None


def source_for_url(url: str) -> Source | None:
    return next((s for s in load_sources().values() if s.owns(url)), None)
