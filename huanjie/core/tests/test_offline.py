"""Government intranets are offline: no page may load anything from another host."""

import re
import subprocess
import sys

import pytest

from huanjie.core.tests.test_personas import VIEWS

pytestmark = pytest.mark.django_db

ATTR = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""", re.I)


def external(urls):
    return [u for u in urls if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", u, re.I) and not u.startswith("//testserver")]


@pytest.mark.parametrize("persona", ["county", "township_a", "village_a1", "observer", "admin", "department"])
def test_every_page_uses_only_local_assets(world, client_for, persona):
    client = client_for(persona)
    pages = ["/login/"] + [url(world) for _, method, url, _ in VIEWS if method == "get" and not url(world).startswith("/api/")]
    checked = 0
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue  # downloads (an Excel template) load nothing
        html = response.content.decode()
        assert external(ATTR.findall(html)) == [], url
        assert external(CSS_URL.findall(html)) == [], url
        for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html):
            static = client.get(asset)
            assert static.status_code == 200, asset
            body = b"".join(static.streaming_content) if static.streaming else static.content
            if asset.endswith(".css"):
                assert external(CSS_URL.findall(body.decode())) == [], asset
        checked += 1
    assert checked >= 2


def test_api_docs_are_served_locally(world, client_for):
    html = client_for("county").get("/api/docs").content.decode()
    assert external(ATTR.findall(html)) == []


def test_production_mode_refuses_to_start_without_secret_key(tmp_path):
    env = {"HUANJIE_PRODUCTION": "1", "HUANJIE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='huanjie.settings'; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "HUANJIE_SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_audit_key(tmp_path):
    """The audit chain's key must come from outside the database: production never invents one."""
    env = {"HUANJIE_PRODUCTION": "1", "HUANJIE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "HUANJIE_SECRET_KEY": "k" * 64}
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='huanjie.settings'; django.setup()"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "生产模式必须提供审计密钥" in result.stderr
    assert not (tmp_path / "audit_key").exists()


def test_production_mode_sets_secure_cookies_and_hsts(tmp_path):
    env = {"HUANJIE_PRODUCTION": "1", "HUANJIE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "HUANJIE_SECRET_KEY": "k" * 64, "HUANJIE_AUDIT_KEY": "a" * 40}
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='huanjie.settings'; django.setup();"
            "from django.conf import settings as s;"
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True", "True", "31536000"], result.stderr


def test_development_mode_shows_the_chinese_404_not_the_debug_page(tmp_path):
    """`make run` is what a clerk uses: an unknown address answers with our Chinese 404 page, not
    Django's English debug page listing every URL; HUANJIE_DEBUG=1 is the developer's opt-in."""
    env = {"HUANJIE_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='huanjie.settings'; django.setup();"
            "from django.conf import settings as s; print(s.DEBUG)")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["False"], result.stderr
    result = subprocess.run([sys.executable, "-c", code], env=env | {"HUANJIE_DEBUG": "1"}, capture_output=True, text=True)
    assert result.stdout.split() == ["True"], result.stderr


def test_unknown_address_answers_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到" in body and "Page not found" not in body
