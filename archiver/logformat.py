"""Log lines that name the page and the reason, without dumping the whole item."""

from scrapy.logformatter import LogFormatter


class ArchiverLogFormatter(LogFormatter):
    def dropped(self, item, exception, response, spider=None):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"] = "Dropped: %(exception)s"
        return entry
