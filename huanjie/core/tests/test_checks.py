import pytest
from django.core.checks import run_checks
from django.urls import path

from huanjie.core import checks


def test_every_url_pattern_of_the_project_has_an_access_rule():
    assert checks.unguarded_patterns() == []
    assert [e for e in run_checks() if e.id == "huanjie.E001"] == []


def test_a_view_without_access_rule_stops_the_application(settings, monkeypatch):
    import huanjie.urls

    def naked(request):  # pragma: no cover - never called
        raise AssertionError

    monkeypatch.setattr(huanjie.urls, "urlpatterns", [*huanjie.urls.urlpatterns, path("naked/", naked)])
    from django.urls import clear_url_caches

    clear_url_caches()
    try:
        errors = [e for e in run_checks() if e.id == "huanjie.E001"]
        assert len(errors) == 1 and "naked/" in errors[0].msg
    finally:
        clear_url_caches()


@pytest.mark.django_db
def test_csp_and_security_headers(client):
    response = client.get("/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
