"""The `archiver` command line. Each command is a thin wrapper over one library function."""

from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import contextmanager
from datetime import datetime

import click


def echo_json(obj) -> None:
    """One JSON document per line, UTF-8, not ASCII-escaped."""
    click.echo(json.dumps(obj, ensure_ascii=False))


@click.group()
@click.version_option(package_name="vn-news-archiver")
def cli() -> None:
    """Crawl Vietnamese news sites into a queryable SQLite archive."""


# -- archive commands: stats, search, export, browse (library code in store/queries/export) --------------

@contextmanager
def _archive_errors():
    """A missing, foreign or damaged archive file, a bad date or query: one line, exit 1."""
    import sqlite3

    try:
        yield
    except (FileNotFoundError, ValueError, OSError) as error:
        raise click.ClickException(str(error)) from error
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"the archive is damaged or not SQLite: {error}") from error


@contextmanager
def _storage_errors():
    """The archive could not be written (read-only, full disk): one line, exit 5, as `archiver crawl`."""
    from archiver.crawl import STORAGE_FAILED
    from archiver.store import StorageError

    try:
        yield
    except StorageError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(STORAGE_FAILED)


_DB_OPTION = click.option(
    "--db",
    "db",
    default="data/archive.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite archive file.",
)


_WARC_DIR_OPTION = click.option(
    "--warc-dir", type=click.Path(file_okay=False), help="WARC files of the crawls. Default: warc/ next to --db."
)


@cli.command()
@_DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON document.")
@_WARC_DIR_OPTION
def stats(db: str, as_json: bool, warc_dir: str | None) -> None:
    """Articles per site, the share of articles having each field, and the size of the WARC files."""
    from archiver.queries import format_stats
    from archiver.queries import stats as summarize

    with _archive_errors():
        summary = summarize(db, warc_dir=warc_dir)
    if as_json:
        echo_json(summary)
    else:
        click.echo(format_stats(summary))


@cli.command()
@click.argument("query")
@_DB_OPTION
@click.option("--site", help="Only this site.")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only articles published before this date (YYYY-MM-DD).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--raw", is_flag=True, help="QUERY is FTS5 syntax as is (column filters, ^, ...); errors are shown.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per match.")
def search(
    query: str, db: str, site: str | None, since: str | None, until: str | None, limit: int, raw: bool,
    as_json: bool,
) -> None:
    """Full-text search, with or without diacritics: archiver search "dang uy khoi".

    \b
    Every word must appear, in any order; "quoted words" together; kinh* is a prefix.
    AND, OR, NOT (in capitals), ( ) and NEAR(a b, 10) work as in FTS5 and in Datasette.
    """
    from archiver.queries import search as run_search

    with _archive_errors():
        results = run_search(db, query, site=site, since=since, until=until, limit=limit, raw=raw)
    for result in results:
        if as_json:
            echo_json(result)
        else:
            title = result["title"] or "(no title)"
            click.echo(f"{result['published_at'] or '-'}  {result['site']}  {title}")
            click.echo(f"  {result['url']}")
            click.echo(f"  {result['snippet']}\n")
    more = " (the first --limit; there may be more)" if len(results) == limit else ""
    click.echo(f"{len(results)} result{'' if len(results) == 1 else 's'}{more}", err=as_json)


@cli.command()
@_DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--site", help="Only this site.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def export(db: str, fmt: str, since: str | None, site: str | None, output: str | None) -> None:
    """Every article with its paragraphs, images and related links."""
    from archiver.export import export as run_export

    with _archive_errors():
        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                n = run_export(db, out, fmt, since=since, site=site)
            click.echo(f"{n} articles written to {output}", err=True)
        else:
            if hasattr(sys.stdout, "reconfigure"):  # JSONL/CSV are UTF-8 whatever the terminal's locale
                sys.stdout.reconfigure(encoding="utf-8")
            run_export(db, sys.stdout, fmt, since=since, site=site)


@cli.command()
@_DB_OPTION
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), help="Default: data/metadata.yml.")
@click.option("-h", "--host", default="127.0.0.1", show_default=True, help="0.0.0.0 serves other machines too.")
@click.option("-p", "--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="0 picks one.")
@click.option("--setting", "settings", multiple=True, type=(str, str), metavar="NAME VALUE",
              help="A Datasette setting, e.g. --setting sql_time_limit_ms 5000 (repeatable).")
@click.option("-i", "--immutable", is_flag=True, help="Serve the file as immutable (nothing writes it meanwhile).")
@click.option("--plugins-dir", type=click.Path(exists=True, file_okay=False), help="More Datasette plugins.")
@click.option("--template-dir", type=click.Path(exists=True, file_okay=False), help="Templates overriding ours.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
def browse(db: str, metadata: str | None, host: str, port: int, settings: tuple[tuple[str, str], ...],
           immutable: bool, plugins_dir: str | None, template_dir: str | None, no_open: bool) -> None:
    """Open the archive in Datasette: slim article lists, readable articles, search, charts (/-/dashboards).

    Runs `datasette serve` in this process, so Ctrl-C or SIGTERM stops the server with it.
    """
    from archiver.queries import DEFAULT_METADATA, ServeOptions
    from archiver.queries import browse as serve

    options = ServeOptions(host, port, settings, immutable, plugins_dir, template_dir, not no_open)
    with _archive_errors():
        code = serve(db, metadata or DEFAULT_METADATA, options)
    sys.exit(code)


# -- site profiles: sites (library code in profile) ---------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per profile.")
def sites(as_json: bool) -> None:
    """The site profiles `archiver crawl SITE` accepts: what each covers, and whether it was checked."""
    from archiver.profile import ProfileError, all_profiles, describe

    try:
        profiles = [describe(p) for p in all_profiles()]
    except ProfileError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        for p in profiles:
            echo_json(p)
        return
    click.echo(f"{'site':<13}{'checked':<12}{'cms':<8}{'domains':<30}covers")
    for p in profiles:
        checked = "verified" if p["verified"] else "UNVERIFIED"
        entry = f"  [{p['start_urls']} start, {p['feeds']} feeds, {p['sitemaps']} sitemaps]"
        domains = p["domains"][0] + (f" +{len(p['domains']) - 1}" if len(p["domains"]) > 1 else "")
        covers = ", ".join(p["covers"])
        click.echo(f"{p['name']:<13}{checked:<12}{p['cms'] or '-':<8}{domains:<30}{covers}{entry}")
    unverified = [p["name"] for p in profiles if not p["verified"]]
    click.echo(f"\n{len(profiles)} profiles; not yet checked against a real page: {', '.join(unverified)}")
    click.echo("Sites without a profile are read by the generic reader (metadata + trafilatura).")


# -- crawling and extraction: demo, demo-site, crawl, extract (library code in crawl/extract/server) -----

DEMO_PORT = 8765


def _http_url(ctx, param, value: str) -> str:
    """--url must be an absolute http(s) URL: it resolves links and picks the profile."""
    from urllib.parse import urlsplit

    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in parts.netloc:
        raise click.BadParameter(f"not an http(s) URL: {value!r} (e.g. https://example.vn/bai-viet-123.html)")
    return value.strip()


@cli.command()
@click.argument("page", type=click.File("rb"))
@click.option("--url", required=True, callback=_http_url,
              help="The URL the page was fetched from (resolves links, picks the profile).")
@click.option("--site", "profile_name", help="Use this profile instead of guessing from the URL and markup.")
@click.option("--fetched-at", help="ISO time the page was fetched (resolves '10 ngày trước'); default now.")
@click.option("--content-type", help="The page's HTTP Content-Type, e.g. 'text/html; charset=windows-1258'.")
@click.option("--generic", "generic_only", is_flag=True,
              help="Force the generic reader: no site profile, even when the URL or markup names one.")
def extract(page, url: str, profile_name: str | None, fetched_at: str | None, content_type: str | None,
            generic_only: bool) -> None:
    """Print the article extracted from one saved PAGE as JSON, exactly as a crawl would store it.

    The page is decoded as a crawl decodes it: the --content-type charset, else a BOM, else its
    <meta charset>. Exits 1 with "no article found" when the page has no title, lead or body text.
    `--generic` reads the page with the generic reader alone (to compare it with the profile's reading).
    """
    from datetime import datetime

    from archiver.extract import decode_page
    from archiver.extract import extract as extract_page
    from archiver.normalize import normalize_article
    from archiver.profile import ProfileError, get_profile

    if generic_only and profile_name:
        raise click.UsageError("--generic and --site exclude each other: --generic reads without a profile")
    try:
        profile = get_profile(profile_name) if profile_name else None
    except ProfileError as error:
        raise click.BadParameter(str(error), param_hint="--site") from error
    try:
        when = datetime.fromisoformat(fetched_at) if fetched_at else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fetched-at") from error
    text = decode_page(page.read(), url, content_type)
    article = normalize_article(extract_page(text, url, fetched_at=when, profile=profile,
                                                    generic_only=generic_only))
    if not (article.title or article.lead or article.paragraphs):
        raise click.ClickException(f"no article found in {page.name}: no title, lead or body text")
    click.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))


@cli.command("demo-site")
@click.option("--port", default=DEMO_PORT, show_default=True, help="0 picks a free port.")
@click.option("--articles", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True)
def demo_site(port: int, articles: int, seed: int) -> None:
    """Serve the replica of the seed site on 127.0.0.1 until Ctrl-C."""
    from archiver.replica import ReplicaSite
    from archiver.server import base_url, make_server

    server = make_server(ReplicaSite(articles, seed), port)
    click.echo(f"Replica site with {articles} articles at {base_url(server)}/  (Ctrl-C stops)")
    click.echo(f"Crawl it:  scrapy crawl news -a site=dukcqtw -a start_url={base_url(server)}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@cli.command()
@click.option("--articles", default=200, show_default=True, type=click.IntRange(min=1))
@click.option("--db", default="data/archive.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--port", default=DEMO_PORT, show_default=True, help="Port of the demo site; 0 picks a free one.")
@click.option("--seed", default=0, show_default=True)
def demo(articles: int, db: str, port: int, seed: int) -> None:
    """Start the bundled demo site, crawl it into the archive, and print a summary."""
    from archiver.crawl import make_settings, run_crawl
    from archiver.replica import ReplicaSite
    from archiver.server import serve_in_process
    from archiver.store import counts, coverage

    with serve_in_process(articles, seed, port=port if _port_free(port) else 0) as url:
        click.echo(f"Demo site with {articles} articles at {url}/ ; crawling into {db} ...")
        overrides = {"LOG_LEVEL": "WARNING", "PROGRESS_TOTAL": articles}
        result = run_crawl("news", settings=make_settings(db, local=True, overrides=overrides),
                           site="dukcqtw", start_url=url + "/")
    click.echo(_summary(db, result, counts(db), coverage(db)))
    click.echo(_planted(ReplicaSite(articles, seed).planted_faults()))


def _planted(faults: dict[str, int]) -> str:
    """What the demo's errors, drops and missing fields are: the replica's deliberate faults."""
    return "\n".join([
        "",
        "The demo site's faults are planted on purpose, to show how a crawl reports them:",
        f"  {faults['dead_links']} sibling links point to deleted articles: the http_404 errors",
        f"  {faults['broken']} page lost its header mid-body: the 'no title' drop (logged, the crawl goes on)",
        f"  {faults['no_views']} articles show no view count, {faults['no_images']} no image, "
        f"{faults['no_byline']} no byline: the shares below 100%",
        f"  {faults['nfd']} pages in decomposed Unicode and {faults['eth']} with 'Ð' for 'Đ': repaired, not counted",
    ])


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _not_fetched(kinds: dict | None) -> list[str]:
    """The summary line for pages not fetched or not read (one fetch_errors row each)."""
    if not kinds:
        return []
    listed = ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    return [f"Not fetched: {sum(kinds.values())} pages ({listed}); URLs and reasons in the fetch_errors table"]


def _agreement_lines(report: dict) -> list[str]:
    """Profile vs generic reader on the pages compared, per site and field; the fields below the threshold."""
    from archiver.agreement import summary_lines

    found = report.get("agreement") or {}
    if not found:
        return []
    low = report.get("agreement_low") or []
    return ["Profile and generic reader agree (pages compared):", *summary_lines(found),
            *(f"  LOW: {line}" for line in low)]


def _summary(db: str, result, per_site: dict, shares: dict) -> str:
    from archiver.crawl import status_line
    from archiver.store import error_counts

    report = result.report
    # crawls.errors also holds the fetch_errors total; the "Not fetched" line below says it per kind.
    errors = {k: v for k, v in (report.get("errors") or error_counts(result.stats) or {}).items()
              if k != "fetch_errors"}
    lines = [
        "",
        f"Articles stored this crawl: {report.get('articles_written', 0)} "
        f"(new {report.get('articles_new', 0)}, changed {report.get('articles_changed', 0)}); "
        f"in the archive: {sum(per_site.values())}",
        f"Dropped: {report.get('dropped') or 'none'}   Errors: {errors or 'none'}",
        *_not_fetched(report.get("fetch_errors")),
        f"Status: {status_line(result)}",
        f"Pages fetched: {result.pages} in {result.seconds:.1f} s ({result.pages_per_second:.0f} pages/s)",
        "Share of articles with each field:",
        *(f"  {name:<16}{share:7.1%}" for name, share in shares.items()),
        *_agreement_lines(report),
        "",
        f"Archive: {db}",
        f"  sqlite-utils tables {db} --counts",
        f"  sqlite-utils {db} \"select title, published_at, views from articles order by published_at desc limit 5\"",
        f"  datasette {db} --metadata data/metadata.yml      (or: archiver browse --db {db})",
    ]
    return "\n".join(lines)


@cli.command()
@click.argument("site", required=False)
@click.option("--start-url", help="Start here (comma-separated for several); without SITE: crawl any site.")
@click.option("--db", default="data/archive.db", show_default=True, type=click.Path(dir_okay=False))
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after this many pages.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="Store only articles published on or after this date (YYYY-MM-DD); known older ones are not "
              "refreshed.")
@click.option("--refresh/--no-refresh", default=True, show_default=True,
              help="Refetch known articles that are due under the site's refresh policy.")
@click.option("--full", is_flag=True, help="Walk every listing page, not only while they show something new.")
@click.option("--resume", is_flag=True, help="Keep the crawl's state in data/jobs/SITE so a stopped crawl resumes.")
@click.option("--redis", "redis_url", metavar="redis://HOST:PORT/DB",
              help="Be one worker of a crawl shared through Redis (README, Distributed crawls).")
@click.option("--items", type=click.Choice(["redis", "archive"]), default="redis", show_default=True,
              help="With --redis: push items to Redis for `archiver ingest`, or write --db directly (one machine).")
@click.option("--warc/--no-warc", default=True, show_default=True,
              help="Keep every downloaded response in WARC files (WARC_DIR, default warc/ next to --db).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Any Scrapy setting.")
def crawl(site: str | None, start_url: str | None, db: str, max_pages: int | None, since: datetime | None,
          refresh: bool, full: bool, resume: bool, redis_url: str | None, items: str, warc: bool,
          overrides: tuple[str]) -> None:
    """Crawl SITE (a profile, see `archiver sites`) or --start-url, politely, into the archive.

    \b
    Exit codes, for cron and systemd:
      0  the crawl finished and stored what it found
      1  the crawl could not run: another crawl holds the job directory, or Redis (--redis) does not answer
      2  bad arguments (unknown SITE, malformed --start-url, invalid -s value, bad option)
      3  "layout changed?": a field's coverage fell far below the site's recent runs
      4  the site is unreachable: not one page could be read (DNS failure, connection refused, ...)
      5  the archive could not be written (read-only, disk full, I/O error, corrupt)
      6  interrupted (SIGINT/SIGTERM) before the end
    """
    from archiver import crawl as crawling
    from archiver.store import Archive, counts, coverage

    extra, args = _crawl_arguments(site, start_url, overrides)
    if redis_url:
        if resume:
            raise click.UsageError("--resume and --redis: a shared crawl keeps its state in Redis")
        _check_redis_url(redis_url)
        _ping_redis(redis_url)
        extra.update(REDIS_URL=redis_url, REDIS_ITEMS=str(items == "redis"))
    redis_url = redis_url or extra.get("REDIS_URL")
    to_redis = bool(redis_url) and items == "redis" and str(extra.get("REDIS_ITEMS", "True")) == "True"
    if not warc:
        extra["WARC_ENABLED"] = "False"
    args.update(since=since and since.date().isoformat(), refresh=int(refresh), full=int(full), max_pages=max_pages)
    try:
        jobs = crawling.job_dir_for(site, start_url) if resume else None
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    if not to_redis:
        with _storage_errors():
            Archive(db).close()  # creates or migrates it; a read-only or broken archive stops us before fetching
    try:
        with crawling.job_dir(jobs) if jobs else _nothing() as jobdir:
            if jobdir:
                extra["JOBDIR"] = str(jobdir)
            result = crawling.run_crawl("news", settings=crawling.make_settings(db, overrides=extra), **args)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    except crawling.JobLockedError as error:
        raise click.ClickException(str(error)) from error
    except _redis_errors() as error:
        raise click.ClickException(f"cannot use Redis at {redis_url}: {error}") from error
    if to_redis:
        click.echo(_worker_summary(result))
        code = crawling.exit_code(result)
        if code:
            click.echo(crawling.status_line(result), err=True)
        sys.exit(code)
    try:
        click.echo(_summary(db, result, counts(db), coverage(db)))
    except sqlite3.Error as error:  # a broken archive: the status line below says what happened
        click.echo(f"(no archive summary: {error})", err=True)
    code = crawling.exit_code(result)
    if code:
        click.echo(crawling.status_line(result), err=True)
    sys.exit(code)


def _check_redis_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise click.UsageError(f"bad --redis {url!r}: give redis://HOST:PORT/DB")


def _ping_redis(url: str) -> None:
    """An unreachable Redis is a one-line error (exit 1) before anything is fetched."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as error:
        raise click.ClickException(f"cannot use Redis at {url}: {error}") from error


def _redis_errors() -> tuple[type[Exception], ...]:
    try:
        import redis
    except ImportError:  # the redis extra is not installed
        return ()
    return (redis.RedisError,)


def _worker_summary(result) -> str:
    from archiver.crawl import status_line

    stats = result.stats
    return "\n".join([
        "",
        f"Worker of a shared crawl ({'seeded it' if stats.get('archiver/redis_seeder') else 'joined it'}): "
        f"{result.pages} pages in {result.seconds:.1f} s ({result.pages_per_second:.0f} pages/s), "
        f"{stats.get('archiver/pushed', 0)} items pushed to Redis for `archiver ingest`",
        f"Status: {status_line(result)}",
    ])


@cli.command()
@click.option("--redis", "redis_url", required=True, metavar="redis://HOST:PORT/DB", help="The shared crawl's Redis.")
@_DB_OPTION
@click.option("--site", "sites", multiple=True, help="Only this site's items (repeatable); default: every site's.")
@click.option("--idle", default=0.0, show_default=True, type=click.FloatRange(min=0),
              help="Run beside the workers: stop once no crawl of the sites is going on and no item came for this "
              "many seconds (0: drain what is there and exit).")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(min=1), help="Items per transaction.")
def ingest(redis_url: str, db: str, sites: tuple[str, ...], idle: float, batch: int) -> None:
    """Write the items workers pushed to Redis into the archive: the single writer, idempotent, resumable."""
    from archiver.distributed import ingest as run_ingest

    _check_redis_url(redis_url)
    _ping_redis(redis_url)
    try:
        with _storage_errors():
            result = run_ingest(redis_url, db, list(sites) or None, batch=batch, idle=idle)
    except _redis_errors() as error:
        raise click.ClickException(f"cannot use Redis at {redis_url}: {error}") from error
    click.echo(f"Ingested {result.records} records into {db}: {result.articles} articles (new {result.new}, "
               f"changed {result.changed}), {result.not_modified} not modified, {len(result.dropped)} dropped, "
               f"{len(result.fetch_errors)} not fetched"
               + (f"; {result.replayed} replayed from an interrupted ingest" if result.replayed else ""))


def _crawl_arguments(site: str | None, start_url: str | None, overrides: tuple[str, ...]) -> tuple[dict, dict]:
    """Settings overrides and spider arguments, checked before anything is fetched (exit 2 when bad)."""
    from archiver.crawl import check_overrides
    from archiver.profile import ProfileError, get_profile
    from spiders.news import check_start_url

    if not site and not start_url:
        raise click.UsageError("give a SITE profile or --start-url")
    try:
        if site:
            get_profile(site)
        for url in (start_url or "").split(","):
            if url.strip() or not site:
                check_start_url(url)
        extra = check_overrides(overrides)
    except (ProfileError, ValueError) as error:
        raise click.UsageError(str(error)) from error
    return extra, {"site": site, "start_url": start_url}


@contextmanager
def _nothing():
    yield None


# -- WARC: reextract, import-warc (library code in fromwarc) ---------------------------------------------


def _profile_option(ctx, param, value: str | None):
    from archiver.profile import ProfileError, get_profile

    try:
        return get_profile(value) if value else None
    except ProfileError as error:
        raise click.BadParameter(str(error)) from error


def _warc_report(report, verb: str) -> None:
    line = (f"{verb} {report.pages} pages in {report.seconds:.1f} s ({report.pages_per_second:.0f} pages/s): "
            f"{report.stored} articles stored (new {report.new}, changed {report.changed})")
    click.echo(line)
    if report.skipped:
        click.echo("Not stored: " + ", ".join(f"{reason} {n}" for reason, n in sorted(report.skipped.items())))
    for cut in report.truncated:
        click.echo(f"Truncated record skipped: {cut}")


@cli.command()
@_DB_OPTION
@_WARC_DIR_OPTION
@click.option("--site", help="Only this site's articles.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published on or after this date.")
@click.option("--profile", callback=_profile_option, help="Extract with this profile instead of the one the URL picks.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
def reextract(db: str, warc_dir: str | None, site: str | None, since: datetime | None, profile, as_json: bool) -> None:
    """Extract every archived article again from its stored WARC record, without a request.

    After a profile is fixed or the extractor improves: the archive changes to match (an article whose text
    changed keeps its previous version in `revisions`).
    """
    from archiver.fromwarc import reextract as run
    from archiver.store import check_archive

    with _archive_errors():
        check_archive(db)  # a missing or foreign file is an error here, not a new empty archive
        with _storage_errors():
            report = run(db, warc_dir=warc_dir, site=site, since=since and since.date().isoformat(), profile=profile)
    if as_json:
        echo_json(report.to_dict())
    else:
        _warc_report(report, "Re-extracted")


@cli.command("import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_DB_OPTION
@click.option("--domain", "domains", multiple=True, help="Only pages of this host and its subdomains (repeatable).")
@click.option("--profile", callback=_profile_option, help="Extract with this profile instead of the one the URL picks.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON document.")
def import_warc(files: tuple[str, ...], db: str, domains: tuple[str, ...], profile, as_json: bool) -> None:
    """Store the articles of WARC or ARC FILES made by any tool (Common Crawl, Heritrix, Webrecorder...).

    Reads the HTML responses of the --domain hosts, or without --domain every Vietnamese page the reader
    takes for an article. Relative dates resolve against each record's WARC-Date.
    """
    from archiver.fromwarc import import_warc as run
    from archiver.store import Archive

    with _archive_errors():
        with _storage_errors():
            Archive(db).close()  # creates or migrates it
            report = run(db, files, domains=domains, profile=profile)
    if as_json:
        echo_json(report.to_dict())
    else:
        _warc_report(report, "Read")


@cli.command()
@click.argument("texts", nargs=-1)
@click.option("--fetched-at", help="ISO time the texts were fetched (resolves '2 giờ trước'); default now.")
def dates(texts: tuple[str, ...], fetched_at: str | None) -> None:
    """Normalize date TEXTs (or stdin, one per line): one JSON {raw, iso, precision, relative, path, reason}
    each; reason says why iso is null."""
    from archiver.dates import date_records, parse_fetched_at

    try:
        when = parse_fetched_at(fetched_at)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--fetched-at") from None
    for record in date_records(texts or sys.stdin, fetched_at=when):
        echo_json(record)


def main() -> None:  # console-script entry point
    cli(prog_name="archiver")


if __name__ == "__main__":
    sys.exit(main())
