"""WARC files: writing, rotation, reading back, truncated records, a kill -9 mid-write, pywb replay."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from archiver.warc import OPEN_SUFFIX, SUFFIX, WarcWriter, iter_records, read_record, recover, resolve, scan_file

PAGE = "<html lang='vi'><head><title>Tin</title></head><body><h1>Đảng ủy Khối</h1><p>Bài số {i}</p></body></html>"


def write(writer: WarcWriter, i: int, body: bytes | None = None):
    body = body if body is not None else PAGE.format(i=i).encode() * 10
    return writer.write_exchange(
        f"https://dukcqtw.dcs.vn/xay-dung-dang/bai-{i}.aspx",
        request=("GET", [("User-Agent", "vn-news-archiver")], b""),
        response=(
            200,
            "HTTP/1.1",
            [("Content-Type", "text/html; charset=utf-8"), ("Transfer-Encoding", "chunked")],
            body,
        ),
        date=datetime(2026, 12, 3, 8, 0, i, tzinfo=UTC),
        metadata={"crawl-id": "7"},
    )


@pytest.mark.parametrize("background", [False, True])
def test_every_exchange_is_request_response_metadata_and_its_offset_reads_it_back(
    tmp_path: Path, background: bool
) -> None:
    with WarcWriter(tmp_path, name="c7", max_size=4000, background=background) as writer:
        locations = [write(writer, i) for i in range(6)]
        locations = [location.resolved() for location in locations]  # the writer thread has placed them
        assert writer.path.name.endswith(OPEN_SUFFIX)  # being written: not yet a .warc.gz
    files = sorted(tmp_path.iterdir())
    assert len(files) > 1 and all(f.name.endswith(SUFFIX) and "-c7-" in f.name for f in files)  # rotated
    for i, location in enumerate(locations):
        record = read_record(resolve(location.file, tmp_path), location.offset)
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Record-ID") == location.record_id
        assert record.rec_headers.get_header("WARC-Target-URI").endswith(f"bai-{i}.aspx")
        assert record.body == PAGE.format(i=i).encode() * 10
        assert record.http_headers.get_header("Transfer-Encoding") is None  # the body is stored de-chunked
        assert record.http_headers.get_header("Content-Length") == str(len(record.body))
    kinds = [(rec.rec_type, rec.rec_headers.get_header("WARC-Concurrent-To")) for _, rec in iter_records(files[0])]
    assert kinds[0] == ("warcinfo", None)
    assert [k for k, _ in kinds[1:4]] == ["response", "request", "metadata"]
    assert kinds[2][1] == kinds[3][1] == locations[0].record_id


def test_records_round_trip_through_warcio_byte_for_byte(tmp_path: Path) -> None:
    """Each gzip member is the record exactly as warcio itself writes it from what it read."""
    with WarcWriter(tmp_path, name="rt") as writer:
        location = write(writer, 1, body="Bài viết – tiếng Việt".encode() * 50)
    data = next(tmp_path.iterdir()).read_bytes()
    members = []
    stream = io.BytesIO(data)
    records = ArchiveIterator(stream)
    for record in records:
        out = io.BytesIO()
        WARCWriter(out, gzip=False).write_record(record)
        members.append((records.get_record_offset(), records.get_record_length(), out.getvalue()))
    assert [offset for offset, _, _ in members][1] == location.offset
    for offset, length, rewritten in members:
        assert gzip.decompress(data[offset : offset + length]) == rewritten


@pytest.mark.parametrize("cut", [1, 40, 200, 400, 700, 1200])
def test_a_truncated_last_record_is_detected_and_skipped(tmp_path: Path, cut: int) -> None:
    with WarcWriter(tmp_path, name="t") as writer:
        for i in range(3):
            write(writer, i)
    path = next(tmp_path.iterdir())
    data = path.read_bytes()
    offsets = [offset for offset, _ in iter_records(path)]
    whole = sum(end <= len(data) - cut for end in [*offsets[1:], len(data)])  # records the cut leaves entire
    path.write_bytes(data[:-cut])
    scan = scan_file(path)  # never raises
    # Cut in its compressed trailer only, a record still reads whole; cut deeper, it is skipped.
    assert scan.records == whole or (scan.records == whole + 1 and cut < 150)
    assert all(record.rec_type for _, record in iter_records(path))
    if scan.records == whole:
        assert scan.truncated_at == offsets[whole]


def test_kill_9_mid_write_leaves_readable_warcs(tmp_path: Path) -> None:
    """A writer killed outright: every record it finished reads; the next writer repairs the .open file."""
    script = (
        "import sys; from datetime import UTC, datetime; from archiver.warc import WarcWriter\n"
        "w = WarcWriter(sys.argv[1], name='k', max_size=2_000_000)\n"
        "print('ready', flush=True)\n"
        "i = 0\n"
        "while True:\n"
        "    i += 1\n"
        "    w.write_exchange(f'https://x.vn/{i}.html', request=('GET', [], b''),\n"
        "        response=(200, 'HTTP/1.1', [('Content-Type', 'text/html')], bytes(range(256)) * 400),\n"
        "        date=datetime.now(UTC), metadata={'crawl-id': '1'})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.6)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    files = sorted(tmp_path.iterdir())
    assert any(f.name.endswith(OPEN_SUFFIX) for f in files)  # it never got to finish its file
    assert sum(scan_file(f).records for f in files) > 10  # what was written reads, cut or not
    recover(tmp_path)
    files = sorted(tmp_path.iterdir())
    assert files and all(f.name.endswith(SUFFIX) for f in files)
    for f in files:
        scan = scan_file(f)
        assert scan.truncated_at is None and scan.records % 3 == 1  # warcinfo + whole exchanges only


def test_recover_leaves_a_file_another_writer_holds(tmp_path: Path) -> None:
    with WarcWriter(tmp_path, name="a") as writer:
        write(writer, 1)
        recover(tmp_path)  # e.g. a second crawl starting in the same directory
        assert writer.path.exists()
        write(writer, 2)
    assert scan_file(next(tmp_path.iterdir())).records == 7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pywb_tool(name: str) -> str | None:
    """pywb's commands: in this venv, in .venv-pywb (where .ci/run installs it: its pins clash with ours), on PATH."""
    for folder in (Path(sys.executable).parent, Path(__file__).resolve().parent.parent / ".venv-pywb" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which(name)


@pytest.mark.skipif(not _pywb_tool("wb-manager"), reason="pywb is not installed (pip install pywb)")
def test_a_stored_page_replays_in_pywb(tmp_path: Path) -> None:
    body = PAGE.format(i=5).encode() * 3
    warcs = tmp_path / "warc"
    with WarcWriter(warcs, name="pywb") as writer:
        location = write(writer, 5, body=body)
    root = tmp_path / "pywb"
    root.mkdir()
    subprocess.run([_pywb_tool("wb-manager"), "init", "news"], cwd=root, check=True, capture_output=True)
    subprocess.run(
        [_pywb_tool("wb-manager"), "add", "news", str(warcs / location.file)], cwd=root, check=True, capture_output=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [_pywb_tool("wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/news/20261203080005id_/https://dukcqtw.dcs.vn/xay-dung-dang/bai-5.aspx"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    replayed = answer.read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(10)
    assert replayed == body
