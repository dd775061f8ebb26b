"""The JSON API (django-ninja, OpenAPI at /api/openapi.json, docs at /api/docs).

It calls the same querysets and services as the web pages, with the same roles and scope.
"""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

from huanjie.campaigns.models import Campaign
from huanjie.core.access import ADMIN, ALL_ROLES, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow
from huanjie.people.models import Person, Region

from .access import SessionAuthCSRF, api_allow

api = NinjaAPI(title="换届通 API", version="1", auth=SessionAuthCSRF(), urls_namespace="api",
               docs_decorator=allow(*ALL_ROLES))


class RegionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    population: int
    households: int


class CampaignOut(Schema):
    slug: str
    name: str
    county_code: str
    jurisdiction: str
    term_number: int
    cutoff_date: dt.date
    villages: int


class PersonOut(Schema):
    id: int
    name: str
    id_number: str | None
    gender: str
    birth_date: dt.date
    political_status: str
    hukou_village_code: str
    group_name: str


def _region_out(r: Region) -> RegionOut:
    return RegionOut(code=r.code, name=r.name, level=r.level, kind=r.kind,
                     parent_code=r.parent.code if r.parent_id else None,
                     population=r.population, households=r.households)


@api.get("/regions", response=list[RegionOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN)
def list_regions(request):
    return [_region_out(r) for r in Region.objects.visible_to(request.user).current().select_related("parent")]


@api.get("/campaigns", response=list[CampaignOut])
@api_allow(*ALL_ROLES)
def list_campaigns(request):
    return [
        CampaignOut(slug=c.slug, name=c.name, county_code=c.county.code, jurisdiction=c.jurisdiction,
                    term_number=c.term_number, cutoff_date=c.cutoff_date, villages=c.villages.count())
        for c in Campaign.objects.visible_to(request.user).select_related("county")
    ]


@api.get("/people", response=list[PersonOut])
@api_allow(COUNTY, TOWNSHIP, VILLAGE, ADMIN)
def search_people(request, q: str = "", limit: int = 50):
    if not 1 <= limit <= 500:
        raise HttpError(422, "limit 必须在 1 到 500 之间。")
    qs = Person.objects.visible_to(request.user).select_related("hukou_village").search(q)[:limit]
    return [_person_out(p) for p in qs]


@api.get("/people/{person_id}", response=PersonOut)
@api_allow(COUNTY, TOWNSHIP, VILLAGE, ADMIN)
def get_person(request, person_id: int):
    return _person_out(get_object_or_404(Person.objects.visible_to(request.user), pk=person_id))


def _person_out(p: Person) -> PersonOut:
    return PersonOut(id=p.pk, name=p.name, id_number=p.id_number, gender=p.gender, birth_date=p.birth_date,
                     political_status=p.political_status, hukou_village_code=p.hukou_village.code,
                     group_name=p.group_name)
