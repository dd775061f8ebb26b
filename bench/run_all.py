"""Run every benchmark in bench/ one after another (`make bench`). Each prints its own numbers and
ratios against its named baseline. Pass --quick for smaller sizes where a benchmark supports it."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    # bench_scale builds a million-voter county (minutes of set-up): it has its own `make bench-scale`.
    for script in sorted(p for p in HERE.glob("bench_*.py") if p.name != "bench_scale.py"):
        print(f"\n=== {script.name}", flush=True)
        if subprocess.call([sys.executable, str(script), *sys.argv[1:]]) != 0:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
