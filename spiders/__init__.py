"""Scrapy spiders of the archiver (SPIDER_MODULES points here)."""
