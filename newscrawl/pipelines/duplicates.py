from __future__ import annotations

from dataclasses import replace

from scrapy.exceptions import DropItem

from newscrawl.extensions.incremental import IncrementalRun
from newscrawl.extract.credit import normalize_credit
from newscrawl.extract.similarity import THRESHOLD, band_keys, from_bytes, matchable, signature
from newscrawl.record import Article, text_fingerprint

POLICIES = ("drop", "mark")


class DuplicatePipeline:
    """An article whose text was already written — under another URL of the same site, or by
    another outlet sharing the state store — is not written again: it is dropped and counted as
    `newscrawl/dropped/duplicate` (NEWSCRAWL_DUPLICATES = "drop", the default), or written with
    `duplicate_of` = the first record's id ("mark"). An edited copy (another lead, a credit
    line, a paragraph more or less: MinHash similarity ≥ THRESHOLD with an article written in
    the last NEWSCRAWL_NEAR_DUPLICATE_DAYS) counts as `newscrawl/dropped/near_duplicate`.

    The original is preferred: when the text seen first credited the outlet now crawled ("Theo
    QBTV" on another paper, then QBTV's own page), this record is written as usual and takes
    the text over, so later copies point to it."""

    def __init__(self, crawler, policy: str):
        self.crawler = crawler
        self.policy = policy
        # Pages pass the pipelines concurrently, and a text is recorded in the state only once
        # written: a copy of a text this run let through is caught here, not by the state.
        # Text fingerprint → the id later copies are duplicates of.
        self.let_through: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        policy = crawler.settings.get("NEWSCRAWL_DUPLICATES")
        if policy not in POLICIES:
            raise ValueError(f"NEWSCRAWL_DUPLICATES must be one of {POLICIES}, not {policy!r}")
        return cls(crawler, policy)

    def process_item(self, item: Article) -> Article:
        run = self.crawler.get_extension(IncrementalRun)
        if run is None or run.state is None:
            return item
        spider = self.crawler.spider
        fingerprint = text_fingerprint(item)
        first_this_run = self.let_through.setdefault(fingerprint, item.id)
        if first_this_run != item.id:
            return self._duplicate(item, spider.source_id, first_this_run, "duplicate")
        first = run.state.first_with_fingerprint(fingerprint)
        if first is not None and first[:2] != (spider.source_id, item.id):
            source, first_id, credited = first
            if self._is_original(source, credited):
                run.originals.add(item.id)
                return item
            return self._duplicate(item, source, first_id, "duplicate")

        if not matchable(item.body):
            return item
        sig = signature(item.body)
        for source, other_id, stored, credited in run.state.near_candidates(band_keys(sig)):
            # Only another outlet's text: within one site, a similar text is the same article
            # updated under a new URL, or a sibling sharing the site's boilerplate.
            if source != spider.source_id and from_bytes(stored).jaccard(sig) >= THRESHOLD:
                if self._is_original(source, credited):
                    run.originals.add(item.id)
                    break
                return self._duplicate(item, source, other_id, "near_duplicate")
        run.signatures[item.id] = sig
        return item

    def _is_original(self, copied_by: str, credited: str | None) -> bool:
        """Whether the text seen first, at another outlet, credited the source now crawled."""
        spider = self.crawler.spider
        # Normalized again: the outlet names known now may be more than when it was stored.
        original = bool(credited) and normalize_credit(credited) == spider.source.outlet
        if original and copied_by != spider.source_id:
            self.crawler.stats.inc_value("newscrawl/articles/original_after_copy")
            return True
        return False

    def _duplicate(self, item: Article, source: str, first_id: str, kind: str) -> Article:
        self.let_through[text_fingerprint(item)] = first_id  # later copies: of the same first
        if self.policy == "mark":
            self.crawler.stats.inc_value("newscrawl/articles/marked_duplicate")
            return replace(item, duplicate_of=first_id)
        # Remembered, so that later runs do not fetch and count this copy again.
        run = self.crawler.get_extension(IncrementalRun)
        run.state.record_gone(self.crawler.spider.source_id, [item.url])
        self.crawler.stats.inc_value(f"newscrawl/dropped/{kind}")
        raise DropItem(
            f"{kind}: {item.url} has the text of {source} article {first_id}", log_level="INFO"
        )
