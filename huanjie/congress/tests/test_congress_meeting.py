"""The congress itself: candidate lists with the 20 % margin and the county's approval, the
preparatory meeting, scrutineers who are not candidates, the headcount and its quorum, both
elections counted by the engine through the machinery, the first plenaries (R61) and the county's
approval of the result."""

from __future__ import annotations

import pytest
from django.utils import timezone

from huanjie.congress import services
from huanjie.congress.models import Congress
from huanjie.elections import services as elections
from huanjie.elections.models import ElectedMember
from huanjie.elections.voting import counting, results
from huanjie.elections.voting import services as voting

from .test_delegates import approved, walk_unit_two  # noqa: F401  (fixture)
from .test_planning import town  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def count(actor, election, lines_votes, issued):
    elections.open_voting(actor, election)
    election.refresh_from_db()
    station = voting.add_station(actor, election, name="大会会场")
    rnd = election.rounds.get(number=1)
    lines = [counting.LineData(election.posts.get(code=code).pk, name, v) for code, name, v in lines_votes]
    counting.save_form(actor, rnd, station, counting.FormData(issued, issued, issued, 0, 0, lines))
    results.compute_result(actor, rnd)
    return sorted(ElectedMember.objects.filter(election=election).values_list("name", flat=True))


def test_the_congress_elects_its_committees(world, approved, client_for):  # noqa: F811
    t, county = world.users["township_a"], world.users["county"]
    today = timezone.localdate()
    walk_unit_two(world, approved)
    decisions = services.review_credentials(t, approved, today)
    assert len(decisions) == 3
    services.set_up_elections(t, approved, today)
    congress = Congress.objects.get(pk=approved.pk)
    e = congress.committee_election
    assert e.organization == world.township_a and e.posts.get().seats == 9 and "选举新一届党委委员" in e.title

    delegates = {d.elected.person_id for d in decisions}
    pool = [m.person for u in congress.units.all() for m in services.unit_members(u)
            if m.person_id not in delegates]
    # committee: 9 seats need 11 candidates; discipline: 5 need 6
    for p in pool[:10]:
        services.add_body_candidate(t, congress, "committee", p)
    for p in pool[20:26]:
        services.add_body_candidate(t, congress, "discipline", p)
    with pytest.raises(services.CongressError, match="不能同时列入两份名单"):
        services.add_body_candidate(t, congress, "discipline", pool[0])
    with pytest.raises(services.CongressError, match="至少需11人"):
        services.approve_body_candidates(county, congress, "安组〔2027〕12号", today)
    services.add_body_candidate(t, congress, "committee", pool[10])
    services.approve_body_candidates(county, congress, "安组〔2027〕12号", today)

    # preparatory meeting, scrutineers, headcount
    blockers = services.congress_ballot_blockers(e)
    assert any("预备会议" in b for b in blockers) and any("总监票人" in b for b in blockers)
    services.record_preparatory(t, congress, held_on=today, agenda="一、听取和审查党委工作报告\n二、选举",
                                presidium="王一\n李二", secretary_general="张三")
    chief = decisions[0]
    services.add_scrutineer(t, congress, chief, chief=True)
    with pytest.raises(services.CongressError, match="已有总监票人"):
        services.add_scrutineer(t, congress, decisions[1], chief=True)
    services.record_headcount(t, congress, 2)
    congress.refresh_from_db()
    assert services.headcount(congress)["met"] is False  # 2 of 3 is not over 4/5
    services.record_headcount(t, congress, 3)
    congress.refresh_from_db()
    assert services.congress_ballot_blockers(e) == []

    # the two elections: more than half of the delegates present (3) → 2 votes
    page = client_for("township_a").get(f"/congress/{congress.pk}/").content.decode()
    assert 'id="sign-in-form"' in page
    names = [p.name for p in pool[:11]]
    elected = count(t, e, [("committee_member", n, 3 if i < 5 else 2 if i < 9 else 1) for i, n in enumerate(names)], 3)
    assert elected == sorted(names[:9])
    page = client_for("township_a").get(f"/congress/{congress.pk}/").content.decode()
    assert 'id="sign-in-form"' not in page  # counted: who came is fixed
    dnames = [p.name for p in pool[20:26]]
    d = congress.discipline_election
    assert count(t, d, [("commission_member", n, 2 if i < 5 else 1) for i, n in enumerate(dnames)], 3) == sorted(
        dnames[:5])

    # first plenaries (R61): uncontested, from among the members just elected
    with pytest.raises(services.CongressError, match="不是新当选的党委委员"):
        services.propose_plenary(t, congress, "committee", {"secretary": [pool[12]], "deputy_secretary": pool[1:3]},
                                 today)
    plenary = services.propose_plenary(t, congress, "committee",
                                       {"secretary": [pool[0]], "deputy_secretary": pool[1:3]}, today)
    services.record_plenary_present(t, congress, "committee", 9)
    assert count(t, plenary, [("secretary", names[0], 9), ("deputy_secretary", names[1], 8),
                              ("deputy_secretary", names[2], 9)], 9) == sorted(names[:3])
    dp = services.propose_plenary(t, congress, "discipline", {"discipline_secretary": [pool[20]]}, today)
    services.record_plenary_present(t, congress, "discipline", 5)
    assert count(t, dp, [("discipline_secretary", dnames[0], 5)], 5) == [dnames[0]]
    with pytest.raises(services.CongressError, match="县委"):
        services.record_result_approval(t, congress, "安委〔2027〕20号", today)
    services.record_result_approval(county, congress, "安委〔2027〕20号", today)
    congress.refresh_from_db()
    assert congress.result_approval_date == today

    # every document of the meeting is made from these data
    import io
    import os

    from pypdf import PdfReader

    from huanjie.congress import documents
    from huanjie.elections.services import zh_number

    texts = {}
    for name, (_, make) in documents.DOCUMENTS.items():
        if "county" in name:
            # this congress elects no delegates to the county congress: nothing to print
            with pytest.raises(documents.DocumentError, match="尚未建立"):
                make(congress)
            continue
        content = make(congress)
        assert content[:2] in (b"%P", b"PK"), name
        if os.environ.get("HUANJIE_SHOTS"):
            with open(os.path.join(os.environ["HUANJIE_SHOTS"], name), "wb") as fh:
                fh.write(content)
        if name.endswith(".pdf"):
            texts[name] = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).replace("\n", "")
    assert "实到会代表3名" in texts["headcount.pdf"].replace(" ", "")
    assert "备用选票" in texts["ballots-committee-spare.pdf"] and "正式选票" in texts["ballots-committee-formal.pdf"]
    assert "备用选票" not in texts["ballots-committee-formal.pdf"]
    # the congress's ballots are sealed by its presidium, not by a village's election committee
    assert "大会主席团盖章" in texts["ballots-committee-formal.pdf"].replace(" ", "")
    assert "选举委员会" not in texts["ballots-committee-formal.pdf"]
    assert names[0] in texts["result-committee_plenary.pdf"]
    # the result reports carry the township committee's own term (the 3rd congress elects the 3rd
    # committee), not the campaign's village term number
    flat = {k: v.replace(" ", "") for k, v in texts.items()}
    assert "中共清溪镇第三届委员会委员选举结果报告单" in flat["result-committee.pdf"]
    assert "中共清溪镇第三届纪律检查委员会委员选举结果报告单" in flat["result-discipline.pdf"]
    assert "中共清溪镇第三届委员会第一次全体会议书记、副书记选举结果报告单" in flat["result-committee_plenary.pdf"]
    assert "中共清溪镇第三届纪律检查委员会第一次全体会议书记选举结果报告单" in flat["result-discipline_plenary.pdf"]
    term = f"第{zh_number(congress.campaign.term_number)}届"
    assert not any(term in flat[f"result-{b}.pdf"] for b in
                   ("committee", "discipline", "committee_plenary", "discipline_plenary")), term

    # the congress page shows the meeting as it went (and its <title> is just the congress's)
    from django.urls import reverse

    body = client_for("county").get(reverse("congress:detail", args=[congress.pk])).content.decode()
    assert f"<title>{congress.title}" in body and "<section" not in body.split("<title>")[1].split("</title>")[0]
    assert "超过应到会人数的五分之四" in body and f"书记：{names[0]}" in body and "安委〔2027〕20号" in body
    assert client_for("township_b").get(reverse("congress:detail", args=[congress.pk])).status_code == 404

    # the machinery's own pages open for the congress's elections (township as organisation)
    c = client_for("township_a")
    for e in (congress.committee_election, congress.discipline_election, congress.committee_plenary,
              congress.discipline_plenary):
        first = e.rounds.get(number=1)
        for url in (reverse("elections:detail", args=[e.pk]), reverse("elections:voting", args=[e.pk]),
                    reverse("elections:ballots", args=[e.pk]), reverse("elections:counting", args=[first.pk]),
                    reverse("elections:result", args=[first.pk])):
            assert c.get(url).status_code == 200, url


def test_county_delegates_elected_at_the_congress(world, approved, client_for):  # noqa: F811
    """Seed 002 三 (选好出席县级党代会的代表): where the campaign requires it, the congress elects
    the township's delegates to the county congress — a further election on the machinery (R63
    margin, the congress's headcount, R58 threshold)."""
    import datetime as dt
    import io

    from pypdf import PdfReader

    from huanjie.congress import documents
    from huanjie.elections.models import Election

    t = world.users["township_a"]
    today = timezone.localdate()
    walk_unit_two(world, approved)
    decisions = services.review_credentials(t, approved, today)
    with pytest.raises(services.CongressError, match="不需要选举出席县党代会代表"):
        services.set_up_county_delegates(t, approved, today)
    for bad in (None, -1, 301):
        with pytest.raises(services.CongressInvalid) as exc:
            services.set_county_delegate_seats(t, approved, bad)
        assert "出席县党代会代表名额" in exc.value.errors["county_delegate_seats"]
    with pytest.raises(services.CongressError):
        services.set_county_delegate_seats(world.users["observer"], approved, 2)
    services.set_county_delegate_seats(t, approved, 2)
    with pytest.raises(services.CongressError, match="大会选举（党委委员、纪委委员）尚未建立"):
        services.set_up_county_delegates(t, approved, today)
    services.set_up_elections(t, approved, today)
    congress = Congress.objects.get(pk=approved.pk)
    with pytest.raises(services.CongressInvalid, match="应在大会选举日"):
        services.set_up_county_delegates(t, congress, today - dt.timedelta(days=1))
    e = services.set_up_county_delegates(t, congress, today).county_delegates_election
    assert e.kind == Election.COUNTY_DELEGATES and e.organization == world.township_a and e.posts.get().seats == 2
    assert "出席安平县党代会代表" in e.title
    with pytest.raises(services.CongressError, match="已经建立"):
        services.set_up_county_delegates(t, congress, today)
    with pytest.raises(services.CongressInvalid):
        services.set_county_delegate_seats(t, congress, 3)
    pool = [m.person for u in congress.units.all() for m in services.unit_members(u)]
    for p in pool[:2]:
        services.add_body_candidate(t, congress, "county", p)
    with pytest.raises(services.CongressError, match="已是出席县党代会代表候选人"):
        services.add_body_candidate(t, congress, "county", pool[0])
    check = services.body_candidate_check(congress, "county")
    assert (check["have"], check["need"], check["ok"]) == (2, 3, False)
    assert any("至少需3人" in b for b in services.congress_ballot_blockers(e))
    services.add_body_candidate(t, congress, "county", pool[2])
    services.record_preparatory(t, congress, held_on=today, agenda="选举", presidium="王一", secretary_general="张三")
    services.add_scrutineer(t, congress, decisions[0], chief=True)
    services.record_headcount(t, congress, 3)
    congress.refresh_from_db()
    assert services.congress_ballot_blockers(e) == []
    names = [p.name for p in pool[:3]]
    # more than half of the 3 delegates present → 2 votes
    assert count(t, e, [("delegate", n, v) for n, v in zip(names, (3, 2, 1), strict=True)], 3) == sorted(names[:2])
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(documents.result_report_pdf(congress, "county")))
                   .pages).replace(" ", "").replace("\n", "")
    assert "中国共产党清溪镇第三次代表大会出席安平县党代会代表选举结果报告单" in text
    # seed 003 篇7 step 53 (大会选举产生出席县党代表大会代表) is done on the day it was counted
    assert next(r for r in services.timeline(congress) if r.step.number == 53).done_on == today
    body = client_for("county").get(reverse_detail(congress)).content.decode()
    assert 'id="county-delegates"' in body and "出席县党代会代表名额 2 名" in body


def reverse_detail(congress):
    from django.urls import reverse

    return reverse("congress:detail", args=[congress.pk])


def test_county_delegates_section_by_role(world, approved, client_for):  # noqa: F811
    from huanjie.congress import documents

    t = world.users["township_a"]
    today = timezone.localdate()
    walk_unit_two(world, approved)
    services.review_credentials(t, approved, today)
    services.set_up_elections(t, approved, today)
    url = reverse_detail(approved)
    post = url + "do/"
    form = {"action": "county_seats", "county_delegate_seats": "2"}
    assert client_for("observer").post(post, form).status_code == 403
    assert client_for("village_a1").post(post, form).status_code == 403
    assert client_for("township_b").post(post, form).status_code == 404
    seen = client_for("observer").get(url).content.decode()
    assert 'id="county-delegates"' in seen and 'id="county-seats-form"' not in seen
    c = client_for("township_a")
    r = c.post(post, form | {"county_delegate_seats": "两"}, follow=True)
    assert "出席县党代会代表名额应为0到300的整数" in r.content.decode()
    r = c.post(post, form, follow=True)
    assert "出席县党代会代表名额 2 名" in r.content.decode() and 'id="county-set-up-form"' in r.content.decode()
    r = c.post(post, {"action": "county_set_up", "election_date": today.isoformat()}, follow=True)
    assert "出席县党代会代表的选举已建立" in r.content.decode()
    congress = Congress.objects.get(pk=approved.pk)
    person = services.unit_members(congress.units.get(number=2))[5].person
    r = c.post(post, {"action": "body_candidate", "body": "county", "person": person.pk}, follow=True)
    body = r.content.decode()
    assert f"已增加候选人{person.name}" in body and "至少需3人" in body
    formal = documents.ballots_pdf(congress, "county", "formal")
    assert formal[:4] == b"%PDF"


def test_delegates_sign_in_one_by_one_and_the_count_follows(world, approved, client_for):  # noqa: F811
    """逐人签到: 实到 is the number of delegates ticked, not a figure typed beside the list; a typed
    figure that differs from the sign-ins is refused, and only confirmed delegates can sign in."""
    from huanjie.accounts.models import AuditRecord
    from huanjie.congress.models import CredentialDecision

    t = world.users["township_a"]
    today = timezone.localdate()
    walk_unit_two(world, approved)
    decisions = services.review_credentials(t, approved, today)
    services.set_up_elections(t, approved, today)
    congress = Congress.objects.get(pk=approved.pk)
    ids = [d.pk for d in decisions]
    with pytest.raises(services.CongressError, match="登记代表签到"):
        services.record_sign_in(world.users["village_a1"], congress, ids)
    with pytest.raises(services.CongressInvalid, match="只有资格审查确认有效的代表才能签到"):
        services.record_sign_in(t, congress, ids + [max(ids) + 1000])
    h = services.record_sign_in(t, congress, ids[:2])
    assert (h["present"], h["expected"], h["met"]) == (2, 3, False) and sorted(h["signed"]) == sorted(ids[:2])
    congress.refresh_from_db()
    with pytest.raises(services.CongressInvalid, match="已逐人签到2名代表，实到会代表人数以签到为准（收到3）"):
        services.record_headcount(t, congress, 3)
    client = client_for("township_a")
    r = client.post(f"/congress/{congress.pk}/do/", {"action": "sign_in", "signed": [str(i) for i in ids]})
    assert r.status_code == 302
    congress.refresh_from_db()
    assert congress.present_delegates == 3 and services.headcount(congress)["met"] is True
    assert CredentialDecision.objects.filter(pk__in=ids, signed_in_at__isnull=False).count() == 3
    page = client.get(f"/congress/{congress.pk}/").content.decode()
    assert "逐人签到（3/3）" in page and page.count('name="signed"') == 3 and page.count(" checked>") >= 3
    services.record_headcount(t, congress, 3)  # the same figure as the sign-ins is accepted
    services.record_sign_in(t, congress, ids[1:])
    assert CredentialDecision.objects.get(pk=ids[0]).signed_in_at is None
    last = AuditRecord.objects.filter(action="congress.sign_in").order_by("-id").first()
    assert last.changes["present_delegates"] == [3, 2] and last.changes["signed_out"] == [None, [decisions[0].elected.name]]


@pytest.mark.parametrize("junk", ["abc", "99999999999999999999999", "-1", "１２", "x" * 3000, "9999-99-99", ""])
def test_the_new_meeting_forms_answer_junk_without_a_server_error(world, approved, junk):  # noqa: F811
    """The sign-in grid, a unit's exclusion form and the structure targets, posted with hostile
    values: a Chinese message or a harmless no-op, never a 500, and nothing saved that was not asked."""
    from django.test import Client

    from huanjie.congress.models import CredentialDecision
    from huanjie.party.models import Exclusion

    t = world.users["township_a"]
    today = timezone.localdate()
    walk_unit_two(world, approved)
    services.review_credentials(t, approved, today)
    services.set_up_elections(t, approved, today)
    c = Client(raise_request_exception=False)
    c.force_login(t)
    unit = approved.units.get(number=2)
    posts = [
        (f"/congress/{approved.pk}/do/", {"action": "sign_in", "signed": [junk, junk]}),
        (f"/congress/{approved.pk}/do/", {"action": "structure_targets", "young_age": junk, "cadre_max_percent": junk}),
        (f"/congress/unit/{unit.pk}/do/", {"action": "exclusion", "member": junk, "situation": junk,
                                           "township_agreed_on": junk, "assembly_approved_on": junk}),
    ]
    for url, data in posts:
        r = c.post(url, data)
        assert r.status_code in (302, 400), (url, r.status_code)
        assert c.get(r["Location"] if r.status_code == 302 else url).status_code == 200
    approved.refresh_from_db()
    assert not CredentialDecision.objects.filter(congress=approved, signed_in_at__isnull=False).exists()
    assert approved.structure_targets == {} and not Exclusion.objects.exists()
