"""Shared fixtures: the persona world, logged-in clients, and a real headless Chromium."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("HUANJIE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Argon2 is deliberately slow; tests that log in many personas use a fast hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_checkpoints_per_test(settings, tmp_path):
    # Checkpoints live outside the database; a test's rolled-back records must not meet another's.
    settings.HUANJIE_AUDIT_CHECKPOINT_DIR = tmp_path / "audit_checkpoints"


@pytest.fixture
def world(db):
    from huanjie.testing.world import build_world

    return build_world()


@pytest.fixture
def client_for(client, world):
    """``client_for("township_a")`` → a test client logged in as that persona."""
    from django.test import Client

    def make(persona: str) -> Client:
        c = Client()
        c.force_login(world.users[persona])
        return c

    return make


def _browser_unavailable() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"未找到 Chromium（{CHROMIUM}）"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "未安装 playwright"
    return None


@pytest.fixture(scope="session")
def browser():
    problem = _browser_unavailable()
    if problem:
        if os.environ.get("HUANJIE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"需要浏览器测试但{problem}", pytrace=False)
        print(f"\n!!! 跳过浏览器测试：{problem}。安装 Debian 的 chromium 即可运行。")
        pytest.skip(f"跳过浏览器测试：{problem}")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()
