"""Election pages: list per campaign, election detail with the timeline, committee, PDFs."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.campaigns.models import Campaign
from huanjie.core import uploads
from huanjie.core.access import (
    COUNTY,
    TOWNSHIP,
    allow,
    require_scope,
    require_write,
)
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.documents.render.fonts import MissingGlyphError
from huanjie.elections import kinds, services
from huanjie.elections.models import CommitteeMember, Election, VoterRegistration
from huanjie.elections.registration import documents
from huanjie.elections.registration import services as registration
from huanjie.elections.todos import election_todos
from huanjie.elections.view_helpers import VIEWERS, WORKERS, file_response
from huanjie.elections.view_helpers import election_in_scope as _election
from huanjie.elections.view_helpers import form_date as _date
from huanjie.people.services import PersonLookupError, find_by_id_number
from huanjie.preparation import readiness

SETUP = (COUNTY, TOWNSHIP)
VILLAGES_PER_PAGE = 50


def _campaign(request, slug) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user).select_related("county"), slug=slug)




def _voters_url(election: Election) -> str | None:
    # The voter list page belongs to the registration work; link to it once it exists.
    try:
        return reverse("elections:voters", kwargs={"pk": election.pk})
    except NoReverseMatch:
        return None


def _pdf(content: bytes, filename: str, inline: bool = False) -> HttpResponse:
    return file_response(content, filename, inline=inline)


# ---------------------------------------------------------------- list


@allow(*VIEWERS)
def election_list(request, slug):
    """Every village of the campaign in the account's scope with its election, stage and voters."""
    user = request.user
    campaign = _campaign(request, slug)
    entries = list(
        campaign.villages.filter(village__code__startswith=user.scope_prefix)
        .select_related("village__parent")
        .order_by("village__code")
    )
    scoped = Election.objects.filter(campaign=campaign, organization__code__startswith=user.scope_prefix)
    elections = {
        e.organization_id: e
        for e in scoped.filter(kind__in=[Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE])
        .select_related("organization")
    }
    # The village party organisation's election (first of every campaign), beside the committee's.
    party = {e.organization_id: e for e in scoped.filter(kind=Election.PARTY_BRANCH)}
    # Counted in the database, ages on each village's own election day (township and county pages
    # aggregate hundreds of villages and a million voters).
    totals = registration.village_counts(elections.values())
    band_labels = [registration.age_band_label(lo, hi) for lo, hi in registration.AGE_BANDS]
    seen_categories = {c for t in totals.values() for c in t["categories"]}
    category_cols = [(c, label) for c, label in VoterRegistration.CATEGORY_CHOICES if c in seen_categories]

    def blank(**extra) -> dict:
        return {
            "villages": 0,
            "elections": 0,
            "total": 0,
            "M": 0,
            "F": 0,
            "blocked": 0,
            "categories": dict.fromkeys(seen_categories, 0),
            "age_bands": [0] * len(band_labels),
            **extra,
        }

    rows = []
    by_township: dict[int, dict] = {}
    grand = blank()
    for entry in entries:
        e = elections.get(entry.village_id)
        counts = totals.get(e.pk) if e else None
        blockers = [b.short for b in readiness.blockers(entry)]
        rows.append(
            {
                "entry": entry,
                "election": e,
                "party": party.get(entry.village_id),
                "counts": counts,
                "category_counts": [(counts or {}).get("categories", {}).get(c, 0) for c, _ in category_cols],
                "band_counts": counts["age_bands"] if counts else [0] * len(band_labels),
                "blockers": blockers,
            }
        )
        t = by_township.setdefault(entry.village.parent_id, blank(township=entry.village.parent))
        for agg in (t, grand):
            agg["villages"] += 1
            agg["elections"] += 1 if e else 0
            agg["blocked"] += 1 if blockers else 0
            if counts:
                agg["total"] += counts["total"]
                agg["M"] += counts["M"]
                agg["F"] += counts["F"]
                for c, n in counts["categories"].items():
                    agg["categories"][c] += n
                agg["age_bands"] = [a + b for a, b in zip(agg["age_bands"], counts["age_bands"], strict=True)]
    for agg in (*by_township.values(), grand):
        agg["category_counts"] = [agg["categories"][c] for c, _ in category_cols]
    counted = [r for r in rows if r["counts"]]
    village_names = [r["entry"].village.name for r in counted]
    charts = {}
    if counted:
        charts = {
            "category_chart": {
                "categories": village_names,
                "series": [
                    {"name": label, "data": [r["category_counts"][i] for r in counted]}
                    for i, (_, label) in enumerate(category_cols)
                ],
                "stack": "voters",
            },
            "age_chart": {
                "categories": village_names,
                "series": [
                    {"name": label, "data": [r["band_counts"][i] for r in counted]}
                    for i, label in enumerate(band_labels)
                ],
                "stack": "voters",
            },
        }
    if wants_xlsx(request):
        return xlsx_response(
            f"{campaign.name}各村选举",
            ["乡镇（街道）", "村（社区）", "换届状态", "选举日", "阶段", "村党组织选举", "前置条件", "登记选民", "男", "女",
             *[label for _, label in category_cols], *band_labels],
            [
                [r["entry"].village.parent.name, r["entry"].village.name, r["entry"].get_state_display(),
                 r["election"].election_date if r["election"] else "未建立",
                 r["election"].get_stage_display() if r["election"] else "",
                 f"{r['party'].election_date} {r['party'].get_stage_display()}" if r["party"] else "未建立",
                 ("缺：" + "、".join(r["blockers"])) if r["blockers"] else "已满足",
                 (r["counts"] or {}).get("total", 0), (r["counts"] or {}).get("M", 0), (r["counts"] or {}).get("F", 0),
                 *r["category_counts"], *r["band_counts"]]
                for r in rows
            ],
        )
    # The per-village tables 50 villages a page with a search (a county's 500 rows twice were ~100 ms of
    # template work; issue 17); the township totals, the tiles, the charts and the Excel keep them all.
    q = request.GET.get("q", "").strip()
    shown = [r for r in rows if q in r["entry"].village.name or q in r["entry"].village.parent.name
             or r["entry"].village.code.startswith(q)] if q else rows
    page = Paginator(shown, VILLAGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "elections/election_list.html",
        {
            "campaign": campaign,
            "rows": page.object_list,
            "page": page,
            "q": q,
            "query": urlencode({"q": q}) if q else "",
            "townships": list(by_township.values()),
            "grand": grand,
            "category_cols": category_cols,
            "band_labels": band_labels,
            "cat_totals": [(label, grand["categories"][c]) for c, label in category_cols],
            "can_create": user.role in SETUP,
            "can_plan": user.role == COUNTY,
            **charts,
        },
    )


# ---------------------------------------------------------------- create


class ElectionForm(forms.Form):
    village = forms.ChoiceField(label="村（社区）")
    election_date = forms.DateField(label="选举日", widget=forms.DateInput(attrs={"type": "date"}))
    director = forms.IntegerField(label="主任名额", min_value=1, max_value=1, initial=1)
    deputy = forms.IntegerField(label="副主任名额", min_value=0, max_value=3, initial=1)
    women_member = forms.IntegerField(label="妇女委员名额（单列时）", min_value=0, max_value=3, initial=0)
    member = forms.IntegerField(label="委员名额", min_value=0, max_value=7, initial=3)

    def __init__(self, *args, campaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        taken = Election.objects.filter(campaign=campaign).values_list("organization_id", flat=True)
        entries = (
            campaign.villages.filter(village__code__startswith=user.scope_prefix)
            .exclude(village_id__in=taken)
            .select_related("village__parent")
        )
        self.fields["village"].choices = [("", "—")] + [
            (e.village.code, f"{e.village.parent.name if e.village.parent else ''} {e.village.name}")
            for e in entries
        ]
        posts = dict(services.default_posts(campaign))
        for code in ("deputy", "women_member", "member"):
            self.fields[code].initial = posts.get(code, 0)

    def posts(self) -> list[tuple[str, int]]:
        d = self.cleaned_data
        out = [("director", d["director"]), ("deputy", d["deputy"])]
        if d["women_member"]:
            out.append(("women_member", d["women_member"]))
        out.append(("member", d["member"]))
        return [(c, n) for c, n in out if n or c == "director"]


@allow(*SETUP)
def election_create(request, slug):
    campaign = _campaign(request, slug)
    form = ElectionForm(request.POST or None, campaign=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        entry = (
            campaign.villages.select_related("village")
            .filter(village__code=form.cleaned_data["village"])
            .first()
        )
        if entry is None:
            raise Http404
        require_scope(request.user, entry.village.code)
        try:
            election = services.create_election(
                request.user, campaign, entry.village, form.cleaned_data["election_date"], form.posts()
            )
        except services.ElectionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已建立“{election.title}”，选举日 {election.election_date:%Y-%m-%d}。")
            return redirect("elections:detail", pk=election.pk)
    return render(request, "elections/election_form.html", {"campaign": campaign, "form": form})


@allow(COUNTY)
def election_plan(request, slug):
    """The county uploads its plan (one row per village); all rows are created or none."""
    campaign = _campaign(request, slug)
    errors: list[str] = []
    if request.method == "POST":
        try:
            upload = uploads.uploaded_file(request, "plan")
        except uploads.UploadRefused as exc:
            upload, errors = None, [str(exc)]
        if errors:
            pass
        elif upload is None:
            errors = ["请选择计划文件（.xlsx、.xls 或 .csv）"]
        else:
            try:
                created = services.create_elections_from_plan(
                    request.user, campaign, upload.read(), upload.name
                )
            except services.PlanError as exc:
                errors = exc.errors
            except services.ElectionError as exc:
                errors = [str(exc)]
            else:
                messages.success(request, f"已按计划建立 {len(created)} 个村（社区）的选举。")
                return redirect("elections:list", slug=campaign.slug)
    return render(request, "elections/election_plan.html", {"campaign": campaign, "errors": errors})


# ---------------------------------------------------------------- detail


def _detail_context(request, election: Election) -> dict:
    user = request.user
    steps = services.timeline(election)
    stage_index = services.STAGE_ORDER.index(election.stage)
    blockers = services.voting_blockers(election)
    can_work = user.role in WORKERS
    unnumbered = VoterRegistration.objects.filter(
        election=election, status=VoterRegistration.REGISTERED, card_number=""
    ).count()
    keys = services.step_keys(election) if can_work else {}
    # Each step's form offers today only where the step can be recorded today (the one date rule).
    defaults = services.step_date_defaults(election, keys) if keys else {}
    step_keys = [(key, label, defaults[key]) for key, label in keys.items()]
    # The step form starts on the first step not yet recorded (not on one done long ago).
    done = {s.key for s in steps if s.done_on}
    next_key = next((key for key, _label, _d in step_keys if key not in done), None)

    return {
        "election": election,
        "campaign": election.campaign,
        "steps": steps,
        "blockers": blockers,
        "posts": election.posts.all(),
        "committee": services.sitting_members(election),
        "committee_status": services.committee_status(election),
        "counts": services.voter_counts(election),
        "voters_url": _voters_url(election),
        "can_work": can_work,
        "can_setup": user.role in SETUP,
        # The vote opens on the election day (an election-day fact, services.check_dated_fact);
        # before it the page says so instead of offering a button that would be refused.
        "can_open": can_work
        and not blockers
        and stage_index < services.STAGE_ORDER.index(Election.VOTING)
        and timezone.localdate() >= election.election_date,
        "opens_on": election.election_date if timezone.localdate() < election.election_date else None,
        "next_steps": election_todos(election) if can_work else [],
        "voting_open": stage_index >= services.STAGE_ORDER.index(Election.VOTING),
        "step_keys": step_keys,
        "first_step_default": defaults.get(next_key) or (step_keys[0][2] if step_keys else None),
        "next_step_key": next_key,
        "unnumbered": unnumbered,
        "today": timezone.localdate(),
    }


@allow(*VIEWERS)
def election_detail(request, pk):
    election = _election(request, pk)
    own = kinds.hooks_for(election.kind).work_url
    if own is not None:  # a kind with its own page (the party's, the supervision committee's) is walked there
        return redirect(own(election))
    return render(request, "elections/election_detail.html", _detail_context(request, election))




@allow(*SETUP)
@require_POST
def election_move_date(request, pk):
    election = _election(request, pk)
    new_date = _date(request.POST.get("election_date", ""))
    if new_date is None:
        messages.error(request, "新的选举日：请填写有效日期（YYYY-MM-DD）。")
        return redirect("elections:detail", pk=election.pk)
    try:
        move = services.move_election_date(request.user, election, new_date)
    except services.ElectionError as exc:
        messages.error(request, str(exc))
        return redirect("elections:detail", pk=election.pk)
    messages.success(
        request, f"选举日已由 {move.old_date:%Y-%m-%d} 改为 {move.new_date:%Y-%m-%d}，日程已重新计算。"
    )
    for s in move.no_longer_met:
        messages.warning(
            request,
            f"“{s.label}”已于 {s.done_on:%Y-%m-%d} 完成，按新的选举日最迟应在 {s.deadline:%Y-%m-%d} 前完成，不再符合期限，需要重新办理。",
        )
    if not move.no_longer_met:
        messages.info(request, "已完成的步骤均仍符合新的期限。")
    return redirect("elections:detail", pk=election.pk)


@allow(*WORKERS)
@require_POST
def election_record_step(request, pk):
    election = _election(request, pk)
    done_on = _date(request.POST.get("done_on", ""))
    if done_on is None:
        messages.error(request, "完成日期：请填写有效日期（YYYY-MM-DD）。")
        return redirect("elections:detail", pk=election.pk)
    try:
        services.record_step(
            request.user, election, request.POST.get("key", ""), done_on, request.POST.get("note", "")
        )
    except services.ElectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "工作进度已登记。")
    return redirect("elections:detail", pk=election.pk)


@allow(*WORKERS)
@require_POST
def election_open_voting(request, pk):
    election = _election(request, pk)
    try:
        services.open_voting(request.user, election)
    except services.ElectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已进入投票阶段。")
    return redirect("elections:detail", pk=election.pk)


# ---------------------------------------------------------------- committee


class MemberForm(forms.Form):
    # Found by name with the person-search widget (people:pick), which fills in the ID number.
    id_number = forms.CharField(
        label="成员（按姓名查找）",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "输入姓名、村民小组或身份证号码后几位查找",
                "hx-get": "/people/pick/",
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#id_id_number-results",
                "hx-swap": "innerHTML",
                "hx-vals": '{"field": "id_number", "target": "id_id_number"}',
            }
        ),
    )
    post = forms.ChoiceField(label="职务", choices=CommitteeMember.POST_CHOICES, initial="member")
    chosen_by = forms.ChoiceField(label="推选方式", choices=CommitteeMember.CHOSEN_BY_CHOICES)
    vote_order = forms.IntegerField(label="得票顺序", min_value=1, max_value=99)
    votes = forms.IntegerField(label="得票数", min_value=0, required=False)
    is_reserve = forms.BooleanField(label="候补（按得票顺序递补）", required=False)
    joined_on = forms.DateField(label="推选日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, election=None, **kwargs):
        super().__init__(*args, **kwargs)
        if election is not None:  # a residents' committee's 居民小组会议, not the village's words
            words = kinds.wording(election)
            widget = self.fields["id_number"].widget
            widget.attrs["placeholder"] = words.say(widget.attrs["placeholder"])
            self.fields["chosen_by"].choices = [(v, words.say(lbl)) for v, lbl in CommitteeMember.CHOSEN_BY_CHOICES]


@allow(*VIEWERS)
def committee(request, pk):
    election = _election(request, pk)
    user = request.user
    form = MemberForm(request.POST or None, election=election)
    if request.method == "POST":
        require_write(user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                person = find_by_id_number(user, d["id_number"])
            except PersonLookupError as exc:
                person = None
                form.add_error("id_number", str(exc))
            if person is not None:
                try:
                    services.add_committee_member(
                        user,
                        election,
                        person,
                        post=d["post"],
                        chosen_by=d["chosen_by"],
                        vote_order=d["vote_order"],
                        votes=d["votes"],
                        is_reserve=d["is_reserve"],
                        joined_on=d["joined_on"],
                    )
                except services.ElectionError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        f"已将{person.name}列入村民选举委员会{'候补' if d['is_reserve'] else ''}名单。",
                    )
                    return redirect("elections:committee", pk=election.pk)
    members = list(election.committee.select_related("person", "replaces__person").order_by("vote_order"))
    return render(
        request,
        "elections/committee.html",
        {
            "election": election,
            "campaign": election.campaign,
            "sitting": [m for m in members if m.status == CommitteeMember.ACTIVE and not m.is_reserve],
            "reserves": [m for m in members if m.status == CommitteeMember.ACTIVE and m.is_reserve],
            "history": [m for m in members if m.status != CommitteeMember.ACTIVE or m.replaces_id],
            "status": services.committee_status(election),
            "form": form,
            "can_work": user.role in WORKERS,
        },
    )


@allow(*WORKERS)
@require_POST
def committee_candidate(request, pk, member_pk):
    election = _election(request, pk)
    member = get_object_or_404(election.committee.select_related("person"), pk=member_pk)
    try:
        result = services.member_becomes_candidate(request.user, member)
    except services.ElectionError as exc:
        messages.error(request, str(exc))
    else:
        text = f"{member.person.name}成为候选人，已退出村民选举委员会。"
        if result.joined:
            text += f"按原推选得票顺序由{result.joined.person.name}递补。"
        messages.success(request, text)
        for note in result.notes:
            messages.warning(request, note)
    return redirect("elections:committee", pk=election.pk)


# ---------------------------------------------------------------- documents


@allow(*VIEWERS)
def voter_notice_pdf(request, pk):
    election = _election(request, pk)
    try:
        content = documents.voter_notice_pdf(election)
    except MissingGlyphError as exc:
        messages.error(request, f"选民名单中有字库缺少的字，无法打印：{exc}")
        return redirect("elections:detail", pk=election.pk)
    return _pdf(content, f"{election.organization.name}选民名单公告.pdf")


@allow(*WORKERS)
def voter_cards_pdf(request, pk):
    election = _election(request, pk)
    try:
        content = documents.voter_cards_pdf(election)
    except (services.ElectionError, MissingGlyphError) as exc:
        messages.error(request, str(exc))
        return redirect("elections:detail", pk=election.pk)
    return _pdf(content, f"{election.organization.name}选民证.pdf")


@allow(*WORKERS)
@require_POST
def card_numbers(request, pk):
    election = _election(request, pk)
    try:
        n = documents.assign_card_numbers(request.user, election)
    except services.ElectionError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, f"已为 {n} 名选民编制选民证号。" if n else "所有选民都已有选民证号。")
    return redirect("elections:detail", pk=election.pk)
