"""Profiles: every bundled profile loads, validation names file and key, CMS sharing, URL routing, feeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from parsel import Selector

from archiver import profile as profile_mod
from archiver.feeds import is_feed_url, read_feed
from archiver.profile import (
    ProfileError,
    all_profiles,
    declared_host,
    describe,
    get_profile,
    load_profile,
    profile_for,
)

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
    assert len(tuoitre.related) == 3 and tuoitre.detect == (("h1.detail-title", "div.detail-content.afcbc-body"),)
    assert cafef.detect == (("span.pdate", "div.detail-content.afcbc-body"),)


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
    (GOOD + "detect = [['h1.a'], []]", "detect[1]: a set of selectors"),
    (GOOD + "detect = [['h1.a'], 'div.b']", "detect[0]: a set of selectors"),
    (GOOD + "detect = [['h1[[']]", "detect: bad selector"),
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


# -- detect: a profile's markup test never takes another site's page -------------------------------------

FIXTURE_DIR = Path(__file__).parent / "fixtures"
IDENTITY = re.compile(r"<link[^>]*rel=\"canonical\"[^>]*>|<meta[^>]*og:url[^>]*>")


def _fixture_sites() -> list[tuple[str, str, str | None]]:
    """(fixture name, its HTML, the profile owning the host it declares) for every fixture page."""
    out = []
    for path in sorted(FIXTURE_DIR.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        host = declared_host(Selector(text=html), "http://127.0.0.1/")
        owner = next((p.name for p in all_profiles() if host and p.owns_host(host)), None)
        out.append((path.stem, html, owner))
    return out


FIXTURE_SITES = _fixture_sites()


def test_every_profiled_fixture_names_its_site():
    owned = {owner for _, _, owner in FIXTURE_SITES if owner}
    assert len(owned) >= 12  # the fixtures cover most profiles: the checks below mean something


@pytest.mark.parametrize(("name", "html", "owner"), FIXTURE_SITES, ids=[f[0] for f in FIXTURE_SITES])
def test_no_profile_detects_another_sites_page(name: str, html: str, owner: str | None):
    """Served from a host no profile owns (a mirror, a saved copy), the page is read by its own site's
    profile or by none: every other profile's `detect` refuses it, and so does its own with identity
    stripped when its markup is a shared CMS's (several profiles match: none is picked)."""
    sel = Selector(text=html)
    declared = declared_host(sel, "https://mirror.example/x")
    for p in all_profiles():
        if p.name != owner:
            assert not p.looks_like(sel, declared), f"{p.name} detects {name}"
    found = profile_for("https://mirror.example/x", sel)
    assert (found.name if found else None) == owner
    bare = Selector(text=IDENTITY.sub("", html))  # no canonical, no og:url: only the markup says whose it is
    own_cms = get_profile(owner).cms if owner else None
    for p in all_profiles():
        if p.name != owner and (not own_cms or p.cms != own_cms):
            assert not p.looks_like(bare), f"{p.name} detects the markup of {name}"
    picked = profile_for("http://127.0.0.1:8765/x", bare)
    assert picked is None or picked.name == owner


@pytest.mark.parametrize("declares", [
    '<link rel="canonical" href="https://kenh14.vn/tin-moi-215250101000000001.chn">',
    '<meta property="og:url" content="https://m.kenh14.vn/tin-moi-215250101000000001.chn">',
])
def test_a_page_of_another_site_with_a_profiles_markup_is_read_generically(declares: str):
    """A kenh14 mobile page with WordPress-style `post-title` / `post-content` (qdnd's markup) is kenh14's."""
    page = Selector(text=f'<html><head>{declares}</head><body><h1 class="post-title">Tin mới</h1>'
                         '<div class="post-summary">Sapo</div><div class="post-content"><p>x</p></div></body></html>')
    assert profile_for("https://m.kenh14.vn/tin-moi-215250101000000001.chn", page) is None
    assert not get_profile("qdnd").looks_like(page, "kenh14.vn")


def test_a_saved_copy_is_read_by_the_profile_of_the_host_it_declares():
    html = (FIXTURE_DIR / "vnexpress_like.html").read_text(encoding="utf-8")
    assert profile_for("http://localhost:9000/saved.html", Selector(text=html)).name == "vnexpress"


def test_detect_takes_one_set_per_layout_generation(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('name = "x"\ntitle = "X"\ndetect = [["h1.old", "div.old-body"], ["h1[data-slot=title]"]]\n',
                    encoding="utf-8")
    p = load_profile(path)
    assert p.detect == (("h1.old", "div.old-body"), ("h1[data-slot=title]",))
    assert p.looks_like(Selector(text='<h1 class="old">T</h1><div class="old-body">b</div>'))
    assert p.looks_like(Selector(text='<h1 data-slot="title">T</h1>'))
    assert not p.looks_like(Selector(text='<h1 class="old">T</h1>'))  # half of the old set


@pytest.mark.parametrize("fixture", ["dantri_like", "dantri_2026_like"])
def test_dantri_detects_both_of_its_generations(fixture: str):
    sel = Selector(text=(FIXTURE_DIR / f"{fixture}.html").read_text(encoding="utf-8"))
    dantri = get_profile("dantri")
    assert len(dantri.detect) == 2 and dantri.looks_like(sel)
    assert profile_for("http://127.0.0.1:8765/x", sel).name == "dantri"
