"""The child process that parses an uploaded table (started by :mod:`huanjie.core.uploads`).

It imports no Django and nothing of huanjie but this file: it limits its own address space and CPU
time first, then reads the file, so a spreadsheet that makes the reader allocate without bound
kills this process only. Usage (internal)::

    python upload_child.py KIND INPUT OUTPUT MEMORY_BYTES CPU_SECONDS

KIND is ``csv`` or ``sheet``; the rows (cells keep calamine's types: str, float, int, bool, dates)
are pickled to OUTPUT as ``("ok", rows)`` or ``("error", code, detail)``.
"""

from __future__ import annotations

import pickle
import resource
import sys


def _limit(memory: int, seconds: int) -> None:
    # An allocation failure aborts the process; writing a core of it would take longer than the parse.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    if seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def _read_csv(data: bytes) -> tuple:
    import csv
    import io

    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return ("error", "encoding", "")
    del data
    return ("ok", [row for row in csv.reader(io.StringIO(text))])


def _read_sheet(path: str) -> tuple:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
        sheet = book.get_sheet_by_index(0)
        return ("ok", sheet.to_python(skip_empty_area=False))
    except MemoryError:
        raise
    except BaseException as exc:  # noqa: BLE001 — calamine raises several kinds, and panics (a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return ("error", "unreadable", f"{type(exc).__name__}: {exc}"[:200])


def main(argv: list[str]) -> int:
    kind, src, out, memory, seconds = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    _limit(memory, seconds)
    try:
        if kind == "csv":
            with open(src, "rb") as fh:
                result = _read_csv(fh.read())
        else:
            result = _read_sheet(src)
    except MemoryError:
        result = ("error", "memory", "")
    with open(out, "wb") as fh:
        pickle.dump((*result, peak_kib()), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


def peak_kib(pid: int | str = "self") -> int:
    """This process's peak resident memory (VmHWM, KiB). Not getrusage: a child's ru_maxrss starts
    from the parent's size at fork time, so it would report the server's memory, not the parse's."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
