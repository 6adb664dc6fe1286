"""Benchmark: archiver.dates.parse_date against plain dateparser on the test case corpus.

    /work/venv/bin/python benchmarks/dates.py [--rounds N]

Runs every case of tests/cases/dates.jsonl (and, reported apart, tests/cases/dates_fallback.jsonl: shapes
outside the fast grammar, answered by our dateparser fallback) through

- ours: ``parse_date(text, fetched_at=...)``;
- dateparser: ``dateparser.parse(text, languages=["vi"], settings={"RELATIVE_BASE": fetched_at})``, the
  relative base given so that "2 giờ trước" is resolved against the same fetch time (without it every
  relative case would differ for a trivial reason).

It prints calls/s for each, the ratio, and every case where the two answers differ, each with why ours is
right: ours is checked against the hand-written expectation of the case, and the difference is
classified. Answers are compared as instants in Asia/Ho_Chi_Minh (dateparser's naive answers read as
local time) after truncating dateparser's answer to our precision, so "10 ngày trước" at day precision
does not differ from dateparser's 2026-03-15 10:00 merely because we drop the time of day; those are
listed apart. No timing is asserted anywhere: these are figures to read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiver.dates import VN_TZ, _truncate, parse_date  # noqa: E402

ZONE = ZoneInfo(VN_TZ)
CASES = ROOT / "tests" / "cases" / "dates.jsonl"
FALLBACK_CASES = ROOT / "tests" / "cases" / "dates_fallback.jsonl"


@dataclass
class Case:
    text: str
    fetched: datetime
    iso: str | None
    precision: str | None
    note: str | None


def load(path: Path) -> list[Case]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    default = lines[0]["default_fetched"]
    return [
        Case(c["text"], _fetched(c.get("fetched", default)), c["iso"], c["precision"], c.get("note"))
        for c in lines[1:]
    ]


def _fetched(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=ZONE)


def ours(case: Case):
    return parse_date(case.text, fetched_at=case.fetched)


def theirs(case: Case, dateparser):
    base = case.fetched.astimezone(ZONE).replace(tzinfo=None)
    return dateparser.parse(case.text, languages=["vi"], settings={"RELATIVE_BASE": base})


def throughput(cases: list[Case], dateparser, rounds: int, repeats: int) -> tuple[float, float]:
    """Calls per second (CPU time of this process) of ours and of dateparser over the corpus: ours over
    ``rounds`` passes, dateparser over one. They take turns, ``repeats`` times, and each keeps its best
    turn, so that other processes on the machine slow both alike. The loops call the two functions
    directly (arguments prepared beforehand) so that the harness costs neither side."""
    ours_args = [(c.text, c.fetched) for c in cases]
    theirs_args = [(c.text, c.fetched.astimezone(ZONE).replace(tzinfo=None)) for c in cases]
    parse, languages = dateparser.parse, ["vi"]
    best_ours = best_theirs = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        for _ in range(rounds):
            for text, fetched in ours_args:
                parse_date(text, fetched_at=fetched)
        best_ours = min(best_ours, (time.process_time() - started) / rounds)
        started = time.process_time()
        for text, base in theirs_args:
            parse(text, languages=languages, settings={"RELATIVE_BASE": base})
        best_theirs = min(best_theirs, time.process_time() - started)
    return len(cases) / best_ours, len(cases) / best_theirs


def local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(ZONE) if value.tzinfo else value.replace(tzinfo=ZONE)


def why(case: Case, mine, theirs_value: datetime | None) -> str:
    """Why ours is right where the answers differ: ours matches the case's hand-written expectation, and
    the kind of dateparser's mistake is named."""
    if mine.iso != case.iso or mine.precision != case.precision:
        return f"OURS IS WRONG: expected {case.iso} ({case.precision})"
    note = f" [{case.note}]" if case.note else ""
    if case.iso is None:
        if theirs_value is not None and theirs_value > case.fetched + timedelta(days=1):
            return f"dateparser answers a date after the fetch time; ours: {mine.reason}{note}"
        return f"there is no right date here ({mine.reason}); dateparser invents one{note}"
    if theirs_value is None:
        return f"dateparser finds nothing in a valid date{note}"
    expected = datetime.fromisoformat(case.iso)
    if theirs_value > case.fetched + timedelta(days=1):
        return f"dateparser answers a date after the fetch time{note}"
    if theirs_value.date() != expected.date():
        if (theirs_value.month, theirs_value.day) == (expected.day, expected.month):
            return f"dateparser reads it month-first; Vietnamese dates are day-first{note}"
        return f"dateparser gives another day{note}"
    if theirs_value.replace(second=0) != expected.replace(second=0):
        return f"dateparser gives another time of day{note}"
    return f"dateparser drops the seconds or the offset{note}"


def finer(mine) -> str:
    """Where dateparser's extra detail, beyond the precision the text shows, comes from."""
    if mine.relative:
        return "dateparser keeps the fetch time's finer part (the text does not give it)"
    if mine.precision in ("month", "year"):
        return "dateparser fills in the fetch date's day (the text does not give it)"
    return "dateparser keeps fractions of a second; we keep whole seconds"


def compare(cases: list[Case], dateparser) -> tuple[list[str], list[str], int]:
    """(differing cases with why, precision-only differences, ours wrong)."""
    differ, precision_only, wrong = [], [], 0
    for case in cases:
        mine = ours(case)
        if mine.iso != case.iso or mine.precision != case.precision:
            wrong += 1
        other = local(theirs(case, dateparser))
        truncated = _truncate(other, mine.precision) if other is not None and mine.value else other
        if truncated == mine.value and other == mine.value:
            continue
        line = f"  {case.text!r}\n      ours: {mine.iso} ({mine.precision or mine.reason})" \
               f"   dateparser: {other.isoformat() if other else None}"
        if truncated == mine.value:
            precision_only.append(line + f"\n      why: same {mine.precision}; {finer(mine)}")
        else:
            differ.append(line + f"\n      why: {why(case, mine, other)}")
    return differ, precision_only, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over the corpus for ours (one for dateparser)")
    parser.add_argument("--repeats", type=int, default=5, help="turns each; the best turn counts")
    args = parser.parse_args()

    import dateparser  # imported here so that its import time is not counted against anyone

    cases, fallback = load(CASES), load(FALLBACK_CASES)
    for case in cases + fallback:  # warm up both (dateparser loads its language data on first use)
        ours(case)
        theirs(case, dateparser)
    ours_rate, dp_rate = throughput(cases, dateparser, args.rounds, args.repeats)
    differ, precision_only, wrong = compare(cases, dateparser)

    print(f"corpus: {len(cases)} cases ({CASES.relative_to(ROOT)})")
    print(f"  ours:       {ours_rate:12,.0f} calls/s  ({1e6 / ours_rate:8.1f} µs/call)")
    print(f"  dateparser: {dp_rate:12,.0f} calls/s  ({1e6 / dp_rate:8.1f} µs/call)")
    print(f"  ratio:      {ours_rate / dp_rate:12,.0f}x")
    print(f"  ours wrong against the expectations: {wrong}")
    print(f"\nanswers differ (different instant or one of them None): {len(differ)}")
    print("\n".join(differ))
    print(f"\nsame date at our precision, dateparser adds a finer part: {len(precision_only)}")
    print("\n".join(precision_only))

    fb_rate, fb_dp = throughput(fallback * 5, dateparser, 1, args.repeats)
    fb_differ, fb_precision, fb_wrong = compare(fallback, dateparser)
    print(f"\nfallback cases: {len(fallback)} ({FALLBACK_CASES.relative_to(ROOT)}): shapes outside the fast grammar")
    print(f"  ours (dateparser inside): {fb_rate:,.0f} calls/s; dateparser: {fb_dp:,.0f} calls/s")
    print(f"  ours wrong: {fb_wrong}; answers differ: {len(fb_differ)}")
    print("\n".join(fb_differ + fb_precision))
    total = len(cases) + len(fallback)
    mixed = total / (len(cases) / ours_rate + len(fallback) / fb_rate)
    mixed_dp = total / (len(cases) / dp_rate + len(fallback) / fb_dp)
    print(f"\nboth files together: ours {mixed:,.0f} calls/s, dateparser {mixed_dp:,.0f} calls/s, "
          f"ratio {mixed / mixed_dp:,.0f}x")


if __name__ == "__main__":
    main()
