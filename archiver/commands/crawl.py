"""`scrapy crawl`, with the spider's arguments checked before the crawl starts.

Scrapy builds the spider inside the running crawl, so a bad `-a site=nope` surfaces as an asyncio
traceback and exit code 1. Building it once beforehand turns the spider's own argument errors into a
one-line message and exit code 2, the code `archiver crawl` gives a usage error.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from archiver.profile import ProfileError


class Command(ScrapyCrawl):
    def run(self, args, opts) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spider_class = self.crawler_process.spider_loader.load(args[0])
                spider_class(**opts.spargs)  # only reads and checks its arguments
            except KeyError:
                pass  # an unknown spider name: Scrapy's own message follows
            except (ProfileError, ValueError) as e:
                print(f"error: {args[0]}: {e}", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)
