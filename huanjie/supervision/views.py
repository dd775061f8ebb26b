"""Pages of the 村务监督委员会's choice: the campaign's list of villages (Excel export, pages),
setting one up, and one page per village that walks it from the candidate list and its P6 check
to the meeting, the vote and the result. Views are thin: every write is a service call; the
ballots, counting form, result, submission and documents are the elections app's pages."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, allow
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.elections import services as elections
from huanjie.elections.models import Election
from huanjie.elections.view_helpers import (
    VIEWERS,
    WORKERS,
    election_in_scope,
    file_response,
    form_date,
    say_refusal,
)
from huanjie.people.models import Person
from huanjie.supervision import documents, services
from huanjie.supervision.models import Nominee, Supervision

PER_PAGE = 50


def _campaign(request, slug) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user), slug=slug)


@allow(*VIEWERS)
def campaign_list(request, slug):
    """Every village of the campaign in scope with its supervision committee's state."""
    user = request.user
    campaign = _campaign(request, slug)
    q = (request.GET.get("q") or "").strip()
    entries = (campaign.villages.filter(village__code__startswith=user.scope_prefix)
               .select_related("village__parent").order_by("village__code"))
    if q:
        entries = entries.filter(village__name__contains=q)
    chosen = {
        sv.election.organization_id: sv
        for sv in Supervision.objects.filter(election__campaign=campaign,
                                             election__organization__code__startswith=user.scope_prefix)
        .select_related("election__organization__parent")
    }
    overview = services.overview_rows(chosen.values())
    none = {"elected": [], "director": "", "refused": 0}

    def row(entry):
        sv = chosen.get(entry.village_id)
        return {"entry": entry, "sv": sv, **(overview[sv.election_id] if sv else none)}

    if wants_xlsx(request):
        rows = [row(e) for e in entries]
        return xlsx_response(
            f"{campaign.name}村务监督委员会推选",
            ["乡镇（街道）", "村（社区）", "推选会议", "会议日期", "阶段", "不得担任而未列入", "主任", "当选成员"],
            [[r["entry"].village.parent.name, r["entry"].village.name,
              r["sv"].get_body_display() if r["sv"] else "未建立",
              r["sv"].election.election_date if r["sv"] else "", r["sv"].election.get_stage_display() if r["sv"] else "",
              r["refused"], r["director"], "、".join(r["elected"])] for r in rows],
        )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "supervision/list.html", {
        "campaign": campaign, "page": page, "rows": [row(e) for e in page.object_list], "q": q,
        "query": f"q={q}" if q else "", "can_create": user.role in (COUNTY, TOWNSHIP),
    })


@allow(COUNTY, TOWNSHIP)
def create(request, slug):
    user = request.user
    campaign = _campaign(request, slug)
    taken = set(Election.objects.filter(campaign=campaign, kind=Election.VILLAGE_SUPERVISION)
                .values_list("organization_id", flat=True))
    villages = [e.village for e in CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=user.scope_prefix)
                .select_related("village").order_by("village__code") if e.village_id not in taken]
    errors, data = {}, {}
    if request.method == "POST":
        data = request.POST
        village = next((v for v in villages if v.code == data.get("village")), None)
        day = form_date(data.get("election_date"))
        size = data.get("size", "").strip()
        if village is None:
            errors["village"] = "请选择村（社区）。"
        if day is None:
            errors["election_date"] = "请填写会议日期（YYYY-MM-DD）。"
        if not size.isdecimal():
            errors["size"] = f"成员人数应为 {services.SIZE[0]} 至 {services.SIZE[1]} 的整数。"
        if not errors:
            try:
                sv = services.create_supervision(user, campaign, village, day, body=data.get("body", ""),
                                                 size=int(size), method=data.get("method", ""))
                messages.success(request, f"已建立{sv.election.title}。")
                return redirect("supervision:detail", sv.election.pk)
            except services.SupervisionError as exc:
                errors.update(exc.fields)
                if not exc.fields:
                    errors["form"] = str(exc)
    return render(request, "supervision/create.html", {
        "campaign": campaign, "villages": villages, "bodies": Supervision.BODY_CHOICES,
        "methods": Supervision.METHOD_CHOICES, "errors": errors, "data": data, "size": services.SIZE,
    }, status=400 if errors else 200)


def _supervision(request, pk) -> Supervision:
    sv = services.supervision_of(election_in_scope(request, pk))
    if sv is None:
        raise Http404("不是村务监督委员会推选。")
    return sv


@allow(*VIEWERS)
def detail(request, pk):
    sv = _supervision(request, pk)
    e = sv.election
    user = request.user
    counted = e.stage in (Election.COUNTED, Election.SUBMITTED)
    committee, committee_state = services.villagers_committee(e)
    ctx = {
        "sv": sv, "e": e, "timeline": elections.timeline(e), "nominees": services.nominees(sv),
        "findings": services.list_findings(sv), "quorum": services.quorum(sv),
        "voting_blockers": services.voting_blockers(e) if e.stage not in (Election.VOTING, Election.COUNTED,
                                                                             Election.SUBMITTED) else [],
        "ballot_blockers": services.ballot_blockers(e), "result": services.result_findings(e) if counted else None,
        "first": e.rounds.get(number=1), "posts": list(e.posts.all()), "roles": Nominee.ROLE_CHOICES,
        "chair": services.discipline_member(e), "committee": committee, "committee_state": committee_state,
        "can_write": user.role in WORKERS, "open": e.stage not in (Election.VOTING, Election.COUNTED, Election.SUBMITTED),
        "today": timezone.localdate(), "methods": Supervision.METHOD_CHOICES,
        "data": request.session.pop("supervision_form", {}),
    }
    return render(request, "supervision/detail.html", ctx)


def _person(sv: Supervision, text: str) -> Person:
    """A villager named by ID number or by name (a name must be unique in the village)."""
    text = (text or "").strip()
    village = sv.election.organization
    if not text:
        raise services.SupervisionError("「姓名或身份证号码」：请填写。")
    qs = Person.objects.filter(hukou_village=village) | Person.objects.filter(residence_village=village)
    if re.fullmatch(r"\d{17}[\dXx]", text):
        found = list(qs.filter(id_number=text.upper()).distinct())
    else:
        found = list(qs.filter(name=text).distinct())
        if len(found) > 1:
            raise services.SupervisionError(f"「姓名或身份证号码」：本村有{len(found)}名“{text}”，请填写身份证号码。")
    if not found:
        raise services.SupervisionError(f"「姓名或身份证号码」：本村人员中没有“{text}”。")
    return found[0]


@allow(*WORKERS)
@require_POST
def detail_post(request, pk):
    sv = _supervision(request, pk)
    e = sv.election
    user = request.user
    p = request.POST
    action = p.get("action", "")
    anchor = p.get("anchor", "")
    try:
        if action == "candidate":
            n = services.add_candidate(user, sv, _person(sv, p.get("who", "")), p.get("post", ""),
                                       roles=p.getlist("roles"), accounting=p.get("accounting") == "on",
                                       on=timezone.localdate())
            if n.refusals:
                messages.error(request, f"{n.candidate.person.name}不得担任村务监督委员会成员："
                               + "；".join(n.refusals) + "。已记录，不列入名单。")
                return redirect(reverse("supervision:detail", args=[e.pk]) + "#candidates")
        elif action == "withdraw":
            n = get_object_or_404(Nominee, pk=int(p.get("nominee") or 0), candidate__election=e)
            services.withdraw_candidate(user, n)
        elif action == "check":
            day = form_date(p.get("on"))
            if day is None:
                raise services.SupervisionError("「资格把关日期」：请填写日期（YYYY-MM-DD）。")
            found = services.check_list(user, sv, day)
            if found["refused"]:
                messages.warning(request, "资格把关：" + "；".join(
                    f"{n.candidate.person.name}：{'；'.join(r)}" for n, r in found["refused"]) + "。已移出名单。")
        elif action == "meeting":
            request.session["supervision_form"] = {k: p.get(k, "") for k in ("members", "present", "households",
                                                                            "households_present")}
            services.record_meeting(user, sv, members=p.get("members"), present=p.get("present"),
                                    households=p.get("households"), households_present=p.get("households_present"),
                                    method=p.get("method") or None)
            request.session.pop("supervision_form", None)
        elif action == "open_voting":
            elections.open_voting(user, e)
        else:
            raise services.SupervisionError("未知的操作。")
        messages.success(request, "已保存。")
    except (services.SupervisionError, elections.ElectionError, PermissionDenied) as exc:
        say_refusal(request, exc, blocked="不能提交会议表决")
    return redirect(reverse("supervision:detail", args=[e.pk]) + (f"#{anchor}" if anchor else ""))


@allow(*VIEWERS)
def candidates_pdf(request, pk):
    sv = _supervision(request, pk)
    return file_response(documents.candidates_pdf(sv.election),
                         f"{sv.election.organization.name}村务监督委员会成员候选人名单.pdf")

