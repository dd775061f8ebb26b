"""The whole test suite, as `make test` runs it.

1. ruff; 2. the import-linter contract (huanjie.rules is pure); 3. pytest on SQLite (everything,
browser tests included) and 4. pytest on PostgreSQL (every test that touches the database), the two
at once: each is one Python process, and the machine has two cores (measured on a quiet 2-core
machine: 436 s + 559 s one after the other). Each pass writes to its own log under var/, printed
when it ends; HUANJIE_TEST_SERIAL=1 runs them one after the other with the output live.

PostgreSQL comes from HUANJIE_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
With HUANJIE_REQUIRE_POSTGRES=1 a missing server fails the run; otherwise the PostgreSQL pass is
skipped with one loud line. The same holds for Chromium and HUANJIE_REQUIRE_BROWSER=1 (see conftest.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("HUANJIE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def run(title: str, cmd: list[str], env: dict | None = None) -> int:
    print(f"\n==> {title}: {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT, env={**os.environ, **(env or {})})


def postgres_answers() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg 未安装"
    url = urlparse(PG_URL)
    try:
        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 — any failure means "not available"
        return f"{url.hostname}:{url.port} 无法连接（{str(exc).strip().splitlines()[0]}）"


def start(title: str, cmd: list[str], env: dict, log: Path) -> tuple[str, subprocess.Popen, Path]:
    print(f"\n==> {title}: {' '.join(cmd)}（输出写入 {log.relative_to(ROOT)}）", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    return title, proc, log


def finish(title: str, proc: subprocess.Popen, log: Path) -> int:
    rc = proc.wait()
    print(f"\n==> {title}（结束，退出码 {rc}）", flush=True)
    sys.stdout.write(log.read_text(encoding="utf-8", errors="replace"))
    sys.stdout.flush()
    return rc


def main() -> int:
    failures = []
    if run("ruff", [str(BIN / "ruff"), "check", "huanjie", "bench", "scripts", "conftest.py"]):
        failures.append("ruff")
    if run("import-linter", [str(BIN / "lint-imports")]):
        failures.append("import-linter")
    pytest = [str(BIN / "python"), "-m", "pytest", "-q", "-ra", *sys.argv[1:]]
    os.environ.pop("DATABASE_URL", None)
    passes = [("pytest (SQLite)", pytest, {"DATABASE_URL": "", "HUANJIE_VAR_DIR": str(ROOT / "var" / "test")},
               "pytest SQLite")]
    problem = postgres_answers()
    if problem is None:
        passes.append(("pytest (PostgreSQL)", [*pytest, "-p", "huanjie.testing.db_only"],
                       {"DATABASE_URL": PG_URL, "HUANJIE_VAR_DIR": str(ROOT / "var" / "test-pg")},
                       "pytest PostgreSQL"))
    elif os.environ.get("HUANJIE_REQUIRE_POSTGRES") == "1":
        print(f"\n!!! 需要 PostgreSQL 但 {problem}：测试失败。", flush=True)
        failures.append("PostgreSQL missing")
    else:
        print(f"\n!!! 跳过 PostgreSQL 测试：{problem}。设置 HUANJIE_TEST_POSTGRES_URL 指向可用的服务器即可运行。",
              flush=True)
    if os.environ.get("HUANJIE_TEST_SERIAL") == "1" or len(passes) == 1:
        for title, cmd, env, name in passes:
            if run(title, cmd, env):
                failures.append(name)
    else:
        running = [(start(title, cmd, env, ROOT / "var" / f"{name.replace(' ', '-')}.log"), name)
                   for title, cmd, env, name in passes]
        for started, name in running:
            if finish(*started):
                failures.append(name)
    if failures:
        print(f"\n测试未通过：{', '.join(failures)}", flush=True)
        return 1
    print("\n全部测试通过。", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
