from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from huanjie.core.access import (
    ADMIN,
    COUNTY,
    OBSERVER,
    TOWNSHIP,
    VILLAGE,
    allow,
    require_scope,
    require_write,
)
from huanjie.core.paging import CappedPaginator
from huanjie.rules.education import EDUCATION_LABELS

from . import regions, services
from . import stats as people_stats
from .forms import PersonForm, RelationForm
from .models import Person, Region, Relation

OFFICE = (COUNTY, TOWNSHIP, VILLAGE, ADMIN)


@allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def region_tree(request):
    """The region tree of the account's scope with the people count of each village."""
    user = request.user
    regions = list(Region.objects.visible_to(user).current().order_by("code"))
    people = {}
    if user.role != OBSERVER:
        stats = people_stats.village_stats(r.id for r in regions if r.level == Region.VILLAGE)
        people = {v: s.total for v, s in stats.items()}
    by_parent: dict = {}
    for r in regions:
        by_parent.setdefault(r.parent_id, []).append(r)
    ids = {r.id for r in regions}
    roots = [r for r in regions if r.parent_id not in ids]

    def node(r):
        children = [node(c) for c in by_parent.get(r.id, [])]
        count = people.get(r.id, 0) + sum(c["people"] for c in children)
        villages = (1 if r.level == Region.VILLAGE else 0) + sum(c["villages"] for c in children)
        return {"region": r, "children": children, "people": count, "villages": villages}

    tree = [node(r) for r in roots]
    return render(request, "people/region_tree.html", {
        "tree": tree, "show_people": user.role != OBSERVER, "has_children": len(regions) > len(roots)})


@allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def region_detail(request, code):
    region = get_object_or_404(Region.objects.current(), code=code)
    require_scope(request.user, region.code)
    children = region.children.filter(valid_until__isnull=True).order_by("code")
    history = regions.history_of(region)
    stats = None
    if request.user.role != OBSERVER:
        villages = Region.objects.filter(code__startswith=region.scope_prefix, level=Region.VILLAGE)
        stats = people_stats.totals(villages.values_list("id", flat=True))
    return render(request, "people/region_detail.html", {
        "region": region, "children": children, "history": history, "stats": stats,
        "can_change": request.user.role == COUNTY and region.level != Region.COUNTY,
    })


@allow(*OFFICE)
def person_list(request):
    user = request.user
    q = request.GET.get("q", "").strip()
    village_code = request.GET.get("village", "").strip()
    people = Person.objects.visible_to(user).select_related("hukou_village").search(q)
    if village_code:
        people = people.filter(hukou_village__code=village_code)
    villages = Region.objects.visible_to(user).current().filter(level=Region.VILLAGE)
    page = CappedPaginator(people.in_list_order(user, village_code), 50).get_page(request.GET.get("page"))
    template = "people/_person_rows.html" if request.htmx else "people/person_list.html"
    query = urlencode({k: v for k, v in {"q": q, "village": village_code}.items() if v})
    return render(request, template, {"page": page, "q": q, "village": village_code, "villages": villages,
                                      "query": query})


def _visible_person(request, pk) -> Person:
    return get_object_or_404(Person.objects.visible_to(request.user).select_related(
        "hukou_village__parent", "residence_village"), pk=pk)


@allow(*OFFICE)
def person_detail(request, pk):
    person = _visible_person(request, pk)
    return render(request, "people/person_detail.html", {
        "person": person, "relations": person.relations(),
        "education_label": EDUCATION_LABELS.get(person.education, ""),
        "relation_form": RelationForm(),
    })


def _person_form_view(request, person=None):
    require_write(request.user)
    initial = {}
    if person is not None:
        initial = {f: getattr(person, f) for f in services.PERSON_FIELDS if hasattr(person, f)}
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.save_person(request.user, form.cleaned_data, person)
        except services.ValidationFailed as exc:
            for field, msg in exc.errors.items():
                form.add_error(field if field in form.fields else None, msg)
        else:
            messages.success(request, f"已保存 {person.name} 的信息。")
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person},
                  status=400 if form.errors else 200)


@allow(COUNTY, TOWNSHIP, VILLAGE)
def person_create(request):
    return _person_form_view(request)


@allow(COUNTY, TOWNSHIP, VILLAGE)
def person_edit(request, pk):
    return _person_form_view(request, _visible_person(request, pk))


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def relation_add(request, pk):
    person = _visible_person(request, pk)
    form = RelationForm(request.POST)
    if form.is_valid():
        from huanjie.rules.idnumber import parse_id

        parsed = parse_id(form.cleaned_data["other_id_number"])
        other = services.find_person_for(request.user, parsed.normalised) if parsed.valid else None
        if isinstance(other, services.Elsewhere):
            messages.error(request, other.message)
        elif other is None:
            messages.error(request, "对方身份证号码" + ("无效：" + (parsed.reason or "") if not parsed.valid
                                                   else "未在人员库中找到，请先登记对方。"))
        else:
            kind, person_is_elder = RelationForm.MAP[form.cleaned_data["kind"]]
            try:
                services.add_relation(request.user, person, other, kind, person_is_elder=person_is_elder)
            except services.ValidationFailed as exc:
                messages.error(request, "；".join(exc.errors.values()))
            else:
                messages.success(request, f"已登记 {person.name} 与 {other.name} 的亲属关系。")
    else:
        messages.error(request, "请填写对方身份证号码并选择关系。")
    return redirect("people:detail", pk=person.pk)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def relation_delete(request, pk, relation_id):
    person = _visible_person(request, pk)
    relation = get_object_or_404(Relation.objects.filter(Q(elder=person) | Q(younger=person)), pk=relation_id)
    services.remove_relation(request.user, relation)
    messages.success(request, "已删除该亲属关系。")
    return redirect("people:detail", pk=person.pk)


PICK_LIMIT = 12


def pick_people(user, text: str, election_id: str = ""):
    """People matching the words typed in a person field, within the user's scope.

    Each word narrows: digits (and X) are the tail of the ID number; other words match the name,
    the 村民小组 or the village. ``election_id``: only voters registered in that election (the
    nomination, proxy and objection fields name registered voters)."""
    people = Person.objects.visible_to(user).select_related("hukou_village")
    words = [w for w in (text or "").replace("，", " ").split() if w]
    if not words:
        return people.none()
    for w in words:
        upper = w.upper()
        if upper.rstrip("X").isdigit():
            people = people.filter(id_number__endswith=upper)
        else:
            people = people.filter(Q(name__contains=w) | Q(group_name__contains=w) | Q(hukou_village__name__contains=w))
    if election_id.isdecimal():
        people = people.filter(registrations__election_id=int(election_id), registrations__status="registered")
    return people.distinct().order_by("name", "hukou_village__code", "group_name", "birth_date", "id")


@allow(*OFFICE)
def person_pick(request):
    """The person-search widget (htmx): type a name (and group, village or the ID number's last
    digits), pick the person. Namesakes are told apart by village, 村民小组 and birth year; the
    list shows only the ID number's tail. Picking fills the field with the ID number the services
    read; only office roles, who see ID numbers on their people pages, reach this view."""
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field else request.GET.get("q", "")
    found = list(pick_people(request.user, text, request.GET.get("election", ""))[: PICK_LIMIT + 1])
    names = [p.name for p in found]
    rows = [{"person": p, "namesake": names.count(p.name) > 1} for p in found[:PICK_LIMIT]]
    return render(
        request,
        "people/_pick_results.html",
        {"rows": rows, "more": len(found) > PICK_LIMIT, "text": text.strip(), "target": request.GET.get("target", "")},
    )
