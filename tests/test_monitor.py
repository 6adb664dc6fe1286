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
