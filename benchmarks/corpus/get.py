"""Lay the evaluation corpus out from fetched git directories, never from the project.

    python benchmarks/corpus/get.py [--mirror /work/.mirror] [--out benchmarks/corpus/pages]

The pages are third-party material, so the project keeps only `manifest.tsv` (where each page lives:
repository, commit, path, sha256) and our own hand-checked `truth/NAME.json`. This script reads
each page from the repository's git directory (`MIRROR/owner+name/…`, as the search tool's `fetch`
lays it out), checks its sha256, and writes `OUT/NAME.html` next to a copy of `truth/NAME.json`,
the pairs `benchmarks/accuracy.py` reads. OUT is git-ignored.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_manifest(path: Path = HERE / "manifest.tsv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row for row in csv.DictReader(f, delimiter="\t") if row.get("name")]


def git_dir(mirror: Path, repo: str) -> Path | None:
    """The git directory of a fetched repository: a folder holding HEAD and objects/."""
    top = mirror / repo.replace("/", "+")
    for folder in [top, *sorted(top.glob("*"))]:
        for candidate in (folder, folder / ".git"):  # a bare snapshot, or one with a work tree
            if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
                return candidate
    return None


def blob(gitdir: Path, commit: str, path: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={gitdir}", "cat-file", "blob", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=HERE / "pages")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    missing = 0
    for row in read_manifest():
        name, gitdir = row["name"], git_dir(args.mirror, row["repo"])
        if gitdir is None:
            print(f"{name}: {row['repo']} is not fetched into {args.mirror}", file=sys.stderr)
            missing += 1
            continue
        try:
            data = blob(gitdir, row["commit"], row["path"])
        except subprocess.CalledProcessError as e:
            print(f"{name}: {row['repo']}@{row['commit'][:10]}:{row['path']}: {e.stderr.decode().strip()}",
                  file=sys.stderr)
            missing += 1
            continue
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            print(f"{name}: sha256 differs from the manifest", file=sys.stderr)
            missing += 1
            continue
        (args.out / f"{name}.html").write_bytes(data)
        truth = HERE / "truth" / f"{name}.json"
        if truth.exists():
            shutil.copyfile(truth, args.out / f"{name}.json")
    print(f"{len(read_manifest()) - missing} pages in {args.out}, {missing} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
