"""The village election as a clerk lives it (issue 11): the to-do list, people found by name,
forms that keep what was typed, and what read-only roles see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from huanjie.elections import services
from huanjie.elections.models import Election

from .workflow_helpers import make_person, register

pytestmark = pytest.mark.django_db


def _upcoming(world, village=None, days=60):
    """An election of the running campaign, ``days`` ahead (its steps lie before or after today)."""
    village = village or world.village_a1
    township = world.users["township_a"] if village.code.startswith("130731100") else world.users["township_b"]
    campaign = world.campaign
    campaign.starts_on = timezone.localdate() - dt.timedelta(days=90)
    campaign.ends_on = timezone.localdate() + dt.timedelta(days=200)
    campaign.save()
    return services.create_election(township, campaign, village, timezone.localdate() + dt.timedelta(days=days))


# ---------------------------------------------------------------- 工作台 to-dos


def test_township_home_lists_its_villages_next_steps_with_links(world, client_for):
    a1 = _upcoming(world)
    _upcoming(world, world.village_b1)  # another township's village: not on this list
    page = client_for("township_a").get("/").content.decode()
    assert 'id="todos"' in page
    assert "东山村·村民委员会选举：下一步 公布选民名单" in page
    assert f"/elections/{a1.pk}/voters/" in page
    assert "石桥村" not in page.split('id="todos"')[1].split("</section>")[0]
    assert f"/elections/campaign/{world.campaign.slug}/" in page  # the home page links to the elections


def test_the_county_to_do_list_reads_its_elections_in_a_fixed_number_of_queries(world):
    """The to-do wording names the township (the default Wording reads the village's parent):
    read with the elections, not once per election (312 queries at 500 villages)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from huanjie.elections import todos
    from huanjie.people.models import Region

    def count():
        with CaptureQueriesContext(connection) as ctx:
            todos.office_todos(world.users["county"])
        return len(ctx.captured_queries)

    _upcoming(world, world.village_a1, days=-10)
    before = count()
    for i in range(3):
        v = Region.objects.create(code=f"13073110030{i}", name=f"新村{i}", level="village", parent=world.township_a)
        world.campaign.villages.create(village=v)
        _upcoming(world, v, days=-10 - i)
    assert count() == before


def test_overdue_steps_come_first_and_are_marked(world, client_for):
    # 10 days ahead: the voter list (20 days before) is overdue.
    _upcoming(world, days=10)
    todos = client_for("township_a").get("/").content.decode().split('id="todos"')[1].split("</section>")[0]
    assert "逾期" in todos and "东山村·村民委员会选举：公布选民名单（已逾期）" in todos
    assert todos.index("已逾期") < todos.index("下一步")


def test_village_committee_sees_its_election_next_step(world, client_for):
    e = _upcoming(world)
    Election.objects.filter(pk=e.pk).update(stage=Election.VOTING)
    page = client_for("village_a1").get("/").content.decode()
    assert "东山村·村民委员会选举：下一步 录入计票单，计算选举结果" in page


def test_department_home_shows_its_review_queue(world, client_for):
    from huanjie.elections.nomination import services as cs
    from huanjie.elections.tests.candidate_helpers import nominate_basic, setup_village
    from huanjie.review import services as review
    from huanjie.review.models import ReviewVerdict

    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(world.users["village_a1"], v.election, numbers={"director": 2, "deputy": 2, "member": 4},
                         on=dt.date(2026, 3, 5))
    for tier_user in ("village_a1", "township_a"):
        for verdict in ReviewVerdict.objects.filter(tier={"village_a1": "village", "township_a": "township"}[tier_user]):
            review.record_verdict(world.users[tier_user], verdict, True)
    page = client_for("department").get("/").content.decode()
    assert "名候选人等待本部门审查" in page and "/review/queue/" in page


# ---------------------------------------------------------------- people found by name


def test_person_search_by_name_tells_namesakes_apart_within_scope(world, client_for):
    make_person("王建国", "M", dt.date(1988, 5, 6), world.village_a1, 31, group="第三村民小组")
    make_person("王建国", "M", dt.date(1975, 1, 2), world.village_b1, 32, group="第二村民小组")  # other township
    r = client_for("township_a").get("/people/pick/", {"field": "person", "person": "王建国", "target": "x"})
    html = r.content.decode()
    assert r.status_code == 200
    assert html.count('class="pick-option"') == 2  # the one in 石桥乡 is out of scope
    assert "第一村民小组" in html and "第三村民小组" in html and "1970年生" in html and "1988年生" in html
    assert "同名" in html
    # the list shows the ID number's tail, never the full number
    assert world.people["wang"].id_number not in html.replace('data-pick-value="' + world.people["wang"].id_number, "")
    narrowed = client_for("township_a").get("/people/pick/", {"field": "person", "person": "王建国 第三"}).content.decode()
    assert narrowed.count('class="pick-option"') == 1 and "1988年生" in narrowed
    tail = world.people["wang"].id_number[-4:]
    by_tail = client_for("township_a").get("/people/pick/", {"field": "p", "p": tail}).content.decode()
    assert "1970年生" in by_tail


def test_person_search_limited_to_an_elections_registered_voters(world, client_for):
    e = _upcoming(world)
    register(e, world.people["wang"])
    html = client_for("village_a1").get(
        "/people/pick/", {"field": "person", "person": "王", "election": str(e.pk)}
    ).content.decode()
    assert "王建国" in html and "王小明" not in html


def test_person_search_is_closed_to_roles_without_id_numbers(world, client_for):
    for persona in ("observer", "department"):
        assert client_for(persona).get("/people/pick/", {"q": "王"}).status_code == 403


def test_person_fields_search_by_name(world, client_for):
    e = _upcoming(world)
    for url in (f"/elections/{e.pk}/nominations/", f"/elections/{e.pk}/proxies/", f"/elections/{e.pk}/objections/",
                f"/elections/{e.pk}/voters/add/"):
        page = client_for("village_a1").get(url).content.decode()
        assert 'hx-get="/people/pick/"' in page, url


# ---------------------------------------------------------------- lists and exports


def _sheet(response) -> list[list]:
    import io

    from python_calamine import CalamineWorkbook

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()


def _voters(world, n_groups=3):
    e = _upcoming(world)
    names = ["王五", "丁一", "李四", "万二", "张三", "于六"]
    for i, name in enumerate(names):
        group = f"第{'一二三'[i % n_groups]}村民小组"
        register(e, make_person(name, "M", dt.date(1960 + i, 1, 1), world.village_a1, 40 + i, group=group))
    return e


def test_web_voter_list_is_in_group_then_stroke_order_and_each_group_listed_once(world, client_for):
    e = _voters(world)
    page = client_for("village_a1").get(f"/elections/{e.pk}/voters/").content.decode()
    table = page.split('<table class="grid">')[1]
    order = [n for n in ("丁一", "万二", "于六", "王五", "李四", "张三") if n in table]
    shown = sorted(order, key=table.index)
    # 第一组: 万二(万 3 strokes) 王五(王 4); 第二组: 丁一(丁 2) 张三(张 7); 第三组: 于六(于 3) 李四(李 7).
    # Unicode order would put 王五 before 万二 and 李四 before 于六.
    assert shown == ["万二", "王五", "丁一", "张三", "于六", "李四"]
    options = page.split('name="group"')[1].split("</select>")[0]
    assert options.count("<option") == 4  # 全部小组 + three groups, each once
    assert options.index("第一村民小组") < options.index("第二村民小组") < options.index("第三村民小组")


def test_voter_list_exports_every_row_in_list_order(world, client_for):
    e = _voters(world)
    rows = _sheet(client_for("village_a1").get(f"/elections/{e.pk}/voters/", {"format": "xlsx"}))
    header = next(r for r in rows if r and r[0] == "序号")
    body = rows[rows.index(header) + 1:]
    assert [r[1] for r in body] == ["万二", "王五", "丁一", "张三", "于六", "李四"]
    assert all(len(str(r[3])) == 18 for r in body)  # the village committee keeps the full ID number


def test_elections_overview_and_dashboard_export(world, client_for):
    _upcoming(world)
    rows = _sheet(client_for("county").get(f"/elections/campaign/{world.campaign.slug}/", {"format": "xlsx"}))
    assert any(r[:2] == ["清溪镇", "东山村"] for r in rows)
    rows = _sheet(client_for("county").get(f"/elections/campaign/{world.campaign.slug}/results/county/", {"format": "xlsx"}))
    assert any("东山村" in r for r in rows)


def test_nominations_candidates_and_review_queue_export(world, client_for):
    from huanjie.elections.nomination import services as cs
    from huanjie.elections.tests.candidate_helpers import nominate_basic, setup_village
    from huanjie.review import services as review
    from huanjie.review.models import ReviewVerdict

    v = setup_village(world)
    nominate_basic(v)
    rows = _sheet(client_for("village_a1").get(f"/elections/{v.election.pk}/nominations/", {"format": "xlsx"}))
    assert any(r[:2] == ["主任", "王建国"] and r[5] == 12 for r in rows)
    cs.decide_candidates(world.users["village_a1"], v.election, numbers={"director": 2, "deputy": 2, "member": 4},
                         on=dt.date(2026, 3, 5))
    rows = _sheet(client_for("village_a1").get(f"/elections/{v.election.pk}/candidates/", {"format": "xlsx"}))
    assert sum(1 for r in rows if r and r[0] in ("主任", "副主任", "委员")) == 8
    for persona, tier in (("village_a1", "village"), ("township_a", "township")):
        for verdict in ReviewVerdict.objects.filter(tier=tier):
            review.record_verdict(world.users[persona], verdict, True)
    rows = _sheet(client_for("department").get("/review/queue/", {"format": "xlsx"}))
    assert sum(1 for r in rows if len(r) > 3 and r[1] == "东山村") == 8


# ---------------------------------------------------------------- words a clerk understands


def test_audit_log_says_who_did_what_to_which_thing_in_chinese(world, client_for):
    import re

    from huanjie.elections.tests.voting_helpers import NATIONAL_CANDIDATES, election_day, form_data
    from huanjie.elections.voting import counting, results

    day = election_day(world, candidates=NATIONAL_CANDIDATES)
    data = form_data(day, day.round, (16, 15, 14, 0, 1),
                     {"director": {"张明": 9, "李华": 5}, "deputy": {"王强": 10, "赵敏": 4},
                      "member": {"孙立": 12, "周芳": 11, "吴刚": 10, "郑丽": 5, "冯伟": 3}})
    counting.save_form(world.users["village_a1"], day.round, day.stations[0], data, ())
    results.compute_result(world.users["village_a1"], day.round)
    page = client_for("county").get("/accounts/audit/").content.decode()
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "设立投票站" in body and "计算选举结果" in body and "进入投票阶段" in body
    assert "投票站（票箱）：" in body and "东山村第十二届村民委员会选举：中心会场" in body
    assert " object (" not in body  # "VotingStation object (4)"
    assert not re.search(r">\s*[a-z_]+\.[a-z_]+\s*<", body)  # no English action codes as text
    assert "{'" not in body and "': " not in body  # no raw Python dicts
    assert "<strong>阶段</strong>：筹备 → 投票" in body and "<strong>收回选票</strong>：（空） → 15" in body


def test_village_committee_passes_its_pre_review_in_bulk(world, client_for):
    """Bulk pass at the 村级预审 as the departments have it at the county."""
    from huanjie.elections.nomination import services as cs
    from huanjie.elections.nomination.models import Candidate
    from huanjie.elections.tests.candidate_helpers import nominate_basic, setup_village
    from huanjie.review.models import ReviewCase, ReviewVerdict

    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(world.users["village_a1"], v.election, numbers={"director": 2, "deputy": 2, "member": 4},
                         on=dt.date(2026, 3, 5))
    c = client_for("village_a1")
    page = c.get("/review/cases/").content.decode()
    assert 'id="bulk-form"' in page and "批量村级预审" in page
    pending = list(ReviewVerdict.objects.filter(tier="village", verdict="pending"))
    kept = Candidate.objects.get(person__name="张伟")
    r = c.post("/review/queue/bulk/", {"township": world.village_a1.code, "shown": [x.pk for x in pending],
                                       "except": [kept.pk]}, follow=True)
    assert "已批量审查通过 7 人" in r.content.decode()
    assert ReviewCase.objects.filter(stage=ReviewCase.TOWNSHIP).count() == 7
    assert ReviewCase.objects.get(candidate=kept).stage == ReviewCase.VILLAGE
    # a village cannot pass another village's candidates, nor act at the township's tier
    assert c.post("/review/queue/bulk/", {"township": world.village_b1.code}).status_code == 404


# ---------------------------------------------------------------- the election page


def test_election_page_follows_the_order_of_the_work_and_says_the_next_step(world, client_for):
    from huanjie.elections.tests.workflow_helpers import make_ready

    e = _upcoming(world)
    make_ready(world, world.village_a1)
    page = client_for("village_a1").get(f"/elections/{e.pk}/").content.decode()
    order = [page.index(f"<h2>{h}") for h in ("选举日程", "村民选举委员会", "选民登记", "提名、正式候选人和委托投票",
                                                "投票前置条件", "投票和计票", "选举结果、报送和移交")]
    assert order == sorted(order)
    assert 'id="next-step"' in page and "下一步" in page and "公布选民名单" in page
    # the vote opens on the election day: no button before it, the page says when
    assert "进入投票阶段</button>" not in page and 'id="opens-on"' in page


def test_committee_member_is_found_by_name(world, client_for):
    e = _upcoming(world)
    page = client_for("village_a1").get(f"/elections/{e.pk}/committee/").content.decode()
    assert 'hx-get="/people/pick/"' in page and 'id="id_id_number-results"' in page


def test_counting_form_says_it_cannot_be_saved_yet_and_read_only_roles_see_text(world, client_for):
    """The issue: the counting form was editable before the voting stage and threw the typing
    away; the observer saw inputs with "只有乡镇换届办解锁后才能修改"."""
    from huanjie.elections.voting import services as voting
    from huanjie.elections.voting.models import VotingStation

    e = _upcoming(world)
    station = voting.add_station(world.users["township_a"], e, name="中心会场", kind=VotingStation.CENTRAL)
    rnd = e.rounds.get(number=1)
    from django.urls import reverse

    url = reverse("elections:counting_form", kwargs={"pk": rnd.pk, "station_pk": station.pk})
    page = client_for("village_a1").get(url).content.decode()
    assert 'id="counting-blocked"' in page and "计票单暂不能保存" in page and "尚未进入投票阶段" in page
    assert "<fieldset class=\"card\" disabled>" in page and 'id="save-form"' not in page
    observer = client_for("observer").get(url).content.decode()
    assert 'id="counting-readonly"' in observer and 'name="issued"' not in observer
    # nor the typing instructions of a form it cannot type in
    assert 'id="entry-help"' in page and "Tab 键到下一格" not in observer


def test_a_refused_review_verdict_comes_back_with_its_choice(world, client_for):
    """The issue: the review verdict lost its choice after an error. The refused POST is kept and
    handed to the form once (core/kept.py; app.js puts the values back)."""
    from huanjie.elections.nomination import services as cs
    from huanjie.elections.tests.candidate_helpers import nominate_basic, setup_village
    from huanjie.review.models import ReviewVerdict

    v = setup_village(world)
    nominate_basic(v)
    cs.decide_candidates(world.users["village_a1"], v.election, numbers={"director": 2, "deputy": 2, "member": 4},
                         on=dt.date(2026, 3, 5))
    verdict = ReviewVerdict.objects.filter(tier="village").first()
    c = client_for("village_a1")
    r = c.post(f"/review/verdicts/{verdict.pk}/record/", {"result": "fail", "comment": "另有举报，待核"}, follow=True)
    import json

    page = r.content.decode()
    kept = json.loads(page.split('id="kept-form" type="application/json">')[1].split("</script>")[0])
    assert kept["data"]["result"] == ["fail"] and kept["data"]["comment"] == ["另有举报，待核"]
    # handed out once: the next page has no kept form
    assert 'id="kept-form"' not in c.get(f"/review/verdicts/{verdict.pk}/").content.decode()


def test_a_refused_staff_form_comes_back_filled(world, client_for):
    import json

    from huanjie.elections.voting import services as voting
    from huanjie.elections.voting.models import VotingStation

    e = _upcoming(world)
    station = voting.add_station(world.users["township_a"], e, name="中心会场", kind=VotingStation.CENTRAL)
    c = client_for("village_a1")
    r = c.post(f"/elections/{e.pk}/voting/staff/", {"station": station.pk, "id_number": "130731197003050012",
                                                    "role": "counter"}, follow=True)
    page = r.content.decode()
    assert "校验位不符" in page
    kept = json.loads(page.split('id="kept-form" type="application/json">')[1].split("</script>")[0])
    assert kept["data"]["id_number"] == ["130731197003050012"] and kept["data"]["role"] == ["counter"]


# ---------------------------------------------------------------- date fields offer valid dates


def _date_value(page: str, name: str) -> str:
    """The value of the first date input named ``name`` on the page."""
    import re

    m = re.search(r'<input type="date"[^>]*name="' + name + r'"[^>]*>', page)
    assert m, name
    v = re.search(r'value="([^"]*)"', m.group(0))
    return v.group(1) if v else ""


def test_date_fields_offer_today_only_where_the_fact_can_have_happened_today(world, client_for):
    """Issue 11: a date field defaults to today only when the service would accept today; otherwise
    it is empty and says why (here: an election whose day has passed, so the facts before the vote
    cannot be recorded today, while the new committee's day can)."""
    today = timezone.localdate()
    e = _upcoming(world, days=60)
    c = client_for("village_a1")
    ahead = {
        "nominations": c.get(f"/elections/{e.pk}/nominations/").content.decode(),
        "proxies": c.get(f"/elections/{e.pk}/proxies/").content.decode(),
    }
    assert _date_value(ahead["proxies"], "filed_on") == today.isoformat()
    # The nomination follows the voter list's publication, not yet recorded: today is possible.
    assert _date_value(ahead["nominations"], "held_on") == today.isoformat()

    Election.objects.filter(pk=e.pk).update(election_date=today - dt.timedelta(days=3))
    past = {
        "nominations": c.get(f"/elections/{e.pk}/nominations/").content.decode(),
        "proxies": c.get(f"/elections/{e.pk}/proxies/").content.decode(),
        "detail": c.get(f"/elections/{e.pk}/").content.decode(),
    }
    for key, name in (("nominations", "held_on"), ("proxies", "filed_on")):
        assert _date_value(past[key], name) == "", key
        assert "未预填今天的日期" in past[key] and "应早于选举日" in past[key], key
    # The step form: each step carries its own default; the first (publishing the list) none.
    detail = past["detail"]
    assert _date_value(detail, "done_on") == ""
    assert 'value="voter_list_published" selected data-default-date=""' in detail  # the next step, chosen
    assert f'value="took_office" data-default-date="{today.isoformat()}"' in detail


def test_the_date_rule_of_a_step_and_its_default_agree(world):
    """The default of each step's form is computed by the same rule that records it: a step whose
    default is today is accepted today, one without a default is refused today."""
    today = timezone.localdate()
    e = _upcoming(world, days=60)
    Election.objects.filter(pk=e.pk).update(election_date=today - dt.timedelta(days=3))
    e.refresh_from_db()
    keys = services.step_keys(e)
    defaults = services.step_date_defaults(e, keys)
    clerk = world.users["village_a1"]
    for key in keys:
        try:
            services.record_step(clerk, e, key, today, note="补记")
        except services.ElectionError:
            accepted = False
        else:
            accepted = True
            e.steps.filter(key=key).delete()
        assert accepted is (defaults[key].value == today), key


def test_election_page_names_the_next_step_once_and_cites_the_law_not_our_codes(world, client_for):
    e = _upcoming(world)
    page = client_for("village_a1").get(f"/elections/{e.pk}/").content.decode()
    banner = page.split('id="next-step"')[1].split("</div>")[0]
    assert "下一步：" in banner and "东山村·村民委员会选举：下一步" not in banner
    assert "（P14—P16）" not in page and "（P17）" not in page


def test_arrangements_notice_form_is_gone_once_the_vote_is_open(world, client_for):
    """Walking 河西村 after its vote: the arrangements page still offered to publish the notice
    (with an empty date, today being after the vote). Once the vote is open it is not offered."""
    from huanjie.elections.voting import services as voting
    from huanjie.elections.voting.models import VotingStation

    e = _upcoming(world)
    voting.add_station(world.users["township_a"], e, name="中心会场", kind=VotingStation.CENTRAL)
    assert voting.arrangement_problems(e) == []
    url = f"/elections/{e.pk}/voting/"
    assert 'name="published_on"' in client_for("village_a1").get(url).content.decode()
    Election.objects.filter(pk=e.pk).update(stage=Election.COUNTED)
    assert 'name="published_on"' not in client_for("village_a1").get(url).content.decode()
