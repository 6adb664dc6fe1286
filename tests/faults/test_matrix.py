"""One crawl of a hostile replica (every fault of tests/faults/server.py on its own pages), judged fault by
fault against the ground truth: transient faults lose nothing, permanent ones are recorded per URL with
their reason, in the archive and in the crawl report, and nothing is silent."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from archiver.replica import ReplicaSite

from .matrix import crawl, judge, report
from .server import FAULTS, FaultSite, serve_faults

PER_FAULT = 2


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    faults = FaultSite(ReplicaSite(60, seed=11), per_fault=PER_FAULT)
    db = tmp_path_factory.mktemp("faults") / "archive.db"
    with serve_faults(faults) as url:
        proc = crawl(url, db, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    return faults, url, db, proc, {row.fault: row for row in judge(db, faults, url)}


@pytest.mark.parametrize("name", [*(fault.name for fault in FAULTS), "http_404", "none"])
def test_every_fault_keeps_its_promise(crawled, name):
    faults, *_, rows = crawled
    row = rows[name]
    fault = faults.faults.get(name)
    permanent = name == "http_404" or (fault is not None and fault.permanent)
    promise = f"{row.line()}; promised: {fault.promise if fault else 'stored, or recorded'}"
    assert (row.lost, row.dup, row.corrupt, row.refetched) == (0, 0, 0, 0), promise
    assert row.recorded == (row.pages if permanent else 0), promise


def test_permanent_faults_are_in_the_crawl_report_with_their_urls(crawled):
    faults, url, db, proc, rows = crawled
    last = report(db)
    with sqlite3.connect(db) as conn:
        recorded = conn.execute("SELECT url, kind, detail, crawl_id, at FROM fetch_errors").fetchall()
    assert last["errors"]["fetch_errors"] == len(recorded) > 0
    assert {crawl_id for *_, crawl_id, _ in recorded} == {last["id"]}
    assert all(detail and at for _, _, detail, _, at in recorded)
    assert f"Not fetched: {len(recorded)} pages (" in proc.stdout
    for fault in (f for f in FAULTS if f.permanent):
        for i in faults.targets[fault.name]:
            page = url + faults.site.path(i)
            assert (page, fault.kind) in {(u, k) for u, k, *_ in recorded}, fault.name
            assert f"WARNING: not fetched: {page}: {fault.kind}: " in proc.stderr, fault.name


def test_redirect_loops_and_offsite_redirects_are_warned_with_the_chain(crawled):
    faults, url, _, proc, _ = crawled
    loop = url + faults.site.path(faults.targets["redirect_loop"][0])
    assert f"{loop}: redirect_loop: redirect loop: {loop} -> {loop}?from=loop -> {loop}" in proc.stderr
    offsite = faults.site.path(faults.targets["offsite_redirect"][0])
    assert f"redirected off the site to http://offsite.invalid{offsite}" in proc.stderr


@pytest.mark.parametrize("name", ["retry_after_429", "retry_after_503"])
def test_retry_after_delays_the_retry(crawled, name):
    faults, *_ = crawled
    for i in faults.targets[name]:
        times = faults.log[faults.site.path(i)]
        assert len(times) == faults.faults[name].times + 1  # each refusal retried once, then fetched
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.95  # Retry-After: 1


def test_a_mislabelled_charset_is_corrected_and_said_once(crawled):
    *_, proc, _ = crawled
    assert proc.stderr.count("labels pages cp1252 but they are UTF-8") == 1


def test_no_remote_control_or_telnet_console(crawled):
    *_, proc, _ = crawled
    extensions = proc.stderr.split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "CoreStats" in extensions
    assert "RemoteControl" not in extensions and "TelnetConsole" not in extensions


def test_a_big_page_under_the_cap_is_warned_about_and_stored(crawled):
    faults, url, _, proc, rows = crawled
    for i in faults.targets["big"]:
        assert f"larger than download warn size (4194304) in request <GET {url}{faults.site.path(i)}>" in proc.stderr
    assert rows["big"].lost == 0
