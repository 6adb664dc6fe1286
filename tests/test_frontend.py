"""The Datasette plugin's pure parts: where bare requests go, and metadata for any archive name.
(Served through Datasette itself: tests/test_datasette.py; in Chromium: tests/test_browser.py.)"""

from __future__ import annotations

import pytest

from archiver.frontend import adopt_metadata, slim_redirect

COLUMNS = "_col=title&_col=published_at&_col=site&_col=byline&_col=views"
SLIM = f"{COLUMNS}&_size=20&_facet_size=8&_nosuggest=1"


@pytest.mark.parametrize(
    ("path", "query", "archives", "target"),
    [
        ("/", "", ["demo"], "/demo/articles"),
        ("/", "", ["a", "b"], None),  # several archives: Datasette's index lists them
        ("/demo/articles", "", ["demo"], f"/demo/articles?{SLIM}"),
        ("/demo/articles", "site=x&_size=50", ["demo"],  # what the request asks for stays
         f"/demo/articles?site=x&_size=50&{COLUMNS}&_facet_size=8&_nosuggest=1"),
        ("/demo/articles", "_col=url", ["demo"], None),  # a column choice is kept
        ("/demo/articles", "_nocol=d_folded", ["demo"], None),
        ("/demo/articles", "_search=&_col=url", ["demo"], "/demo/articles?_col=url"),
        ("/demo/articles.json", "", ["demo"], None),  # the API is left alone
        ("/other/articles", "", ["demo"], None),
        ("/demo/crawls", "", ["demo"], None),
    ],
)
def test_slim_redirect(path: str, query: str, archives: list[str], target: str | None) -> None:
    assert slim_redirect(path, query, archives) == target


def test_adopt_metadata_names_any_archive_and_points_the_charts_at_it() -> None:
    metadata = {"databases": {"archive": {"tables": {"articles": {"facets": ["site"]}}}},
                "plugins": {"datasette-dashboards": {"d": {"filters": {"f": {"db": "archive"}},
                                                           "charts": {"c": {"db": "archive"}}}}}}
    adopt_metadata(metadata, ["demo", "other"])
    assert metadata["databases"]["demo"] == metadata["databases"]["other"] == metadata["databases"]["archive"]
    dashboard = metadata["plugins"]["datasette-dashboards"]["d"]
    assert dashboard["charts"]["c"]["db"] == dashboard["filters"]["f"]["db"] == "demo"
