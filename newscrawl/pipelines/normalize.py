from newscrawl.extract.normalize import normalize_article
from newscrawl.record import Article


class NormalizePipeline:
    """NFC, whitespace, entities, mojibake and theme chrome, for records from any code path."""

    def process_item(self, item: Article) -> Article:
        return normalize_article(item)
