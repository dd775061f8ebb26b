"""The one reader for every uploaded table (rosters, election plans, every later import).

A spreadsheet is a program for the reader that opens it: a 4.7 KB .xlsx that declares the sheet
range ``A1:XFD1048576`` makes the reader allocate half a terabyte, a 700 KB .xlsx expands to
180 MB. So nothing is parsed in the server process:

1. the container is checked first, cheaply (:func:`check_container`): the size (also counted as
   the bytes arrive, by :class:`LimitedUploadHandler`), the zip entries' sizes and compression
   ratio, and each worksheet's declared ``<dimension>``;
2. the file is then parsed in a child process (:mod:`huanjie.core.upload_child`) that limits its
   own address space (RLIMIT_AS) and CPU time, and is killed after a wall-clock limit.

The worst file costs one failed import, never the server. Every refusal is an
:class:`UploadRefused` whose text is one Chinese line naming the file and the reason.
"""

from __future__ import annotations

import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from . import upload_child

SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TABLE_SUFFIXES = (*SHEET_SUFFIXES, ".csv", ".txt")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
# Excel's own limits: a declared range beyond them is not a spreadsheet Excel wrote.
EXCEL_MAX_ROWS, EXCEL_MAX_COLS = 1_048_576, 16_384
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?\"")
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


class UploadRefused(ValueError):
    """The file is not read: one Chinese line naming the file and the reason."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} 字节"


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return _limit("HUANJIE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)


def refuse(filename: str, reason: str) -> UploadRefused:
    return UploadRefused(f"文件“{filename}”：{reason}")


# --- 1. the container ---------------------------------------------------------------------------


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _declared_range(head: bytes) -> tuple[str, int, int] | None:
    """The ``<dimension ref>`` near the start of a worksheet part: (text, rows, columns)."""
    m = _DIMENSION.search(head)
    if not m:
        return None
    c1, r1 = _column_number(m[1]), int(m[2])
    c2, r2 = (_column_number(m[3]), int(m[4])) if m[3] else (c1, r1)
    rows, cols = abs(r2 - r1) + 1, abs(c2 - c1) + 1
    text = m[0].split(b'"')[1].decode("ascii")
    return text, max(r1, r2, rows), max(c1, c2, cols)


def _check_zip(data: bytes, filename: str) -> None:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(filename, "不是有效的表格文件（文件已损坏或扩展名不符）") from None
    max_total = _limit("HUANJIE_UPLOAD_MAX_UNZIPPED_BYTES", 300 * 1024 * 1024)
    max_ratio = _limit("HUANJIE_UPLOAD_MAX_ZIP_RATIO", 100)
    max_cells = _limit("HUANJIE_UPLOAD_MAX_CELLS", 10_000_000)
    if len(entries) > 10_000:
        raise refuse(filename, f"压缩包内文件过多（{len(entries)} 个）")
    total = 0
    for entry in entries:
        # Small parts compress well without meaning anything; a ratio only matters for big ones.
        if entry.file_size > 1024 * 1024 and entry.file_size > max_ratio * max(entry.compress_size, 1):
            ratio = entry.file_size // max(entry.compress_size, 1)
            raise refuse(filename, f"压缩比异常（{entry.filename} 压缩 {ratio} 倍，上限 {max_ratio} 倍）")
        total += entry.file_size
        if total > max_total:
            raise refuse(filename, f"解压后过大（超过 {_mb(max_total)}）")
    for entry in entries:
        if not _WORKSHEET.match(entry.filename):
            continue
        try:
            with archive.open(entry) as part:
                head = part.read(64 * 1024)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            raise refuse(filename, "不是有效的表格文件（工作表无法解压）") from None
        declared = _declared_range(head)
        if declared is None:
            continue
        text, rows, cols = declared
        if rows > EXCEL_MAX_ROWS or cols > EXCEL_MAX_COLS or rows * cols > max_cells:
            raise refuse(
                filename,
                f"表格声明的范围异常（{text}，约 {rows * cols:,} 个单元格，上限 {max_cells:,} 个）",
            )


def check_container(data: bytes, filename: str) -> str:
    """Refuse what must not be parsed; the kind to parse it as (``csv`` or ``sheet``)."""
    name = filename.lower()
    if not name.endswith(TABLE_SUFFIXES):
        raise refuse(filename, "不支持的文件类型（只能导入 .xlsx、.xls、.ods 或 .csv 文件）")
    limit = max_bytes()
    if len(data) > limit:
        raise refuse(filename, f"文件过大（{_mb(len(data))}，上限 {_mb(limit)}）")
    if not data:
        raise refuse(filename, "文件是空的")
    if name.endswith(ZIP_SUFFIXES):
        _check_zip(data, filename)
    return "csv" if name.endswith((".csv", ".txt")) else "sheet"


# --- 2. the child process -----------------------------------------------------------------------


@dataclass(frozen=True)
class ParseRun:
    """What one child cost: its peak resident memory (KiB, the child's own VmHWM) and time."""

    rows: list | None
    peak_kib: int
    seconds: float
    outcome: str  # "ok", "error:<code>", "killed:<signal>", "timeout", "exit:<n>"


def _run_child(kind: str, data: bytes, filename: str) -> tuple[ParseRun, str]:
    memory = _limit("HUANJIE_UPLOAD_PARSE_MEMORY_BYTES", 2 * 1024 * 1024 * 1024)
    seconds = _limit("HUANJIE_UPLOAD_PARSE_SECONDS", 120)
    child = str(Path(__file__).with_name("upload_child.py"))
    with tempfile.TemporaryDirectory(prefix="huanjie-upload-") as tmp:
        src = Path(tmp) / ("input" + Path(filename).suffix.lower())
        out = Path(tmp) / "rows.pickle"
        src.write_bytes(data)
        proc = subprocess.Popen(
            [sys.executable, "-I", child, kind, str(src), str(out), str(memory), str(seconds)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # a Rust abort message is not for the clerk
            close_fds=True,
        )
        started = time.monotonic()
        deadline = started + seconds + 5
        sampled, delay, timed_out = 0, 0.01, False
        while True:
            # Poll rather than block, sampling the child's peak memory: if the kernel ends it for
            # its memory limit, the last sample is all that is left to report.
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            sampled = max(sampled, upload_child.peak_kib(proc.pid))
            if time.monotonic() > deadline and not timed_out:
                timed_out = True
                proc.kill()
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        if timed_out:
            return ParseRun(None, sampled, elapsed, "timeout"), f"读取超时（超过 {seconds} 秒），表格可能含有异常内容"
        if proc.returncode < 0:
            sig = -proc.returncode
            reason = "读取时超出时间限制" if sig == signal.SIGXCPU else "读取时超出内存限制，表格可能含有异常的范围或内容"
            return ParseRun(None, sampled, elapsed, f"killed:{sig}"), reason
        try:
            with out.open("rb") as fh:
                result = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError):
            return ParseRun(None, sampled, elapsed, f"exit:{proc.returncode}"), "读取失败（表格可能含有异常内容）"
    peak = max(sampled, result[-1])
    if result[0] == "ok":
        return ParseRun(result[1], peak, elapsed, "ok"), ""
    code = result[1]
    reason = {
        "encoding": "CSV 文件编码无法识别，请另存为 UTF-8 或 GBK 编码",
        "memory": "读取时超出内存限制，表格可能含有异常的范围或内容",
    }.get(code, "无法读取表格文件（文件已损坏、加密或含有异常内容）")
    return ParseRun(None, peak, elapsed, f"error:{code}"), reason


def parse_measured(data: bytes, filename: str) -> ParseRun:
    """Check and parse; the rows with what the child cost (for the benches and the hostile tests)."""
    kind = check_container(data, filename)
    run, reason = _run_child(kind, data, filename)
    if run.rows is None:
        raise refuse(filename, reason)
    return run


def read_path(path: Path) -> bytes:
    """A file named on the command line, refused by its size before it is read into memory."""
    size, limit = path.stat().st_size, max_bytes()
    if size > limit:
        raise refuse(path.name, f"文件过大（{_mb(size)}，上限 {_mb(limit)}）")
    return path.read_bytes()


def read_table(data: bytes, filename: str) -> list[list]:
    """The first worksheet (or the CSV) as a list of rows, or :class:`UploadRefused`."""
    return parse_measured(data, filename).rows


# --- 3. the upload as it arrives ----------------------------------------------------------------


class LimitedUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: counts each file's bytes as they arrive and drops a file
    past ``HUANJIE_UPLOAD_MAX_BYTES`` at once (the rest of it is read and discarded, never stored),
    remembering its name so that the view can say which file was refused and why."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_bytes():
            refused = getattr(self.request, "huanjie_refused_uploads", {})
            refused[self.field_name] = self.file_name
            self.request.huanjie_refused_uploads = refused
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def uploaded_file(request, field: str):
    """The uploaded file of ``field`` (None when none was sent), or :class:`UploadRefused` when the
    handler dropped it for its size."""
    upload = request.FILES.get(field)  # parses the body: the handler runs here at the latest
    refused = getattr(request, "huanjie_refused_uploads", {})
    if field in refused:
        raise refuse(refused[field], f"文件过大（上限 {_mb(max_bytes())}），未接收")
    return upload


def required_upload(request, field: str = "file") -> tuple[bytes, str]:
    """The bytes and name of the file an import needs, or :class:`UploadRefused` saying it was
    too large or that none was chosen."""
    upload = uploaded_file(request, field)
    if upload is None:
        raise UploadRefused("请选择要导入的 Excel 文件。")
    return upload.read(), upload.name
