from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
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
from huanjie.rules.education import EDUCATION_LABELS

from . import regions, services
from .forms import PersonForm, RelationForm
from .models import Person, Region, Relation

OFFICE = (COUNTY, TOWNSHIP, VILLAGE, ADMIN)


@allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def region_tree(request):
    """The region tree of the account's scope with the people count of each village."""
    user = request.user
    regions = list(Region.objects.visible_to(user).current().order_by("code"))
    people = dict(
        Person.objects.visible_to(user).values("hukou_village").annotate(n=Count("id"))
        .values_list("hukou_village", "n")
    ) if user.role != OBSERVER else {}
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
        people = Person.objects.filter(hukou_village__code__startswith=region.scope_prefix)
        stats = people.aggregate(total=Count("id"), women=Count("id", filter=Q(gender="F")),
                                 party=Count("id", filter=Q(political_status="cpc")))
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
    page = Paginator(people.order_by("hukou_village__code", "group_name", "name", "id"), 50).get_page(
        request.GET.get("page"))
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
        other = Person.objects.filter(id_number=parsed.normalised).first() if parsed.valid else None
        if other is None:
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
