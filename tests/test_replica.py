import unicodedata

import pytest

from archiver.replica import ReplicaSite, Variation, relative_label


def test_pages_are_deterministic_from_seed_size_and_clock(replica):
    again = ReplicaSite(replica.size, replica.seed, replica.clock)
    assert [again.render_article(i) for i in (1, 9, 30)] == [replica.render_article(i) for i in (1, 9, 30)]
    other = ReplicaSite(replica.size, replica.seed + 1, replica.clock)
    assert other.render_article(9) != replica.render_article(9)


@pytest.mark.parametrize("flag", [f for f in Variation.__dataclass_fields__])
def test_a_small_site_shows_every_variation(flag):
    site = ReplicaSite(20)
    assert any(getattr(site.article(i).variation, flag) for i in range(1, 21))


def test_variations_show_in_the_markup():
    site = ReplicaSite(20)
    nfd = next(i for i in range(1, 21) if site.article(i).variation.nfd)
    assert not unicodedata.is_normalized("NFC", site.render_article(nfd))
    eth = next(i for i in range(1, 21) if site.article(i).variation.eth)
    assert "\u00d0" in site.render_article(eth)
    assert "<h1" not in site.render_article(site.broken_id)
    no_views = next(i for i in range(1, 21) if site.article(i).variation.no_views)
    assert 'class="view"' not in site.render_article(no_views)


def test_large_sites_need_no_storage():
    site = ReplicaSite(100_000)
    assert site.expected(99_999, "http://x")["title"] == site.article(99_999).title
    assert site.pages_in("xay-dung-dang") == 2500


def test_listing_pages_cover_every_article_once(replica):
    from archiver.replica import CATEGORIES

    seen = [j for c, _ in CATEGORIES for p in range(1, replica.pages_in(c) + 1) for j in replica.listing_ids(c, p)]
    assert sorted(seen) == list(range(1, replica.size + 1))


def test_siblings_mix_relative_and_absolute_dates():
    site = ReplicaSite(200)
    dates = [site.sibling_date(j) for i in range(150, 200) for j in site.siblings(i)]
    assert {relative for _, relative in dates} == {True, False}


@pytest.mark.parametrize(
    ("days", "hours", "label"),
    [(0, 5, "5 giờ trước"), (10, 0, "10 ngày trước"), (45, 0, "1 tháng trước"), (800, 0, "2 năm trước")],
)
def test_relative_labels(days, hours, label):
    from datetime import timedelta

    assert relative_label(timedelta(days=days, hours=hours))[0] == label


def test_planted_faults_match_the_ground_truth():
    site = ReplicaSite(articles=30, seed=0)
    faults = site.planted_faults()
    truths = [site.expected(i, "http://x") for i in range(1, 31)]
    assert faults["broken"] == sum(t is None for t in truths) == 1
    assert faults["no_views"] == sum(t["views"] is None for t in truths if t)
    assert faults["no_images"] == sum(not t["images"] for t in truths if t)
    dead = {r["url"] for t in truths if t for r in t["related"] if "bai-da-go" in r["url"]}
    assert faults["dead_links"] == len(dead) == 3
