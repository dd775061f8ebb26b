"""Election pages: who may open and change what, and what the pages show."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from huanjie.campaigns.models import CampaignVillage
from huanjie.elections import services
from huanjie.elections.models import CommitteeMember, Election

from .workflow_helpers import ELECTION_DAY, make_person, make_ready, past_campaign, register

pytestmark = pytest.mark.django_db

P = ["county", "township_a", "township_b", "village_a1", "department", "observer", "admin", "outsider"]


@pytest.fixture
def elections(world):
    campaign = past_campaign(world)
    a1 = services.create_election(world.users["township_a"], campaign, world.village_a1, ELECTION_DAY)
    b1 = services.create_election(world.users["township_b"], campaign, world.village_b1, ELECTION_DAY)
    register(a1, world.people["wang"])
    register(a1, world.people["li"])
    register(b1, world.people["sun"])
    return {"a1": a1, "b1": b1}


def expect(**codes):
    default = codes.pop("default")
    return {p: codes.get(p, default) for p in P}


GET_PAGES = [
    (
        "list",
        lambda w, e: f"/elections/campaign/{w.campaign.slug}/",
        expect(default=200, department=403, outsider=404),
    ),
    (
        "detail_a1",
        lambda w, e: f"/elections/{e['a1'].pk}/",
        expect(default=200, township_b=404, department=403, outsider=404),
    ),
    (
        "detail_b1",
        lambda w, e: f"/elections/{e['b1'].pk}/",
        expect(default=200, township_a=404, village_a1=404, department=403, outsider=404),
    ),
    (
        "committee_a1",
        lambda w, e: f"/elections/{e['a1'].pk}/committee/",
        expect(default=200, township_b=404, department=403, outsider=404),
    ),
    (
        "notice_a1",
        lambda w, e: f"/elections/{e['a1'].pk}/voter-notice.pdf",
        expect(default=200, township_b=404, department=403, outsider=404),
    ),
    (
        "cards_b1",
        lambda w, e: f"/elections/{e['b1'].pk}/voter-cards.pdf",
        expect(default=403, county=200, township_b=200, township_a=404, village_a1=404, outsider=404),
    ),
    (
        "create",
        lambda w, e: f"/elections/campaign/{w.campaign.slug}/new/",
        expect(default=403, county=200, township_a=200, township_b=200, outsider=404),
    ),
    (
        "plan",
        lambda w, e: f"/elections/campaign/{w.campaign.slug}/plan/",
        expect(default=403, county=200, outsider=404),
    ),
]


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize("name,url,codes", GET_PAGES, ids=[g[0] for g in GET_PAGES])
def test_get_pages_by_persona(world, elections, client_for, persona, name, url, codes):
    response = client_for(persona).get(url(world, elections))
    assert response.status_code == codes[persona], f"{persona} GET {url(world, elections)}"


def test_anonymous_visitors_go_to_login(world, elections, client):
    for _, url, _ in GET_PAGES:
        response = client.get(url(world, elections))
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_village_clerk_cannot_touch_another_village(world, elections, client_for):
    c = client_for("village_a1")
    b1 = elections["b1"]
    for path, data in [
        (f"/elections/{b1.pk}/steps/", {"key": "voter_list_published", "done_on": "2026-02-25"}),
        (f"/elections/{b1.pk}/open-voting/", {}),
        (f"/elections/{b1.pk}/card-numbers/", {}),
        (f"/elections/{b1.pk}/committee/", {"id_number": world.people["sun"].id_number}),
    ]:
        assert c.post(path, data).status_code == 404, path
    assert not b1.steps.exists()


def test_township_b_cannot_move_or_change_township_a_elections(world, elections, client_for):
    c = client_for("township_b")
    a1 = elections["a1"]
    assert c.post(f"/elections/{a1.pk}/date/", {"election_date": "2026-03-25"}).status_code == 404
    assert (
        c.post(
            f"/elections/{a1.pk}/steps/", {"key": "voter_list_published", "done_on": "2026-02-25"}
        ).status_code
        == 404
    )
    a1.refresh_from_db()
    assert a1.election_date == ELECTION_DAY
    # and the village clerk may record steps but not move the day
    assert (
        client_for("village_a1")
        .post(f"/elections/{a1.pk}/date/", {"election_date": "2026-03-25"})
        .status_code
        == 403
    )


def test_detail_shows_timeline_blockers_posts_and_counts(world, elections, client_for):
    a1 = elections["a1"]
    body = client_for("village_a1").get(f"/elections/{a1.pk}/").content.decode()
    assert "公布选民名单" in body and "2026-02-28 前" in body  # 2026-03-20 − 20 days
    assert "离任审计尚未完成" in body and "业务培训尚未完成" in body
    assert "进入投票阶段</button>" not in body
    assert "主任" in body and "委员" in body
    assert 'id="voter-notice-link"' in body
    assert world.people["wang"].id_number not in body
    make_ready(world, world.village_a1)
    body = client_for("village_a1").get(f"/elections/{a1.pk}/").content.decode()
    assert "前置条件均已满足" in body and "进入投票阶段</button>" in body


def test_recording_a_step_and_moving_the_day_through_the_pages(world, elections, client_for):
    a1 = elections["a1"]
    r = client_for("village_a1").post(
        f"/elections/{a1.pk}/steps/", {"key": "voter_list_published", "done_on": "2026-02-25"}
    )
    assert r.status_code == 302
    assert a1.steps.get(key="voter_list_published").done_on == dt.date(2026, 2, 25)
    r = client_for("township_a").post(
        f"/elections/{a1.pk}/date/", {"election_date": "2026-03-10"}, follow=True
    )
    body = r.content.decode()
    # 2026-03-10 − 20 days = 2026-02-18: the publication of 2026-02-25 no longer meets it
    assert "“公布选民名单”已于 2026-02-25 完成，按新的选举日最迟应在 2026-02-18 前完成" in body
    a1.refresh_from_db()
    assert a1.election_date == dt.date(2026, 3, 10)
    r = client_for("township_a").post(f"/elections/{a1.pk}/date/", {"election_date": "bad"}, follow=True)
    assert "请填写有效日期" in r.content.decode()


def test_open_voting_through_the_page_is_refused_with_the_reasons(world, elections, client_for):
    a1 = elections["a1"]
    body = client_for("village_a1").post(f"/elections/{a1.pk}/open-voting/", follow=True).content.decode()
    assert "不能进入投票阶段" in body and "离任审计尚未完成" in body
    a1.refresh_from_db()
    assert a1.stage == Election.SETUP
    make_ready(world, world.village_a1)
    client_for("village_a1").post(f"/elections/{a1.pk}/open-voting/")
    a1.refresh_from_db()
    assert a1.stage == Election.VOTING


def test_list_counts_voters_per_township_and_county(world, elections, client_for):
    entry = world.campaign.villages.get(village=world.village_b1)
    entry.state = CampaignVillage.POSTPONED
    entry.save()
    body = client_for("county").get(f"/elections/campaign/{world.campaign.slug}/").content.decode()
    assert "东山村" in body and "石桥村" in body and "柳塘村" in body
    assert "暂缓换届" in body
    totals = body.split('id="township-totals"')[1].split("</table>")[0]
    # 清溪镇: 2 villages, 1 election, 2 voters (王建国 M, 李秀英 F); 石桥乡: 1 village, 孙强 M; total 3
    assert "<td>清溪镇</td><td>2</td><td>1</td><td>2</td><td>2</td><td>1</td><td>1</td>" in totals
    assert "<td>石桥乡</td><td>1</td><td>1</td><td>1</td><td>1</td><td>1</td><td>0</td>" in totals
    assert "<th>合计</th><th>3</th><th>2</th><th>3</th><th>3</th><th>2</th><th>1</th>" in totals
    body = client_for("village_a1").get(f"/elections/campaign/{world.campaign.slug}/").content.decode()
    rows = body.split('id="election-rows"')[1]
    assert "东山村" in rows and "石桥村" not in rows and "柳塘村" not in rows


def test_create_form_and_plan_upload(world, client_for):
    campaign = past_campaign(world)
    c = client_for("township_a")
    r = c.post(
        f"/elections/campaign/{campaign.slug}/new/",
        {
            "village": world.village_a2.code,
            "election_date": "2026-03-22",
            "director": 1,
            "deputy": 1,
            "women_member": 0,
            "member": 3,
        },
    )
    e = Election.objects.get(organization=world.village_a2)
    assert r.status_code == 302 and r["Location"] == f"/elections/{e.pk}/"
    # township A cannot create in township B's village (the village is not even offered)
    r = c.post(
        f"/elections/campaign/{campaign.slug}/new/",
        {
            "village": world.village_b1.code,
            "election_date": "2026-03-22",
            "director": 1,
            "deputy": 1,
            "women_member": 0,
            "member": 3,
        },
    )
    assert r.status_code == 200 and not Election.objects.filter(organization=world.village_b1).exists()

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["村代码", "选举日", "主任", "委员"])
    wb.active.append([world.village_a1.code, "2026-03-20", 1, 3])
    wb.active.append([world.village_b1.code, "2026-13-01", 1, 3])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "plan.xlsx"
    body = (
        client_for("county")
        .post(f"/elections/campaign/{campaign.slug}/plan/", {"plan": buf})
        .content.decode()
    )
    assert "未建立任何选举" in body and "第 3 行“选举日”：2026-13-01" in body
    assert not Election.objects.filter(organization=world.village_a1).exists()


def test_committee_page_adds_members_and_shows_history(world, elections, client_for):
    a1 = elections["a1"]
    c = client_for("village_a1")
    people = [
        make_person(f"委员{i}", "M", dt.date(1970, 1, 1 + i), world.village_a1, 400 + i) for i in range(3)
    ]
    for i, p in enumerate(people, 1):
        r = c.post(
            f"/elections/{a1.pk}/committee/",
            {
                "id_number": p.id_number,
                "post": "director" if i == 1 else "member",
                "chosen_by": "villagers_meeting",
                "vote_order": i,
                "votes": 300 - i,
                "is_reserve": "on" if i == 3 else "",
                "joined_on": "2026-01-20",
            },
        )
        assert r.status_code == 302
    r = c.post(
        f"/elections/{a1.pk}/committee/",
        {
            "id_number": world.people["sun"].id_number,
            "post": "member",
            "chosen_by": "villagers_meeting",
            "vote_order": 9,
            "joined_on": "2026-01-20",
        },
    )
    # 孙强 lives in 石桥乡, outside this account's scope: the lookup does not name him (people
    # lookups are scoped, people.services.find_by_id_number), it says to check the number.
    page = r.content.decode()
    assert "不在您的管辖范围内" in page and "孙强" not in page.split("<main")[1].split("</form>")[0]
    member = CommitteeMember.objects.get(person=people[1])
    r = c.post(f"/elections/{a1.pk}/committee/{member.pk}/candidate/", follow=True)
    body = r.content.decode()
    assert "委员1成为候选人，已退出村民选举委员会。按原推选得票顺序由委员2递补。" in body
    history = body.split('id="history"')[1].split("</table>")[0]
    assert "成为候选人退出" in history and "接替委员1" in history
    # observers read the committee page but cannot change it
    assert (
        client_for("observer").post(f"/elections/{a1.pk}/committee/", {"id_number": "x"}).status_code == 403
    )


def test_campaign_page_links_to_the_elections(world, client_for):
    body = client_for("township_a").get(f"/campaigns/{world.campaign.slug}/").content.decode()
    assert f'href="/elections/campaign/{world.campaign.slug}/"' in body


def test_cards_pdf_download(world, elections, client_for):
    r = client_for("village_a1").get(f"/elections/{elections['a1'].pk}/voter-cards.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    empty = services.create_election(
        world.users["township_a"], world.campaign, world.village_a2, ELECTION_DAY
    )
    r = client_for("village_a1").get(f"/elections/{empty.pk}/voter-cards.pdf")
    assert r.status_code == 404  # 柳塘村 is not the clerk's village
    r = client_for("township_a").get(f"/elections/{empty.pk}/voter-cards.pdf", follow=True)
    assert "还没有登记选民" in r.content.decode()
