"""Issue 9 §3: a person in another county (or township) is not yours to read or write.

Found: a township clerk imported a roster row with another county's ID number and a made-up name;
the person was registered here (the list showed the real name) and their blank address and phone
were filled with the clerk's text. Adding a relation, polling-station staff or a committee member
by ID number worked on out-of-scope people and the messages named them and their village.
``/people/new/`` listed every village in the database.

The persona (清溪镇's clerk) tries every form and import that takes an ID number with the numbers
of 钱多 (邻村, another county) and 孙强 (石桥村, the other township): no response names them or their
village, nothing of theirs changes, and only the one message is given.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from huanjie.elections.models import CommitteeMember, Election, Job, Objection, VoterRegistration
from huanjie.elections.nomination.models import Proxy
from huanjie.elections.registration import services as registration
from huanjie.elections.tests._roster_files import person_row, xlsx_bytes
from huanjie.elections.voting.models import StationStaff, VotingStation
from huanjie.people.models import Person, Relation
from huanjie.people.services import ELSEWHERE_MESSAGE, Elsewhere, find_person_for

pytestmark = pytest.mark.django_db

OUTSIDERS = {
    "far": ("钱多", ("邻村", "邻县")),
    "sun": ("孙强", ("石桥村", "石桥乡")),
}


@pytest.fixture
def election(world):
    e = Election.objects.create(
        campaign=world.campaign,
        organization=world.village_a1,
        title="东山村第十二届村民委员会选举",
        election_date=dt.date(2027, 1, 10),
    )
    VotingStation.objects.create(election=e, name="中心会场")
    return e


@pytest.fixture
def clerk(client_for):
    return client_for("township_a")


def _state(person: Person) -> tuple:
    person = Person.objects.get(pk=person.pk)
    return (
        person.name,
        person.address,
        person.phone,
        person.group_name,
        person.hukou_village_id,
        person.residence_village_id,
        VoterRegistration.objects.filter(person=person).count(),
        Relation.objects.filter(elder=person).count() + Relation.objects.filter(younger=person).count(),
        CommitteeMember.objects.filter(person=person).count(),
        StationStaff.objects.filter(person=person).count(),
        Objection.objects.filter(about=person).count(),
        Proxy.objects.filter(agent=person).count(),
    )


def _assert_nothing_shown(text: str, key: str) -> None:
    name, places = OUTSIDERS[key]
    assert name not in text
    for place in places:
        assert place not in text


def _page(client, response) -> str:
    """The response and, after a redirect, the page it leads to (where the messages are shown)."""
    text = response.content.decode()
    if response.status_code == 302:
        text += client.get(response["Location"]).content.decode()
    return text


def test_the_one_lookup(world):
    township = world.users["township_a"]
    assert find_person_for(township, world.people["wang"].id_number) == world.people["wang"]
    for key in OUTSIDERS:
        found = find_person_for(township, world.people[key].id_number)
        assert isinstance(found, Elsewhere) and not found and found.message == ELSEWHERE_MESSAGE
        assert not hasattr(found, "name")
    assert find_person_for(township, "") is None
    # The county sees its townships' people; the system (None) sees everyone.
    assert find_person_for(world.users["county"], world.people["sun"].id_number) == world.people["sun"]
    assert isinstance(find_person_for(world.users["county"], world.people["far"].id_number), Elsewhere)
    assert find_person_for(None, world.people["far"].id_number) == world.people["far"]


def test_new_person_page_lists_only_villages_in_scope(world, clerk):
    text = clerk.get(reverse("people:create")).content.decode()
    assert "东山村" in text and "柳塘村" in text
    for village in ("石桥村", "邻村"):
        assert village not in text


@pytest.mark.parametrize("key", OUTSIDERS)
def test_new_person_with_an_out_of_scope_number(world, clerk, key):
    outsider = world.people[key]
    before = _state(outsider)
    r = clerk.post(
        reverse("people:create"),
        {
            "name": "假名",
            "id_number": outsider.id_number,
            "ethnicity": "汉族",
            "political_status": "none",
            "hukou_village": world.village_a1.pk,
        },
    )
    text = _page(clerk, r)
    assert ELSEWHERE_MESSAGE in text
    _assert_nothing_shown(text, key)
    assert _state(outsider) == before
    # A residence village out of scope is not accepted either.
    r = clerk.post(
        reverse("people:create"),
        {
            "name": "新人",
            "ethnicity": "汉族",
            "gender": "M",
            "birth_date": "1980-01-01",
            "political_status": "none",
            "hukou_village": world.village_a1.pk,
            "residence_village": outsider.hukou_village_id,
        },
    )
    assert r.status_code == 400 and not Person.objects.filter(name="新人").exists()


@pytest.mark.parametrize("key", OUTSIDERS)
def test_relation_with_an_out_of_scope_person(world, clerk, key):
    outsider = world.people[key]
    before = _state(outsider)
    r = clerk.post(
        reverse("people:relation_add", args=[world.people["wang"].pk]),
        {"other_id_number": outsider.id_number, "kind": "sibling"},
    )
    text = _page(clerk, r)
    assert ELSEWHERE_MESSAGE in text
    _assert_nothing_shown(text, key)
    assert _state(outsider) == before


@pytest.mark.parametrize("key", OUTSIDERS)
def test_committee_member_by_out_of_scope_number(world, clerk, election, key):
    outsider = world.people[key]
    before = _state(outsider)
    r = clerk.post(
        reverse("elections:committee", args=[election.pk]),
        {
            "id_number": outsider.id_number,
            "post": "member",
            "chosen_by": "villagers_meeting",
            "vote_order": 1,
            "joined_on": "2026-01-20",
        },
    )
    text = _page(clerk, r)
    assert ELSEWHERE_MESSAGE in text
    _assert_nothing_shown(text, key)
    assert _state(outsider) == before


@pytest.mark.parametrize("key", OUTSIDERS)
def test_station_staff_by_out_of_scope_number(world, clerk, election, key):
    outsider = world.people[key]
    before = _state(outsider)
    station = election.stations.get()
    r = clerk.post(
        reverse("elections:voting_staff", args=[election.pk]),
        {"station": station.pk, "id_number": outsider.id_number, "role": "counter"},
    )
    text = _page(clerk, r)
    assert ELSEWHERE_MESSAGE in text
    _assert_nothing_shown(text, key)
    assert _state(outsider) == before


@pytest.mark.parametrize("key", OUTSIDERS)
def test_objection_about_an_out_of_scope_person(world, clerk, election, key):
    outsider = world.people[key]
    before = _state(outsider)
    r = clerk.post(
        reverse("elections:voters_objection_add", args=[election.pk]),
        {
            "objector_name": "某某",
            "about_id_number": outsider.id_number,
            "kind": "should_remove",
            "content": "不是本村村民",
            "filed_on": dt.date.today().isoformat(),  # a fact of today (R4): only the scope refuses it
        },
    )
    _assert_nothing_shown(_page(clerk, r), key)
    assert _state(outsider) == before


@pytest.mark.parametrize("key", OUTSIDERS)
def test_proxy_agent_out_of_scope(world, clerk, election, key):
    outsider = world.people[key]
    VoterRegistration.objects.create(
        campaign=world.campaign,
        election=election,
        person=world.people["li"],
        registered_on=dt.date(2026, 12, 1),
    )
    before = _state(outsider)
    r = clerk.post(
        reverse("elections:proxies_add", args=[election.pk]),
        {"principal": world.people["li"].id_number, "agent": outsider.id_number, "filed_on": "2026-12-20"},
    )
    _assert_nothing_shown(_page(clerk, r), key)
    assert _state(outsider) == before


@pytest.mark.parametrize("key", OUTSIDERS)
def test_voter_by_hand_on_a_household_category(world, clerk, election, key):
    outsider = world.people[key]
    before = _state(outsider)
    r = clerk.post(
        reverse("elections:voters_add", args=[election.pk]),
        {"id_number": outsider.id_number, "name": "假名", "category": "hukou_resident"},
    )
    text = _page(clerk, r)
    assert ELSEWHERE_MESSAGE in text
    _assert_nothing_shown(text, key)
    assert _state(outsider) == before


def test_category_3_resident_from_elsewhere_is_linked_without_touching_the_record(world, clerk, election):
    """A resident whose household register is in another county: linked to the existing record
    only with the name on the ID card, and the record keeps its own fields."""
    outsider = world.people["far"]
    Person.objects.filter(pk=outsider.pk).update(address="", phone="", group_name="邻村三组")
    before = _state(outsider)
    data = {
        "id_number": outsider.id_number,
        "category": "resident_approved",
        "resident_since": "2024-01-01",
        "applied_on": "2026-12-01",
        "assembly_approved_on": "2026-12-05",
    }
    for wrong in ("", "假名"):  # without the name on record, nothing is linked and nothing shown
        text = _page(clerk, clerk.post(reverse("elections:voters_add", args=[election.pk]), {**data, "name": wrong}))
        assert ELSEWHERE_MESSAGE in text
        _assert_nothing_shown(text, "far")
    assert _state(outsider) == before
    r = clerk.post(reverse("elections:voters_add", args=[election.pk]), {**data, "name": "钱多"})
    assert r.status_code == 302
    reg = VoterRegistration.objects.get(election=election, person=outsider)
    assert reg.category == "resident_approved" and reg.group_name == ""
    after = Person.objects.get(pk=outsider.pk)
    assert (after.name, after.address, after.phone, after.group_name, after.hukou_village_id) == (
        "钱多", "", "", "邻村三组", outsider.hukou_village_id
    )


@pytest.mark.parametrize("key", OUTSIDERS)
def test_roster_import_with_an_out_of_scope_number_and_a_made_up_name(world, clerk, election, key, settings):
    """The found case: the row is refused with the one message; the person is not registered and
    their blank address and phone stay blank."""
    settings.HUANJIE_JOBS_SYNC = True
    outsider = world.people[key]
    Person.objects.filter(pk=outsider.pk).update(address="", phone="")
    before = _state(outsider)
    gender = "男" if int(outsider.id_number[16]) % 2 else "女"  # as the number says
    made_up = person_row(1, "冒名", gender, outsider.birth_date, 家庭住址="东山村99号", 联系电话="13900000000")
    made_up["公民身份号码"] = outsider.id_number
    good = person_row(2, "新乙", "女", dt.date(1985, 3, 4))
    f = SimpleUploadedFile("名册.xlsx", xlsx_bytes([made_up, good]))
    r = clerk.post(reverse("elections:voters_upload", args=[election.pk]), {"file": f, "category": "hukou_resident"})
    assert r.status_code == 302
    text = _page(clerk, r)
    assert escape(ELSEWHERE_MESSAGE) in text or ELSEWHERE_MESSAGE in text
    _assert_nothing_shown(text, key)
    job = Job.objects.get(kind="roster_preview")
    r = clerk.post(reverse("elections:voters_commit", args=[election.pk, job.pk]), {"mode": "good"})
    _assert_nothing_shown(_page(clerk, r), key)
    assert _state(outsider) == before
    assert VoterRegistration.objects.filter(election=election, person__name="新乙").exists()


def test_roster_r9_conflict_in_another_county_is_not_named(world, election):
    """R9 still refuses a number registered elsewhere, without naming the place."""
    other = Election.objects.create(
        campaign=world.campaign,
        organization=world.village_b1,
        title="石桥村选举",
        election_date=dt.date(2027, 1, 10),
    )
    registration.register_voter(None, other, world.people["sun"], "hukou_resident")
    row = person_row(1, "孙强", "男" if int(world.people["sun"].id_number[16]) % 2 else "女", world.people["sun"].birth_date)
    row["公民身份号码"] = world.people["sun"].id_number
    parsed = registration.preview_import(
        election, xlsx_bytes([row]), "名册.xlsx", actor=world.users["village_a1"]
    )
    messages = " ".join(p.message for r in parsed.rows for p in r.errors)
    assert ELSEWHERE_MESSAGE in messages
    _assert_nothing_shown(messages, "sun")
    # The system (command line) still gets the engine's full R9 reason.
    parsed = registration.preview_import(election, xlsx_bytes([row]), "名册.xlsx")
    assert "石桥村" in " ".join(p.message for r in parsed.rows for p in r.errors)
