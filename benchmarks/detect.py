"""Profiles' `detect` rules against real pages of other sites: no profile may take another site's page.

    python benchmarks/detect.py [PAGES_DIR ...] [--manifest benchmarks/corpus/manifest.tsv]

Every NAME.html in the directories (default benchmarks/corpus/pages and ../shared/pages), its site from
NAME.json (or the manifest's `site` column). For each page and each profile not owning the page's site,
`detect` is run twice: as the page is (its canonical URL / og:url declares its site), and with that
identity stripped (markup alone). Prints one line per cross-match and a summary; exits 1 when a profile
detects a page of another site as the page is, or by markup alone outside a shared CMS (a shared CMS's
markup matches several profiles, so none is picked: `profile_for` is checked to pick no other site's).
Pages are only scored, never printed (test-split pages are not for reading).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from parsel import Selector

from archiver.profile import all_profiles, declared_host, profile_for

HERE = Path(__file__).resolve().parent
DEFAULT_DIRS = [HERE / "corpus" / "pages", HERE.parents[1] / "shared" / "pages"]
IDENTITY = re.compile(r"<link[^>]*rel=[\"']?canonical[^>]*>|<meta[^>]*og:url[^>]*>", re.I)


def sites_of(dirs: list[Path], manifest: Path | None) -> list[tuple[Path, str]]:
    listed = {}
    if manifest and manifest.exists():
        with manifest.open(encoding="utf-8", newline="") as f:
            listed = {row["name"]: row["site"] for row in csv.DictReader(f, delimiter="\t")}
    out = []
    for folder in dirs:
        for html in sorted(folder.glob("*.html")):
            label = html.with_suffix(".json")
            site = listed.get(html.stem)
            if site is None and label.exists():
                site = json.loads(label.read_text(encoding="utf-8")).get("site")
            if site:
                out.append((html, site.removeprefix("www.")))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path, default=DEFAULT_DIRS)
    parser.add_argument("--manifest", type=Path, default=HERE / "corpus" / "manifest.tsv")
    args = parser.parse_args(argv)
    pages = sites_of([d for d in args.dirs if d.exists()], args.manifest)
    if not pages:
        print("no pages (lay the corpus out with benchmarks/corpus/get.py)", file=sys.stderr)
        return 1
    profiles = all_profiles()
    bad = shared = 0
    for html, site in pages:
        text = html.read_text(encoding="utf-8", errors="replace")
        sel, bare = Selector(text=text), Selector(text=IDENTITY.sub("", text))
        declared = declared_host(sel, "https://mirror.example/")
        owner = next((p for p in profiles if p.owns_host(site)), None)
        for p in profiles:
            if p is owner:
                continue
            if p.looks_like(sel, declared):
                bad += 1
                print(f"CROSS-MATCH {p.name} detects {html.name} ({site}) as the page is")
            elif p.looks_like(bare):
                # A shared CMS's markup (its sites, or a site without a profile running it): several profiles
                # match, so none is picked; checked below with profile_for.
                same_cms = bool(p.cms) and (owner is None or owner.cms == p.cms)
                shared += same_cms
                if not same_cms:
                    bad += 1
                    print(f"CROSS-MATCH {p.name} detects the markup of {html.name} ({site}) without its identity")
        for page, how in ((sel, "as the page is"), (bare, "without its identity")):
            picked = profile_for("http://127.0.0.1:8765/x", page)
            if picked is not None and picked is not owner:
                bad += 1
                print(f"CROSS-MATCH profile_for picks {picked.name} for {html.name} ({site}) {how}")
    print(f"{len(pages)} pages x {len(profiles)} profiles: {bad} cross-matches; "
          f"{shared} same-CMS markup matches without identity (no profile is picked for those)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
