"""A spider that only follows links: Scrapy's own ceiling, for benchmarks/crawl.py."""

from spiders.news import NewsSpider


class BareSpider(NewsSpider):
    name = "bare"
    extract_items = False
