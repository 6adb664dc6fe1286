"""The README documents every table and column of the archive (analysts read it, not the code)."""

import re
import sqlite3
from pathlib import Path

from archiver.store import Archive

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_table_and_column_is_in_the_readme(tmp_path):
    Archive(tmp_path / "a.db").close()
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## The archive: tables and columns"): text.index("## How it is built")]
    documented = set(re.findall(r"`([a-z_]+)`", section)) | set(re.findall(r"### ([a-z_, ]+)", section))
    documented = {w.strip() for item in documented for w in item.split(",")}
    with sqlite3.connect(tmp_path / "a.db") as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if not t.startswith(("articles_fts_", "sqlite_"))]
        missing = [f"{t}.{c[1]}" for t in tables for c in conn.execute(f"PRAGMA table_info([{t}])")
                   if c[1] not in documented and not t.startswith("articles_fts")]
    missing += [t for t in tables if t not in documented]
    assert missing == []
