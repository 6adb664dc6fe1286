import urllib.error
import urllib.request

import pytest


def fetch(url: str, headers: dict | None = None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), ""


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/robots.txt", 200), ("/xay-dung-dang.aspx?page=1", 200), ("/xay-dung-dang.aspx?page=99", 404),
     ("/khong-co.aspx", 404), ("/xay-dung-dang/bai-da-go-99999.aspx", 404)],
)
def test_routes(site_url, path, status):
    assert fetch(site_url + path)[0] == status


def test_article_page_and_conditional_get(site_url, replica):
    status, headers, body = fetch(site_url + replica.path(5))
    assert status == 200 and replica.article(5).title in body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert fetch(site_url + replica.path(5), {"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(site_url + replica.path(5), {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(site_url + replica.path(5), {"If-None-Match": '"other"'})[0] == 200


def test_a_wrong_slug_is_not_found(site_url, replica):
    assert fetch(site_url + replica.path(5).replace(replica.slug(5), "sai"))[0] == 404
