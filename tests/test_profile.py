"""Profiles: every bundled profile loads, validation names file and key, CMS sharing, URL routing, feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from archiver import profile as profile_mod
from archiver.feeds import is_feed_url, read_feed
from archiver.profile import ProfileError, all_profiles, describe, get_profile, load_profile, profile_for

REQUIRED = ["dukcqtw", "vnexpress", "tuoitre", "nld", "baochinhphu", "thanhnien", "dantri", "vietnamnet",
            "nhandan", "vietnamplus", "tienphong", "baotintuc", "cafef", "dangcongsan", "qdnd"]


def test_every_required_site_has_a_profile_with_a_body_and_a_title():
    names = {p.name for p in all_profiles()}
    assert set(REQUIRED) <= names
    for p in all_profiles():
        assert p.rules("title") and p.body.container, p.name
        assert p.domains and (p.start_urls or p.feeds or p.sitemaps), p.name
        assert p.article_urls, p.name


@pytest.mark.parametrize("name, verified", [("nhandan", True), ("vnexpress", True), ("znews", True),
                                            ("bongdaplus", True), ("dantri", True), ("thanhnien", True),
                                            ("tuoitre", True), ("nld", True), ("baochinhphu", True),
                                            ("baotintuc", True), ("qdnd", False),
                                            ("dangcongsan", False), ("dukcqtw", False),
                                            ("vietnamnet", True), ("vietnamplus", True), ("tienphong", True),
                                            ("cafef", True)])
def test_verified_flag_is_what_the_profile_says(name, verified):
    assert get_profile(name).verified is verified
    assert describe(get_profile(name))["verified"] is verified


def test_cms_profiles_share_selectors_and_override_per_field():
    tuoitre, cafef = get_profile("tuoitre"), get_profile("cafef")
    assert tuoitre.cms == cafef.cms == "detail"
    assert tuoitre.body.container == cafef.body.container  # from cms/detail.toml
    assert tuoitre.rules("title")[0].select == "h1.detail-title"
    assert cafef.rules("title")[0].select == "h1.title"  # cafef's own
    assert len(tuoitre.related) == 3 and tuoitre.detect == ("h1.detail-title", "div.detail-content")
    assert cafef.detect == ("span.pdate", "div.detail-content.afcbc-body")


@pytest.mark.parametrize("url, name", [
    ("https://vnexpress.net/ho-tay-4870001.html", "vnexpress"),
    ("https://www.vietnamplus.vn/bai-post1000.vnp", "vietnamplus"),
    ("https://m.dantri.com.vn/x.htm", "dantri"),
    ("https://nhandan.vn/x-post1.html", "nhandan"),
    ("https://example.org/x.html", None),
])
def test_profile_for_picks_by_domain(url, name):
    found = profile_for(url)
    assert (found.name if found else None) == name


def test_profile_for_falls_back_to_markup_on_an_unknown_host():
    page = Selector(text='<h1 class="title">T</h1><div class="tool"><div class="date">1/1/2025</div></div>'
                         '<div class="contentview"><p>x</p></div>')
    assert profile_for("http://127.0.0.1:8765/a/b-1.aspx", page).name == "dukcqtw"
    assert profile_for("http://127.0.0.1:8765/", Selector(text="<p>nothing</p>")) is None


@pytest.mark.parametrize("name, url, article, listing", [
    ("vnexpress", "https://vnexpress.net/ho-tay-mo-them-duong-di-bo-4870001.html", True, False),
    ("vnexpress", "https://vnexpress.net/thoi-su", False, True),
    ("tuoitre", "https://tuoitre.vn/mo-ban-ve-tau-100250915073000123.htm", True, False),
    ("tuoitre", "https://tuoitre.vn/thoi-su.htm", False, True),
    ("dantri", "https://dantri.com.vn/kinh-doanh/nong-dan-20250612083000123.htm", True, False),
    ("nhandan", "https://nhandan.vn/danh-bai-argentina-post976641.html", True, False),
    ("tienphong", "https://tienphong.vn/xe-buyt-dien-post1737604.tpo", True, False),
    ("vietnamplus", "https://www.vietnamplus.vn/a-b-post348576.vnp", True, False),
    ("cafef", "https://cafef.vn/ceo-dat-bike-188260701104607570.chn", True, False),
    ("dukcqtw", "https://dangbokhoicoquantw.vn/tin-tuc-su-kien/hoi-nghi-12.aspx", True, False),
])
def test_url_patterns(name, url, article, listing):
    p = get_profile(name)
    assert p.is_article(url) is article
    assert p.is_listing(url) is listing


def _write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = 'name = "x"\ntitle = "X"\ndomains = ["x.vn"]\n'


@pytest.mark.parametrize("text, message", [
    ('title = "X"', "`name` is required"),
    (GOOD + "colour = 1", "unknown key(s) colour"),
    (GOOD + "[fields]\nheadline = 'h1'", "fields: unknown key(s) headline"),
    (GOOD + "[fields]\ntitle = 'h1[['", "fields.title: bad selector"),
    (GOOD + "[fields]\ntitle = [{ select = 'h1', post = ['shout'] }]", "unknown post-processor(s) ['shout']"),
    (GOOD + "[fields]\ntitle = [{ select = 'h1', join = 3 }]", "`join` must be a string"),
    (GOOD + "[fields]\ntitle = [{ post = ['strip'] }]", "each rule is a selector string"),
    (GOOD + "[urls]\narticle = ['(']", "urls.article: bad regular expression"),
    (GOOD + "[body]\nlead = 'second'", "body.lead must be"),
    (GOOD + "[body]\nbefore = '//figure['", "body.before: bad selector"),
    (GOOD + "[[related]]\ntitle = 'a'", "related[0]: `item`"),
    (GOOD + 'cms = "nope"', "cms: no profiles/cms/nope.toml"),
    (GOOD + 'cms = "../etc"', "`cms` must be the name of a file"),
    ("name = ", "not valid TOML"),
])
def test_validation_errors_name_the_file_and_the_key(tmp_path, text, message):
    with pytest.raises(ProfileError) as error:
        load_profile(_write(tmp_path, text))
    assert str(error.value).startswith("site.toml")
    assert message in str(error.value)


def test_a_cms_file_with_an_unknown_key_is_named(tmp_path, monkeypatch):
    cms = tmp_path / "cms"
    cms.mkdir()
    _write(cms, 'title = "C"\nstart_urls = ["x"]\n', "mine.toml")
    monkeypatch.setattr(profile_mod, "CMS_DIR", cms)
    with pytest.raises(ProfileError, match=r"cms/mine.toml: unknown key\(s\) start_urls"):
        load_profile(_write(tmp_path, GOOD + 'cms = "mine"'))


def test_get_profile_names_the_known_profiles():
    with pytest.raises(ProfileError, match="no profile named 'khong-co'.*vnexpress"):
        get_profile("khong-co")


RSS = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin</title>
<link>https://x.vn/</link>
<item><title>A</title><link>https://x.vn/a-1.html</link></item>
<item><title>B</title><link> https://x.vn/b-2.html </link></item>
<item><title>A again</title><link>https://x.vn/a-1.html</link></item></channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><link href="https://x.vn/"/>
<entry><link rel="alternate" href="https://x.vn/c-3.html"/><link rel="enclosure" href="https://x.vn/c.jpg"/></entry></feed>"""
SITEMAP = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://x.vn/d-4.html</loc></url></urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.vn/sitemaps/news-2025-7.xml</loc></sitemap></sitemapindex>"""


@pytest.mark.parametrize("body, articles, sitemaps", [
    (RSS, ["https://x.vn/a-1.html", "https://x.vn/b-2.html"], []),  # channel link is not an article
    (ATOM, ["https://x.vn/c-3.html"], []),
    (SITEMAP, ["https://x.vn/d-4.html"], []),
    (INDEX, [], ["https://x.vn/sitemaps/news-2025-7.xml"]),
    (b"", [], []),
    (b"<html><p>not a feed</p>", [], []),
])
def test_read_feed(body, articles, sitemaps):
    feed = read_feed(body)
    assert feed.articles == articles and feed.sitemaps == sitemaps


@pytest.mark.parametrize("url, feed", [("https://vnexpress.net/rss/tin-moi-nhat.rss", True),
                                       ("https://x.vn/sitemap.xml?page=2", True),
                                       ("https://x.vn/a-1.html", False)])
def test_is_feed_url(url, feed):
    assert is_feed_url(url) is feed
