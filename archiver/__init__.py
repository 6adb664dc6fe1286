"""Vietnamese news archiver: crawl, extract, normalize and archive news articles."""

__version__ = "0.1.0"
