"""archiver.dates: the case corpus (tests/cases/dates*.jsonl), the general path against the fast one,
reasons, the API, the `archiver dates` command, and properties (hypothesis)."""

from __future__ import annotations

import dataclasses
import json
import pickle
import re
import subprocess
import sys
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archiver import daterules
from archiver.cli import cli
from archiver.dates import (
    VN_TZ,
    ParsedDate,
    date_records,
    parse_date,
    parse_fetched_at,
    split_date_views,
)

VN = ZoneInfo(VN_TZ)
CASES_DIR = Path(__file__).parent / "cases"
FETCHED = datetime(2026, 3, 25, 10, 0, tzinfo=VN)


def load_cases(name: str) -> list[pytest.param]:
    lines = [json.loads(line) for line in (CASES_DIR / name).read_text(encoding="utf-8").splitlines() if line]
    default = lines[0]["default_fetched"]
    return [
        pytest.param(c["text"], c.get("fetched", default), c["iso"], c["precision"], c.get("path"),
                     id=f"{name.split('.')[0]}-{i}-{c['text'][:40]!r}")
        for i, c in enumerate(lines[1:], 1)
    ]


CORPUS = load_cases("dates.jsonl")
FALLBACK = load_cases("dates_fallback.jsonl")


def fetched(text: str) -> datetime:
    return parse_fetched_at(text)


# --- the corpus ---------------------------------------------------------------------------------------


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 150


@pytest.mark.parametrize(("text", "fetched_at", "iso", "precision", "path"), CORPUS + FALLBACK)
def test_corpus(text, fetched_at, iso, precision, path):
    parsed = parse_date(text, fetched_at=fetched(fetched_at))
    assert (parsed.iso, parsed.precision) == (iso, precision), parsed.reason
    if path:
        assert parsed.path == path
    if iso is None:
        assert parsed.reason and parsed.path == "none"
    else:
        assert parsed.reason is None and parsed.value.utcoffset() is not None


@pytest.fixture
def general_only(monkeypatch):
    """Turn the one-regex fast path off: every text goes through the step-by-step grammar."""
    never = re.compile(r"(?!)")
    for name in ("ISO", "HOT_AGO", "HOT_DMY", "MONO", "MONO_DAY", "RELATIVE_LABELED"):
        monkeypatch.setattr(daterules, name, never)
    monkeypatch.setattr(daterules, "PHRASES", {})


@pytest.mark.parametrize(("text", "fetched_at", "iso", "precision", "path"), CORPUS + FALLBACK)
def test_general_path_agrees(general_only, text, fetched_at, iso, precision, path):
    """The fast regexes are a shortcut, not a second opinion: the general path gives the same answers."""
    parsed = parse_date(text, fetched_at=fetched(fetched_at))
    assert (parsed.iso, parsed.precision) == (iso, precision), parsed.reason


@pytest.fixture
def without_hot_dmy(monkeypatch):
    """Turn off only the smallest regex (HOT_DMY): its texts go to MONO, or to the general path."""
    monkeypatch.setattr(daterules, "HOT_DMY", re.compile(r"(?!)"))


@pytest.mark.parametrize(("text", "fetched_at", "iso", "precision", "path"), CORPUS)
def test_hot_dmy_agrees(without_hot_dmy, text, fetched_at, iso, precision, path):
    parsed = parse_date(text, fetched_at=fetched(fetched_at))
    assert (parsed.iso, parsed.precision, parsed.path) == (iso, precision, path or parsed.path), parsed.reason


HOT_WEEKDAYS = ("", "Thứ năm, ", "thứ 5 ", "THỨ năm, ", "Thứnăm ", "T5, ", "CN ", "Chủ nhật, ", "Thứ Hai, ")
HOT_TIMES = ("", "08:30", "8:05", "23:59", "24:00", "07:60")
HOT_DATES = ("24/10/2019", "4/1/2020", "31/04/2019", "29/02/2024", "26/03/2026", "24/10", "26/03", "31/04", "8/3")


@given(
    weekday=st.sampled_from(HOT_WEEKDAYS),
    before=st.sampled_from(HOT_TIMES),
    date=st.sampled_from(HOT_DATES),
    after=st.sampled_from(HOT_TIMES),
    glue=st.sampled_from((" ", ", ", " - ", "  ", " ngày ")),
)
@settings(max_examples=300, deadline=None)
def test_hot_dmy_reads_as_the_rest(weekday, before, date, after, glue):
    """Every text HOT_DMY takes is answered as MONO or the general path would answer it."""
    text = weekday + (before + glue if before else "") + date + (glue.replace(" ngày", "") + after if after else "")
    fast = parse_date(text, fetched_at=FETCHED)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(daterules, "HOT_DMY", re.compile(r"(?!)"))
        slow = parse_date(text, fetched_at=FETCHED)
    assert (fast.iso, fast.precision, fast.relative, fast.path, fast.reason) == (
        slow.iso, slow.precision, slow.relative, slow.path, slow.reason), text


def test_fast_path_does_not_import_dateparser():
    code = (
        "import sys; from archiver.dates import parse_date; "
        "[parse_date(t) for t in ('24/10/2019 08:30', 'Thứ năm, 24/10/2019', '2 giờ trước', 'abc', '')]; "
        "assert 'dateparser' not in sys.modules, 'dateparser imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


# --- reasons --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "no date found"),
        ("31/02/2019", "impossible date"),
        ("24/13/2019", "impossible date: month 13"),
        ("3/24/2024", "day-first"),
        ("24/10/2019 25:00", "impossible time"),
        ("25/03/2027", "in the future"),
        ("Thứ tư, 24/10/2019", "weekday does not match"),
        ("08:30", "time without a date"),
        ("24/10/2019 08:30 08:45", "other numbers around the date"),
        ("năm 1850", "implausible year"),
        ("2019-10-24T08:30:00+15:00", "impossible UTC offset"),
        ("24/10/2019 13:00 SA", "impossible time"),
    ],
)
def test_reasons(text, reason):
    parsed = parse_date(text, fetched_at=FETCHED)
    assert parsed.value is None and parsed.iso is None and parsed.precision is None
    assert reason in parsed.reason


@pytest.mark.parametrize("text", [None, 20191024, 3.5, b"24/10/2019", "\x00", "\ud800", "9" * 10_000, "/" * 500])
def test_never_raises(text):
    parsed = parse_date(text, fetched_at=FETCHED)
    assert isinstance(parsed, ParsedDate)


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_never_raises_on_any_text(text):
    parsed = parse_date(text, fetched_at=FETCHED)
    assert (parsed.value is None) == (parsed.reason is not None)
    if parsed.value is not None:
        assert parsed.value <= FETCHED + timedelta(days=1)
        assert parsed.value.tzinfo is VN


# --- the API -------------------------------------------------------------------------------------------


def test_parsed_date_fields_and_record():
    parsed = parse_date("Thứ năm, 24/10/2019, 08:30 (GMT+7)", fetched_at=FETCHED)
    assert parsed == ParsedDate(
        raw="Thứ năm, 24/10/2019, 08:30 (GMT+7)",
        value=datetime(2019, 10, 24, 8, 30, tzinfo=VN),
        precision="minute",
        relative=False,
        path="fast:dmy",
        reason=None,
    )
    assert parsed.iso == "2019-10-24T08:30:00+07:00"
    assert list(parsed.record()) == ["raw", "iso", "precision", "relative", "path", "reason"]
    # Answers are built without the dataclass __init__ (and without storing default fields): still equal.
    assert parse_date("abc", fetched_at=FETCHED) == ParsedDate("abc", reason="no date found")
    assert parse_date("hôm qua", fetched_at=FETCHED) == ParsedDate(
        "hôm qua", datetime(2026, 3, 24, tzinfo=VN), "day", relative=True, path="relative")


def test_answers_are_ordinary_frozen_parsed_dates():
    """_answer and _no build instances on a plain class and then give them ParsedDate's: nothing shows it."""
    for text in ("24/10/2019 08:30", "hôm qua", "2 giờ trước", "abc", "31/02/2019"):
        parsed = parse_date(text, fetched_at=FETCHED)
        rebuilt = ParsedDate(parsed.raw, parsed.value, parsed.precision, parsed.relative, parsed.path, parsed.reason)
        assert type(parsed) is ParsedDate and parsed == rebuilt and hash(parsed) == hash(rebuilt)
        assert pickle.loads(pickle.dumps(parsed)) == parsed
        assert dataclasses.replace(parsed) == parsed and repr(parsed) == repr(rebuilt)
        with pytest.raises(dataclasses.FrozenInstanceError):
            parsed.raw = "x"


def test_fetched_at_none_means_now():
    before = datetime.now(VN).replace(second=0, microsecond=0)
    parsed = parse_date("vừa xong")
    assert parsed.relative and before <= parsed.value <= datetime.now(VN)


@pytest.mark.parametrize(
    ("fetched_at", "iso"),
    [
        (datetime(2026, 3, 25, 10, 0), "2026-03-25T08:00:00+07:00"),  # naive: Vietnamese local time
        (datetime(2026, 3, 25, 3, 0, tzinfo=UTC), "2026-03-25T08:00:00+07:00"),
        (datetime(2026, 3, 25, 12, 0, tzinfo=timezone(timedelta(hours=9))), "2026-03-25T08:00:00+07:00"),
    ],
)
def test_fetched_at_forms(fetched_at, iso):
    assert parse_date("2 giờ trước", fetched_at=fetched_at).iso == iso


def test_other_zone():
    parsed = parse_date("24/10/2019 08:30", fetched_at=FETCHED, tz="Asia/Tokyo")
    assert parsed.iso == "2019-10-24T08:30:00+09:00"
    assert parse_date("2019-10-24T08:30:00+07:00", tz="Asia/Tokyo").iso == "2019-10-24T10:30:00+09:00"


def test_relative_hours_count_elapsed_time_across_dst():
    # 2026-03-08 03:00 EDT is 07:00 UTC; two hours earlier is 05:00 UTC = 00:00 EST.
    fetched_at = datetime(2026, 3, 8, 3, 0, tzinfo=ZoneInfo("America/New_York"))
    assert parse_date("2 giờ trước", fetched_at=fetched_at, tz="America/New_York").iso == (
        "2026-03-08T00:00:00-05:00"
    )


@pytest.mark.parametrize("text, fetched_utc, expected", [
    # Landing in the hour skipped when clocks go forward (02:00-03:00 on 2026-03-08 does not exist).
    ("5933 giờ trước", datetime(2026, 11, 10, 12, 30, tzinfo=UTC), "2026-03-08T03:00:00-04:00"),
    # Landing in the hour repeated when clocks go back (01:00-02:00 on 2026-11-01 happens twice).
    ("60 phút trước", datetime(2026, 11, 1, 7, 0, tzinfo=UTC), "2026-11-01T01:00:00-05:00"),
    ("90 phút trước", datetime(2026, 11, 1, 7, 0, tzinfo=UTC), "2026-11-01T01:30:00-04:00"),
    ("1 giờ 30 phút trước", datetime(2026, 11, 1, 7, 0, tzinfo=UTC), "2026-11-01T01:30:00-04:00"),
])  # fmt: skip
def test_relative_times_in_skipped_or_repeated_local_hours(text, fetched_utc, expected):
    assert parse_date(text, fetched_at=fetched_utc, tz="America/New_York").iso == expected


def test_historical_offset_of_the_zone():
    # South Vietnam kept UTC+8 until 1975; the zone database knows, and so do we.
    assert parse_date("24/10/1970 08:30", fetched_at=FETCHED).iso == "1970-10-24T08:30:00+08:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24/10/2019 | 927", ("24/10/2019", "927")),
        ("927 | 24/10/2019", ("24/10/2019", "927")),
        ("24/10/2019 | 12.345 lượt xem", ("24/10/2019", "12.345 lượt xem")),
        ("Thứ năm, 24/10/2019 | 08:30", ("Thứ năm, 24/10/2019 | 08:30", None)),
        ("08:30 | 24/10/2019", ("08:30 | 24/10/2019", None)),
        ("24/10/2019", ("24/10/2019", None)),
        ("927", (None, "927")),
        ("Lượt xem: 1.234", (None, "Lượt xem: 1.234")),
        ("", (None, None)),
        (None, (None, None)),
        ("12 | 927", ("12 | 927", None)),  # two counts: no way to tell which is which
    ],
)
def test_split_date_views(text, expected):
    assert split_date_views(text) == expected


def test_date_records_keep_line_alignment():
    records = list(date_records(["24/10/2019\n", "\n", "garbage\r\n"], fetched_at=FETCHED))
    assert [r["iso"] for r in records] == ["2019-10-24T00:00:00+07:00", None, None]
    assert [r["raw"] for r in records] == ["24/10/2019", "", "garbage"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, None),
        ("", None),
        ("2026-03-25T10:00:00+07:00", FETCHED),
        ("2026-03-25T10:00:00", FETCHED),
        ("2026-03-25T03:00:00Z", FETCHED),
    ],
)
def test_parse_fetched_at(text, expected):
    assert parse_fetched_at(text) == expected


# --- the `archiver dates` command ---------------------------------------------------------------------


def run_cli(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, ["dates", *args], input=stdin)


def test_cli_arguments():
    result = run_cli("--fetched-at", "2026-03-25T10:00:00+07:00", "24/10/2019 | 927", "2 giờ trước")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines == [
        {"raw": "24/10/2019 | 927", "iso": "2019-10-24T00:00:00+07:00", "precision": "day",
         "relative": False, "path": "fast:dmy", "reason": None},
        {"raw": "2 giờ trước", "iso": "2026-03-25T08:00:00+07:00", "precision": "hour",
         "relative": True, "path": "relative", "reason": None},
    ]


@pytest.mark.parametrize(("text", "reason"), [("xyz", "no date found"), ("", "empty"),
                                              ("25/12/2030", "in the future")])
def test_cli_gives_the_reason_for_a_null(text: str, reason: str):
    result = run_cli("--fetched-at", "2026-03-25T10:00:00+07:00", text)
    record = json.loads(result.output)
    assert record["iso"] is None and reason in record["reason"]


def test_cli_stdin_one_object_per_line():
    result = run_cli("--fetched-at", "2026-03-25T10:00", stdin="hôm qua 08:16\n\nabc\nThứ năm 24/10/2019\n")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["iso"] for line in lines] == [
        "2026-03-24T08:16:00+07:00", None, None, "2019-10-24T00:00:00+07:00"
    ]
    assert "Thứ năm" in result.output  # UTF-8 as is, not \u-escaped


def test_cli_bad_fetched_at():
    result = run_cli("--fetched-at", "yesterday", "24/10/2019")
    assert result.exit_code == 2 and "--fetched-at" in result.output


# --- properties ------------------------------------------------------------------------------------------

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _12h(d: datetime, am: str, pm: str) -> str:
    return f"{(d.hour % 12) or 12}:{d.minute:02d} {am if d.hour < 12 else pm}"


# Each supported absolute shape: how to write a datetime in it, and whether it shows the time.
SHAPES = {
    "dd/mm/yyyy": (lambda d: f"{d:%d/%m/%Y}", False),
    "d/m/yyyy": (lambda d: f"{d.day}/{d.month}/{d.year}", False),
    "dd-mm-yyyy": (lambda d: f"{d:%d-%m-%Y}", False),
    "dd.mm.yyyy": (lambda d: f"{d:%d.%m.%Y}", False),
    "seed line": (lambda d: f"{d:%d/%m/%Y} | {d.minute * 37}", False),
    "dd/mm/yyyy HH:MM": (lambda d: f"{d:%d/%m/%Y %H:%M}", True),
    "d/m/yyyy, HH:MM": (lambda d: f"{d.day}/{d.month}/{d.year}, {d:%H:%M}", True),
    "HH:MM | dd/mm/yyyy": (lambda d: f"{d:%H:%M | %d/%m/%Y}", True),
    "HH:MM ngày dd/mm/yyyy": (lambda d: f"{d:%H:%M} ngày {d:%d/%m/%Y}", True),
    "HHhMM dd/mm/yyyy": (lambda d: f"{d:%Hh%M} {d:%d/%m/%Y}", True),
    "weekday, dd/mm/yyyy, HH:MM (GMT+7)":
        (lambda d: f"{WEEKDAYS_VI[d.weekday()]}, {d:%d/%m/%Y, %H:%M} (GMT+7)", True),
    "weekday dd/mm/yyyy HH:MM": (lambda d: f"{WEEKDAYS_VI[d.weekday()]} {d:%d/%m/%Y %H:%M}", True),
    "Thứ N, dd/mm/yyyy - HH:MM":
        (lambda d: f"{'CN' if d.weekday() == 6 else f'Thứ {d.weekday() + 2}'}, {d:%d/%m/%Y - %H:%M}", True),
    "Cập nhật: HH:MM dd/mm/yyyy": (lambda d: f"Cập nhật: {d:%H:%M %d/%m/%Y}", True),
    "Đăng lúc HH:MM, dd-mm-yyyy": (lambda d: f"Đăng lúc {d:%H:%M, %d-%m-%Y}", True),
    "dd/mm/yyyy h:MM SA/CH": (lambda d: f"{d:%d/%m/%Y} {_12h(d, 'SA', 'CH')}", True),
    "dd-mm-yyyy - hh:MM AM/PM": (lambda d: f"{d:%d-%m-%Y} - {_12h(d, 'AM', 'PM')}", True),
    "ngày d tháng m năm yyyy": (lambda d: f"ngày {d.day} tháng {d.month} năm {d.year}", False),
    "Weekday, Ngày dd tháng mm năm yyyy":
        (lambda d: f"{WEEKDAYS_VI[d.weekday()]}, Ngày {d:%d} tháng {d:%m} năm {d.year}", False),
    "Mon d, yyyy": (lambda d: f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}", False),
    "d Mon yyyy HH:MM": (lambda d: f"{d.day} {MONTHS_EN[d.month - 1]} {d.year} {d:%H:%M}", True),
    "ISO date": (lambda d: f"{d:%Y-%m-%d}", False),
    "ISO local": (lambda d: f"{d:%Y-%m-%dT%H:%M}", True),
    "ISO +07:00": (lambda d: d.isoformat(), True),
    "ISO .000 +07:00": (lambda d: f"{d:%Y-%m-%dT%H:%M:%S}.000 +07:00", True),
    "ISO Z": (lambda d: d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), True),
}

local_datetimes = st.datetimes(
    min_value=datetime(1976, 1, 1), max_value=datetime(2035, 12, 31, 23, 59)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=VN))


@pytest.mark.parametrize("shape", SHAPES)
@given(when=local_datetimes)
@settings(max_examples=60, deadline=None)
def test_every_shape_parses_back(shape, when):
    write, has_time = SHAPES[shape]
    parsed = parse_date(write(when), fetched_at=datetime(2036, 1, 1, tzinfo=VN))
    expected = when if has_time else when.replace(hour=0, minute=0)
    assert parsed.value is not None, (write(when), parsed.reason)
    assert parsed.value.replace(second=0) == expected, write(when)
    assert parsed.precision in (("second", "minute") if has_time else ("day",))


@given(
    when=local_datetimes,
    offset_minutes=st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 15),
)
@settings(max_examples=200, deadline=None)
def test_iso_with_any_offset_keeps_the_instant(when, offset_minutes):
    text = when.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()
    parsed = parse_date(text, fetched_at=datetime(2036, 1, 1, tzinfo=VN))
    assert parsed.value == when and parsed.value.tzinfo is VN


UNITS = {"phút": "minute", "giờ": "hour", "ngày": "day", "tuần": "week", "tháng": "month", "năm": "year"}


@given(
    n=st.integers(0, 500),
    unit=st.sampled_from(sorted(UNITS)),
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 1, 1)),
)
@settings(max_examples=300, deadline=None)
def test_relative_against_independent_arithmetic(n, unit, now):
    now = now.replace(tzinfo=VN)
    if unit == "phút":
        expected = (now - timedelta(minutes=n)).replace(second=0, microsecond=0)
    elif unit == "giờ":
        expected = (now - timedelta(hours=n)).replace(minute=0, second=0, microsecond=0)
    elif unit in ("ngày", "tuần"):
        expected = (now - timedelta(days=n * (7 if unit == "tuần" else 1))).replace(
            hour=0, minute=0, second=0, microsecond=0)
    elif unit == "tháng":
        months = now.year * 12 + now.month - 1 - n
        expected = datetime(months // 12, months % 12 + 1, 1, tzinfo=VN)
    else:
        expected = datetime(now.year - n, 1, 1, tzinfo=VN)
    for text in (f"{n} {unit} trước", f"Cập nhật {n} {unit} trước", f"cách đây {n} {unit}"):
        parsed = parse_date(text, fetched_at=now)
        assert (parsed.value, parsed.precision, parsed.relative) == (expected, UNITS[unit], True), text


@given(day=st.integers(1, 31), month=st.integers(1, 12), year=st.integers(1976, 2035))
@settings(max_examples=300, deadline=None)
def test_day_first_or_nothing(day, month, year):
    """d/m/y is read day-first, and an impossible day is refused, never moved or swapped."""
    parsed = parse_date(f"{day:02d}/{month:02d}/{year}", fetched_at=datetime(2036, 1, 1, tzinfo=VN))
    try:
        expected = datetime(year, month, day, tzinfo=VN)
    except ValueError:
        assert parsed.value is None and "impossible" in parsed.reason
    else:
        assert parsed.value == expected


# Texts for comparing DATE with and without its lookaheads: a number, word or date between other pieces.
_NUMBERS = ("3", "24", "08", "123", "2019", "20191", "54231", "1.5")
_JOINS = ("", " ", "  ", "/", "-", ".", ":", ", ", "st", "rd", "nd", "th ", " tháng ", "thg", " năm ")
_WORDS = ("oct", "october", "sept.", "jan", "mười hai", "hôm nay", "bữa qua", "today", "ngày", "tel", "x", "(84)")
date_piece = st.one_of(st.sampled_from(_NUMBERS), st.sampled_from(_JOINS), st.sampled_from(_WORDS))
date_like_texts = st.tuples(
    st.lists(date_piece, max_size=3).map("".join),  # words before
    st.sampled_from(_NUMBERS + _WORDS),
    st.sampled_from(_JOINS),
    st.sampled_from(_NUMBERS + _WORDS),
    st.sampled_from(_JOINS),
    st.sampled_from(_NUMBERS),
    st.lists(date_piece, max_size=3).map("".join),  # words after
).map("".join)


@given(date_like_texts)
@example("3rd oct 2019")
@example("Tel: (84) 24 382 54231/382 54232")
@example("1.5.2019 và 2019.10.24")
@settings(max_examples=1000, deadline=None)
def test_date_lookaheads_change_no_match(text):
    """DATE's lookaheads only skip positions where no date can start: the same search without them finds the
    same date (position, shape and parts)."""
    reference = re.compile(daterules._DATE_START + daterules._DATE_SHAPES)
    found, expected = daterules.DATE.search(text), reference.search(text)
    assert (found and (found.span(), found.lastgroup, found.groups())) == (
        expected and (expected.span(), expected.lastgroup, expected.groups())), text


@given(
    label=st.sampled_from(("", "Cập nhật ", "Đăng ", "Ngày đăng: ")),
    lead=st.sampled_from(("", "cách đây ", "khoảng ")),
    number=st.sampled_from(("1", "2", "24", "2019", "một", "mười")),
    unit=st.sampled_from(("giờ", "phút", "ngày", "tuần", "tháng", "năm", "hours", "h", "'")),
    tail=st.sampled_from(("", " trước", " ago", " 10/2019", "/10/2019", ".10.2019 trước", " tháng 10 năm 2019")),
)
@settings(max_examples=300, deadline=None)
def test_mono_and_relative_labeled_never_both_match(label, lead, number, unit, tail):
    """_parse tries MONO before RELATIVE_LABELED: right because no text matches both."""
    for text in ((label + lead + number + " " + unit + tail).lower(), (label + number + tail).lower()):
        assert not (daterules.MONO.fullmatch(text) and daterules.RELATIVE_LABELED.fullmatch(text)), text


def test_mono_and_relative_labeled_never_both_match_on_the_corpus():
    for case in CORPUS + FALLBACK:
        text = unicodedata.normalize("NFC", case.values[0]).lower()
        assert not (daterules.MONO.fullmatch(text) and daterules.RELATIVE_LABELED.fullmatch(text)), text
