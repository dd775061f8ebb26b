"""Persona tests of the party pages: who sees, who writes, and what a clerk reads on bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from huanjie.elections.models import Election
from huanjie.party import services
from huanjie.party.models import Member

from .helpers import add_members, approved_election, dates, roll_row, roll_xlsx

pytestmark = pytest.mark.django_db


def test_member_roll_page_personas(world, client_for):
    branch = services.branch_of(world.users["village_a1"], world.village_a1)
    add_members(world.users["village_a1"], branch, 2)
    url = reverse("party:members", args=[world.village_a1.code])
    for who, status in (("village_a1", 200), ("township_a", 200), ("county", 200), ("observer", 200),
                        ("township_b", 404), ("outsider", 404), ("department", 403)):
        assert client_for(who).get(url).status_code == status, who
    body = client_for("village_a1").get(url).content.decode()
    assert "党员1" in body and "有选举权" in body
    post = reverse("party:members_post", args=[world.village_a1.code])
    assert client_for("observer").post(post, {"action": "branch", "org_type": "branch"}).status_code == 403


def test_import_with_defects_shows_each_row_and_saves_nothing(world, client_for):
    rows = [roll_row(1, "王大山", "男", dt.date(1962, 3, 4), 31), roll_row(2, "孙类别", "男", dt.date(1971, 2, 2), 61,
                                                                     status="积极分子")]
    data = roll_xlsx(rows)
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for("village_a1")
    r = c.post(reverse("party:members_post", args=[world.village_a1.code]),
               {"action": "import", "file": SimpleUploadedFile("名册.xlsx", data)})
    assert r.status_code == 400
    body = r.content.decode()
    assert "第6行" in body and "积极分子" in body and "未导入任何一行" in body
    assert not Member.objects.exists()
    r = c.post(reverse("party:members_post", args=[world.village_a1.code]),
               {"action": "import", "skip_bad_rows": "on", "file": SimpleUploadedFile("名册.xlsx", data)})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert list(Member.objects.values_list("person__name", flat=True)) == ["王大山"]


def test_add_member_by_hand_with_bad_date_is_a_chinese_error(world, client_for):
    r = client_for("village_a1").post(reverse("party:members_post", args=[world.village_a1.code]), {
        "action": "add", "id_number": world.people["wang"].id_number, "joined_on": "2020-13-40"})
    assert r.status_code == 400 and "入党日期“2020-13-40”不是有效日期" in r.content.decode()
    r = client_for("village_a1").post(reverse("party:members_post", args=[world.village_a1.code]), {
        "action": "add", "id_number": world.people["wang"].id_number, "joined_on": "2000-07-01"})
    assert r.status_code == 302 and Member.objects.get().person == world.people["wang"]


def test_create_page(world, client_for):
    d = dates(world)
    url = reverse("party:create", args=[world.campaign.slug])
    assert client_for("village_a1").get(url).status_code == 403
    c = client_for("township_a")
    page = c.get(url).content.decode()
    assert "东山村" in page and "石桥村" not in page  # township B's village is out of scope
    r = c.post(url, {"village": world.village_a1.code, "election_date": "2026-13-01", "method": "two_recommend",
                     "committee_seats": "3"})
    assert r.status_code == 400 and "党员大会日期" in r.content.decode()
    r = c.post(url, {"village": world.village_a1.code, "election_date": d["assembly"].isoformat(),
                     "method": "public_direct", "committee_seats": "5", "deputy_secretaries": "1"})
    e = Election.objects.get(kind=Election.PARTY_BRANCH)
    assert r.status_code == 302 and r["Location"] == reverse("party:election", args=[e.pk])
    assert e.party.get_method_display() == "公推直选"


def test_election_page_personas_and_quorum_shown(world, client_for):
    pe, roll, noms, d = approved_election(world)
    url = reverse("party:election", args=[pe.election.pk])
    for who, status in (("village_a1", 200), ("township_a", 200), ("county", 200), ("observer", 200),
                        ("township_b", 404), ("outsider", 404), ("department", 403)):
        assert client_for(who).get(url).status_code == status, who
    body = client_for("village_a1").get(url).content.decode()
    assert "清溪党〔2026〕8号" in body
    assert "应到会20人，实到会有选举权的0人：0×5=0 ≤ 20×4=80" in body
    # the plenary's page is the branch election's page
    assert client_for("village_a1").get(reverse("party:election", args=[pe.plenary.pk])).status_code == 302
    assert client_for("observer").post(reverse("party:election_post", args=[pe.election.pk]),
                                       {"action": "sign_in", "member": roll[0].pk}).status_code == 403


def test_documents_download(world, client_for):
    pe, roll, noms, d = approved_election(world)
    c = client_for("township_a")
    for name in ("tallies.pdf", "preliminary-notice.pdf", "request.pdf", "approval.pdf", "meeting-notice.pdf",
                 "attendance.pdf"):
        r = c.get(reverse("party:document", args=[pe.election.pk, name]))
        assert r.status_code == 200 and r.content[:5] == b"%PDF-", name
    for name in ("request.docx", "approval.docx"):
        r = c.get(reverse("party:document", args=[pe.election.pk, name]))
        assert r.status_code == 200 and r.content[:2] == b"PK", name
    assert c.get(reverse("party:document", args=[pe.election.pk, "x.pdf"])).status_code == 404


def test_election_list_and_dashboard_show_party_elections(world, client_for):
    pe, roll, noms, d = approved_election(world)
    body = client_for("township_a").get(reverse("elections:list", args=[world.campaign.slug])).content.decode()
    assert reverse("party:election", args=[pe.election.pk]) in body
    dash = client_for("county").get(reverse("elections:county_dashboard", args=[world.campaign.slug]) + "?kind=party_branch")
    text = dash.content.decode()
    assert "村党组织选举" in text and "东山村" in text


def test_congress_mode_through_the_page(world, client_for):
    from huanjie.party.models import Branch, PartyElection

    pe, roll, noms, d = approved_election(world, members=17)
    url = reverse("party:election", args=[pe.election.pk])
    post = reverse("party:election_post", args=[pe.election.pk])
    township, village = client_for("township_a"), client_for("village_a1")
    body = township.get(url).content.decode()
    assert 'id="body-form"' in body and "党员17人，由党员大会选举" in body
    assert 'id="body-form"' not in village.get(url).content.decode()  # the township decides the body
    r = township.post(post, {"action": "body", "body": "congress", "approval_number": "1号",
                             "approved_on": d["request"].isoformat()}, follow=True)
    page = r.content.decode()
    assert "党员17人，由党员大会选举，不能召开党员代表大会" in page and "第四条" in page  # R50 cited
    services.set_branch(world.users["township_a"], pe.branch, Branch.BRANCH, True)
    township.post(post, {"action": "body", "body": "congress", "approval_number": "清溪党〔2026〕3号",
                         "approved_on": d["request"].isoformat()})
    assert PartyElection.objects.get(pk=pe.pk).body == PartyElection.CONGRESS
    names = "\n".join(m.person.name for m in roll[:5])
    r = village.post(post, {"action": "delegates", "who": names, "unit": "第一党小组"}, follow=True)
    page = r.content.decode()
    assert "代表名单（5 名）" in page and "第一党小组" in page
    assert "应到会代表5人" in page
    # the sign-in sheet lists the delegates only
    assert roll[7].person.name not in page.split('id="sign-in"')[1].split("</table>")[0]


def test_age_exception_through_the_page(world, client_for):
    import datetime as dt

    d = dates(world)
    township, village = world.users["township_a"], world.users["village_a1"]
    branch = services.branch_of(village, world.village_a1)
    cutoff = world.campaign.cutoff_date
    from .helpers import new_person

    old = new_person(world.village_a1, "老书记", "M", cutoff.replace(year=cutoff.year - 63))
    services.add_member(village, branch, old, joined_on=dt.date(1990, 7, 1))
    pe = services.create_party_election(township, world.campaign, world.village_a1, d["assembly"])
    n = services.add_nominee(village, pe, old, proposed_post="secretary", current_post="书记")
    url = reverse("party:election", args=[pe.election.pk])
    page = client_for("township_a").get(url).content.decode()
    assert "男60周岁以上不再提名为书记、主任初步候选人（62周岁）" in page and "登记破格" in page
    assert "登记破格" not in client_for("village_a1").get(url).content.decode()
    r = client_for("township_a").post(reverse("party:election_post", args=[pe.election.pk]), {
        "action": "age_exception", "nominee": n.pk, "reason": "实绩突出", "approved_by": "县委组织部"}, follow=True)
    assert "经县委组织部同意留任" in r.content.decode()
