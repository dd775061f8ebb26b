"""Issue 9 §4: every JSON endpoint answers bad input with a 4xx and a Chinese message, never a 5xx.

The operations are read from the OpenAPI document itself (/api/openapi.json), so a new operation is
fuzzed without being named here; the JSON endpoints outside django-ninja are found in the URL
resolver by name. Hypothesis generates the path and query values (huge, negative, non-numeric,
unicode) for several logged-in personas.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PERSONAS = ["county", "township_a", "village_a1", "observer", "department", "admin"]

junk_values = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from(["", "0", "-1", "1e999", "NaN", "x", "²", "９", "[]", "{}", "null", "' OR 1=1 --", "\u202e"]),
    st.text(max_size=30),
)


def _chinese(text) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _operations(client: Client) -> list[tuple[str, str, list[dict]]]:
    spec = client.get("/api/openapi.json").json()
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            ops.append((method, path, op.get("parameters", [])))
    return ops


def test_the_fuzz_covers_every_operation_of_the_openapi_document(world):
    c = Client()
    c.force_login(world.users["county"])
    ops = _operations(c)
    assert {p for _m, p, _ in ops} >= {"/api/people", "/api/people/{person_id}", "/api/elections/{election_id}"}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(persona=st.sampled_from(PERSONAS), value=junk_values, other=junk_values, pick=st.integers(0, 1000))
def test_every_api_operation_answers_junk_with_a_4xx_or_2xx_never_5xx(world, persona, value, other, pick):
    c = Client(raise_request_exception=False)
    c.force_login(world.users[persona])
    ops = _operations(c)
    method, path, params = ops[pick % len(ops)]
    url, query = path, {}
    for i, p in enumerate(params):
        v = str(value if i % 2 == 0 else other)
        if p["in"] == "path":
            url = url.replace("{" + p["name"] + "}", v.replace("/", "_").replace("?", "_").replace("#", "_") or "0")
        else:
            query[p["name"]] = v
    r = getattr(c, method)(url, query) if method == "get" else getattr(c, method)(url, json.dumps(query))
    assert r.status_code < 500, (url, query, r.content[:300])
    if r.status_code >= 400:
        assert _chinese(r.content), (url, query, r.content[:300])


def test_api_errors_are_chinese(world):
    c = Client()
    assert c.get("/api/people").status_code == 401 and _chinese(c.get("/api/people").json()["detail"])
    c.force_login(world.users["county"])
    for url, status in [
        ("/api/people?limit=abc", 422),
        ("/api/people/abc", 422),
        ("/api/people/99999999999999999999999", 400),
        ("/api/people/999999", 404),
        ("/api/elections/-1", 404),
    ]:
        r = c.get(url)
        assert r.status_code in (status, 404 if status == 400 else status), (url, r.content)
        assert _chinese(r.json()["detail"]), (url, r.content)


def _json_views() -> list[str]:
    """URL names of the JSON endpoints outside django-ninja (their view names end in ``_api``)."""

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns)
            else:
                yield p

    return [p.name for p in walk(get_resolver().url_patterns) if getattr(p.callback, "__name__", "").endswith("_api")]


def test_the_json_endpoints_outside_ninja_are_found():
    assert "counting_form_api" in _json_views()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8)),
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(st.sampled_from(
                ["round", "station", "issued", "returned", "valid", "blank", "invalid", "lines", "post",
                 "name", "votes", "write_in", "acknowledge", "compute", "version"]), children, max_size=6)
        ),
        max_leaves=12,
    ),
    persona=st.sampled_from(["village_a1", "township_a", "county"]),
)
def test_the_counting_api_answers_any_json_with_a_4xx_in_chinese(world, body, persona):
    from huanjie.elections.models import Election
    from huanjie.elections.tests.aftervote_helpers import make_election

    election = Election.objects.filter(organization=world.village_a1).first() or make_election(world, voters=3)
    c = Client(raise_request_exception=False)
    c.force_login(world.users[persona])
    url = reverse("elections:counting_form_api", args=[election.pk])
    r = c.post(url, json.dumps(body), content_type="application/json")
    assert 400 <= r.status_code < 500, (body, r.status_code, r.content[:300])
    assert all(_chinese(e) for e in r.json()["errors"]), (body, r.content[:300])
