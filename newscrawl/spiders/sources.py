"""One spider class per registry source, so that `scrapy crawl <id>` and `scrapy list` work
without a Python file per site: a source is data (sources.toml), not code."""

from newscrawl.sources import load_sources
from newscrawl.spiders.news import NewsSpider


def _spider_class(source_id: str) -> type[NewsSpider]:
    return type(
        f"{source_id.title().replace('-', '')}Spider",
        (NewsSpider,),
        {"name": source_id, "source_id": source_id, "__module__": __name__},
    )


globals().update({cls.__name__: cls for cls in map(_spider_class, load_sources())})
