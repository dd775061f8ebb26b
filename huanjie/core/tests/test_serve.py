"""Issue 9 §6: the README's production section, run as written, serves the login page and its
static files through `huanjie serve` (waitress); forwarded headers count only from the named proxy."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from huanjie.core.proxy import TrustedProxyMiddleware

ROOT = Path(__file__).resolve().parents[3]


def _production_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- production:begin -->", 1)[1].split("<!-- production:end -->", 1)[0]
    return re.search(r"```sh\n(.*?)```", block, re.S).group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _get(url: str, headers: dict | None = None):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_readme_production_steps_serve_the_login_page_and_static_files(tmp_path):
    port = _free_port()
    script = _production_block().replace("/etc/huanjie", str(tmp_path / "etc")).replace("--port 8000", f"--port {port}")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "HUANJIE_VAR_DIR": str(tmp_path / "var"),
        "LANG": "C.UTF-8",
    }
    proc = subprocess.Popen(["bash", "-euc", script], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    https = {"X-Forwarded-Proto": "https"}  # as the reverse proxy (127.0.0.1, trusted) sends it
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, proc.stdout.read()
            try:
                status, headers, body = _get(f"{base}/login/", https)
                break
            except (ConnectionError, urllib.error.URLError, OSError):
                assert time.monotonic() < deadline, "huanjie serve did not answer within 240 s"
                time.sleep(1)
        assert status == 200, body[:500]
        assert headers.get("Server") == "huanjie"  # waitress, not the development server
        page = body.decode()
        assert "登录" in page
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
        assert assets, "the login page links no static file"
        for asset in assets:
            status, _, content = _get(base + asset, https)
            assert status == 200 and content, asset
        # Plain HTTP (no forwarded scheme) is sent to HTTPS in production.
        status, headers, _ = _get(f"{base}/login/")
        assert status == 301 and headers["Location"].startswith("https://")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _seen(trusted, remote, headers):
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        return []

    environ = {"REMOTE_ADDR": remote, "wsgi.url_scheme": "http", **headers}
    TrustedProxyMiddleware(app, trusted)(environ, lambda *a: None)
    return seen


def test_forwarded_headers_count_only_from_the_named_proxy():
    forged = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "10.9.9.9"}
    # No proxy configured: a client's own X-Forwarded-* headers are dropped.
    seen = _seen([], "203.0.113.5", forged)
    assert seen["wsgi.url_scheme"] == "http" and seen["REMOTE_ADDR"] == "203.0.113.5"
    assert "HTTP_X_FORWARDED_PROTO" not in seen and "HTTP_X_FORWARDED_FOR" not in seen
    # A proxy is named, but this request did not come from it.
    seen = _seen(["127.0.0.1"], "203.0.113.5", forged)
    assert seen["wsgi.url_scheme"] == "http" and "HTTP_X_FORWARDED_PROTO" not in seen
    # From the proxy: the scheme and the client before it are believed.
    seen = _seen(["127.0.0.1"], "127.0.0.1", {"HTTP_X_FORWARDED_PROTO": "https",
                                               "HTTP_X_FORWARDED_FOR": "1.1.1.1, 198.51.100.7"})
    assert seen["wsgi.url_scheme"] == "https" and seen["REMOTE_ADDR"] == "198.51.100.7"


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def test_serve_runs_worker_processes_and_replaces_one_that_dies(tmp_path):
    """Issue 17: one waitress process uses one core (Python's lock), so `huanjie serve` forks a
    worker per core on one port; the parent replaces a worker that dies and stops them all."""
    env = {**os.environ, "HUANJIE_VAR_DIR": str(tmp_path / "var"), "HUANJIE_DEBUG": "1"}
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "huanjie.cli"]
    subprocess.run([*cli, "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    port = _free_port()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--processes", "2"], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"

    def serves() -> bool:
        try:  # a new installation sends every page to its first-run setup
            return _get(f"{base}/login/")[0] in (200, 302)
        except (ConnectionError, urllib.error.URLError, OSError):
            return False

    def wait_for(condition, what: str, seconds: float = 120):
        deadline = time.monotonic() + seconds
        while not condition():
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, what
            time.sleep(0.3)

    try:
        wait_for(serves, "huanjie serve did not answer")
        wait_for(lambda: len(_children(proc.pid)) == 2, "two workers")
        first = _children(proc.pid)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(_children(proc.pid)) == 2 and victim not in _children(proc.pid), "a replacement")
        assert serves()
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
        assert "2 个进程" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
