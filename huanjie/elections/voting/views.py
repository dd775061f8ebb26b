"""Election-day pages: arrangements, staff, ballots, counting forms (aggregated, double entry, ballot by
ballot), results with the arithmetic and follow-up rounds, and the list of all F/W codes.

Views are thin: the decisions are in :mod:`voting`, :mod:`counting` and :mod:`results`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
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
from huanjie.core.kept import keep_form
from huanjie.documents.render.fonts import MissingGlyphError
from huanjie.elections.aftervote.locking import ResultLocked, is_locked
from huanjie.elections.models import Election, Round
from huanjie.elections.services import STAGE_ORDER, ElectionError, date_default
from huanjie.elections.view_helpers import VIEWERS, WORKERS
from huanjie.elections.view_helpers import election_in_scope as _election
from huanjie.elections.view_helpers import form_date as _date
from huanjie.elections.views import _pdf
from huanjie.elections.voting import counting, results
from huanjie.elections.voting import services as voting
from huanjie.elections.voting.models import CountingForm, ElectedMember, StationStaff, VotingStation
from huanjie.people.services import PersonLookupError, find_by_id_number
from huanjie.rules.forms import CODES

ALL = (COUNTY, TOWNSHIP, VILLAGE, OBSERVER, ADMIN, "department")




def _round(request, pk) -> Round:
    rnd = get_object_or_404(
        Round.objects.select_related("election__campaign", "election__organization"), pk=pk
    )
    require_scope(request.user, rnd.election.organization.code)
    return rnd


def _station(request, rnd: Round, pk) -> VotingStation:
    station = get_object_or_404(VotingStation, pk=pk, election=rnd.election)
    return station


def _can_work(user) -> bool:
    return user.role in WORKERS


def _time(value: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None




def _int(value):
    """What was typed: an int when it is one, None when empty, else the text (F.05 names it)."""
    text = (value or "").strip()
    if text == "":
        return None
    return int(text) if text.isdecimal() else text  # isdigit() also takes "²", which int() refuses


def _base(election: Election, **extra) -> dict:
    return {"election": election, "campaign": election.campaign, "locked": is_locked(election), **extra}


def _other_url(name: str, pk: int) -> str | None:
    try:
        return reverse(f"elections:{name}", kwargs={"pk": pk})
    except NoReverseMatch:
        return None


# ---------------------------------------------------------------- arrangements


@allow(*VIEWERS)
def arrangements(request, pk):
    election = _election(request, pk)
    user = request.user
    if request.method == "POST":
        require_write(user)
        action = request.POST.get("action", "add")
        try:
            if action == "add":
                voting.add_station(
                    user,
                    election,
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", VotingStation.STATION),
                    location=request.POST.get("location", ""),
                    opens_at=_time(request.POST.get("opens_at", "")),
                    closes_at=_time(request.POST.get("closes_at", "")),
                )
                messages.success(request, "已添加投票站（票箱）。")
            elif action == "publish":
                day = _date(request.POST.get("published_on", ""))
                if day is None:
                    raise ElectionError("公布日期：请填写有效日期。")
                voting.publish_arrangements(user, election, day)
                messages.success(request, "已登记投票选举事项公告的公布日期。")
            elif action == "double_entry":
                voting.set_double_entry(user, election, request.POST.get("on") == "1")
                messages.success(request, "已设置计票单录入方式。")
            else:
                station = get_object_or_404(VotingStation, pk=request.POST.get("station"), election=election)
                if action == "approve":
                    voting.approve_mobile_box(user, station, _date(request.POST.get("approved_on", "")))
                    messages.success(request, f"已批准{station.name}。")
                elif action == "lists":
                    voting.record_mobile_lists(
                        user,
                        station,
                        voter_list_published_on=_date(request.POST.get("voter_list_published_on", "")),
                        scrutineer_list_published_on=_date(
                            request.POST.get("scrutineer_list_published_on", "")
                        ),
                    )
                    messages.success(request, f"已登记{station.name}的名单公布日期。")
                elif action == "delete":
                    voting.delete_station(user, station)
                    messages.success(request, f"已删除{station.name}。")
                elif action == "issued":
                    n = _int(request.POST.get("ballots_issued", ""))
                    voting.record_ballots_issued(user, station, n if isinstance(n, int) else -1)
                    messages.success(request, f"已登记{station.name}发出选票 {n} 张。")
                else:
                    raise Http404
        except (ElectionError, ResultLocked) as exc:
            messages.error(request, str(exc))
            keep_form(request)  # the redirected page puts back what was typed
        return redirect("elections:voting", pk=election.pk)
    stations = list(election.stations.all())
    findings = voting.mobile_box_findings(election)
    published = election.steps.filter(key=voting.ARRANGEMENTS_STEP).first()
    return render(
        request,
        "elections/voting/arrangements.html",
        _base(
            election,
            stations=[(s, findings.get(s.pk)) for s in stations],
            problems=voting.arrangement_problems(election),
            deadline=voting.arrangements_deadline(election),
            published=published,
            kinds=VotingStation.KIND_CHOICES,
            can_work=_can_work(user),
            can_approve=user.role in (COUNTY, TOWNSHIP),
            # Date fields offer today only where the service would accept it (the one date rule).
            published_default=date_default(
                election, before_vote=True, deadline=voting.arrangements_deadline(election)
            ),
            approve_default=date_default(election, before_vote=True),
            # Once the vote is open the notice has done its work: no form to publish it again.
            voting_open=STAGE_ORDER.index(election.stage) >= STAGE_ORDER.index(Election.VOTING),
            rounds=list(election.rounds.all()),
        ),
    )


@allow(*VIEWERS)
def arrangements_pdf(request, pk):
    election = _election(request, pk)
    published = election.steps.filter(key=voting.ARRANGEMENTS_STEP).first()
    try:
        content = voting.arrangements_notice_pdf(election, published.done_on if published else None)
    except MissingGlyphError as exc:
        messages.error(request, f"无法生成公告：{exc}")
        return redirect("elections:voting", pk=election.pk)
    return _pdf(content, f"{election.organization.name}投票选举事项公告.pdf")


# ---------------------------------------------------------------- staff


@allow(*VIEWERS)
def staff(request, pk):
    election = _election(request, pk)
    user = request.user
    if request.method == "POST":
        require_write(user)
        try:
            if request.POST.get("action") == "remove":
                row = get_object_or_404(
                    StationStaff, pk=request.POST.get("staff"), station__election=election
                )
                voting.remove_staff(user, row)
                messages.success(request, "已移除该工作人员。")
            else:
                station = get_object_or_404(VotingStation, pk=request.POST.get("station"), election=election)
                try:
                    person = find_by_id_number(user, request.POST.get("id_number", ""))
                except PersonLookupError as exc:
                    raise ElectionError(str(exc)) from None
                row, warnings = voting.add_staff(user, station, person, request.POST.get("role", ""))
                messages.success(request, f"已安排{person.name}为{station.name}的{row.get_role_display()}。")
                for w in warnings:
                    messages.warning(request, f"请注意：{w}")
        except (ElectionError, ResultLocked) as exc:
            messages.error(request, str(exc))
            keep_form(request)
        return redirect("elections:voting_staff", pk=election.pk)
    stations = list(election.stations.prefetch_related("staff__person"))
    return render(
        request,
        "elections/voting/staff.html",
        _base(
            election,
            stations=stations,
            findings=voting.staff_findings(election),
            roles=StationStaff.ROLE_CHOICES,
            can_work=_can_work(user),
        ),
    )


@allow(*VIEWERS)
def staff_pdf(request, pk):
    election = _election(request, pk)
    return _pdf(voting.staff_notice_pdf(election), f"{election.organization.name}选举工作人员名单公告.pdf")


# ---------------------------------------------------------------- ballots


@allow(*VIEWERS)
def ballots(request, pk):
    election = _election(request, pk)
    rounds = []
    for rnd in election.rounds.all():
        rounds.append({"round": rnd, "posts": voting.ballot_posts(rnd)})
    return render(
        request,
        "elections/voting/ballots.html",
        _base(
            election, rounds=rounds, stations=list(election.stations.all()), can_work=_can_work(request.user)
        ),
    )


@allow(*VIEWERS)
def ballot_pdf(request, pk):
    rnd = _round(request, pk)
    try:
        content = voting.round_ballot_pdf(rnd)
    except (ElectionError, MissingGlyphError) as exc:
        messages.error(request, str(exc))
        return redirect("elections:ballots", pk=rnd.election_id)
    return _pdf(content, f"{rnd.election.organization.name}第{rnd.number}轮选票.pdf")


# ---------------------------------------------------------------- counting


@allow(*VIEWERS)
def counting_overview(request, pk):
    rnd = _round(request, pk)
    election = rnd.election
    rows = []
    forms = {}
    for f in CountingForm.objects.filter(round=rnd).select_related("entered_by"):
        forms.setdefault(f.station_id, []).append(f)
    for st in election.stations.all():
        fs = sorted(forms.get(st.pk, []), key=lambda f: f.entry)
        rows.append(
            {"station": st, "forms": fs, "accepted": any(f.status == CountingForm.ACCEPTED for f in fs)}
        )
    return render(
        request,
        "elections/voting/counting_overview.html",
        _base(
            election,
            round=rnd,
            rows=rows,
            can_work=_can_work(request.user),
            has_result=hasattr(rnd, "result"),
        ),
    )


def _form_data(request, races) -> tuple[counting.FormData, list[str]]:
    p = request.POST
    data = counting.FormData(
        issued=_int(p.get("issued")),
        returned=_int(p.get("returned")),
        valid=_int(p.get("valid")),
        blank=_int(p.get("blank")),
        invalid=_int(p.get("invalid")),
    )
    for race in races:
        pid = race.post.pk
        for i, c in enumerate(race.candidates):
            data.lines.append(counting.LineData(pid, c["name"], _int(p.get(f"v_{pid}_{i}"))))
        for k in range(_write_in_rows(race)):
            name = (p.get(f"wn_{pid}_{k}") or "").strip()
            votes = _int(p.get(f"wv_{pid}_{k}"))
            if not name and votes is None:
                continue
            data.lines.append(counting.LineData(pid, name, votes, True, p.get(f"wg_{pid}_{k}") or ""))
        total = _int(p.get(f"t_{pid}"))
        if total is not None:
            data.totals[pid] = total
    return data, p.getlist("ack")


def _write_in_rows(race) -> int:
    return max(3, race.seats + 1)


def _entry_context(rnd, station, races, data, findings, form=None) -> dict:
    values = {}
    if data is not None:
        values = {
            "issued": data.issued,
            "returned": data.returned,
            "valid": data.valid,
            "blank": data.blank,
            "invalid": data.invalid,
        }
    posts = []
    for race in races:
        pid = race.post.pk
        lines = [ln for ln in (data.lines if data else []) if ln.post_id == pid]
        cand_votes = {ln.name: ln.votes for ln in lines if not ln.write_in}
        wins = [ln for ln in lines if ln.write_in]
        rows = []
        for k in range(max(_write_in_rows(race), len(wins))):
            ln = wins[k] if k < len(wins) else None
            rows.append(
                {
                    "k": k,
                    "name": ln.name if ln else "",
                    "votes": ln.votes if ln else "",
                    "gender": ln.gender if ln else "",
                }
            )
        posts.append(
            {
                "race": race,
                "candidates": [
                    {"i": i, "name": c["name"], "votes": cand_votes.get(c["name"], "")}
                    for i, c in enumerate(race.candidates)
                ],
                "write_ins": rows if rnd.kind != Round.TIE_REVOTE else [],
                "total": (data.totals.get(pid) if data else None),
            }
        )
    return {
        "round": rnd,
        "station": station,
        "values": values,
        "posts": posts,
        "findings": findings,
        "errors": [f for f in findings if f.severity == "error"],
        "warnings": [f for f in findings if f.severity == "warning"],
        "form": form,
    }


@allow(*VIEWERS)
def counting_form(request, pk, station_pk):
    """Aggregated entry of one station's form: fast, keyboard friendly, F/W checks inline."""
    rnd = _round(request, pk)
    station = _station(request, rnd, station_pk)
    election = rnd.election
    user = request.user
    races = voting.round_races(rnd)
    data, findings = None, []
    mine = None
    existing = counting.entries(rnd, station)
    if election.double_entry:
        mine = next((f for f in existing.values() if f.entered_by_id == user.pk), None)
    else:
        mine = existing.get(1)
    stale = None
    if request.method == "POST":
        require_write(user)
        data, acks = _form_data(request, races)
        try:
            form = counting.save_form(user, rnd, station, data, acks, based_on=_int(request.POST.get("version")))
        except counting.StaleForm as exc:
            messages.error(request, str(exc))
            stale = counting.side_by_side(rnd, data, counting.FormData.from_form(exc.current), races)
            mine = exc.current
        except counting.FormBlocked as exc:
            findings = exc.findings
            messages.error(request, "计票单有错误（F），未保存。请对照纸质计票单改正。")
        except counting.NeedsAcknowledgement as exc:
            findings = counting.check(rnd, data, races)
            messages.warning(request, "计票单有警告（W），请核对后勾选确认，再保存。")
            del exc
        except (ElectionError, ResultLocked) as exc:
            messages.error(request, str(exc))
        else:
            if form.status == CountingForm.ACCEPTED:
                messages.success(request, f"{station.name}的计票单已保存并确认。")
            else:
                messages.info(
                    request, f"{station.name}的计票单（第 {form.entry} 次录入）已保存，等待另一次录入核对。"
                )
            return redirect("elections:counting", pk=rnd.pk)
    elif mine is not None and mine.method == CountingForm.AGGREGATED:
        data = counting.FormData.from_form(mine)
        if not (election.double_entry and mine.entered_by_id != user.pk):
            findings = counting.check(rnd, data, races)
    elif not election.double_entry and mine is None and rnd.kind == Round.FIRST and station.ballots_issued:
        data = counting.FormData(issued=station.ballots_issued)
    ctx = _entry_context(rnd, station, races, data, findings, mine)
    ctx.update(
        _base(election),
        can_work=_can_work(user),
        double_entry=election.double_entry,
        acked=request.POST.getlist("ack") if request.method == "POST" else [],
        stale=stale,
        version=mine.version if mine is not None else 0,
        # A form that cannot be saved yet says so before anyone types; read-only roles see text.
        blocked=counting.write_blocker(user, rnd, station) if _can_work(user) else "",
    )
    return render(request, "elections/voting/counting_form.html", ctx)


@allow(*WORKERS)
@require_POST
def counting_check(request, pk, station_pk):
    """htmx: the F/W findings of what is typed so far (nothing is saved)."""
    rnd = _round(request, pk)
    _station(request, rnd, station_pk)
    races = voting.round_races(rnd)
    data, _ = _form_data(request, races)
    try:
        findings = counting.check(rnd, data, races)
    except ElectionError as exc:
        return HttpResponse(f'<div class="msg msg-error">{exc}</div>')
    return render(
        request,
        "elections/voting/_findings.html",
        {
            "findings": findings,
            "errors": [f for f in findings if f.severity == "error"],
            "warnings": [f for f in findings if f.severity == "warning"],
            "live": True,
            "acked": request.POST.getlist("ack"),
            "election": rnd.election,  # the law cited is the election day's (issue 16)
        },
    )


@allow(*VIEWERS)
def counting_compare(request, pk, station_pk):
    """Double entry: the two entries side by side; the chair records a resolution."""
    rnd = _round(request, pk)
    station = _station(request, rnd, station_pk)
    election = rnd.election
    if request.method == "POST":
        require_write(request.user)
        chosen = _int(request.POST.get("entry"))
        try:
            counting.resolve_double_entry(
                request.user,
                rnd,
                station,
                chosen if isinstance(chosen, int) else 0,
                request.POST.get("note", ""),
            )
        except (ElectionError, ResultLocked) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已记录处理意见，采用第 {chosen} 次录入。")
            return redirect("elections:counting", pk=rnd.pk)
    forms = counting.entries(rnd, station)
    races = voting.round_races(rnd)
    diffs = counting.differences(rnd, station, races)
    rows = []
    if 1 in forms and 2 in forms:
        rows = counting.side_by_side(
            rnd, counting.FormData.from_form(forms[1]), counting.FormData.from_form(forms[2]), races
        )
    return render(
        request,
        "elections/voting/counting_compare.html",
        _base(
            election,
            round=rnd,
            station=station,
            forms=forms,
            diffs=diffs,
            rows=rows,
            can_work=_can_work(request.user),
            chair=counting.committee_chair(election),
        ),
    )


@allow(*VIEWERS)
def counting_ballots(request, pk, station_pk):
    """Ballot-by-ballot entry (small elections, recounts): each ballot checked by the engine (R26)."""
    rnd = _round(request, pk)
    station = _station(request, rnd, station_pk)
    election = rnd.election
    user = request.user
    races = voting.round_races(rnd)
    form = CountingForm.objects.filter(round=rnd, station=station, entry=1).first()
    findings = []
    if request.method == "POST":
        require_write(user)
        action = request.POST.get("action")
        try:
            if action == "start":
                n = _int(request.POST.get("issued"))
                counting.start_ballot_form(user, rnd, station, n if isinstance(n, int) else -1)
            elif form is None:
                raise ElectionError("请先开始逐票录入。")
            elif action == "add":
                marks = {}
                for race in races:
                    pid = race.post.pk
                    approve = [
                        c["name"] for i, c in enumerate(race.candidates) if request.POST.get(f"a_{pid}_{i}")
                    ]
                    write_in = [
                        w.strip()
                        for w in request.POST.get(f"w_{pid}", "").replace("，", ",").split(",")
                        if w.strip()
                    ]
                    genders = {
                        w: request.POST.get(f"wg_{pid}") for w in write_in if request.POST.get(f"wg_{pid}")
                    }
                    marks[pid] = {"approve": approve, "write_in": write_in, "genders": genders}
                entry, verdict = counting.add_ballot(
                    user,
                    form,
                    marks,
                    unreadable=bool(request.POST.get("unreadable")),
                    extra_mark=bool(request.POST.get("extra_mark")),
                )
                if verdict["valid"]:
                    messages.success(request, f"第 {entry.number} 张选票：有效。")
                else:
                    messages.warning(
                        request,
                        f"第 {entry.number} 张选票："
                        + "；".join(
                            f"{i['post'] or '整张'} {i['code']} {i['reason']}" for i in verdict["invalid"]
                        ),
                    )
            elif action == "remove":
                counting.remove_ballot(user, form, int(request.POST.get("number", "0") or 0))
                messages.success(request, "已删除该张选票。")
            elif action == "finish":
                counting.finish_ballot_form(user, form, request.POST.getlist("ack"))
                messages.success(request, f"{station.name}的逐票录入已完成，计票单已确认。")
                return redirect("elections:counting", pk=rnd.pk)
        except counting.FormBlocked as exc:
            findings = exc.findings
            messages.error(request, "计票单有错误（F），请核对选票。")
        except counting.NeedsAcknowledgement as exc:
            findings = exc.findings
            messages.warning(request, "计票单有警告（W），请核对后勾选确认。")
        except (ElectionError, ResultLocked) as exc:
            messages.error(request, str(exc))
        if not findings:
            return redirect("elections:counting_ballots", pk=rnd.pk, station_pk=station.pk)
        form = CountingForm.objects.filter(round=rnd, station=station, entry=1).first()
    summary, rows = counting.ballot_summary(form, races) if form is not None else (None, [])
    tally = []
    if summary is not None:
        by_pid = {r.post.pk: r.name for r in races}
        tally = [(by_pid[ln.post_id], ln.name, ln.votes, ln.write_in) for ln in summary.lines]
    return render(
        request,
        "elections/voting/counting_ballots.html",
        _base(
            election,
            round=rnd,
            station=station,
            form=form,
            races=races,
            rows=rows,
            summary=summary,
            tally=tally,
            findings=findings,
            can_work=_can_work(user),
            invalid_rows=[(e, v) for e, v in rows if v["invalid"]],
        ),
    )


@allow(*ALL)
def codes(request):
    """Every F/W/D code of the counting-form checks with its explanation."""
    groups = [
        ("error", "F：错误（不能保存，须改正）"),
        ("warning", "W：警告（核对后确认才能保存）"),
        ("difference", "D：双人录入"),
    ]
    return render(
        request,
        "elections/voting/codes.html",
        {
            "groups": [
                (label, [(c, t, e) for c, (s, t, e) in CODES.items() if s == sev]) for sev, label in groups
            ]
        },
    )


# ---------------------------------------------------------------- results


@allow(*VIEWERS)
def result(request, pk):
    rnd = _round(request, pk)
    election = rnd.election
    text = results.explain(rnd)
    needed = results.follow_ups_needed(rnd) if text else {}
    return render(
        request,
        "elections/voting/result.html",
        _base(
            election,
            round=rnd,
            text=text,
            needed=needed,
            seats=results.seat_status(election),
            complete=results.is_complete(election),
            follow_ups=list(rnd.follow_ups.all()),
            rounds=list(election.rounds.all()),
            can_work=_can_work(request.user),
            can_void=request.user.role in (COUNTY, TOWNSHIP),
            elected=ElectedMember.objects.filter(round=rnd).select_related("post"),
            notice_url=_other_url("results_notice_pdf", election.pk),
            certificates_url=_other_url("certificates_pdf", election.pk),
        ),
    )


@allow(*WORKERS)
@require_POST
def result_compute(request, pk):
    rnd = _round(request, pk)
    try:
        results.compute_result(request.user, rnd)
    except (ElectionError, ResultLocked) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已计算第 {rnd.number} 轮结果。")
    return redirect("elections:result", pk=rnd.pk)


@allow(*WORKERS)
@require_POST
def result_follow_up(request, pk):
    rnd = _round(request, pk)
    try:
        new = results.create_follow_up_round(
            request.user, rnd, request.POST.get("kind") or None, _date(request.POST.get("held_on", ""))
        )
    except (ElectionError, ResultLocked) as exc:
        messages.error(request, str(exc))
        return redirect("elections:result", pk=rnd.pk)
    messages.success(
        request, f"已建立第 {new.number} 轮（{new.get_kind_display()}），请印制选票并录入计票单。"
    )
    return redirect("elections:counting", pk=new.pk)


@allow(COUNTY, TOWNSHIP)
@require_POST
def void_election(request, member_pk):
    member = get_object_or_404(
        ElectedMember.objects.select_related("election__organization", "round"), pk=member_pk
    )
    require_scope(request.user, member.election.organization.code)
    try:
        results.void_election_of(
            request.user, member, request.POST.get("reason", ""), request.POST.get("document_number", "")
        )
    except (ElectionError, ResultLocked) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已确认{member.name}当选无效，已重新计算本轮结果。")
    return redirect("elections:result", pk=member.round_id)
