"""The whole test suite, as `make test` runs it.

1. ruff; 2. the import-linter contract (huanjie.rules is pure); 3. pytest on SQLite (everything,
browser tests included); 4. pytest on PostgreSQL (every test that touches the database).

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


def main() -> int:
    failures = []
    if run("ruff", [str(BIN / "ruff"), "check", "huanjie", "bench", "scripts", "conftest.py"]):
        failures.append("ruff")
    if run("import-linter", [str(BIN / "lint-imports")]):
        failures.append("import-linter")
    pytest = [str(BIN / "python"), "-m", "pytest", "-q", "-ra", *sys.argv[1:]]
    sqlite_env = {"DATABASE_URL": "", "HUANJIE_VAR_DIR": str(ROOT / "var" / "test")}
    os.environ.pop("DATABASE_URL", None)
    if run("pytest (SQLite)", pytest, sqlite_env):
        failures.append("pytest SQLite")
    problem = postgres_answers()
    if problem is None:
        if run("pytest (PostgreSQL)", [*pytest, "-p", "huanjie.testing.db_only"],
               {"DATABASE_URL": PG_URL, "HUANJIE_VAR_DIR": str(ROOT / "var" / "test-pg")}):
            failures.append("pytest PostgreSQL")
    elif os.environ.get("HUANJIE_REQUIRE_POSTGRES") == "1":
        print(f"\n!!! 需要 PostgreSQL 但 {problem}：测试失败。", flush=True)
        failures.append("PostgreSQL missing")
    else:
        print(f"\n!!! 跳过 PostgreSQL 测试：{problem}。设置 HUANJIE_TEST_POSTGRES_URL 指向可用的服务器即可运行。",
              flush=True)
    if failures:
        print(f"\n测试未通过：{', '.join(failures)}", flush=True)
        return 1
    print("\n全部测试通过。", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
