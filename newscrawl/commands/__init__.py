"""Scrapy commands of the project (COMMANDS_MODULE): `crawl`, with a run lock and exit codes."""
