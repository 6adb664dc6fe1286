import pytest

from archiver.monitor import layout_flags

STEADY = {"title": 1.0, "published_at": 1.0, "byline": 0.95, "views": 0.85}


@pytest.mark.parametrize(
    ("now", "history", "articles", "flags"),
    [
        ({**STEADY, "byline": 0.0}, [STEADY] * 3, 50, ["byline 95% -> 0%"]),
        ({**STEADY, "byline": 0.9}, [STEADY] * 3, 50, []),  # normal wobble
        ({**STEADY, "byline": 0.0}, [STEADY] * 3, 5, []),  # too few articles to tell
        ({**STEADY, "byline": 0.0}, [], 50, []),  # first run: no baseline
        ({**STEADY, "views": 0.1, "byline": 0.0}, [STEADY] * 3, 50, ["byline 95% -> 0%", "views 85% -> 10%"]),
        ({**STEADY, "byline": 0.1}, [{**STEADY, "byline": 0.2}] * 3, 50, []),  # rare field: not flagged
    ],
)
def test_layout_flags(now, history, articles, flags):
    assert layout_flags(now, history, articles) == flags


# -- the progress line -----------------------------------------------------------------------------------


def _progress(total: int = 0):
    from scrapy.utils.test import get_crawler

    from archiver.monitor import Progress

    crawler = get_crawler(settings_dict={"PROGRESS_TOTAL": total} if total else {})
    for key, value in {"response_received_count": 12, "archiver/stored": 9, "item_dropped_count": 1,
                       "downloader/response_status_count/200": 10,
                       "downloader/response_status_count/404": 2, "log_count/ERROR": 1}.items():
        crawler.stats.set_value(key, value)
    return Progress.from_crawler(crawler)


@pytest.mark.parametrize(
    ("total", "shown"),
    [
        (0, "pages 12  stored 9  dropped 1  errors 3  "),
        (30, "pages 12  stored 9/30 33% ETA "),  # the demo knows its size
    ],
)
def test_progress_line(total: int, shown: str) -> None:
    """Errors as the end-of-crawl report counts them: the 404s and the logged error."""
    from archiver.store import error_counts

    progress = _progress(total)
    assert progress.line().startswith(shown)
    assert f"errors {sum(error_counts(progress.crawler.stats.get_stats()).values())} " in progress.line()


def test_a_log_line_clears_the_progress_line_first(capsys: pytest.CaptureFixture) -> None:
    import logging

    from archiver.monitor import _ClearLine

    clear = _ClearLine()
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hello", None, None)
    assert clear.filter(record) and capsys.readouterr().err == ""  # nothing drawn: nothing to clear
    clear.drawn = True
    assert clear.filter(record) and capsys.readouterr().err == "\r\033[K"
    assert not clear.drawn
