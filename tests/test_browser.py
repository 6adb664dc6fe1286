"""The archive in a real browser: Debian's headless Chromium, driven by selenium, against a live
`archiver browse` over a demo archive this module builds (a crawl of a small replica).

Page heights are measured with document.body.scrollHeight; screenshots go to tests/screenshots/
(git-ignored) for a person to look at. Without chromium these tests skip, except in CI (CI=true),
where they fail: `.ci/run` installs chromium and chromium-driver.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from archiver.queries import DEFAULT_METADATA
from archiver.text import fold

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).parent / "screenshots"
WIDTH, HEIGHT = 1280, 900
ROOT = Path(__file__).resolve().parent.parent
METADATA = yaml.safe_load(DEFAULT_METADATA.read_text(encoding="utf-8"))
QUERIES = list(METADATA["databases"]["archive"]["queries"])
DASHBOARDS = METADATA["plugins"]["datasette-dashboards"]
MEASURED: dict[str, int] = {}  # page -> scrollHeight, printed at the end of the module


def _require_chromium() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI runs the browser tests; .ci/run installs them)")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """`archiver demo` of 30 articles: the archive, and what the demo printed."""
    db = tmp_path_factory.mktemp("browser") / "demo.db"  # not archive.db: the metadata must follow any name
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    cmd = [sys.executable, "-m", "archiver.cli", "demo", "--articles", "30", "--db", str(db), "--port", "0"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return db, proc.stdout


@pytest.fixture(scope="module")
def archive(demo: tuple[Path, str]) -> Path:
    _require_chromium()
    return demo[0]


def test_demo_summary_explains_the_planted_faults(demo: tuple[Path, str]) -> None:
    """The errors and the drop a newcomer sees first are said to be the replica's, with matching counts."""
    from archiver.replica import ReplicaSite

    faults = ReplicaSite(30, 0).planted_faults()
    out = demo[1]
    assert f"Errors: {{'http_404': {faults['dead_links']}}}" in out and "Dropped: {'no title': 1}" in out
    assert "planted on purpose" in out
    assert f"{faults['dead_links']} sibling links point to deleted articles: the http_404 errors" in out
    assert f"{faults['no_views']} articles show no view count" in out
    assert _rows(demo[0], "SELECT DISTINCT site FROM articles") == [("dukcqtw",)]  # one site key


@pytest.fixture(scope="module")
def server(archive: Path) -> Iterator[str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "archiver.cli", "browse", "--db", str(archive), "--port", str(port), "--no-open"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/-/versions.json", timeout=1)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        print("\npage heights (px):", ", ".join(f"{k} {v}" for k, v in MEASURED.items()))


def visit(driver, url: str, name: str) -> int:
    """Load a page, check it is no error page, screenshot it, and return its height."""
    driver.get(url)
    _assert_no_error(driver, name)
    return _measure(driver, name)


def _measure(driver, name: str) -> int:
    """document.body.scrollHeight, and a screenshot of the whole page (up to 6,000 px of it)."""
    height = driver.execute_script("return document.body.scrollHeight")
    MEASURED[name] = height
    driver.set_window_size(WIDTH, min(height, 6000) + 150)  # + the window's own frame
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(WIDTH, HEIGHT)
    return height


def _assert_no_error(driver, name: str) -> None:
    from selenium.webdriver.common.by import By

    text = driver.find_element(By.TAG_NAME, "body").text
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".message-error")]
    assert not errors and "syntax error" not in text and not driver.title.startswith("Error"), (name, errors)
    # JavaScript errors (charts failing) and failed requests to Datasette are SEVERE console entries; the
    # article images are on the replica site, stopped once the demo crawl ended.
    server = driver.current_url.split("/", 3)[:3]
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and (e["message"].startswith("/".join(server)) or "Failed to load resource" not in e["message"])]
    assert not severe, (name, severe)


def _rows(db: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_articles_view_fits_a_screen(browser, server: str) -> None:
    from selenium.webdriver.common.by import By

    height = visit(browser, server + "/", "articles")  # the root leads to the articles of the archive
    assert "/demo/articles?" in browser.current_url
    table = "table.rows-and-columns"
    headers = [th.get_attribute("data-column") for th in browser.find_elements(By.CSS_SELECTOR, f"{table} th")]
    assert headers == ["id", "title", "published_at", "site", "byline", "views"]
    assert len(browser.find_elements(By.CSS_SELECTOR, f"{table} tbody tr")) == 20
    assert height <= 2.5 * HEIGHT, f"articles view is {height}px tall"
    assert browser.find_element(By.CSS_SELECTOR, ".facet-info[data-column=site]").is_displayed()


def test_diacritics_free_search_finds_the_right_rows(browser, server: str, archive: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(server + "/demo/articles")
    box = browser.find_element(By.CSS_SELECTOR, "form.archive-bar input[name=q]")
    box.send_keys("dang uy")
    box.submit()
    _assert_no_error(browser, "search")
    _measure(browser, "search")
    found = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "td.col-title a")}
    expected = {title for title, lead, body in _rows(archive, "SELECT title, lead, body FROM articles")
                if {"dang", "uy"} <= set(fold(f"{title} {lead} {body}").split())}
    assert found == expected and found
    marks = {m.text for m in browser.find_elements(By.CSS_SELECTOR, "td.col-snippet mark")}
    assert {fold(m) for m in marks} <= {"dang", "uy"} and "Đảng" in marks
    # The table's own search box finds the same rows (and keeps its facets).
    browser.get(server + "/demo/articles?_search=dang+uy&_size=100")
    rows = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "td.col-title a")}
    assert rows == expected


def test_article_page_reads_like_an_article(browser, server: str, archive: Path) -> None:
    from selenium.webdriver.common.by import By

    article_id, title = _rows(archive, "SELECT id, title FROM articles WHERE image_count > 0 AND related_count > 1 "
                                       "ORDER BY id LIMIT 1")[0]
    height = visit(browser, f"{server}/demo/articles/{article_id}", "article")
    assert browser.find_element(By.CSS_SELECTOR, "h1.article-title").text == title
    shown = [p.text for p in browser.find_elements(By.CSS_SELECTOR, "article > p:not([class])")]
    stored = [t for (t,) in _rows(archive, "SELECT text FROM paragraphs WHERE article_id = ? ORDER BY position",
                                  article_id)]
    assert shown == stored
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "article figure figcaption")]
    assert captions == [c for (c,) in _rows(archive, "SELECT caption FROM images WHERE article_id = ? AND caption "
                                                     "IS NOT NULL ORDER BY position", article_id)]
    archived = browser.find_elements(By.CSS_SELECTOR, "ul.related a[href*='/demo/articles/']")
    assert archived, "related links to archived articles open the archived copy"
    assert height <= 3 * HEIGHT, f"article page is {height}px tall"


@pytest.mark.parametrize("query", QUERIES)
def test_canned_query_renders_without_parameters(browser, server: str, query: str) -> None:
    height = visit(browser, f"{server}/demo/{query}", f"query-{query}")
    assert height <= 4 * HEIGHT, f"{query} is {height}px tall"


@pytest.mark.parametrize("dashboard", list(DASHBOARDS))
def test_dashboard_charts_render(browser, server: str, dashboard: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{server}/-/dashboards/{dashboard}")
    charts = list(DASHBOARDS[dashboard]["charts"])

    def drawn(driver) -> bool:
        return all(driver.find_elements(By.CSS_SELECTOR, f"#chart-{c} canvas, #chart-{c} svg, #chart-{c} p, "
                                                         f"#chart-{c} table") for c in charts)

    WebDriverWait(browser, 15).until(drawn)
    time.sleep(0.3)  # vega draws its canvas in the next frames
    _assert_no_error(browser, f"dashboard-{dashboard}")
    height = _measure(browser, f"dashboard-{dashboard}")
    assert height <= 3 * HEIGHT
