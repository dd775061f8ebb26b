"""Pages of the village party organisation's election: the member roll, creating the election, and
one page per election that walks it from the recommendation to the approved result. Views are
thin: every write is a call into :mod:`huanjie.party.services` (or the elections' services)."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, allow, require_scope
from huanjie.elections import services as elections
from huanjie.elections.models import Candidate, Election
from huanjie.elections.view_helpers import VIEWERS, WORKERS, file_response, form_date, say_refusal
from huanjie.party import documents, services
from huanjie.party.models import Branch, Member, Nominee, NoticeObjection, PartyElection
from huanjie.people.models import Person, Region
from huanjie.rules.party import EXCLUSION_SITUATIONS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _village(request, code) -> Region:
    village = get_object_or_404(Region, code=code, level=Region.VILLAGE, valid_until__isnull=True)
    require_scope(request.user, village.code)
    return village


def _int(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


# ---------------------------------------------------------------- index: the scope's party elections

@allow(*VIEWERS)
def index(request):
    """The scope's village party elections (county: all townships; township: its villages; the
    village: its own), with search by village name, the campaign filter and Excel export."""
    from huanjie.core.paging import CappedPaginator

    user = request.user
    campaigns = list(Campaign.objects.visible_to(user).order_by("-starts_on"))
    slug = request.GET.get("campaign") or (campaigns[0].slug if campaigns else "")
    campaign = next((c for c in campaigns if c.slug == slug), None)
    qs = services.visible_party_elections(user, campaign).order_by("election__organization__code")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(election__organization__name__contains=q)
    if request.GET.get("format") == "xlsx":
        from huanjie.documents.render.excel import SheetSpec, workbook_bytes

        rows = [services.index_cells(r) for r in services.party_rows(qs)]
        data = workbook_bytes([SheetSpec(name="村党组织换届", title=f"{campaign.name if campaign else ''}村党组织换届选举情况",
                                         columns=services.INDEX_COLUMNS, rows=rows)])
        return file_response(data, "村党组织换届选举情况.xlsx", content_type=XLSX)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    rows = services.party_rows(page.object_list)
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in (("campaign", slug), ("q", q)) if v})
    return render(request, "party/index.html", {
        "campaigns": campaigns, "campaign": campaign, "rows": rows, "page": page, "q": q, "query": query,
        "can_create": user.role in (COUNTY, TOWNSHIP) and campaign is not None,
    })


# ---------------------------------------------------------------- member roll


@allow(*VIEWERS)
def members(request, code):
    village = _village(request, code)
    branch = Branch.objects.filter(village=village).first()
    on = form_date(request.GET.get("on")) or _assembly_day(branch) or timezone.localdate()
    rows = services.roll(branch, on) if branch else []
    ctx = {
        "village": village, "branch": branch, "rows": rows, "on": on,
        "with_vote": sum(1 for r in rows if r["has_vote"]),
        "body": services.body_of(branch) if branch else None,
        "type_choices": Branch.TYPE_CHOICES, "status_choices": Member.STATUS_CHOICES,
        "can_write": request.user.role in WORKERS,
        "errors": {}, "import_problems": None, "data": {},
    }
    return render(request, "party/members.html", ctx)


def _assembly_day(branch: Branch | None) -> dt.date | None:
    if branch is None:
        return None
    pe = branch.elections.select_related("election").order_by("-election__election_date").first()
    return pe.election.election_date if pe else None


@allow(*WORKERS)
@require_POST
def members_post(request, code):
    village = _village(request, code)
    user = request.user
    action = request.POST.get("action")
    url = reverse("party:members", args=[village.code])
    try:
        branch = services.branch_of(user, village)
        if action == "branch":
            services.set_branch(user, branch, request.POST.get("org_type", ""), request.POST.get("scattered") == "on")
            messages.success(request, "党组织设置已保存。")
        elif action == "add":
            return _add_member(request, village, branch, url)
        elif action == "import":
            upload = request.FILES.get("file")
            if upload is None:
                raise services.PartyError("请选择要导入的党员名册文件。")
            result = services.import_members(user, branch, upload.read(), upload.name,
                                             skip_bad_rows=request.POST.get("skip_bad_rows") == "on")
            messages.success(request, f"党员名册已导入：新增 {result.added} 人，更新 {result.updated} 人"
                                      + (f"，{result.rejected} 行有问题未导入（见下载的文件）" if result.rejected else "") + "。")
            if result.rejected_xlsx:
                return file_response(result.rejected_xlsx, "党员名册未导入的行.xlsx", content_type=XLSX)
        else:
            raise services.PartyError("未知的操作。")
    except services.ImportRejected as exc:
        return _render_import_problems(request, village, exc)
    except services.PartyError as exc:
        messages.error(request, str(exc))
    return redirect(url)


def _render_import_problems(request, village, exc):
    branch = Branch.objects.get(village=village)
    on = _assembly_day(branch) or timezone.localdate()
    rows = services.roll(branch, on)
    labels = {**services.MEMBER_LABELS}
    from huanjie.elections.registration.roster import FIELD_LABELS

    problems = [{"row": p.row, "field": labels.get(p.field) or FIELD_LABELS.get(p.field, p.field), "message": p.message}
                for p in exc.parsed.errors]
    return render(request, "party/members.html", {
        "village": village, "branch": branch, "rows": rows, "on": on,
        "with_vote": sum(1 for r in rows if r["has_vote"]), "body": services.body_of(branch),
        "type_choices": Branch.TYPE_CHOICES, "status_choices": Member.STATUS_CHOICES, "can_write": True,
        "errors": {}, "import_problems": problems, "import_message": str(exc).split("。")[0] + "。", "data": {},
    }, status=400)


def _add_member(request, village, branch, url):
    from huanjie.people.services import ValidationFailed, save_person

    p = request.POST
    user = request.user
    errors: dict[str, str] = {}
    id_number = (p.get("id_number") or "").strip().upper()
    from huanjie.people.services import Elsewhere, find_person_for

    found = find_person_for(user, id_number) if id_number else None
    person = found if isinstance(found, Person) else None
    if isinstance(found, Elsewhere):
        errors["id_number"] = found.message
    elif person is None:
        name = re.sub(r"\s+", "", p.get("name") or "")
        if not name:
            errors["name"] = "该身份证号码尚无人员记录，请填写姓名"
        elif not id_number:
            errors["id_number"] = "请填写身份证号码"
        else:
            try:
                person = save_person(user, {"name": name, "id_number": id_number, "hukou_village": village,
                                            "residence_village": village, "political_status": "cpc"})
            except ValidationFailed as exc:
                errors.update(exc.errors)
    dates = {}
    for key, label in (("joined_on", "入党日期"), ("formal_on", "转正日期"), ("discipline_until", "留党察看期至")):
        raw = (p.get(key) or "").strip()
        dates[key] = form_date(raw)
        if raw and dates[key] is None:
            errors[key] = f"{label}“{raw}”不是有效日期"
    if not errors:
        try:
            services.add_member(
                user, branch, person, status=p.get("status", Member.FORMAL), rights_suspended=p.get("rights_suspended") == "on",
                suspended_reason=p.get("suspended_reason", ""), mobile=bool((p.get("mobile_where") or "").strip()),
                mobile_where=p.get("mobile_where", ""), note=p.get("note", ""), **dates)
            messages.success(request, f"已将{person.name}列入党员名册。")
            return redirect(url)
        except services.MemberInvalid as exc:
            errors.update(exc.errors)
    on = _assembly_day(branch) or timezone.localdate()
    rows = services.roll(branch, on)
    return render(request, "party/members.html", {
        "village": village, "branch": branch, "rows": rows, "on": on,
        "with_vote": sum(1 for r in rows if r["has_vote"]), "body": services.body_of(branch),
        "type_choices": Branch.TYPE_CHOICES, "status_choices": Member.STATUS_CHOICES, "can_write": True,
        "errors": errors, "import_problems": None, "data": p,
    }, status=400)


# ---------------------------------------------------------------- create


@allow(COUNTY, TOWNSHIP)
def create(request, slug):
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user), slug=slug)
    taken = set(Election.objects.filter(campaign=campaign, kind=Election.PARTY_BRANCH).values_list("organization_id", flat=True))
    villages = [e.village for e in CampaignVillage.objects.filter(campaign=campaign, village__code__startswith=user.scope_prefix)
                .select_related("village").order_by("village__code") if e.village_id not in taken]
    error, data = None, {}
    if request.method == "POST":
        data = request.POST
        village = next((v for v in villages if v.code == data.get("village")), None)
        day = form_date(data.get("election_date"))
        try:
            if village is None:
                raise services.PartyError("请选择村（社区）。")
            if day is None:
                raise services.PartyError("请填写党员大会日期（YYYY-MM-DD）。")
            pe = services.create_party_election(
                user, campaign, village, day, method=data.get("method", ""),
                committee_seats=_int(data.get("committee_seats")) or 0,
                deputy_secretaries=_int(data.get("deputy_secretaries")) or 0,
                discipline_member=data.get("discipline_member") == "on")
            messages.success(request, f"已建立{pe.election.title}。")
            return redirect("party:election", pe.election.pk)
        except services.PartyError as exc:
            error = str(exc)
    return render(request, "party/create.html", {
        "campaign": campaign, "villages": villages, "methods": PartyElection.METHOD_CHOICES,
        "error": error, "data": data}, status=400 if error else 200)


# ---------------------------------------------------------------- one election


def _party(request, pk) -> PartyElection:
    election = get_object_or_404(Election.objects.select_related("campaign", "organization__parent"), pk=pk)
    require_scope(request.user, election.organization.code)
    pe = services.party_election_of(election)
    if pe is None:
        raise Http404("不是村党组织选举。")
    return pe


@allow(*VIEWERS)
def election(request, pk):
    pe = _party(request, pk)
    if pk != pe.election.pk:
        return redirect("party:election", pe.election.pk)
    e = pe.election
    user = request.user
    from huanjie.review.services import review_status

    nominee_rows = []
    policy = services.policy_checks(pe)
    for n in services.nominees(pe):
        nominee_rows.append({"n": n, "review": review_status(n.candidate), "selected": n.candidate.status == Candidate.ACTIVE,
                             "inspector": services.inspector_for(n), "policy": policy.get(n.pk)})
    attendance = None
    try:
        attendance = services.attendance(e)
    except Exception as exc:  # noqa: BLE001 — the engine's refusal of inconsistent counts is shown, not raised
        attendance = None
        messages.warning(request, f"应到会人数暂无法计算：{exc}")
    day = e.election_date
    congress = services.is_congress(pe)
    roll = services.electorate_roll(pe, day)
    signed = set(e.party_sign_ins.values_list("member_id", flat=True))
    excluded = {x.member_id: x for x in e.party_exclusions.all()}
    first = e.rounds.get(number=1)
    plenary_first = pe.plenary.rounds.get(number=1) if pe.plenary else None
    ctx = {
        "pe": pe, "e": e, "plenary": pe.plenary, "timeline": elections.timeline(e) + (elections.timeline(pe.plenary) if pe.plenary else []),
        "step_keys": elections.step_keys(e),
        "meeting_kinds": services.meeting_kinds(pe), "tallies": services.tally_table(pe),
        "nominees": nominee_rows, "initial": services.initial_check(pe), "structure": services.structure_checks(pe),
        "current_posts": services.CURRENT_POSTS[1:],
        "notice": services.notice_window(pe), "attendance": attendance,
        "notices": [(code, label, services.notice_windows(pe).get(code), code.replace("_", "-") + "-notice.pdf")
                    for code, label in services.notices(pe)],
        "objections": services.objections(pe), "outcomes": NoticeObjection.OUTCOME_CHOICES,
        "quorum_text": services.quorum_text(attendance, delegates=congress) if attendance else "",
        "congress": congress, "body_advice": services.body_of(pe.branch), "body_choices": PartyElection.BODY_CHOICES,
        "delegates": list(pe.election.party_delegates.select_related("member__person")) if congress else [],
        "roll": roll, "signed": signed, "excluded": excluded, "situations": list(EXCLUSION_SITUATIONS.items()),
        "blockers": services.ballot_blockers(e), "first": first, "plenary_first": plenary_first,
        "committee": services.committee_elected(pe),
        "plenary_posts": list(pe.plenary.posts.all()) if pe.plenary else [],
        "plenary_candidates": list(Candidate.objects.filter(election=pe.plenary).select_related("person", "post")) if pe.plenary else [],
        "plenary_blockers": services.ballot_blockers(pe.plenary) if pe.plenary else [],
        "can_write": user.role in WORKERS, "can_setup": user.role in (COUNTY, TOWNSHIP),
        "sources": Nominee.SOURCE_CHOICES, "today": timezone.localdate(),
        "members_url": reverse("party:members", args=[e.organization.code]),
    }
    return render(request, "party/election.html", ctx)


def _person_of(pe: PartyElection, text: str) -> Person:
    """A member named by ID number or by name (a name must be unique on the roll)."""
    text = (text or "").strip()
    qs = Member.objects.filter(branch=pe.branch).select_related("person")
    if re.fullmatch(r"\d{17}[\dXx]", text):
        m = qs.filter(person__id_number=text.upper()).first()
    else:
        found = list(qs.filter(person__name=text))
        if len(found) > 1:
            raise services.PartyError(f"名册中有{len(found)}名“{text}”，请填写身份证号码。")
        m = found[0] if found else None
    if m is None:
        raise services.PartyError(f"“{text}”不在{pe.branch.name}党员名册中。")
    return m.person


def _tallies(pe: PartyElection, text: str) -> dict[Person, int]:
    out: dict[Person, int] = {}
    for i, line in enumerate((text or "").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        parts = re.split(r"[\s,，:：]+", line)
        if len(parts) != 2 or not parts[1].isdigit():
            raise services.PartyError(f"第{i}行“{line}”应写成“姓名 票数”。")
        out[_person_of(pe, parts[0])] = int(parts[1])
    if not out:
        raise services.PartyError("请逐行填写“姓名 票数”。")
    return out


@allow(*WORKERS)
@require_POST
def election_post(request, pk):
    pe = _party(request, pk)
    e = pe.election
    user = request.user
    p = request.POST
    action = p.get("action", "")
    try:
        if action == "step":
            day = form_date(p.get("done_on"))
            if day is None:
                raise services.PartyError("请填写完成日期。")
            elections.record_step(user, e, p.get("key", ""), day, p.get("note", ""))
        elif action == "recommendation":
            services.record_recommendation(
                user, pe, p.get("kind", ""), held_on=form_date(p.get("held_on")), expected=_int(p.get("expected")),
                present=_int(p.get("present")), tallies=_tallies(pe, p.get("tallies", "")))
        elif action == "nominee":
            services.add_nominee(user, pe, _person_of(pe, p.get("who", "")), source=p.get("source", Nominee.RECOMMENDED),
                                 proposed_post=p.get("proposed_post", ""), current_post=p.get("current_post", ""))
        elif action == "age_exception":
            n = get_object_or_404(Nominee, pk=_int(p.get("nominee")) or 0, candidate__election=e)
            services.record_age_exception(user, n, reason=p.get("reason", ""), approved_by=p.get("approved_by", ""))
        elif action == "inspection":
            n = get_object_or_404(Nominee, pk=_int(p.get("nominee")) or 0, candidate__election=e)
            services.record_inspection(
                user, n, inspected_on=form_date(p.get("inspected_on")), competent=_int(p.get("competent")),
                basic=_int(p.get("basic")), incompetent=_int(p.get("incompetent")), talks=_int(p.get("talks")),
                visits=p.get("visits", ""), inspected_by=p.get("inspected_by", ""))
        elif action == "preliminary":
            ids = [int(x) for x in p.getlist("nominee") if x.isdigit()]
            chosen = list(Nominee.objects.filter(pk__in=ids, candidate__election=e).select_related("candidate__person"))
            day = form_date(p.get("on"))
            if day is None:
                raise services.PartyError("请填写确定预备人选的日期。")
            services.decide_preliminary(user, pe, chosen, day)
        elif action == "notice":
            day = form_date(p.get("on"))
            if day is None:
                raise services.PartyError("请填写公示开始日期。")
            services.publish_notice(user, pe, day, p.get("notice") or "preliminary")
        elif action == "objection":
            who = (p.get("about") or "").strip()
            services.record_objection(user, pe, p.get("notice", ""), received_on=form_date(p.get("received_on")),
                                      content=p.get("content", ""), from_whom=p.get("from_whom", ""),
                                      about=_person_of(pe, who) if who else None)
        elif action == "objection_answer":
            obj = get_object_or_404(NoticeObjection, pk=_int(p.get("objection")) or 0, election=e)
            services.answer_objection(user, obj, handled_on=form_date(p.get("handled_on")), outcome=p.get("outcome", ""),
                                      handling=p.get("handling", ""), handled_by=p.get("handled_by", ""))
        elif action == "approval":
            services.record_approval(user, pe, request_number=p.get("request_number", ""),
                                     request_date=form_date(p.get("request_date")),
                                     approval_number=p.get("approval_number", ""),
                                     approval_date=form_date(p.get("approval_date")))
        elif action == "exclusion":
            member = get_object_or_404(Member, pk=_int(p.get("member")) or 0, branch=pe.branch)
            services.record_exclusion(user, e, member, p.get("situation", ""),
                                      township_agreed_on=form_date(p.get("township_agreed_on")),
                                      assembly_approved_on=form_date(p.get("assembly_approved_on")))
        elif action == "body":
            services.set_body(user, pe, p.get("body", ""), approval_number=p.get("approval_number", ""),
                              approved_on=form_date(p.get("approved_on")))
        elif action == "delegates":
            people = [_person_of(pe, line) for line in re.split(r"[\n、，,；;]+", p.get("who", "")) if line.strip()]
            members = list(Member.objects.filter(branch=pe.branch, person__in=people).select_related("person"))
            services.add_delegates(user, pe, members, unit=p.get("unit", ""))
        elif action == "remove_delegate":
            member = get_object_or_404(Member, pk=_int(p.get("member")) or 0, branch=pe.branch)
            services.remove_delegate(user, pe, member)
        elif action == "sign_in":
            for mid in p.getlist("member"):
                member = get_object_or_404(Member, pk=_int(mid) or 0, branch=pe.branch)
                services.sign_in(user, e, member)
        elif action == "open_voting":
            target = pe.plenary if p.get("which") == "plenary" else e
            elections.open_voting(user, target)
        elif action == "plenary_candidates":
            picks = {}
            for post in pe.plenary.posts.all():
                picks[post.code] = _person_of(pe, p.get(post.code, "")) if p.get(post.code) else None
            services.propose_plenary(user, pe, picks)
        elif action == "plenary_present":
            services.record_plenary_present(user, pe, _int(p.get("present")))
        elif action == "expected_approval":
            services.record_expected_approval(user, pe, approved_on=form_date(p.get("approved_on")),
                                              county_informed_on=form_date(p.get("county_informed_on")))
        elif action == "secretary_filed":
            services.record_secretary_filed(user, pe, form_date(p.get("on")))
        elif action == "result_approval":
            services.record_result_approval(user, pe, number=p.get("number", ""), on=form_date(p.get("on")))
        else:
            raise services.PartyError("未知的操作。")
        messages.success(request, "已保存。")
    except (services.PartyError, elections.ElectionError, PermissionDenied) as exc:
        say_refusal(request, exc, blocked="不能开始投票")
    return redirect(reverse("party:election", args=[e.pk]) + (f"#{p.get('anchor')}" if p.get("anchor") else ""))


DOCUMENTS = {
    "tallies.pdf": (documents.tallies_pdf, "推荐情况公布.pdf", "application/pdf"),
    "open-round-notice.pdf": (documents.open_round_notice_pdf, "海推结果公示.pdf", "application/pdf"),
    "initial-notice.pdf": (documents.initial_notice_pdf, "初步人选考察公示.pdf", "application/pdf"),
    "preliminary-notice.pdf": (documents.preliminary_notice_pdf, "预备人选公示.pdf", "application/pdf"),
    "objections.xlsx": (documents.objections_xlsx, "公示期间反映登记表.xlsx", XLSX),
    "request.pdf": (documents.request_pdf, "预备人选请示.pdf", "application/pdf"),
    "request.docx": (documents.request_docx, "预备人选请示.docx", DOCX),
    "approval.pdf": (documents.approval_pdf, "预备人选批复.pdf", "application/pdf"),
    "approval.docx": (documents.approval_docx, "预备人选批复.docx", DOCX),
    "meeting-notice.pdf": (documents.meeting_notice_pdf, "党员大会通知.pdf", "application/pdf"),
    "attendance.pdf": (documents.attendance_report_pdf, "清点人数报告.pdf", "application/pdf"),
}


@allow(*VIEWERS)
def document(request, pk, name):
    pe = _party(request, pk)
    if name not in DOCUMENTS:
        raise Http404("没有这个文书。")
    build, filename, content_type = DOCUMENTS[name]
    try:
        content = build(pe)
    except services.PartyError as exc:
        messages.error(request, str(exc))
        return redirect("party:election", pe.election.pk)
    return file_response(content, f"{pe.election.organization.name}{filename}", content_type=content_type)
