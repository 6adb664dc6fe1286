"""The archive commands: stats, search, export, browse (thin wrappers: check wiring and output)."""

from __future__ import annotations

import json
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
    code, out = run("search", *args, "--db", str(db), "--json")
    assert code == 0
    urls = [json.loads(line)["url"] for line in out.splitlines()]
    assert urls == ([DANG.url] if found else [])


def test_search_prints_title_url_and_snippet(db: Path) -> None:
    code, out = run("search", "dang uy khoi", "--db", str(db))
    assert code == 0 and DANG.title in out and DANG.url in out and "[Đảng]" in out


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


def test_browse_runs_datasette_with_the_metadata(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_call(command: list[str]) -> int:
        metadata = json.loads(Path(command[command.index("--metadata") + 1]).read_text(encoding="utf-8"))
        calls.append((command, metadata))
        return 0

    monkeypatch.setattr("subprocess.call", fake_call)
    code, _ = run("browse", "--db", str(db), "--no-open", "--port", "8123")
    assert code == 0
    command, metadata = calls[0]
    assert str(db) in command and "--open" not in command and "8123" in command
    assert "articles" in metadata["databases"]["archive"]["tables"]
