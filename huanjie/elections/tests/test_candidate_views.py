"""Pages of nomination, candidates and proxies: entry forms, permissions (404 outside scope,
observer read-only), and the flows through HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from huanjie.elections import services
from huanjie.elections.models import Election
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import Candidate, Nomination, NominationCount, Proxy

from .candidate_helpers import nominate_basic, pass_review, setup_village

pytestmark = pytest.mark.django_db


def url(name, v, **kw):
    return reverse(f"elections:{name}", kwargs={"pk": v.election.pk, **kw})


def login(world, who) -> Client:
    c = Client()
    c.force_login(world.users[who])
    return c


PAGES = ["nominations", "candidates", "proxies"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_open_for_office_and_observer(world, page):
    v = setup_village(world)
    nominate_basic(v)
    for who in ("village_a1", "township_a", "county", "observer"):
        r = login(world, who).get(url(page, v))
        assert r.status_code == 200, (who, r.status_code)


@pytest.mark.parametrize("page", PAGES)
def test_other_village_and_township_get_404(world, page):
    v = setup_village(world)
    from huanjie.accounts.models import User

    clerk = User(username="clerk_a2", role="village", region=world.village_a2)
    clerk.set_password("x")
    clerk.save()
    c = Client()
    c.force_login(clerk)
    assert c.get(url(page, v)).status_code == 404
    assert login(world, "township_b").get(url(page, v)).status_code == 404
    assert login(world, "outsider").get(url(page, v)).status_code == 404


def test_department_cannot_open_candidate_pages(world):
    v = setup_village(world)
    assert login(world, "department").get(url("candidates", v)).status_code == 403


def test_observer_sees_no_forms_and_cannot_post(world):
    v = setup_village(world)
    nominate_basic(v)
    c = login(world, "observer")
    page = c.get(url("nominations", v)).content.decode()
    assert "录入提名结果" not in page and "王建国" in page
    assert "确定正式候选人</button>" not in c.get(url("candidates", v)).content.decode()
    posts = [
        ("nominations_count", {"mode": "aggregated", "held_on": "2026-02-20", "participated": "5"}),
        ("candidates_decide", {}),
        ("candidates_publish", {"published_on": "2026-03-10"}),
        ("proxies_add", {"principal": "李秀英", "agent": "王建国", "filed_on": "2026-03-10"}),
    ]
    for name, data in posts:
        assert c.post(url(name, v), data).status_code == 403, name
    assert not Candidate.objects.exists() and not Proxy.objects.exists()


def test_aggregated_entry_through_the_page(world):
    v = setup_village(world)
    c = login(world, "village_a1")
    r = c.post(
        url("nominations_count", v),
        {
            "mode": "aggregated",
            "held_on": "2026-02-20",
            "participated": "20",
            "votes_director": "王建国 12\n周明 7",
            "votes_deputy": "刘芳，11\n陈刚 8",
            "votes_member": "张伟 15\n杨洋 14\n黄磊 12\n吴静 11\n徐亮 5",
        },
        follow=True,
    )
    assert "已录入提名：参加 20 人" in r.content.decode()
    assert Nomination.objects.get(person=v.p["liu"]).nomination_votes == 11
    page = c.get(url("nominations", v)).content.decode()
    assert "参加提名 <strong>20</strong> 人" in page


def test_entry_errors_name_the_line(world):
    v = setup_village(world)
    c = login(world, "village_a1")
    r = c.post(
        url("nominations_count", v),
        {
            "mode": "aggregated",
            "held_on": "2026-02-20",
            "participated": "20",
            "votes_director": "王建国 12\n不存在 3\n周明",
        },
        follow=True,
    )
    text = r.content.decode()
    assert "主任第2行：“不存在”不是本村登记选民" in text
    assert "主任第3行“周明”：应为“姓名或身份证号码 票数”" in text
    assert not NominationCount.objects.exists()


def test_ballot_entry_through_the_page(world):
    v = setup_village(world)
    c = login(world, "village_a1")
    c.post(
        url("nominations_count", v),
        {
            "mode": "ballots",
            "held_on": "2026-02-20",
            "ballots": "001 主任:王建国 委员:张伟,杨洋\n002 主任:周明 委员:张伟、杨洋、黄磊、吴静\n003 主任:周明 委托",
        },
    )
    count = NominationCount.objects.get()
    assert count.ballots == 3
    assert sorted(x["code"] for x in count.void) == ["by_proxy", "over_nomination"]
    page = c.get(url("nominations", v)).content.decode()
    assert "超过应选名额3名" in page and "委托他人提名" in page


def test_decide_and_publish_through_pages(world):
    v = setup_village(world)
    nominate_basic(v)
    c = login(world, "village_a1")
    page = c.get(url("candidates", v)).content.decode()
    assert "确定正式候选人" in page and 'data-confirm="确定以上人员为正式候选人' in page
    r = c.post(
        url("candidates_decide", v),
        {"n_director": "2", "n_deputy": "2", "n_member": "4", "method": "votes", "on": "2026-03-05"},
        follow=True,
    )
    assert "已确定正式候选人 8 名" in r.content.decode()
    assert Election.objects.get(pk=v.election.pk).stage == Election.CANDIDATES
    for cand in Candidate.objects.all():
        pass_review(world, cand)
    # the 30 % women target needs the township's explanation: the village cannot write it
    assert c.post(url("candidates_team", v), {"code": "P11-women-share", "text": "x"}).status_code == 403
    t = login(world, "township_a")
    assert "保存专项说明" in t.get(url("candidates", v)).content.decode()
    t.post(url("candidates_team", v), {"code": "P11-women-share", "text": "女性外出务工多"})
    r = c.post(url("candidates_publish", v), {"published_on": "2026-03-10"}, follow=True)
    assert "正式候选人名单已公布（第1版）" in r.content.decode()
    pdf = c.get(url("candidates_notice_pdf", v, version=1))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # withdrawal form asks for confirmation
    assert 'data-confirm="登记张伟书面申请退出吗' in c.get(url("candidates", v)).content.decode()


def test_publish_refusal_is_shown(world):
    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(v.actor, v.election, on=dt.date(2026, 3, 1))
    c = login(world, "village_a1")
    r = c.post(url("candidates_publish", v), {"published_on": "2026-03-10"}, follow=True)
    assert "不能公布正式候选人名单" in r.content.decode()


def test_proxy_flow_through_page(world):
    v = setup_village(world)
    c = login(world, "village_a1")
    r = c.post(
        url("proxies_add", v),
        {"principal": "李秀英", "agent": "王建国", "filed_on": "2026-03-10"},
        follow=True,
    )
    assert "已登记李秀英委托王建国投票" in r.content.decode()
    r = c.post(
        url("proxies_add", v), {"principal": "周明", "agent": "陈刚", "filed_on": "2026-03-10"}, follow=True
    )
    assert "不予登记" in r.content.decode() and "近亲属" in r.content.decode()
    page = c.get(url("proxies", v)).content.decode()
    assert "配偶" in page and "不予登记" in page
    pdf = c.get(url("proxies_notice_pdf", v))
    assert pdf.status_code == 200
    proxy = Proxy.objects.get(status="accepted")
    c.post(url("proxies_revoke", v, proxy_id=proxy.pk))
    proxy.refresh_from_db()
    assert proxy.status == "revoked"


def test_objects_of_another_election_are_404(world):
    v = setup_village(world)
    nominate_basic(v)
    other = services.create_election(
        world.users["township_b"], v.election.campaign, world.village_b1, v.election.election_date
    )
    n = Nomination.objects.first()
    c = login(world, "township_b")
    r = c.post(reverse("elections:nomination_exclude", kwargs={"pk": other.pk, "nid": n.pk}), {"reason": "x"})
    assert r.status_code == 404
    n.refresh_from_db()
    assert n.status == "nominee"


def test_joint_nomination_signatories_are_found_by_name_and_namesakes_told_apart(world):
    """Issue 11: the 十人联名 signatory field searches by name like every person field; a picked
    signatory is the line "姓名 身份证号码", so two voters of one name are both accepted."""
    v = setup_village(world)
    c = login(world, "village_a1")
    page = c.get(url("nominations", v)).content.decode()
    form = page[page.index('id="enter-channel"'):]
    form = form[: form.index("</form>")]
    assert 'id="ch_sign-search"' in form and 'hx-get="/people/pick/"' in form
    assert '"target": "ch_sign"' in form and f'"election": "{v.election.pk}"' in form
    voters = [v.p[f"v{i}"] for i in range(10)]
    voters[1].name = voters[0].name  # two voters called 村民00
    voters[1].save()
    post = v.post("member")
    typed_names = "\n".join(p.name for p in voters)
    r = c.post(
        url("nominations_channel", v),
        {"post": post.pk, "channel": Nomination.JOINT_10, "person": v.p["xu"].id_number, "signatories": typed_names},
        follow=True,
    )
    assert "叫“村民00”" in r.content.decode() and not Nomination.objects.filter(channel=Nomination.JOINT_10).exists()
    picked = "\n".join(f"{p.name} {p.id_number}" for p in voters) + "\n"
    r = c.post(
        url("nominations_channel", v),
        {"post": post.pk, "channel": Nomination.JOINT_10, "person": v.p["xu"].id_number, "signatories": picked},
        follow=True,
    )
    n = Nomination.objects.get(channel=Nomination.JOINT_10)
    assert {s.person_id for s in n.signatures.all()} == {p.pk for p in voters}
