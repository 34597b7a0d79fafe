"""Spiders: one generic NewsSpider (`scrapy crawl news -a source=<id>`) and one subclass per
registry source (`scrapy crawl <id>`), generated in `newscrawl.spiders.sources`."""
