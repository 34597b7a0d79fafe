"""Scrapy extensions of newscrawl: components that follow a whole run through its signals."""
