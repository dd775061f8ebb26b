"""``huanjie serve``: the production WSGI server (waitress, threads), static files collected first.

Python runs one thread at a time per process, so one waitress process uses one core however many
threads it has. ``--processes N`` (default: the machine's cores) binds the port once and forks N
waitress processes that accept on it; the parent restarts a worker that dies and stops them all on
SIGTERM or Ctrl+C. Election night measured the difference (README, bench_election_day).

``--dev`` keeps Django's development server (auto-reload off, threads on) for development only.
Forwarded headers are trusted only from ``HUANJIE_TRUSTED_PROXIES`` (see ``huanjie.core.proxy``).
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from huanjie.core import workers


class Command(BaseCommand):
    help = "启动换届通网页服务（生产 WSGI 服务器 waitress；--dev 为开发服务器）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--threads", type=int, default=8, help="每个工作进程的线程数（默认 8）")
        parser.add_argument("--processes", type=int, default=0,
                            help="工作进程数（默认为本机 CPU 核数；1 = 单进程）")
        parser.add_argument("--dev", action="store_true", help="使用 Django 开发服务器（仅用于开发）")

    def handle(self, *args, host, port, threads, processes, dev, **options):
        if dev:
            self.stdout.write(f"换届通（开发服务器）正在启动：http://{host}:{port}/  （按 Ctrl+C 停止）")
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
            return
        # The production storage serves hashed files from STATIC_ROOT: collect them on every start,
        # so that a fresh install or an upgrade never serves pages without their CSS and JS.
        call_command("collectstatic", interactive=False, verbosity=0)
        self._recover_jobs()
        from waitress import serve

        from huanjie.wsgi import application

        processes = processes if processes > 0 else (os.cpu_count() or 1)
        proxies = "、".join(settings.HUANJIE_TRUSTED_PROXIES) or "无（忽略所有 X-Forwarded-* 头）"
        self.stdout.write(
            f"换届通正在运行：http://{host}:{port}/ （waitress，{processes} 个进程 × {threads} 个线程；"
            f"信任的代理：{proxies}；按 Ctrl+C 停止）"
        )
        self.stdout.flush()
        options = {
            "threads": threads,
            "ident": "huanjie",
            # The forwarded headers are judged by huanjie.core.proxy (a list of proxies, the same
            # under --dev); waitress would otherwise drop them all since it trusts no proxy itself.
            "clear_untrusted_proxy_headers": False,
            # An upload past the limit is refused by the app as it streams in; this only caps the
            # request body the server will read at all.
            "max_request_body_size": settings.HUANJIE_UPLOAD_MAX_BYTES + 8 * 1024 * 1024,
        }
        if processes == 1:
            serve(application, host=host, port=port, **options)
            return
        workers.run(lambda sock: serve(application, sockets=[sock], **options), host, port, processes, self.stdout)

    def _recover_jobs(self) -> None:
        """Import jobs left "进行中" by a previous server that was killed are failed now."""
        from django.db import DatabaseError

        from huanjie.elections.registration import jobs

        try:
            n = jobs.recover_stale()
        except DatabaseError:  # not migrated yet: nothing to recover
            return
        if n:
            self.stdout.write(f"已将 {n} 个因服务器停止而中断的后台任务标记为失败。")
