import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from huanjie.people import services
from huanjie.people.models import Person, Relation

pytestmark = pytest.mark.django_db


def data(world, **kw):
    base = {"name": "周敏", "id_number": "", "gender": "", "birth_date": None, "ethnicity": "汉族",
            "political_status": "none", "hukou_village": world.village_a1}
    base.update(kw)
    return base


def test_id_number_is_normalised_and_gives_gender_and_birth(world):
    # 11010519491231002X: full-width digits, a space and lower-case x are normalised (R66)
    p = services.save_person(world.users["village_a1"], data(world, id_number="１１０１０５ 19491231002x"))
    assert p.id_number == "11010519491231002X"
    assert p.gender == "F" and p.birth_date == dt.date(1949, 12, 31) and not p.manual_birth_data


def test_bad_check_digit_is_refused_with_field_and_reason(world):
    with pytest.raises(services.ValidationFailed) as exc:
        services.save_person(world.users["village_a1"], data(world, id_number="110105194912310021"))
    assert "id_number" in exc.value.errors and "校验" in exc.value.errors["id_number"]
    assert not Person.objects.filter(name="周敏").exists()


def test_without_id_gender_and_birth_are_required_and_flagged(world):
    with pytest.raises(services.ValidationFailed) as exc:
        services.save_person(world.users["village_a1"], data(world))
    assert set(exc.value.errors) == {"gender", "birth_date"}
    p = services.save_person(world.users["village_a1"], data(world, gender="F", birth_date=dt.date(1990, 2, 3)))
    assert p.manual_birth_data and p.id_number is None


def test_one_person_one_record(world):
    existing = world.people["sun"]
    with pytest.raises(services.ValidationFailed) as exc:
        services.save_person(world.users["county"], data(world, id_number=existing.id_number))
    assert "石桥村" in exc.value.errors["id_number"] and "孙强" in exc.value.errors["id_number"]


def test_scope_and_read_only_roles(world):
    with pytest.raises(Http404):
        services.save_person(world.users["township_b"], data(world, gender="M", birth_date=dt.date(1990, 1, 1)))
    with pytest.raises(PermissionDenied):
        services.save_person(world.users["observer"], data(world, gender="M", birth_date=dt.date(1990, 1, 1)))


def test_relation_is_stored_once_and_read_from_both_sides(world):
    wang, li, son = world.people["wang"], world.people["li"], world.people["wang_son"]
    labels_wang = {label: other.name for label, other, _ in wang.relations()}
    assert labels_wang == {"配偶": "李秀英", "儿子": "王小明"}
    assert [(label, o.name) for label, o, _ in son.relations()] == [("父亲", "王建国")]
    with pytest.raises(services.ValidationFailed):
        services.add_relation(world.users["village_a1"], li, wang, Relation.SPOUSE)
    rel = services.add_relation(world.users["village_a1"], li, son, Relation.PARENT, person_is_elder=True)
    assert (rel.elder, rel.younger) == (li, son)
    assert ("母亲", "李秀英") in [(label, o.name) for label, o, _ in son.relations()]
    assert rel.engine_name == "parent-child"


def test_a_younger_person_cannot_be_the_parent(world):
    with pytest.raises(services.ValidationFailed) as exc:
        services.add_relation(world.users["village_a1"], world.people["wang_son"], world.people["li"],
                              Relation.PARENT, person_is_elder=True)
    assert "出生日期" in exc.value.errors["kind"]


def test_person_form_shows_field_errors_in_chinese(world, client_for):
    r = client_for("village_a1").post("/people/new/", {
        "name": "", "id_number": "123", "ethnicity": "汉族", "political_status": "none",
        "hukou_village": world.village_a1.pk})
    body = r.content.decode()
    assert r.status_code == 400 and "姓名：这个字段是必填项。" in body
    r = client_for("village_a1").post("/people/new/", {
        "name": "吴芳", "id_number": "123", "ethnicity": "汉族", "political_status": "none",
        "hukou_village": world.village_a1.pk})
    assert r.status_code == 400 and "公民身份号码：" in r.content.decode()
    assert not Person.objects.filter(name="吴芳").exists()


def test_search_by_name_full_id_and_tail(world):
    wang = world.people["wang"]
    qs = Person.objects.all()
    assert list(qs.search("建国")) == [wang]
    assert list(qs.search(wang.id_number)) == [wang]
    assert list(qs.search(wang.id_number[-6:])) == [wang]
