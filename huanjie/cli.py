"""The ``huanjie`` console command: every management command of the project, plus ``engine``.

``huanjie engine CASE.json`` runs the pure rules engine without starting Django, so it is fast
and needs no database. Everything else is a Django management command (``huanjie demo``,
``huanjie serve``, ``huanjie voters import`` …). Errors end with one Chinese line and a non-zero
exit, never a traceback.
"""

from __future__ import annotations

import os
import sys

# Commands whose first word selects a sub-command: ``huanjie voters import`` → ``voters_import``.
GROUPS = {"voters", "elections", "audit", "regions", "campaigns", "people"}


def _django_argv(argv: list[str]) -> list[str]:
    if len(argv) >= 2 and argv[0] in GROUPS and not argv[1].startswith("-"):
        return [f"{argv[0]}_{argv[1]}", *argv[2:]]
    return argv


_ARGPARSE_ZH = [
    ("the following arguments are required:", "缺少必填参数："),
    ("unrecognized arguments:", "无法识别的参数："),
    ("invalid choice:", "取值无效："),
    ("(choose from", "（可选值："),
    ("invalid int value:", "不是整数："),
    ("expected one argument", "需要一个取值"),
    ("argument ", "参数 "),
]


def _one_line_errors() -> None:
    """argparse prints a usage block before its error; the contract is one Chinese line."""
    from django.core.management.base import CommandError, CommandParser

    def error(self, message):
        for en, zh in _ARGPARSE_ZH:
            message = message.replace(en, zh)
        if self.called_from_command_line:
            sys.stderr.write(f"错误：{self.prog}：{message}（查看用法：{self.prog} --help）\n")
            sys.exit(2)
        raise CommandError(f"参数错误：{message}")

    CommandParser.error = error
    # Django prints a failed command as "<class name>: <message>"; the class name is the only
    # English word left on that line.
    CommandError.__name__ = "错误"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "engine":
        from huanjie.rules.engine import main as engine_main

        return engine_main(argv[1:])
    if not argv or argv[0] in {"-h", "--help", "help"} and len(argv) == 1:
        print(USAGE)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huanjie.settings")
    from django.core.management import execute_from_command_line

    _one_line_errors()
    try:
        execute_from_command_line(["huanjie", *_django_argv(argv)])
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 — the contract is one line, never a traceback
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return 0


USAGE = """换届通 命令行

  huanjie serve [--port 8000] [--dev]  启动网页服务（生产 WSGI 服务器；--dev 为开发服务器）
  huanjie migrate                      创建或升级数据库
  huanjie setup --county-code CODE --county-name 名称 --admin-username 用户名
                                       空数据库首次使用：建立本县和县换届办账号（不装演示数据）
  huanjie demo [--seed N] [--size small|county]   生成演示县数据
  huanjie engine CASE.json             用规则引擎计算一个案例（JSON）
  huanjie engine --explain 辖区 [--date YYYY-MM-DD]   列出该日适用的法规版本中每条规则的依据和核对状态
  huanjie regions list --json          列出区域代码
  huanjie campaigns list --json        列出换届工作
  huanjie audit verify                 校验各县审计链、库外检查点和选举结果封印
  huanjie audit checkpoint             把各审计链的链头写入库外检查点目录
  huanjie backup FILE                  备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump）
  huanjie restore FILE                 从备份恢复数据库
  huanjie voters import FILE --campaign SLUG --village CODE [--commit] [--skip-bad-rows] [--json]
  huanjie elections create --campaign SLUG --village CODE --date YYYY-MM-DD

其余 Django 管理命令同样可用（huanjie help --commands）。"""


if __name__ == "__main__":
    sys.exit(main())
