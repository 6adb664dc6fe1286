"""The archive's Datasette front end, as a Datasette plugin.

Registered as the "archiver" entry point of the `datasette` group, so it is loaded by `archiver browse`
and by any `datasette` run in the same environment (`datasette other.db --metadata data/metadata.yml`).
It does what metadata alone cannot in Datasette 0.65:

- metadata written for the database "archive" applies to every archive file, whatever its name;
- the articles table opens slim: title, date, site, byline, views, 20 rows, short facets;
- long text is folded to its start, JSON cells are shown as short lists, titles link to the article;
- an article's page reads like an article (templates/row.html);
- full-text search reads AND/OR/NOT/NEAR and never fails on an empty box (queries.escape_fts), and
  the canned searches mark the matched words as `archiver search` does (queries.search_snippet).
"""

from __future__ import annotations

import copy
import html
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode
from markupsafe import Markup

from archiver.queries import METADATA_DATABASE, escape_fts, search_snippet

ARTICLE_COLUMNS = ("title", "published_at", "site", "byline", "views")  # the slim articles view
PAGE_SIZE = "20"
FACET_SIZE = "8"
LONG_TEXT = 160  # characters of a long text cell shown in a table
JSON_ITEMS = 6  # entries of a JSON cell shown in a table
JSON_COLUMNS = frozenset({"sources", "problems", "errors", "dropped", "coverage", "settings", "stats", "flags",
                          "detail", "images"})
_MARKED = re.compile(r"\[([^\[\]]+)\]")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")


def adopt_metadata(metadata: dict[str, Any], archives: list[str]) -> None:
    """Give every archive database the metadata written for "archive" (Datasette names a database after
    its file), and point the dashboards' charts at the first archive when there is no "archive"."""
    if not archives:
        return
    databases = metadata.get("databases") or {}
    if (template := databases.get(METADATA_DATABASE)) is not None:
        for name in archives:
            databases.setdefault(name, copy.deepcopy(template))
    target = METADATA_DATABASE if METADATA_DATABASE in archives else archives[0]
    dashboards = (metadata.get("plugins") or {}).get("datasette-dashboards") or {}
    for dashboard in dashboards.values():
        for part in (*dashboard.get("charts", {}).values(), *dashboard.get("filters", {}).values()):
            if part.get("db") == METADATA_DATABASE:
                part["db"] = target


def archives_of(datasette) -> list[str]:
    return getattr(datasette, "_archiver_databases", [])


@hookimpl
async def startup(datasette) -> None:
    archives = []
    for name, database in datasette.databases.items():
        if not database.is_memory and await database.table_exists("articles_fts"):
            archives.append(name)
    datasette._archiver_databases = archives
    adopt_metadata(datasette._metadata_local, archives)  # no public API to amend the loaded metadata


@hookimpl(trylast=True)  # after Datasette's own sql_functions, so that this escape_fts wins
def prepare_connection(conn) -> None:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'articles_fts'").fetchone():
        conn.create_function("escape_fts", 1, escape_fts, deterministic=True)
    conn.create_function("archive_snippet", -1, search_snippet, deterministic=True)


def slim_redirect(path: str, query_string: str, archives: list[str]) -> str | None:
    """Where a bare request should go: the site's root to the articles of its one archive, the articles
    table without a column choice to the slim view: 20 rows, 8 values per facet, no suggested facets
    (every column with few values would be one). The full table is ?_nocol=d_folded. An empty search
    box is dropped."""
    if path == "/" and len(archives) == 1:
        return f"/{archives[0]}/articles"
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[1] != "articles" or parts[0] not in archives:
        return None
    args = parse_qsl(query_string, keep_blank_values=True)
    if ("_search", "") in args:  # an empty search box: Datasette would search for nothing and find nothing
        return f"{path}?{urlencode([a for a in args if a != ('_search', '')])}"
    if any(key in ("_col", "_nocol") for key, _ in args):
        return None
    given = {key for key, _ in args}
    slim = [("_col", c) for c in ARTICLE_COLUMNS]
    defaults = (("_size", PAGE_SIZE), ("_facet_size", FACET_SIZE), ("_nosuggest", "1"))
    slim += [(k, v) for k, v in defaults if k not in given]
    return f"{path}?{urlencode(args + slim)}"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def handle(scope, receive, send):
            if scope["type"] == "http" and scope["method"] == "GET":
                await datasette.invoke_startup()  # once; the archives are known from then on
                query = scope.get("query_string", b"").decode("latin-1")
                target = slim_redirect(scope["path"], query, archives_of(datasette))
                if target:
                    headers = [(b"location", target.encode("latin-1")), (b"content-length", b"0")]
                    await send({"type": "http.response.start", "status": 302, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return handle

    return wrap


@hookimpl
def extra_css_urls(datasette) -> list[str]:
    return [datasette.urls.static_plugins("vn-news-archiver", "archive.css")]


@hookimpl
def extra_body_script(view_name: str, datasette) -> str:
    # Column descriptions and the table's schema fold into one line each; the text stays on the page.
    return """[["dl.column-descriptions", "Column descriptions"], ["pre.wrapped-sql", "Schema"]].forEach(function (f) {
  document.querySelectorAll(f[0]).forEach(function (el) {
    var d = document.createElement("details"), s = document.createElement("summary");
    s.textContent = f[1]; el.parentNode.insertBefore(d, el); d.appendChild(s); d.appendChild(el);
  });
});"""


@hookimpl
def render_cell(row, value, column: str, table: str | None, database: str, datasette):
    if database not in archives_of(datasette) or not isinstance(value, str):
        return None
    if column == "snippet":
        return Markup(_MARKED.sub(r"<mark>\1</mark>", html.escape(value)))
    if column == "title" and table in (None, "articles") and "id" in row.keys() and row["id"] is not None:
        href = datasette.urls.row(database, "articles", str(row["id"]))
        return Markup(f'<a class="article-link" href="{href}">{html.escape(value)}</a>')
    if _TIME.match(value):  # 2024-05-01T08:30:00+07:00 -> 2024-05-01 08:30, the full value on hover
        return Markup(f'<time datetime="{value}" title="{value}">{value[:16].replace("T", " ")}</time>')
    if column in JSON_COLUMNS and value[:1] in "[{":
        return _json_cell(value, percent=column == "coverage")
    if len(value) > LONG_TEXT and not value.startswith(("http://", "https://")):
        # Folded, not cut: the rest is a click away on every page (render_cell cannot tell a row page).
        cut = value[:LONG_TEXT].rsplit(" ", 1)[0]
        rest = html.escape(value[len(cut):])
        return Markup(f'<details class="long-text"><summary>{html.escape(cut)}…</summary>{rest}</details>')
    return None


def _json_cell(value: str, percent: bool = False) -> Markup | None:
    """A JSON object or list as a short list: `key: value` per line, past JSON_ITEMS entries folded."""
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not data:
        return Markup('<span class="json-empty">none</span>')
    if isinstance(data, dict):
        items = [f"{k}: {v:.0%}" if percent and isinstance(v, float) else f"{k}: {_short(v)}"
                 for k, v in data.items()]
    elif isinstance(data, list):
        items = [_short(v) for v in data]
    else:
        return None
    lis = [f"<li>{html.escape(i)}</li>" for i in items]
    if len(lis) > JSON_ITEMS:
        rest = "".join(lis[JSON_ITEMS:])
        lis[JSON_ITEMS:] = [f'<li class="more"><details><summary>{len(items) - JSON_ITEMS} more</summary>'
                            f'<ul>{rest}</ul></details></li>']
    return Markup(f'<ul class="json-cell">{"".join(lis)}</ul>')


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


@hookimpl
def extra_template_vars(view_name: str, database: str | None, table: str | None, request, datasette):
    if database not in archives_of(datasette) or table != "articles":
        return {}
    if view_name == "table":
        return {"archive_articles": {"search": datasette.urls.database(database) + "/search_by_date"}}
    if view_name != "row" or request is None:
        return {}

    async def article() -> dict[str, Any]:
        try:
            article_id = int(tilde_decode(request.url_vars["pks"]))
        except (KeyError, ValueError):
            return {}
        return {"article": await read_article(datasette.get_database(database), article_id)}

    return article


_RELATED = """
SELECT r.title, r.url, r.date_raw, r.date, a.id AS archived_id
FROM related_links AS r LEFT JOIN articles AS a ON a.url = r.url
WHERE r.article_id = ? ORDER BY r.position
"""
_CITED_BY = """
SELECT a.id, a.title FROM related_links AS r JOIN articles AS a ON a.id = r.article_id
WHERE r.url = ? ORDER BY a.published_at DESC LIMIT 20
"""


async def read_article(db, article_id: int) -> dict[str, Any] | None:
    """The article with its paragraphs, images, related links (with the archived copy's id when the
    archive has it), the articles citing it, and its view history."""
    rows = (await db.execute("SELECT * FROM articles WHERE id = ?", [article_id])).rows
    if not rows:
        return None
    article = dict(rows[0])
    article["paragraphs"] = [r[0] for r in await db.execute(
        "SELECT text FROM paragraphs WHERE article_id = ? ORDER BY position", [article_id])]
    article["images"] = [dict(r) for r in await db.execute(
        "SELECT src, caption FROM images WHERE article_id = ? ORDER BY position", [article_id])]
    article["related"] = [dict(r) for r in await db.execute(_RELATED, [article_id])]
    article["cited_by"] = [dict(r) for r in await db.execute(_CITED_BY, [article["url"]])]
    article["view_history"] = [dict(r) for r in await db.execute(
        "SELECT observed_at, views FROM view_counts WHERE article_id = ? ORDER BY observed_at", [article_id])]
    article["revisions"] = (await db.execute(
        "SELECT count(*) FROM revisions WHERE article_id = ?", [article_id])).rows[0][0]
    return article
