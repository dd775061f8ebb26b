"""Proxy voting (R20) through the engine's check_proxies: relations, deadline, limit, candidates."""

from __future__ import annotations

import datetime as dt

import pytest

from huanjie.elections.models import VoterRegistration
from huanjie.elections.nomination import proxies
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Proxy
from huanjie.people.models import Relation

from .candidate_helpers import nominate_basic, setup_village
from .workflow_helpers import make_person

pytestmark = pytest.mark.django_db
FILED = dt.date(2026, 3, 10)


def card(v, person) -> bool:
    return VoterRegistration.objects.get(election=v.election, person=person).card_handed_over


def test_spouse_by_stored_relation_is_accepted_and_card_handed_over(world):
    v = setup_village(world)
    # 李秀英 is 王建国's wife (stored relation)
    proxy = proxies.register_proxy(v.actor, v.election, v.p["li"], v.p["wang"], FILED)
    assert proxy.status == Proxy.ACCEPTED and not proxy.relation_declared
    assert proxy.relation == "spouses"
    assert card(v, v.p["li"]) is True
    proxies.revoke_proxy(v.actor, proxy)
    proxy.refresh_from_db()
    assert proxy.status == Proxy.REVOKED
    assert card(v, v.p["li"]) is False


def test_no_relation_is_refused_with_reason_and_stored(world):
    v = setup_village(world)
    proxy = proxies.register_proxy(v.actor, v.election, v.p["zhou"], v.p["chen"], FILED)
    assert proxy.status == Proxy.REFUSED
    assert "不属于可以受托的近亲属" in proxy.reason
    assert Proxy.objects.filter(pk=proxy.pk).exists()
    assert card(v, v.p["zhou"]) is False


def test_declared_relation_is_used_and_flagged(world):
    v = setup_village(world)
    proxy = proxies.register_proxy(
        v.actor, v.election, v.p["zhou"], v.p["chen"], FILED, declared_relation="兄弟姐妹"
    )
    assert proxy.status == Proxy.ACCEPTED and proxy.relation_declared is True
    with pytest.raises(proxies.ProxyError):
        proxies.register_proxy(v.actor, v.election, v.p["xu"], v.p["huang"], FILED, declared_relation="邻居")


def test_principal_and_agent_must_be_registered(world):
    v = setup_village(world)
    outsider = make_person("外村人", "M", dt.date(1960, 1, 1), world.village_a2, 400)
    Relation.objects.create(elder=outsider, younger=v.p["zhou"], kind="parent")
    refused = proxies.register_proxy(v.actor, v.election, outsider, v.p["zhou"], FILED)
    assert refused.status == Proxy.REFUSED and "委托人外村人不是本村登记选民" in refused.reason
    refused = proxies.register_proxy(v.actor, v.election, v.p["zhou"], outsider, FILED)
    assert refused.status == Proxy.REFUSED and "受托人不是本村有选举权的村民" in refused.reason


def test_one_proxy_per_principal_and_no_sub_delegation(world):
    v = setup_village(world)
    # 王小明 is the son of 王建国 and (stored here) of 李秀英
    Relation.objects.create(elder=v.p["li"], younger=v.p["wang_son"], kind="parent")
    assert proxies.register_proxy(v.actor, v.election, v.p["li"], v.p["wang"], FILED).status == Proxy.ACCEPTED
    again = proxies.register_proxy(v.actor, v.election, v.p["li"], v.p["wang_son"], FILED)
    assert again.status == Proxy.REFUSED and "一人只能委托一次" in again.reason
    # 李秀英 is away (she gave a proxy): she cannot act for her son
    sub = proxies.register_proxy(v.actor, v.election, v.p["wang_son"], v.p["li"], FILED)
    assert sub.status == Proxy.REFUSED and "不得转委托" in sub.reason


def zj_family(v):
    """Four brothers/sisters of 徐亮 (stored sibling relations) and 徐亮 as agent."""
    sibs = [v.p[f"v{i}"] for i in range(4)]
    for s in sibs:
        Relation.objects.create(
            elder=min(s, v.p["xu"], key=lambda p: p.pk),
            younger=max(s, v.p["xu"], key=lambda p: p.pk),
            kind="sibling",
        )
    return sibs


def test_zhejiang_deadline_limit_and_candidate_agent(world):
    v = setup_village(world, "zhejiang")
    sibs = zj_family(v)
    # ZJ Art. 25: 3 days before 2026-03-20 → filed by 2026-03-17 at the latest
    late = proxies.register_proxy(v.actor, v.election, sibs[0], v.p["xu"], dt.date(2026, 3, 18))
    assert late.status == Proxy.REFUSED and "最迟2026-03-17" in late.reason
    results = [
        proxies.register_proxy(v.actor, v.election, s, v.p["xu"], dt.date(2026, 3, 10 + i))
        for i, s in enumerate(sibs)
    ]
    # at most 3 principals per agent, in filing order: the 4th is refused
    assert [r.status for r in results] == ["accepted", "accepted", "accepted", "refused"]
    assert "不得超过3人" in results[3].reason


def test_backdated_request_does_not_push_out_registered_ones(world):
    v = setup_village(world, "zhejiang")
    sibs = zj_family(v)
    for i, s in enumerate(sibs[:3]):
        proxies.register_proxy(v.actor, v.election, s, v.p["xu"], dt.date(2026, 3, 10 + i))
    # filed earlier than the three already registered, but registered after them: refused
    early = proxies.register_proxy(v.actor, v.election, sibs[3], v.p["xu"], dt.date(2026, 3, 1))
    assert early.status == Proxy.REFUSED
    assert Proxy.objects.filter(status=Proxy.ACCEPTED).count() == 3


@pytest.mark.parametrize(("jurisdiction", "status"), [("national", "accepted"), ("zhejiang", "refused")])
def test_candidate_as_agent(world, jurisdiction, status):
    v = setup_village(world, jurisdiction)
    if jurisdiction == "national":
        nominate_basic(v)
    else:
        p = v.p
        cs.record_nomination_count(
            v.actor,
            v.election,
            held_on=dt.date(2026, 3, 1),
            participated=28,
            aggregated={
                "director": {p["wang"]: 12, p["zhou"]: 7},
                "deputy": {p["chen"]: 11, p["xu"]: 8},
                "women_member": {p["liu"]: 11, p["wu"]: 9},
                "member": {p["yang"]: 14, p["huang"]: 12, p["zhang"]: 11},
            },
        )
        cs.update_nominee(v.actor, cs.Nomination.objects.get(person=p["wang"]), current_post="主任")
    cs.decide_candidates(v.actor, v.election, on=dt.date(2026, 3, 1))
    # 王建国 is a candidate; his wife asks him to vote for her
    proxy = proxies.register_proxy(v.actor, v.election, v.p["li"], v.p["wang"], FILED)
    assert proxy.status == status
    if status == "refused":
        assert "候选人不得接受委托" in proxy.reason


def test_observer_cannot_register(world):
    from huanjie.elections.services import ElectionError

    v = setup_village(world)
    with pytest.raises(ElectionError):
        proxies.register_proxy(world.users["observer"], v.election, v.p["li"], v.p["wang"], FILED)
