"""Pages after the vote: the result and its submission (报送), unlock by the township, 分工 and
一肩挑, the handover, the result documents and the archive, and the township and county dashboards."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from huanjie.campaigns.models import Campaign
from huanjie.core.access import ADMIN, COUNTY, OBSERVER, OFFICE_ROLES, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.documents.render.fonts import MissingGlyphError
from huanjie.elections import kinds as kind_hooks
from huanjie.elections.aftervote import archive, locking
from huanjie.elections.aftervote import documents as result_documents
from huanjie.elections.aftervote import services as aftervote
from huanjie.elections.models import Election, Round
from huanjie.elections.services import ElectionError
from huanjie.elections.view_helpers import VIEWERS, file_response
from huanjie.elections.view_helpers import election_in_scope as _election
from huanjie.elections.view_helpers import form_date as _date
from huanjie.elections.voting.models import CountingForm, ElectedMember, HandoverItem, VotingStation
from huanjie.people.models import Region

PAGE_SIZE = 50


def _file(content: bytes, filename: str, content_type: str = "application/pdf", inline: bool = True):
    return file_response(content, filename, content_type=content_type, inline=inline)


def _document(request, election: Election, make, filename: str):
    try:
        content = make()
    except (ElectionError, MissingGlyphError) as exc:
        messages.error(request, str(exc))
        return redirect("elections:submit", pk=election.pk)
    return _file(content, filename)


# ---------------------------------------------------------------- documents


@allow(*VIEWERS)
def results_notice_pdf(request, pk):
    election = _election(request, pk)
    return _document(
        request,
        election,
        lambda: result_documents.results_notice_pdf(election),
        f"{election.organization.name}选举结果公告.pdf",
    )


@allow(*VIEWERS)
def report_pdf(request, pk):
    election = _election(request, pk)
    return _document(
        request,
        election,
        lambda: result_documents.report_pdf(election),
        f"{election.organization.name}选举结果报告单.pdf",
    )


@allow(*VIEWERS)
def handover_pdf(request, pk):
    election = _election(request, pk)
    return _document(
        request,
        election,
        lambda: result_documents.handover_pdf(election),
        f"{election.organization.name}工作移交清单.pdf",
    )


@allow(*VIEWERS)
def certificates_pdf(request, pk):
    election = _election(request, pk)
    return _document(
        request,
        election,
        lambda: result_documents.certificates_pdf(election),
        f"{election.organization.name}当选证书.pdf",
    )


@allow(*VIEWERS)
def counting_form_pdf(request, form_pk):
    form = get_object_or_404(
        CountingForm.objects.select_related(
            "round__election__organization", "round__election__campaign", "station"
        ),
        pk=form_pk,
    )
    election = form.round.election
    require_scope(request.user, election.organization.code)
    return _document(
        request,
        election,
        lambda: result_documents.counting_form_pdf(form),
        f"{election.organization.name}计票单_第{form.round.number}轮_{form.station.name}.pdf",
    )


@allow(*sorted(OFFICE_ROLES))
def archive_zip(request, pk):
    election = _election(request, pk)
    return _file(
        archive.archive_zip(election), archive.archive_filename(election), "application/zip", inline=False
    )


# ---------------------------------------------------------------- result, submit, unlock


def _result_context(request, election: Election) -> dict:
    user = request.user
    figures = result_documents.round_figures(election)
    registered = result_documents.registered_count(election)
    submission = locking.submission_of(election)
    forms = aftervote.counted_forms([f.round.pk for f in figures])
    return {
        "election": election,
        "campaign": election.campaign,
        "figures": figures,
        "registered": registered,
        "turnout": aftervote.percent(figures[0].returned, registered) if figures else None,
        "members": aftervote.elected_summary(election),
        "yijiantiao": aftervote.yijiantiao_of(election),
        "blockers": aftervote.result_blockers(election),
        "submission": submission,
        "locked": bool(submission and submission.locked),
        "can_submit": aftervote.can_submit(user, election),
        "can_unlock": aftervote.can_unlock(user, election),
        "can_assign": user.role in aftervote.ASSIGN_ROLES,
        "forms": sorted(forms, key=lambda f: (f.round.number, f.station_id)),
        "can_archive": user.role in OFFICE_ROLES,
    }


@allow(*VIEWERS)
def submit(request, pk):
    """The result of the election with the arithmetic; the committee submits it here (POST)."""
    election = _election(request, pk)
    if request.method == "POST":
        try:
            aftervote.submit_result(request.user, election)
        except ElectionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "选举结果已报送乡镇并锁定。如需修改，须由乡镇换届办填写原因后解锁。")
        return redirect("elections:submit", pk=election.pk)
    return render(request, "elections/aftervote/result.html", _result_context(request, election))


@allow(TOWNSHIP, COUNTY, VILLAGE, ADMIN)
def unlock(request, pk):
    """Only the township may unlock (the service refuses everyone else, with the reason)."""
    election = _election(request, pk)
    error = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            aftervote.unlock(request.user, election, reason)
        except ElectionError as exc:
            if request.user.role != TOWNSHIP:
                raise PermissionDenied(str(exc)) from None
            error = str(exc)
        else:
            messages.success(request, "选举结果已解锁。解锁后的每一项修改都记入审计日志（修改前、修改后）。")
            return redirect("elections:submit", pk=election.pk)
    elif request.user.role != TOWNSHIP:
        raise PermissionDenied("只有乡镇换届办可以解锁选举结果。")
    return render(
        request,
        "elections/aftervote/unlock.html",
        {
            "election": election,
            "campaign": election.campaign,
            "error": error,
            "locked": locking.is_locked(election),
            "reason": request.POST.get("reason", ""),
        },
    )


# ---------------------------------------------------------------- 分工, 一肩挑


@allow(*VIEWERS)
def assign_posts(request, pk):
    election = _election(request, pk)
    members = [m for m in aftervote.elected_summary(election) if m.status == m.ELECTED]
    can_edit = request.user.role in aftervote.ASSIGN_ROLES
    error = ""
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您的账号角色无权登记委员会分工。")
        assignments = {m.pk: request.POST.get(f"assigned_{m.pk}", m.assigned_post) for m in members}
        secretary = request.POST.get("party_secretary") or None
        extra = {m.pk: request.POST.getlist(f"extra_{m.pk}") for m in members}
        try:
            changed = aftervote.assign_posts(request.user, election, assignments, party_secretary=secretary,
                                             extra_posts=extra)
        except (ElectionError, ValueError) as exc:
            error = str(exc) if isinstance(exc, ElectionError) else "一肩挑：所选人员无效。"
        else:
            messages.success(request, f"已保存分工（{len(changed)} 人有变动）。")
            return redirect("elections:assign_posts", pk=election.pk)
    computed = aftervote.computed_party_secretary(election, members)
    return render(
        request,
        "elections/aftervote/assign_posts.html",
        {
            "election": election,
            "campaign": election.campaign,
            "members": members,
            "can_edit": can_edit,
            "error": error,
            "supporting": aftervote.supporting_posts(election),
            "supporting_choices": ElectedMember.SUPPORTING_POSTS,
            "computed": computed is not aftervote.NO_PARTY_RESULT,
            "computed_secretary": computed,
        },
    )


# ---------------------------------------------------------------- handover


def _handover_rows(status, posted):
    """Each row's form values: the stored item, or what was just typed for the row that failed."""
    for row in status.items:
        item = row["item"]
        if posted and posted["kind"] == row["kind"]:
            row["form"] = posted
        else:
            row["form"] = {
                "description": item.description if item else "",
                "handed_over_on": item.handed_over_on.isoformat() if item and item.handed_over_on else "",
                "handed_by": item.handed_by if item else "",
                "received_by": item.received_by if item else "",
                "supervised_by": item.supervised_by if item else "",
                "signed": bool(item and item.signed),
                "late_reason": "",
            }
    return status


@allow(*VIEWERS)
def handover(request, pk):
    election = _election(request, pk)
    can_edit = request.user.role in aftervote.HANDOVER_ROLES
    error = ""
    posted = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您的账号角色无权登记工作移交。")
        kind = request.POST.get("kind", "")
        raw_day = request.POST.get("handed_over_on", "")
        day = _date(raw_day)
        # What was typed is shown again after an error (the form never loses it).
        posted = {
            f: request.POST.get(f, "")
            for f in (
                "kind",
                "description",
                "handed_over_on",
                "handed_by",
                "received_by",
                "supervised_by",
                "late_reason",
            )
        }
        posted["signed"] = request.POST.get("signed") == "on"
        if raw_day and day is None:
            error = "移交日期：请填写有效日期（YYYY-MM-DD）。"
        else:
            data = {
                "description": request.POST.get("description", ""),
                "handed_over_on": day,
                "handed_by": request.POST.get("handed_by", ""),
                "received_by": request.POST.get("received_by", ""),
                "supervised_by": request.POST.get("supervised_by", ""),
                "signed": request.POST.get("signed") == "on",
                "late_reason": request.POST.get("late_reason", ""),
            }
            try:
                aftervote.save_handover(request.user, election, kind, data)
            except ElectionError as exc:
                error = str(exc)
            else:
                messages.success(
                    request, f"已保存“{dict(HandoverItem.KIND_CHOICES).get(kind, kind)}”的移交记录。"
                )
                return redirect("elections:handover", pk=election.pk)
    return render(
        request,
        "elections/aftervote/handover.html",
        {
            "election": election,
            "campaign": election.campaign,
            "status": _handover_rows(aftervote.handover_status(election), posted if error else None),
            "has_items": HandoverItem.objects.filter(election=election).exists(),
            "can_edit": can_edit,
            "error": error,
        },
    )


# ---------------------------------------------------------------- dashboards


def _dashboard(request, slug, *, level: str):
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user).select_related("county"), slug=slug)
    q = (request.GET.get("q") or "").strip()[:40]
    township_code = ""
    townships = []
    if level == "county" or user.role in (COUNTY, ADMIN):
        townships = list(
            Region.objects.filter(parent=campaign.county, level="township")
            .order_by("code")
            .values("code", "name")
        )
        township_code = request.GET.get("township", "")
        if township_code and not any(t["code"] == township_code for t in townships):
            raise Http404("乡镇不存在。")
    kind = request.GET.get("kind", "")
    if kind and kind not in dict(aftervote.DASHBOARD_KINDS):
        kind = ""
    kinds = [kind] if kind else [k for k, _ in aftervote.DASHBOARD_KINDS]
    # Kinds with their own section (the party's) are shown there, beside the committees' table.
    section_funcs = kind_hooks.dashboard_sections(kinds)
    table_kinds = [k for k in kinds if kind_hooks.hooks_for(k).dashboard_section is None]
    scope = user.scope_prefix or "-"
    elections = list(aftervote.dashboard_elections(campaign, scope, q, township_code, table_kinds)) if table_kinds else []
    rows = aftervote.village_rows(elections)
    totals = aftervote.dashboard_totals(rows)
    sections = [f(campaign, scope, q, township_code) for f in section_funcs]
    title = f"{campaign.name}{'全县' if level == 'county' else '乡镇'}选举结果"
    if wants_xlsx(request):
        from huanjie.documents.render.excel import SheetSpec

        sheets = [
            SheetSpec(name=sec.title, title=f"{title}：{sec.title}", columns=list(sec.columns), rows=[c for _, c in sec.rows])
            for sec in sections
        ]
        if not table_kinds:  # a party kind chosen: its section alone
            first = sheets.pop(0)
            return xlsx_response(first.title, first.columns, first.rows, sheet=first.name, extra_sheets=sheets)
        return xlsx_response(
            title,
            ["乡镇", "村（社区）", "选举", "阶段", "报送", "登记选民 / 应到会", "发出选票", "收回选票", "参选率（%）",
             "到会超过4/5", "当选人员", "女性", "35岁以下", "一肩挑"],
            [
                [r["township"].name if r["township"] else "", r["village"].name, r["kind"], r["stage"],
                 "已报送" if r["locked"] else ("已解锁" if r["reopened"] else "未报送"),
                 r["registered"], r["issued"], r["returned"], "" if r["turnout"] is None else r["turnout"].value,
                 {True: "是", False: "否"}.get(r["quorum_met"], ""),
                 "；".join(f"{post}：{'、'.join(names)}" for post, names in r["elected_by_post"]),
                 r["women"], r["young"], "是" if r["yijiantiao"] else ""]
                for r in rows
            ],
            sheet="村（居）民委员会",
            extra_sheets=sheets,
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown_sections = []
    for i, sec in enumerate(sections):
        param = f"page{i + 2}"  # each section pages on its own
        sec_page = Paginator(sec.rows, PAGE_SIZE).get_page(request.GET.get(param))
        shown_sections.append({
            "section": sec, "page": sec_page, "param": param,
            "columns": [sec.columns[j] for j in sec.shown],
            "rows": [(url, [cells[j] for j in sec.shown]) for url, cells in sec_page.object_list],
        })
    params = {k: v for k, v in (("q", q), ("township", township_code), ("kind", kind)) if v}
    return render(
        request,
        "elections/aftervote/dashboard.html",
        {
            "campaign": campaign,
            "level": level,
            "level_label": "县" if level == "county" else "乡镇",
            "rows": page.object_list,
            "page": page,
            "totals": totals,
            "chart": aftervote.turnout_chart(rows),
            "q": q,
            "townships": townships,
            "township_code": township_code,
            "kinds": aftervote.DASHBOARD_KINDS,
            "kind": kind,
            "show_table": bool(table_kinds),
            "sections": shown_sections,
            "query": urlencode(params),
        },
    )


@allow(TOWNSHIP, COUNTY, ADMIN)
def township_dashboard(request, slug):
    return _dashboard(request, slug, level="township")


@allow(COUNTY, OBSERVER, ADMIN)
def county_dashboard(request, slug):
    return _dashboard(request, slug, level="county")


# ---------------------------------------------------------------- counting form as JSON (election-day load)


def _json(data: dict, status: int = 200):
    from django.http import JsonResponse

    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@allow(COUNTY, TOWNSHIP, VILLAGE)
def counting_form_api(request, pk):
    """Save one station's counting form (and, with ``"compute": true``, count the round) through the
    counting services, for scripts and the election-day load test. CSRF-protected like every form.

    Body: ``{"round": 1, "station": id, "issued", "returned", "valid", "blank", "invalid",
    "lines": [{"post": post id, "name", "votes", "write_in"}], "acknowledge": ["W.01"], "compute": false}``.
    """
    import json

    from huanjie.elections.voting import counting, results

    if request.method != "POST":
        return _json({"errors": ["只接受 POST 请求。"]}, 405)
    election = _election(request, pk)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
        return _json({"errors": ["请求格式错误：请求内容不是有效的 JSON。"]}, 400)
    try:
        sent = counting.form_from_json(body)
    except ElectionError as exc:
        return _json({"errors": [f"请求格式错误：{exc}"]}, 400)
    try:
        rnd = election.rounds.get(number=sent.round_number)
        station = election.stations.get(pk=sent.station_id)
    except (Round.DoesNotExist, VotingStation.DoesNotExist):
        return _json({"errors": ["投票轮次或投票站不存在。"]}, 404)
    try:
        form = counting.save_form(
            request.user, rnd, station, sent.data, acknowledge=sent.acknowledge, based_on=sent.version
        )
    except locking.ResultLocked as exc:
        return _json({"errors": [str(exc)]}, 409)
    except counting.StaleForm as exc:
        return _json(
            {"errors": [str(exc)], "current": {"version": exc.current.version}, "side_by_side": counting.side_by_side(rnd, exc.mine, counting.FormData.from_form(exc.current))},
            409,
        )
    except (counting.FormBlocked, counting.NeedsAcknowledgement) as exc:
        return _json({"errors": [str(exc)], "findings": [f.as_dict() for f in exc.findings]}, 422)
    except ElectionError as exc:
        return _json({"errors": [str(exc)]}, 422)
    out = {"form": form.pk, "entry": form.entry, "status": form.status, "version": form.version}
    if sent.compute and form.status == form.ACCEPTED:
        try:
            rr = results.compute_result(request.user, rnd)
        except ElectionError as exc:
            return _json({**out, "errors": [str(exc)]}, 422)
        o = rr.output
        out["result"] = {
            "election_valid": o.get("election_valid"),
            "participation_base": o.get("participation_base"),
            "threshold": o.get("threshold"),
            "elected": o.get("elected"),
            "unfilled": o.get("unfilled"),
        }
    return _json(out)
