"""Backup and restore of the whole database, exact to the microsecond (issue 9 §6).

SQLite: the online backup API (a consistent copy while the server runs). PostgreSQL: ``pg_dump``
in its custom format and ``pg_restore --clean`` into the configured database. Nothing goes
through Django's serialisers (``dumpdata`` rounds timestamps to milliseconds and the restored
audit chain would not verify). The audit key is not in the backup: it stays where the setting
says, and a restored database verifies only with it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """One Chinese line: why the backup or restore did not happen."""


def _pg_env_args() -> tuple[dict, list[str]]:
    s = connection.settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    return env, [*args, "--dbname", str(s["NAME"])]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）。")
    return path


def _run(cmd: list[str], env: dict, what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["未知错误"])[-1]
        raise BackupError(f"{what}失败：{detail}")


def backup(target: Path) -> str:
    """Write a backup of the configured database to ``target``; returns the engine's name."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"备份文件 {target} 已存在，不会覆盖；请换一个文件名。")
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(str(target))
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
        return "SQLite"
    if connection.vendor == "postgresql":
        env, args = _pg_env_args()
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args],
             env, "pg_dump 备份")
        return "PostgreSQL"
    raise BackupError(f"不支持的数据库类型：{connection.vendor}")


def kind_of(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} 不是换届通的备份文件（既不是 SQLite 数据库，也不是 pg_dump 自定义格式）。")


def restore(source: Path) -> str:
    """Replace the configured database's contents with the backup in ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件：{source}")
    kind = kind_of(source)
    if kind != connection.vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份文件是 {names[kind]} 格式，当前配置的数据库是 {names.get(connection.vendor, connection.vendor)}，"
            "不能直接恢复。"
        )
    if kind == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            src.backup(connection.connection)
        finally:
            src.close()
        connection.close()
        return "SQLite"
    connection.close()  # pg_restore drops and recreates tables: no session of ours may hold them
    env, args = _pg_env_args()
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          *args, str(source)], env, "pg_restore 恢复")
    return "PostgreSQL"


def supersede_checkpoints(stamp: dt.datetime) -> Path | None:
    """After restoring an older backup, the checkpoints of the records written since then would
    report them as deleted, which they now are: the old checkpoint files are kept (as evidence of
    what the restore dropped) in a dated folder, and new ones are written from the restored heads."""
    from huanjie.accounts import audit

    folder = audit.checkpoint_dir()
    files = [*folder.glob("chain-*.jsonl"), *folder.glob("region-*.jsonl")] if folder.is_dir() else []
    if not files:
        return None
    keep = folder / f"superseded-{stamp:%Y%m%d-%H%M%S}"
    keep.mkdir(parents=True, exist_ok=True)
    for f in files:
        f.rename(keep / f.name)
    return keep
