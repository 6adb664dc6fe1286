"""`archiver crawl` refuses bad input in one line, with an exit code, before Scrapy starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.cli import cli


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["khong-co"], 2, "no profile named 'khong-co'; known profiles: "),
        (["dukcqtw", "-s", "DOWNLOAD_DELAY"], 2, "bad -s 'DOWNLOAD_DELAY': give NAME=VALUE"),
        (["dukcqtw", "-s", "=2"], 2, "bad -s '=2': give NAME=VALUE"),
        (["dukcqtw", "--db", "{text_file}"], 5, "cannot open the archive"),  # 5: storage failure
        (["dukcqtw", "--db", "{folder}"], 2, "is a directory"),  # click says so itself
    ],
)
def test_bad_crawl_input_is_one_line(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database " * 100, encoding="utf-8")
    names = {"text_file": str(text_file), "folder": str(tmp_path)}
    result = CliRunner().invoke(cli, ["crawl", *[a.format(**names) for a in args]])
    assert result.exit_code == code and message in result.output, result.output
    assert "Traceback" not in result.output and result.output.strip().splitlines()[-1].startswith("Error:")
