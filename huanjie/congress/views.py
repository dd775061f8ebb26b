"""Pages of the township party congress: the campaign's congresses, and one page per congress that
walks its planning (number of delegates, election units and the allocation table, 请示 and 批复).
Views are thin: every write is a call into :mod:`huanjie.congress.services`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from huanjie.campaigns.models import Campaign
from huanjie.congress import documents, services
from huanjie.congress.models import Congress, CredentialDecision, DelegateElection, ElectionUnit
from huanjie.congress.steps import PHASES
from huanjie.core import uploads
from huanjie.core.access import COUNTY, TOWNSHIP, allow, require_scope
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.elections.models import Candidate, ElectedMember
from huanjie.elections.view_helpers import file_response, form_date
from huanjie.party.models import Branch
from huanjie.people.models import Person, Region
from huanjie.rules.congress import CATEGORIES, STRUCTURE_TARGETS, TARGET_FIELDS
from huanjie.rules.party import EXCLUSION_SITUATIONS

VIEWERS = (COUNTY, TOWNSHIP, "observer", "admin")
OFFICES = (COUNTY, TOWNSHIP)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _int(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


def _congress(request, pk) -> Congress:
    congress = get_object_or_404(Congress.objects.select_related("township", "campaign__county"), pk=pk)
    require_scope(request.user, congress.township.code)
    return congress


@allow(*VIEWERS)
def congress_list(request, slug):
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user), slug=slug)
    congresses = list(services.visible_congresses(user, campaign))
    if wants_xlsx(request):
        return xlsx_response(
            f"{campaign.name}乡镇党代会", ["乡镇", "届次", "拟召开日期", "代表名额", "县委批准名额", "请示", "批复"],
            [[c.township.name, f"第{c.number}次", c.convene_on, c.delegates_planned, c.size_approval_number,
              c.request_number, c.approval_number] for c in congresses])
    taken = {c.township_id for c in congresses}
    townships = [t for t in Region.objects.filter(parent=campaign.county, level=Region.TOWNSHIP, valid_until__isnull=True,
                                                  code__startswith=user.scope_prefix or "-").order_by("code")
                 if t.pk not in taken]
    ctx = {"campaign": campaign, "congresses": congresses, "townships": townships,
           "can_create": user.role in OFFICES, "errors": {}, "data": {}}
    if request.method == "POST":
        if user.role not in OFFICES:
            raise PermissionDenied("您的账号不能筹备党代会。")
        data = request.POST
        township = next((t for t in townships if t.code == data.get("township")), None)
        try:
            if township is None:
                raise services.CongressInvalid({"township": "请选择乡镇"})
            congress = services.create_congress(
                user, campaign, township, number=_int(data.get("number")), convene_on=form_date(data.get("convene_on")),
                delegates_planned=_int(data.get("delegates_planned")),
                committee_seats=_int(data.get("committee_seats")), deputy_secretaries=_int(data.get("deputy_secretaries")),
                discipline_seats=_int(data.get("discipline_seats")))
            messages.success(request, f"已建立{congress.title}。")
            return redirect("congress:detail", congress.pk)
        except services.CongressInvalid as exc:
            ctx |= {"errors": exc.errors, "data": data}
            return render(request, "congress/list.html", ctx, status=400)
        except services.CongressError as exc:
            messages.error(request, str(exc))
    return render(request, "congress/list.html", ctx)


@allow(*VIEWERS)
def detail(request, pk):
    congress = _congress(request, pk)
    table = services.allocation_table(congress)
    if wants_xlsx(request) and request.GET.get("list") == "timeline":
        return xlsx_response(f"{congress.title}工作程序", ["步骤", "阶段", "内容", "起始日期", "完成期限", "完成日期", "状态",
                                                       "文书"],
                             [[r.step.number, PHASES[r.step.phase][0], r.step.label, r.earliest, r.due, r.done_on or "",
                               r.status_label, documents.DOCUMENTS[r.step.document][0] if r.step.document else ""]
                              for r in services.timeline(congress)])
    if wants_xlsx(request) and request.GET.get("list") == "register":
        return xlsx_response(f"{congress.title}代表名册", documents.REGISTER_COLUMNS, documents.register_rows(congress))
    if wants_xlsx(request):
        return xlsx_response(f"{congress.title}代表名额分配表", documents.ALLOCATION_COLUMNS,
                             documents.allocation_rows(table), text_columns=[0])
    user = request.user
    return render(request, "congress/detail.html", {
        "congress": congress, "table": table, "size": services.size_check(congress),
        "branches": services.township_branches(congress),
        "can_write": user.role in OFFICES and not congress.approved,
        "is_county": user.role == COUNTY, "is_office": user.role in OFFICES,
        "errors": {}, "data": {}, "request_blockers": services.request_blockers(congress),
        "decisions": _with_by_elections(congress),
        "previous_margin": _previous_margin(congress),
        "meeting": _meeting_context(congress) if congress.approved else None,
        "timeline": _timeline_context(congress),
        "structure": services.structure(congress) if congress.approved else None,
        "targets": [{"key": k, "label": label, "default": STRUCTURE_TARGETS[k],
                     "value": (congress.structure_targets or {}).get(k, "")}
                    for k, (label, _low, _high) in TARGET_FIELDS.items()],
        "units_done": [(r.unit, getattr(r.unit, "delegate_election", None)) for r in table.rows],
    })


def _previous_margin(congress: Congress):
    from huanjie.rules.statistics import percent

    if not congress.previous_delegates or congress.previous_candidates is None:
        return None
    return percent(congress.previous_candidates - congress.previous_delegates, congress.previous_delegates)


def _with_by_elections(congress: Congress) -> list[CredentialDecision]:
    """The review's decisions, each with the unit's by-election replacing its delegate, if any."""
    by = {de.replaces_id: de for de in DelegateElection.objects.filter(
        unit__congress=congress, replaces__isnull=False).select_related("election")}
    decisions = list(congress.credentials.select_related("unit", "elected"))
    for d in decisions:
        d.by_election = by.get(d.elected_id)
    return decisions


def _timeline_context(congress: Congress) -> dict:
    rows = services.timeline(congress)
    phases = [{"number": n, "title": title, "rows": [r for r in rows if r.step.phase == n]}
              for n, (title, _a, _b) in PHASES.items()]
    done = sum(1 for r in rows if r.done_on)
    return {"phases": phases, "done": done, "total": len(rows), "percent": done * 100 // len(rows),
            "overdue": sum(1 for r in rows if r.status == "overdue"),
            "manual": [r for r in rows if not r.recorded_by_system and not r.done_on]}


def _meeting_context(congress: Congress) -> dict:
    """What the congress page shows of the meeting: each election with its candidates and result."""
    bodies = []
    delegates = services.confirmed_delegates(congress)
    for body, (_kind, _post, _f, label) in services.BODIES.items():
        e = services.body_election(congress, body)
        p = services.plenary_election(congress, body)
        item = {"body": body, "label": label, "election": e, "plenary": p}
        if e is not None:
            item |= {"check": services.body_candidate_check(congress, body), "first": e.rounds.get(number=1),
                     "candidates": Candidate.objects.filter(election=e).select_related("person", "delegate_category")
            .order_by("list_order"),
                     "elected": list(ElectedMember.objects.filter(election=e, status=ElectedMember.ELECTED))}
        if p is not None:
            item |= {"plenary_first": p.rounds.get(number=1),
                     "plenary_elected": ElectedMember.objects.filter(election=p).select_related("post"),
                     "present": congress.committee_plenary_present if body == "committee"
                     else congress.discipline_plenary_present}
        bodies.append(item)
    taken = set(Candidate.objects.filter(election__in=[b["election"] for b in bodies if b["election"]])
                .values_list("person_id", flat=True))
    pool = [m for u in congress.units.all() for m in services.unit_members(u) if m.person_id not in taken]
    ce = congress.county_delegates_election
    county = {"election": ce}
    if ce is not None:
        county |= {"check": services.body_candidate_check(congress, "county"), "first": ce.rounds.get(number=1),
                   "candidates": Candidate.objects.filter(election=ce).select_related("person").order_by("list_order"),
                   "elected": list(ElectedMember.objects.filter(election=ce, status=ElectedMember.ELECTED)),
                   "blockers": services.congress_ballot_blockers(ce)}
        taken_county = {c.person_id for c in county["candidates"]}
        county["pool"] = [m for u in congress.units.all() for m in services.unit_members(u)
                          if m.person_id not in taken_county]
    committee = congress.committee_election
    return {"county": county, "bodies": bodies, "headcount": services.headcount(congress), "delegates": delegates,
            # the count is made: who came is fixed (the services refuse a change; the page stops offering one)
            "heads_fixed": committee is None or committee.stage in (committee.COUNTED, committee.SUBMITTED),
            "scrutineers": congress.scrutineers.select_related("elected"), "pool": pool,
            "blockers": services.congress_ballot_blockers(congress.committee_election)
            if congress.committee_election else []}


@allow(*OFFICES)
@require_POST
def post(request, pk):
    congress = _congress(request, pk)
    user, data = request.user, request.POST
    action = data.get("action")
    url = reverse("congress:detail", args=[congress.pk])
    try:
        if action == "size":
            services.set_size(user, congress, _int(data.get("delegates_planned")))
            messages.success(request, "代表名额已保存；需县委重新批准。")
        elif action == "previous_margin":
            raw = {k: (data.get(k) or "").strip() for k in ("previous_delegates", "previous_candidates")}
            bad = {k: "上次代表名额应为正整数" if k == "previous_delegates" else "上次代表候选人数应为整数"
                   for k, v in raw.items() if v and _int(v) is None}
            if bad:
                raise services.CongressInvalid(bad)
            services.set_previous_margin(user, congress, _int(raw["previous_delegates"]),
                                         _int(raw["previous_candidates"]))
            messages.success(request, "已登记上次代表差额比例。")
        elif action == "approve_size":
            services.approve_size(user, congress, data.get("size_approval_number", ""),
                                  form_date(data.get("size_approved_on")))
            messages.success(request, "已登记县委批准代表名额。")
        elif action == "units_from_branches":
            made = services.units_from_branches(user, congress)
            messages.success(request, f"已按党组织划分 {len(made)} 个选举单位。")
        elif action == "add_unit":
            ids = [i for i in (_int(v) for v in data.getlist("branches")) if i]
            branches = list(Branch.objects.filter(pk__in=ids, village__parent=congress.township).select_related("village"))
            services.add_unit(user, congress, data.get("name", ""), branches, _int(data.get("reserved") or "0"))
            messages.success(request, "选举单位已添加。")
        elif action in ("remove_unit", "reserved", "seats"):
            unit = get_object_or_404(ElectionUnit, pk=_int(data.get("unit")), congress=congress)
            if action == "remove_unit":
                services.remove_unit(user, unit)
                messages.success(request, f"已删除选举单位“{unit.name}”。")
            elif action == "reserved":
                services.set_reserved(user, unit, _int(data.get("reserved")))
                messages.success(request, f"“{unit.name}”的保留名额已保存。")
            else:
                raw = (data.get("seats") or "").strip()
                seats = None if raw == "" else _int(raw)
                if raw and seats is None:
                    raise services.CongressInvalid({"seats": f"选举单位“{unit.name}”：名额应为整数"})
                services.set_unit_seats(user, unit, seats, data.get("reason", ""))
                messages.success(request, f"“{unit.name}”的名额已保存。")
        elif action == "request":
            services.record_request(user, congress, data.get("request_number", ""), form_date(data.get("request_date")))
            messages.success(request, "已登记召开党代会的请示。")
        elif action == "credentials":
            made = services.review_credentials(user, congress, form_date(data.get("decided_on")))
            messages.success(request, f"代表资格审查已登记：{len(made)}名代表。")
        elif action == "by_election":
            decision = get_object_or_404(CredentialDecision, pk=_int(data.get("decision")), congress=congress)
            by = services.create_replacement_election(user, decision, form_date(data.get("election_date")))
            messages.success(request, f"已建立补选：{by.election.title}。")
            return redirect(f"{reverse('congress:unit', args=[by.unit_id])}?de={by.pk}")
        elif action == "delegation":
            unit = get_object_or_404(ElectionUnit, pk=_int(data.get("unit")), congress=congress)
            services.set_delegation(user, unit, data.get("delegation", ""))
            messages.success(request, f"“{unit.name}”的代表团已保存。")
        elif action == "set_up_elections":
            services.set_up_elections(user, congress, form_date(data.get("election_date")))
            messages.success(request, "大会选举已建立。")
        elif action == "county_seats":
            raw = (data.get("county_delegate_seats") or "").strip()
            if raw and _int(raw) is None:
                raise services.CongressInvalid({"county_delegate_seats": "出席县党代会代表名额应为0到300的整数"})
            services.set_county_delegate_seats(user, congress, _int(raw))
            messages.success(request, "出席县党代会代表名额已保存。")
        elif action == "county_set_up":
            services.set_up_county_delegates(user, congress, form_date(data.get("election_date")))
            messages.success(request, "出席县党代会代表的选举已建立。")
        elif action == "body_candidate":
            person = get_object_or_404(Person, pk=_int(data.get("person")))
            services.add_body_candidate(user, congress, data.get("body", ""), person)
            messages.success(request, f"已增加候选人{person.name}。")
        elif action == "approve_body_candidates":
            services.approve_body_candidates(user, congress, data.get("candidates_approval_number", ""),
                                             form_date(data.get("candidates_approval_date")))
            messages.success(request, "已登记县委批复候选人预备人选。")
        elif action == "preparatory":
            services.record_preparatory(user, congress, held_on=form_date(data.get("prep_held_on")),
                                        agenda=data.get("agenda", ""), presidium=data.get("presidium", ""),
                                        secretary_general=data.get("secretary_general", ""))
            messages.success(request, "预备会议已登记。")
        elif action == "scrutineer":
            decision = get_object_or_404(CredentialDecision, pk=_int(data.get("decision")), congress=congress)
            services.add_scrutineer(user, congress, decision, chief=data.get("chief") == "on")
            messages.success(request, "监票人已登记。")
        elif action == "structure_targets":
            services.set_structure_targets(user, congress, {k: data.get(k, "") for k in TARGET_FIELDS})
            messages.success(request, "代表结构指导性比例已保存。")
        elif action == "sign_in":
            h = services.record_sign_in(user, congress, [i for i in (_int(v) for v in data.getlist("signed")) if i])
            messages.success(request, h["text"] + "。")
        elif action == "headcount":
            h = services.record_headcount(user, congress, _int(data.get("present")))
            messages.success(request, h["text"] + "。")
        elif action == "plenary":
            body = data.get("body", "")
            codes = ("secretary", "deputy_secretary") if body == "committee" else ("discipline_secretary",)
            proposals = {code: list(Person.objects.filter(pk__in=[i for i in (_int(v) for v in data.getlist(code)) if i]))
                         for code in codes}
            services.propose_plenary(user, congress, body, proposals, form_date(data.get("election_date")))
            messages.success(request, "第一次全体会议选举已建立。")
        elif action == "plenary_present":
            services.record_plenary_present(user, congress, data.get("body", ""), _int(data.get("present")))
            messages.success(request, "全体会议到会人数已登记。")
        elif action == "result_approval":
            services.record_result_approval(user, congress, data.get("result_approval_number", ""),
                                            form_date(data.get("result_approval_date")))
            messages.success(request, "已登记县委批复选举结果。")
        elif action == "step":
            services.record_step(user, congress, _int(data.get("number")), form_date(data.get("done_on")),
                                 data.get("note", ""))
            messages.success(request, "工作步骤已登记。")
        elif action == "approval":
            services.record_approval(user, congress, data.get("approval_number", ""),
                                     form_date(data.get("approval_date")))
            messages.success(request, "已登记县委批复。")
        else:
            raise services.CongressError("未知的操作。")
    except services.CongressError as exc:
        messages.error(request, str(exc))
    return redirect(url)


@allow(*VIEWERS)
def document(request, pk, name):
    congress = _congress(request, pk)
    if name not in documents.DOCUMENTS:
        raise Http404("没有这个文书。")
    filename, make = documents.DOCUMENTS[name]
    try:
        content = make(congress)
    except services.CongressError as exc:
        messages.error(request, str(exc))
        return redirect("congress:detail", congress.pk)
    if name.endswith(".docx"):
        return file_response(content, f"{congress.township.name}{filename}", content_type=DOCX)
    return file_response(content, f"{congress.township.name}{filename}", inline=True)


# ---------------------------------------------------------------- one unit's delegate election


def _unit(request, pk) -> ElectionUnit:
    unit = get_object_or_404(ElectionUnit.objects.select_related("congress__township", "congress__campaign"), pk=pk)
    require_scope(request.user, unit.congress.township.code)
    return unit


@allow(*VIEWERS)
def unit(request, pk):
    unit = _unit(request, pk)
    congress = unit.congress
    # the unit's first election, or one of its by-elections (补选, R65) when named
    elections_of_unit = list(DelegateElection.objects.filter(unit=unit).select_related("election", "replaces")
                             .order_by("replaces", "id"))
    picked = _int(request.GET.get("de"))
    de = next((x for x in elections_of_unit if x.pk == picked), None) or next(
        (x for x in elections_of_unit if x.replaces_id is None), None)
    row = next((r for r in services.allocation_table(congress).rows if r.unit.pk == unit.pk), None)
    ctx = {"unit": unit, "congress": congress, "de": de, "row": row, "unit_elections": elections_of_unit, "is_office": request.user.role in OFFICES,
           "is_township": request.user.role == TOWNSHIP}
    if de is not None:
        e = de.election
        members = services.members_with_vote(unit, e.election_date)
        taken = set(Candidate.objects.filter(election=e).values_list("person_id", flat=True))
        ctx |= {
            "e": e, "first_round": e.rounds.get(number=1),
            "candidates": Candidate.objects.filter(election=e).select_related("person", "delegate_category")
            .order_by("list_order"),
            "check": services.candidate_check(de), "choices": [m for m in members if m.person_id not in taken],
            "meetings": de.meetings.all(), "meeting": de.meeting, "blockers": services.ballot_blockers(e),
            "members": members, "exclusions": services.unit_exclusions(de), "situations": EXCLUSION_SITUATIONS,
            "attendance": services.unit_attendance(de, 0, members),
            "elected": ElectedMember.objects.filter(election=e).select_related("post"),
            "structure": services.unit_structure(de), "categories": CATEGORIES,
            "category_words": list(services.CATEGORY_WORDS),
        }
    return render(request, "congress/unit.html", ctx)


@allow(*OFFICES)
@require_POST
def unit_post(request, pk):
    unit = _unit(request, pk)
    user, data = request.user, request.POST
    action = data.get("action")
    try:
        if action == "create":
            services.create_delegate_election(user, unit, form_date(data.get("election_date")))
            messages.success(request, "代表选举已建立。")
        else:
            picked = _int(data.get("de"))
            de = (get_object_or_404(DelegateElection, unit=unit, pk=picked) if picked
                  else get_object_or_404(DelegateElection, unit=unit, replaces__isnull=True))
            if action == "import_candidates":
                try:
                    content, name = uploads.required_upload(request)
                except uploads.UploadRefused as exc:
                    raise services.CongressInvalid({"file": str(exc)}) from None
                result = services.import_candidates(user, de, content, name)
                if result["errors"]:
                    shown = result["errors"][:10]
                    more = len(result["errors"]) - len(shown)
                    messages.error(request, "未导入任何一行：" + "；".join(shown) + (f"；另有 {more} 处问题" if more else "") + "。")
                else:
                    messages.success(request, f"已导入 {result['saved']} 名代表候选人。")
            elif action == "candidate":
                person = get_object_or_404(Person, pk=_int(data.get("person")))
                services.add_candidate(user, de, person, category=data.get("category", ""))
                messages.success(request, f"已增加代表候选人{person.name}。")
            elif action == "category":
                cand = get_object_or_404(Candidate, election=de.election, pk=_int(data.get("candidate")))
                services.set_candidate_category(user, de, cand, data.get("category", ""))
                messages.success(request, f"已修改{cand.person.name}的代表候选人类别。")
            elif action == "approve":
                services.approve_candidates(user, de, data.get("approval_number", ""),
                                            form_date(data.get("approval_date")))
                messages.success(request, "已登记乡镇党委审批。")
            elif action == "exclusion":
                member = next((m for m in services.unit_members(unit) if m.pk == _int(data.get("member"))), None)
                if member is None:
                    raise services.CongressInvalid({"member": "请选择本选举单位的党员"})
                services.record_unit_exclusion(user, de, member, data.get("situation", ""),
                                               township_agreed_on=form_date(data.get("township_agreed_on")),
                                               assembly_approved_on=form_date(data.get("assembly_approved_on")))
                messages.success(request, f"已登记{member.person.name}不计入应到会人数。")
            elif action == "meeting":
                services.record_meeting(user, de, _int(data.get("present")))
                messages.success(request, "到会人数已登记。")
            elif action == "reschedule":
                services.reschedule(user, de, form_date(data.get("election_date")))
                messages.success(request, "已另定党员大会日期，重新选举。")
            else:
                raise services.CongressError("未知的操作。")
    except services.CongressError as exc:
        messages.error(request, str(exc))
    picked = _int(data.get("de"))
    return redirect(f"{reverse('congress:unit', args=[unit.pk])}?de={picked}" if picked else
                    reverse("congress:unit", args=[unit.pk]))
