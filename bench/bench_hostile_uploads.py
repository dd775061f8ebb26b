"""Figures for issue 9 §1: each crafted file through the one upload reader, with what it cost.

For every file: how the reader answered, the child parser's peak resident memory (from the
kernel's rusage of that child, when one ran) and the server process's own peak before and after.
The container checks are then switched off to show what the child alone costs (and that its
limits, not the server, stop it)::

    .venv/bin/python bench/bench_hostile_uploads.py
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")

import django  # noqa: E402

django.setup()

from django.test import override_settings  # noqa: E402

from huanjie.core import uploads  # noqa: E402
from huanjie.core.tests._hostile_files import big_csv, far_cell_xlsx, tall_xlsx, zip_bomb_xlsx  # noqa: E402


def _self_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _try(name: str, data: bytes) -> None:
    before = _self_peak_mb()
    started = time.monotonic()
    try:
        run = uploads.parse_measured(data, name)
        answer, child = f"读取 {len(run.rows)} 行", f"{run.peak_kib / 1024:.0f} MB"
    except uploads.UploadRefused as exc:
        answer, child = str(exc), "—"
        kind = None
        try:
            kind = uploads.check_container(data, name)
        except uploads.UploadRefused:
            pass
        if kind:  # refused by the child: measure it again for its figure
            run, _ = uploads._run_child(kind, data, name)
            child = f"{run.peak_kib / 1024:.0f} MB（{run.outcome}）"
    print(f"| {name} | {len(data) / 1024:,.1f} KB | {answer} | {child} | "
          f"{before:.0f} → {_self_peak_mb():.0f} MB | {time.monotonic() - started:.1f} s |", flush=True)


def main() -> None:
    files = [
        ("范围声明.xlsx", far_cell_xlsx()),
        ("无声明远端单元格.xlsx", far_cell_xlsx(declared=False)),
        ("压缩炸弹.xlsx", zip_bomb_xlsx()),
        ("大名册.csv", big_csv()),
        ("150万行.xlsx", tall_xlsx(1_500_000)),
    ]
    print("| 文件 | 大小 | 读取结果 | 子进程峰值内存 | 服务进程峰值内存 | 用时 |")
    print("|---|---|---|---|---|---|")
    for name, data in files:
        _try(name, data)
    print("\n容器检查关闭（只靠子进程的内存和时间限制）：")
    with override_settings(HUANJIE_UPLOAD_MAX_ZIP_RATIO=10**9, HUANJIE_UPLOAD_MAX_CELLS=10**12,
                           HUANJIE_UPLOAD_MAX_UNZIPPED_BYTES=10**12, HUANJIE_UPLOAD_MAX_BYTES=10**9):
        for name, data in files:
            _try(name, data)


if __name__ == "__main__":
    main()
