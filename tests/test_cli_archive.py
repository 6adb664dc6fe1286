"""The archive commands: stats, search, export, browse (thin wrappers: check wiring and output)."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from archive_samples import DANG, make_archive
from click.testing import CliRunner

from archiver.cli import cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "archive.db")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def run_json(*args: str) -> tuple[int, list[dict], str]:
    """Exit code, the JSON lines on stdout, and stderr."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_stats_table_and_json(db: Path) -> None:
    code, out = run("stats", "--db", str(db))
    assert code == 0 and "tuoitre" in out and "vnexpress" in out and "image_captions" in out
    code, out = run("stats", "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["sites"] == {"tuoitre": 1, "vnexpress": 1}


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["dang uy khoi"], True),
        (["Đảng ủy Khối"], True),
        (["dang", "--site", "tuoitre"], False),
        (["dang", "--since", "2024-06-01"], False),
        (["dang", "--since", "2024-04-01", "--limit", "1"], True),
    ],
)
def test_search(db: Path, args: list[str], found: bool) -> None:
    code, rows, err = run_json("search", *args, "--db", str(db), "--json")
    assert code == 0
    assert [row["url"] for row in rows] == ([DANG.url] if found else [])
    assert err.startswith("1 result" if found else "0 results")


def test_search_prints_title_url_and_snippet(db: Path) -> None:
    code, out = run("search", "dang uy khoi", "--db", str(db))
    assert code == 0 and DANG.title in out and DANG.url in out and "[Đảng]" in out
    assert out.rstrip().endswith("1 result")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothing-like-this"], "0 results"),
        (["lạnh OR khoi"], "2 results"),
        (["lạnh NOT thời"], "0 results"),
        (["title:lạnh", "--raw"], "1 result"),  # FTS5's own syntax, on purpose
        (["title:(", "--raw"], "bad full-text query"),
    ],
)
def test_search_operators_raw_and_counts(db: Path, args: list[str], message: str) -> None:
    code, out = run("search", *args, "--db", str(db))
    assert message in out and code == (1 if "bad" in message else 0)
    assert "Traceback" not in out and len(out.strip().splitlines()[-1]) < 200


@pytest.mark.parametrize("command", [["stats"], ["search", "x"], ["export"]])
def test_missing_archive_is_a_clear_error(tmp_path: Path, command: list[str]) -> None:
    code, out = run(*command, "--db", str(tmp_path / "none.db"))
    assert code == 1 and "no archive at" in out


def test_bad_date_is_a_clear_error(db: Path) -> None:
    code, out = run("search", "x", "--db", str(db), "--since", "hôm qua")
    assert code == 1 and "ISO 8601" in out


def test_export_stdout_and_file(db: Path, tmp_path: Path) -> None:
    code, out = run("export", "--db", str(db), "--site", "vnexpress")
    assert code == 0 and json.loads(out)["title"] == DANG.title and "Đảng" in out
    target = tmp_path / "out.csv"
    code, out = run("export", "--db", str(db), "--format", "csv", "-o", str(target))
    assert code == 0 and "2 articles" in out
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, tries: int = 100) -> dict:
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered at {url}")


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_browse_serves_the_archive_and_stops_with_itself(tmp_path: Path, stop: signal.Signals) -> None:
    """A live `archiver browse` on a file not named archive.db: its metadata, our plugin; a signal stops it
    and its server (nothing listens on the port afterwards)."""
    db = make_archive(tmp_path / "other.db")
    port = _free_port()
    cmd = [sys.executable, "-m", "archiver.cli", "browse", "--db", str(db), "--port", str(port), "--no-open",
           "--setting", "sql_time_limit_ms", "3000", "--immutable"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        metadata = _get_json(base + "/-/metadata.json")
        assert "articles" in metadata["databases"]["other"]["tables"]
        assert _get_json(base + "/-/settings.json")["sql_time_limit_ms"] == 3000
        assert any(p["name"] == "vn-news-archiver" for p in _get_json(base + "/-/plugins.json"))
        assert _get_json(base + "/other.json")["tables"]  # served, immutable or not
        proc.send_signal(stop)
        assert proc.wait(10) in (0, -stop), proc.stdout.read()
    finally:
        proc.kill()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the server outlived archiver browse"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "{busy}"], "cannot serve on 127.0.0.1:{busy}"),
        (["--metadata", "{bad_yaml}"], "bad YAML in metadata"),
        (["--db", "{not_sqlite}"], "is not a SQLite archive"),
        (["--db", "{empty}"], "not an archive (no articles table)"),
    ],
)
def test_browse_bad_input_is_one_line(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        names = {"busy": str(busy.getsockname()[1]), "bad_yaml": str(tmp_path / "bad.yml"),
                 "not_sqlite": str(tmp_path / "notes.db"), "empty": str(tmp_path / "empty.db")}
        Path(names["bad_yaml"]).write_text("title: [unclosed\n", encoding="utf-8")
        Path(names["not_sqlite"]).write_text("just some text, not a database " * 50, encoding="utf-8")
        sqlite3.connect(names["empty"]).execute("CREATE TABLE t (x)").connection.close()
        code, out = run("browse", "--db", str(db), "--no-open", *[a.format(**names) for a in args])
    assert code == 1 and message.format(**names) in out
    assert out.count("\n") == 1 and "Traceback" not in out


@pytest.mark.parametrize("command", [["stats"], ["search", "x"], ["export"]])
@pytest.mark.parametrize("damage", ["not sqlite", "damaged pages"])
def test_not_an_archive_is_a_clear_error(tmp_path: Path, command: list[str], damage: str) -> None:
    bad = tmp_path / "bad.db"
    if damage == "not sqlite":
        bad.write_bytes(b"\x00\x01 not sqlite" * 100)
    else:  # a real archive whose pages after the header page are overwritten
        data = make_archive(bad).read_bytes()
        bad.write_bytes(data[:16384] + bytes(range(256)) * ((len(data) - 16384) // 256))
        for suffix in ("-wal", "-shm"):
            Path(str(bad) + suffix).unlink(missing_ok=True)
    code, out = run(*command, "--db", str(bad))
    assert code == 1 and ("not a SQLite archive" in out or "damaged" in out), out
    assert out.count("\n") == 1 and "Traceback" not in out
