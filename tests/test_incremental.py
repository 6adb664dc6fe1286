from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from archiver.incremental import DEFAULT_POLICY, Known, is_due, load_known, policy_from

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.mark.parametrize(
    ("age_days", "seen_days_ago", "due"),
    [
        (2, 0.5, False),  # young, fetched this morning
        (2, 1.5, True),  # young, fetched yesterday: daily refresh
        (10, 3, False),  # between a week and a month: weekly
        (10, 8, True),
        (45, 40, False),  # older than a month: never
        (400, 400, False),
    ],
)
def test_default_policy(age_days, seen_days_ago, due):
    known = Known(NOW - timedelta(days=age_days), NOW - timedelta(days=seen_days_ago))
    assert is_due(known, NOW, DEFAULT_POLICY) is due


def test_undated_articles_are_refreshed_like_young_ones():
    assert is_due(Known(None, NOW - timedelta(days=2)), NOW)
    assert not is_due(Known(None, NOW - timedelta(hours=2)), NOW)


@pytest.mark.parametrize("bad", [[[7, 0]], [[30, 7], [7, 1]], [[-1, 1]], [["x", 1]]])
def test_bad_policies_are_refused(bad):
    with pytest.raises((ValueError, TypeError)):
        policy_from(bad)


def test_policy_from_settings_shape():
    assert policy_from([[3, 1], [14, 2]]) == ((3.0, 1.0), (14.0, 2.0))
    assert policy_from(None) == DEFAULT_POLICY


def test_load_known_reads_the_archive(tmp_path):
    from archiver.items import Article
    from archiver.store import Archive

    db = tmp_path / "a.db"
    assert load_known(db, ["x.vn"]) == {}
    with Archive(db) as archive:
        for n, site in enumerate(["x.vn", "y.vn"]):
            archive.add(Article(url=f"https://{site}/{n}.html", site=site, title="T", published_at=NOW.isoformat(),
                                published_raw=None, views=None, byline=None, lead=None, paragraphs=[], images=[],
                                related=[], fetched_at=NOW.isoformat()))
    known = load_known(db, ["x.vn"])
    assert list(known) == ["https://x.vn/0.html"]
    assert known["https://x.vn/0.html"].published_at == NOW
