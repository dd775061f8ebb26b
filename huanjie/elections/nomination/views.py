"""Pages of nomination, the formal candidate list and proxies. Thin: every decision is a service."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.core.access import (
    TOWNSHIP,
    allow,
    require_write,
)
from huanjie.core.kept import keep_form
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.documents.render.fonts import MissingGlyphError
from huanjie.elections.nomination import proxies as px
from huanjie.elections.nomination import services as cs
from huanjie.elections.nomination.models import (
    Candidate,
    CandidateListPublication,
    Nomination,
    NominationCount,
    Proxy,
)
from huanjie.elections.services import ElectionError, date_default
from huanjie.elections.view_helpers import VIEWERS, WORKERS, file_response, form_date
from huanjie.elections.view_helpers import election_in_scope as _election


def _date(value: str | None, label: str) -> dt.date:
    day = form_date(value)
    if day is None:
        raise cs.CandidateError(f"{label}：请填写有效日期（例如 2026-03-10）。")
    return day


def _pdf(content: bytes, filename: str) -> HttpResponse:
    return file_response(content, filename)


def _can_write(request) -> bool:
    return request.user.role in WORKERS


def _post_action(request, pk, fn, success: str, back: str = "elections:candidates"):
    """Run one service for a POST; show its Chinese refusal, or the success message."""
    election = _election(request, pk)
    require_write(request.user)
    try:
        result = fn(election)
    except ElectionError as exc:
        messages.error(request, str(exc))
        keep_form(request)  # the redirected page puts back what was typed
    else:
        messages.success(request, success if not callable(success) else success(result))
    return redirect(back, pk=election.pk)


# ---------------------------------------------------------------- nominations


@allow(*VIEWERS)
def nominations(request, pk):
    election = _election(request, pk)
    posts = list(election.posts.order_by("rank", "id"))
    if wants_xlsx(request):
        return xlsx_response(
            f"{election.organization.name}被提名人",
            ["职位", "姓名", "性别", "村民小组", "提名方式", "提名票数", "状态", "说明"],
            [
                [block["post"].name, row["n"].person.name, row["n"].person.get_gender_display(),
                 row["n"].person.group_name, row["n"].get_channel_display(), row["n"].nomination_votes,
                 row["n"].get_status_display(), row["n"].note]
                for block in cs.nominees_table(election)
                for row in block["rows"]
            ],
        )
    return render(
        request,
        "elections/candidates/nominations.html",
        {
            "election": election,
            "posts": posts,
            "count": NominationCount.objects.filter(election=election).first(),
            "table": cs.nominees_table(election),
            "locked": Candidate.objects.filter(election=election).exists(),
            "can_write": _can_write(request),
            "channels": [c for c in Nomination.CHANNEL_CHOICES if c[0] in cs.CHANNELS],
            "current_posts": cs.CURRENT_POSTS,
            "registered": cs.registered_count(election),
            # Date fields offer today only where the service would accept it (the one date rule).
            "held_default": date_default(
                election, after=[("选民名单公布", cs._list_published_on(election))], before_vote=True
            ),
            "before_vote_default": date_default(election, before_vote=True),
        },
    )


_SPLIT = re.compile(r"[\s,，、;；:：]+")
_NAMES = re.compile(r"[,，、]+")


def _parse_aggregated(election, posts, data) -> dict:
    out: dict[str, dict] = {}
    errors: list[str] = []
    for post in posts:
        text = data.get(f"votes_{post.code}", "")
        for i, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            parts = [x for x in _SPLIT.split(line) if x]
            if len(parts) != 2 or not parts[1].isdecimal():
                errors.append(f"{post.name}第{i}行“{line}”：应为“姓名或身份证号码 票数”")
                continue
            try:
                person = cs.find_voter(election, parts[0])
            except cs.CandidateError as exc:
                errors.append(f"{post.name}第{i}行：{exc}")
                continue
            if person in out.setdefault(post.code, {}):
                errors.append(f"{post.name}第{i}行：{person.name}重复")
                continue
            out[post.code][person] = int(parts[1])
    if errors:
        raise cs.CandidateError("；".join(errors))
    return out


def _parse_ballots(election, posts, text: str) -> list[cs.NominationSheet]:
    by_name = {p.name: p.code for p in posts}
    sheets: list[cs.NominationSheet] = []
    errors: list[str] = []
    for i, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        ballot_id, proxy, noms = str(i), False, {}
        for token in line.split():
            if token in ("委托", "代填"):
                proxy = True
                continue
            if ":" not in token and "：" not in token:
                ballot_id = token
                continue
            label, _, names = token.replace("：", ":").partition(":")
            code = by_name.get(label)
            if code is None:
                errors.append(f"第{i}行：没有职位“{label}”（可用：" + "、".join(by_name) + "）")
                continue
            people = []
            for name in [n for n in _NAMES.split(names) if n]:
                try:
                    people.append(cs.find_voter(election, name))
                except cs.CandidateError as exc:
                    errors.append(f"第{i}行：{exc}")
            noms[code] = people
        sheets.append(cs.NominationSheet(ballot_id, noms, proxy))
    if errors:
        raise cs.CandidateError("；".join(errors))
    return sheets


@allow(*WORKERS)
@require_POST
def nominations_count(request, pk):
    def run(election):
        posts = list(election.posts.order_by("rank", "id"))
        held_on = _date(request.POST.get("held_on"), "提名日期")
        if request.POST.get("mode") == "ballots":
            return cs.record_nomination_count(
                request.user,
                election,
                held_on=held_on,
                ballots=_parse_ballots(election, posts, request.POST.get("ballots", "")),
            )
        raw = request.POST.get("participated", "").strip()
        if not raw.isdecimal():
            raise cs.CandidateError("参加提名人数：请填写非负整数。")
        return cs.record_nomination_count(
            request.user,
            election,
            held_on=held_on,
            aggregated=_parse_aggregated(election, posts, request.POST),
            participated=int(raw),
        )

    return _post_action(
        request,
        pk,
        run,
        lambda c: f"已录入提名：参加 {c.participated} 人，无效 {len(c.void)} 处。",
        "elections:nominations",
    )


ID_IN_LINE = re.compile(r"\d{17}[\dXx]")


def signatory_texts(raw: str) -> list[str]:
    """The signatories typed or picked (one a line): a line with an ID number is that person (the
    search widget adds "姓名 身份证号码", so namesakes are told apart); other lines may hold several
    names or numbers separated by spaces or commas."""
    texts: list[str] = []
    for line in (raw or "").splitlines():
        found = ID_IN_LINE.search(line)
        if found:
            texts.append(found.group(0).upper())
        else:
            texts.extend(t for t in re.split(r"[\s,，、；;]+", line) if t)
    return texts


@allow(*WORKERS)
@require_POST
def nominations_channel(request, pk):
    def run(election):
        post = get_object_or_404(election.posts, pk=request.POST.get("post"))
        person = cs.find_voter(election, request.POST.get("person", ""))
        signers = [cs.find_voter(election, text) for text in signatory_texts(request.POST.get("signatories", ""))]
        raw = (request.POST.get("votes") or "0").strip()
        if not raw.isdecimal():
            raise cs.CandidateError("提名票数：请填写非负整数。")
        return cs.add_channel_nomination(
            request.user,
            election,
            post,
            person,
            request.POST.get("channel", ""),
            signatories=signers,
            votes=int(raw),
            note=request.POST.get("note", ""),
        )

    return _post_action(
        request, pk, run, lambda n: f"已登记{n.person.name}为{n.post.name}被提名人。", "elections:nominations"
    )


def _nomination(election, nid) -> Nomination:
    return get_object_or_404(Nomination.objects.select_related("person", "post"), pk=nid, election=election)


@allow(*WORKERS)
@require_POST
def nomination_choice(request, pk, nid):
    def run(election):
        n = _nomination(election, nid)
        return cs.record_written_choice(request.user, n, _date(request.POST.get("on"), "书面选择日期"))

    return _post_action(
        request, pk, run, lambda n: f"已登记{n.person.name}书面选择{n.post.name}。", "elections:nominations"
    )


@allow(*WORKERS)
@require_POST
def nomination_update(request, pk, nid):
    def run(election):
        n = _nomination(election, nid)
        return cs.update_nominee(
            request.user,
            n,
            current_post=request.POST.get("current_post", ""),
            exception_body=request.POST.get("exception_body", ""),
            exception_reason=request.POST.get("exception_reason", ""),
        )

    back = request.POST.get("back") == "candidates"
    return _post_action(
        request,
        pk,
        run,
        lambda n: f"已保存{n.person.name}的信息。",
        "elections:candidates" if back else "elections:nominations",
    )


@allow(*WORKERS)
@require_POST
def nomination_exclude(request, pk, nid):
    def run(election):
        n = _nomination(election, nid)
        if request.POST.get("restore"):
            return cs.restore_nominee(request.user, n)
        return cs.exclude_nominee(request.user, n, request.POST.get("reason", ""))

    return _post_action(request, pk, run, lambda n: f"{n.person.name}：{n.get_status_display()}。")


# ---------------------------------------------------------------- candidates


def _numbers(request, posts) -> dict[str, int]:
    out = {}
    for p in posts:
        raw = (request.GET.get(f"n_{p.code}") or request.POST.get(f"n_{p.code}") or "").strip()
        if raw.isdecimal():
            out[p.code] = int(raw)
    return out


@allow(*VIEWERS)
def candidates_page(request, pk):
    election = _election(request, pk)
    posts = list(election.posts.order_by("rank", "id"))
    decided = Candidate.objects.filter(election=election).exists()
    ctx = {
        "election": election,
        "posts": posts,
        "decided": decided,
        "can_write": _can_write(request),
        "is_township": request.user.role == TOWNSHIP,
        "today": timezone.localdate(),
        "methods": cs.METHODS.items(),
        "calendar": cs.calendar_for(election),
    }
    if not decided:
        method = request.GET.get("method", "votes")
        try:
            ctx["preview"] = cs.preview(
                election, _numbers(request, posts), method if method in cs.METHODS else "votes"
            )
        except ElectionError as exc:
            ctx["preview_error"] = str(exc)
            ctx["preview"] = None
    else:
        checks = cs.candidate_checks(election)
        rows = []
        listed = list(
            Candidate.objects.filter(election=election)
            .select_related("person", "post", "replaces__person")
            .order_by("post__rank", "status", "list_order", "id")
        )
        states = cs.review_states(listed)  # one query per list, not per candidate (issue 17)
        for c in listed:
            rows.append(
                {
                    "c": c,
                    "review": states[c.pk],
                    "checks": checks.get(c.pk, {"refusals": [], "warnings": []}),
                    "age": c.person.age_on(election.election_date),
                }
            )
        ctx["by_post"] = [{"post": p, "rows": [r for r in rows if r["c"].post_id == p.pk]} for p in posts]
        if wants_xlsx(request):
            return xlsx_response(
                f"{election.organization.name}候选人",
                ["职位", "序号", "姓名", "性别", "年龄", "政治面貌", "资格审查", "政策检查", "状态"],
                [
                    [r["c"].post.name, r["c"].list_order if r["c"].status == "active" else "", r["c"].person.name,
                     r["c"].person.get_gender_display(), r["age"], r["c"].person.get_political_status_display(),
                     r["review"]["stage_label"],
                     "；".join([x["reason"] for x in r["checks"]["refusals"] + r["checks"]["warnings"]]) or "符合",
                     r["c"].get_status_display()]
                    for r in rows
                ],
            )
        ctx["team"] = cs.team_check_results(election)
        publish_on = request.GET.get("publish_on")
        try:
            day = dt.date.fromisoformat(publish_on) if publish_on else timezone.localdate()
        except ValueError:
            day = timezone.localdate()
        if day >= election.election_date:
            day = min(timezone.localdate(), election.election_date - dt.timedelta(days=1))
        ctx["publish_on"] = day
        latest = ctx["calendar"].withdrawal_latest or (election.election_date - dt.timedelta(days=1))
        ctx["withdraw_on"] = min(timezone.localdate(), latest)
        ctx["blockers"] = cs.publication_blockers(election, day)
        ctx["publications"] = list(CandidateListPublication.objects.filter(election=election))
        ctx["changed"] = cs.list_changed_since_publication(election)
        ctx["unfilled"] = cs.unfilled_disqualified(election)
    # The candidates are fixed before the election day, on a day that has come (the date rule).
    ctx["decide_on"] = min(timezone.localdate(), election.election_date - dt.timedelta(days=1))
    return render(request, "elections/candidates/candidates.html", ctx)


@allow(*WORKERS)
@require_POST
def candidates_decide(request, pk):
    def run(election):
        posts = list(election.posts.order_by("rank", "id"))
        method = request.POST.get("method", "votes")
        on = _date(request.POST.get("on"), "确定日期") if request.POST.get("on") else None
        return cs.decide_candidates(
            request.user, election, numbers=_numbers(request, posts), method=method, on=on
        )

    def ok(decision):
        text = f"已确定正式候选人 {len(decision.candidates)} 名，已提交资格审查。"
        return text + ("；".join(decision.committee_notes) if decision.committee_notes else "")

    return _post_action(request, pk, run, ok)


def _candidate(election, cid) -> Candidate:
    return get_object_or_404(Candidate.objects.select_related("person", "post"), pk=cid, election=election)


@allow(*WORKERS)
@require_POST
def candidate_ack(request, pk, cid):
    def run(election):
        c = _candidate(election, cid)
        return cs.acknowledge_warning(
            request.user, c, request.POST.get("code", ""), request.POST.get("reason", "")
        )

    return _post_action(request, pk, run, lambda c: f"已登记{c.person.name}的说明。")


@allow(*WORKERS)
@require_POST
def candidate_withdraw(request, pk, cid):
    def run(election):
        c = _candidate(election, cid)
        return cs.withdraw(
            request.user, c, _date(request.POST.get("on"), "书面申请退出日期"), request.POST.get("reason", "")
        )

    def ok(change):
        text = f"{change.candidate.person.name}已退出。"
        text += (
            f"由{change.replacement.person.name}递补。" if change.replacement else "没有可递补的被提名人。"
        )
        if change.publication:
            text += f"名单已重新公布（第{change.publication.version}版）。"
        elif change.republish_blockers:
            text += "名单须在以下问题解决后重新公布：" + "；".join(change.republish_blockers)
        return text

    return _post_action(request, pk, run, ok)


@allow(*WORKERS)
@require_POST
def candidate_disqualify(request, pk, cid):
    def run(election):
        return cs.disqualify(request.user, _candidate(election, cid))

    def ok(change):
        who = change.candidate.person.name
        return f"{who}资格审查未通过，" + (
            f"由{change.replacement.person.name}递补。" if change.replacement else "没有可递补的被提名人。"
        )

    return _post_action(request, pk, run, ok)


@allow(TOWNSHIP)
@require_POST
def team_explain(request, pk):
    def run(election):
        return cs.explain_team_check(
            request.user, election, request.POST.get("code", ""), request.POST.get("text", "")
        )

    return _post_action(request, pk, run, "已保存乡镇专项说明。")


@allow(*WORKERS)
@require_POST
def candidates_publish(request, pk):
    def run(election):
        return cs.publish_candidate_list(
            request.user,
            election,
            _date(request.POST.get("published_on"), "公布日期"),
            request.POST.get("reason", ""),
        )

    return _post_action(request, pk, run, lambda p: f"正式候选人名单已公布（第{p.version}版）。")


@allow(*VIEWERS)
def candidates_notice_pdf(request, pk, version):
    election = _election(request, pk)
    pub = get_object_or_404(CandidateListPublication, election=election, version=version)
    try:
        content = cs.notice_pdf(election, pub)
    except MissingGlyphError as exc:
        messages.error(request, f"名单中有字库缺少的字，无法打印：{exc}")
        return redirect("elections:candidates", pk=election.pk)
    return _pdf(content, f"{election.organization.name}正式候选人名单公告（第{version}版）.pdf")


# ---------------------------------------------------------------- proxies


@allow(*VIEWERS)
def proxies_page(request, pk):
    election = _election(request, pk)
    rows = Proxy.objects.filter(election=election).select_related("principal", "agent")
    return render(
        request,
        "elections/candidates/proxies.html",
        {
            "election": election,
            "rows": [{"p": p, "relation": px.relation_label(p)} for p in rows],
            "deadlines": px.deadlines(election),
            "can_write": _can_write(request),
            "declarable": px.DECLARABLE,
            "filed_default": date_default(election, before_vote=True),
        },
    )


@allow(*WORKERS)
@require_POST
def proxies_add(request, pk):
    def run(election):
        principal = cs.find_voter(election, request.POST.get("principal", ""))
        agent_text = request.POST.get("agent", "")
        try:
            agent = cs.find_voter(election, agent_text)
        except cs.CandidateError:
            # An agent outside the voter list is still recorded, refused by the engine with the reason.
            from huanjie.people.services import find_person_for

            agent = find_person_for(request.user, agent_text)
            if not agent:  # unknown, or on record out of scope (the marker is falsy; nothing is shown)
                raise
        return px.register_proxy(
            request.user,
            election,
            principal,
            agent,
            _date(request.POST.get("filed_on"), "书面委托日期"),
            request.POST.get("declared_relation", ""),
        )

    def ok(p):
        if p.status == Proxy.ACCEPTED:
            return f"已登记{p.principal.name}委托{p.agent.name}投票，选民证已交回。"
        return f"不予登记：{p.reason}"

    election = _election(request, pk)
    require_write(request.user)
    try:
        proxy = run(election)
    except ElectionError as exc:
        messages.error(request, str(exc))
    else:
        (messages.success if proxy.status == Proxy.ACCEPTED else messages.error)(request, ok(proxy))
    return redirect("elections:proxies", pk=election.pk)


@allow(*WORKERS)
@require_POST
def proxies_revoke(request, pk, proxy_id):
    def run(election):
        p = get_object_or_404(Proxy, pk=proxy_id, election=election)
        return px.revoke_proxy(request.user, p)

    return _post_action(request, pk, run, lambda p: f"已撤销{p.principal.name}的委托。", "elections:proxies")


@allow(*VIEWERS)
def proxies_notice_pdf(request, pk):
    election = _election(request, pk)
    raw = request.GET.get("on")
    try:
        on = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Http404("日期无效") from None
    try:
        content = px.proxy_notice_pdf(election, on)
    except (ElectionError, MissingGlyphError) as exc:
        messages.error(request, str(exc))
        return redirect(reverse("elections:proxies", kwargs={"pk": election.pk}))
    return _pdf(content, f"{election.organization.name}委托投票公告.pdf")
