"""Pages of the village posts: the county's and township's overview, one village's representatives
(with the shares, the import, the notice) and its group posts. Thin: every write is a service."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core import uploads
from huanjie.core.access import ADMIN, COUNTY, OBSERVER, TOWNSHIP, VILLAGE, allow, require_scope
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.elections.view_helpers import file_response, form_date
from huanjie.preparation import services as preparation

from . import documents, services
from .models import GroupPost, PostsSetup, Representative

VIEWERS = (COUNTY, TOWNSHIP, VILLAGE, ADMIN, OBSERVER)
PER_PAGE = 50


def _campaign(request, slug) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user).select_related("county"), slug=slug)


def _entry(request, campaign, code) -> CampaignVillage:
    entry = get_object_or_404(campaign.villages.select_related("village__parent", "campaign"), village__code=code)
    require_scope(request.user, entry.village.code)
    return entry


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _masked(person, user) -> str:
    # Observers see no ID numbers (README: 监督员只看公开信息).
    return "" if user.role == OBSERVER else person.masked_id


# ---------------------------------------------------------------- overview


def overview_rows(campaign: Campaign, prefix: str) -> list[dict]:
    entries = list(campaign.villages.filter(village__code__startswith=prefix)
                   .select_related("village__parent", "campaign").order_by("village__code"))
    loaded = services.load(entries)
    rows = []
    for e in entries:
        d = loaded[e.pk]
        check = services.check(e, d)
        stats = services.group_stats(e, d)
        rows.append({"entry": e, "setup": d.setup if d.setup.pk else None, "check": check, "stats": stats,
                     "statutory": [f for f in check["findings"] if f["severity"] == "statutory"],
                     "warnings": [f for f in check["findings"] if f["severity"] == "warning"]})
    return rows


@allow(*VIEWERS)
def overview(request, slug):
    """Each village's representatives with their shares and its group leaders (四长合一)."""
    campaign = _campaign(request, slug)
    user = request.user
    if user.role == VILLAGE:
        return redirect("villageposts:village", slug=campaign.slug, code=user.region.code)
    q = (request.GET.get("q") or "").strip()
    township = (request.GET.get("township") or "").strip()
    status = request.GET.get("status", "")
    rows = overview_rows(campaign, user.scope_prefix)
    townships = sorted({r["entry"].village.parent for r in rows if r["entry"].village.parent}, key=lambda t: t.code)
    if township:
        rows = [r for r in rows if r["entry"].village.parent and r["entry"].village.parent.code == township]
    if q:
        rows = [r for r in rows if q in r["entry"].village.name]
    if status == "problem":
        rows = [r for r in rows if r["statutory"]]
    elif status == "published":
        rows = [r for r in rows if r["setup"] and r["setup"].published_on]
    if wants_xlsx(request):
        return xlsx_response(f"{campaign.name}村（居）民代表和小组长统计", [
            "乡镇（街道）", "村（社区）", "区划代码", "推选方式", "代表人数", "妇女代表", "妇女占代表会议",
            "代表占代表会议", "党员代表", "党员占代表", "名单公告日期", "小组数", "已有小组长", "党员小组长占比",
            "党小组长兼任占比", "四长合一占比", "不符合法定要求之处", "提醒"],
            [[r["entry"].village.parent.name if r["entry"].village.parent else "", r["entry"].village.name,
              r["entry"].village.code, r["setup"].get_basis_display() if r["setup"] else "未登记",
              r["check"]["representatives"], r["check"]["women"], r["check"]["women_share"].with_counts,
              r["check"]["representatives_share"].with_counts, r["check"]["party_members"],
              r["check"]["party_share"].with_counts,
              r["setup"].published_on.isoformat() if r["setup"] and r["setup"].published_on else "",
              r["stats"]["groups"], r["stats"]["with_leader"], r["stats"]["party_share"].with_counts,
              r["stats"]["party_group_leader_share"].with_counts, r["stats"]["four_in_one_share"].with_counts,
              "；".join(f["text"] for f in r["statutory"]), "；".join(f["text"] for f in r["warnings"])]
             for r in rows], text_columns=[2])
    totals = {"villages": len(rows), "published": sum(1 for r in rows if r["setup"] and r["setup"].published_on),
              "problem": sum(1 for r in rows if r["statutory"])}
    query = urlencode({k: v for k, v in {"q": q, "township": township, "status": status}.items() if v})
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "villageposts/overview.html", {
        "campaign": campaign, "page": page, "townships": townships, "township": township, "q": q,
        "status": status, "query": query, "totals": totals})


# ---------------------------------------------------------------- one village: representatives


def _village_context(request, campaign, entry, **extra) -> dict:
    d = services.load([entry])[entry.pk]
    setup = d.setup
    reps = sorted(d.reps, key=lambda r: (services.group_key(r.group_name), r.id))
    today = timezone.localdate()
    for r in reps:
        r.age = r.person.age_on(today)
    members, source = services.committee_members(entry, d)
    return {
        "campaign": campaign, "entry": entry, "setup": setup, "reps": reps, "check": services.check(entry, d),
        "labels": services.labels(entry), "groups": services.groups_of(entry, d),
        "committee_members": members, "committee_source": source,
        "can_write": request.user.role in services.WRITERS, "can_withdraw": request.user.role in services.WITHDRAWERS,
        "basis_choices": PostsSetup.BASIS_CHOICES, "meetings": services.MEETINGS,
        "show_ids": request.user.role != OBSERVER, "today": today,
        "inductees": preparation.inductees(campaign, entry.village.code, required_only=False),
        "induction_required": campaign.effective_policy()["induction_county_sessions"],
        "errors": [], "values": {}, **extra,
    }


@allow(*VIEWERS)
def village(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    if request.GET.get("format") == "template":
        lab = services.labels(entry)
        return xlsx_response(f"{entry.village.name}{lab['rep']}名单（导入模板）",
                             [lab["group"], "姓名", "公民身份号码", "推选户数", "推选日期"], [], text_columns=[2])
    if wants_xlsx(request):
        lab = services.labels(entry)
        reps = sorted(Representative.objects.filter(entry=entry).select_related("person"),
                      key=lambda r: (services.group_key(r.group_name), r.id))
        return xlsx_response(f"{entry.village.name}{lab['rep']}名单", [
            lab["group"], "姓名", "性别", "出生日期", "政治面貌", "公民身份号码", "推选户数", "推选日期"],
            [[r.group_name, r.person.name, r.person.get_gender_display(), r.person.birth_date.isoformat(),
              r.person.get_political_status_display(), _masked(r.person, request.user),
              r.households if r.households is not None else "", r.chosen_on.isoformat()] for r in reps],
            text_columns=[5])
    return render(request, "villageposts/village.html", _village_context(request, campaign, entry))


def flat_errors(errors: dict) -> list[str]:
    """The refusal's reasons as lines (a field may carry one reason or several)."""
    out = []
    for value in errors.values():
        out += list(value) if isinstance(value, (list, tuple)) else [str(value)]
    return out


def _refused(request, campaign, entry, exc, template="villageposts/village.html", ctx=None, **values):
    context = (ctx or _village_context)(request, campaign, entry, errors=flat_errors(exc.errors), values=values)
    return render(request, template, context, status=400)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def save_setup(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    values = {k: request.POST.get(k, "") for k in ("basis", "decided_by", "decided_on", "committee_members")}
    try:
        services.save_setup(request.user, entry, basis=values["basis"], decided_by=values["decided_by"],
                            decided_on=form_date(values["decided_on"]),
                            committee_members=_int(values["committee_members"]))
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, **values)
    messages.success(request, "推选方式已保存。")
    return redirect("villageposts:village", slug=slug, code=code)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def add_representative(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    values = {k: request.POST.get(k, "") for k in ("id_number", "group_name", "households", "chosen_on")}
    try:
        rep = services.add_representative(request.user, entry, id_number=values["id_number"],
                                          group_name=values["group_name"], households=_int(values["households"]),
                                          chosen_on=form_date(values["chosen_on"]))
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, **values)
    messages.success(request, f"已登记{services.labels(entry)['rep']}{rep.person.name}。")
    return redirect("villageposts:village", slug=slug, code=code)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def remove_representative(request, slug, code, pk):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    rep = get_object_or_404(Representative.objects.select_related("person", "entry__village"), entry=entry, pk=pk)
    try:
        services.remove_representative(request.user, rep)
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc)
    messages.success(request, f"已删除{rep.person.name}。")
    return redirect("villageposts:village", slug=slug, code=code)


def _upload(request):
    try:
        return uploads.required_upload(request)
    except uploads.UploadRefused as exc:
        raise services.PostsRefused({"file": str(exc)}) from None


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def import_representatives(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    try:
        data, name = _upload(request)
        result = services.import_representatives(request.user, entry, data, name)
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc)
    if result.errors:
        return render(request, "villageposts/village.html", _village_context(
            request, campaign, entry, import_errors=result.errors), status=400)
    messages.success(request, f"已导入 {result.saved} 名{services.labels(entry)['rep']}（原名单已替换）。")
    return redirect("villageposts:village", slug=slug, code=code)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def publish(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    on = request.POST.get("published_on", "")
    try:
        services.publish(request.user, entry, form_date(on))
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, published_on=on)
    messages.success(request, f"{services.labels(entry)['rep']}名单已公告，名单已固定。")
    return redirect("villageposts:village", slug=slug, code=code)


@allow(TOWNSHIP)
@require_POST
def withdraw(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    try:
        services.withdraw(request.user, entry, request.POST.get("reason", ""))
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, reason=request.POST.get("reason", ""))
    messages.success(request, "公告已撤回，名单可以修改；修改后请重新公告。")
    return redirect("villageposts:village", slug=slug, code=code)


@allow(*VIEWERS)
def notice(request, slug, code):
    """The list as a notice (A4 PDF), grouped by 村民小组: only a published list is a notice;
    before that the PDF is marked 草稿 for checking."""
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    content = documents.representatives_notice_pdf(entry)
    return file_response(content, f"{entry.village.name}{services.labels(entry)['rep']}名单公告.pdf", inline=True)


# ---------------------------------------------------------------- one village: group posts


def _groups_context(request, campaign, entry, **extra) -> dict:
    d = services.load([entry])[entry.pk]
    posts = list(d.posts)
    posts.sort(key=lambda p: (services.group_key(p.group_name), [k for k, _ in GroupPost.POST_CHOICES].index(p.post),
                              p.id))
    for p in posts:
        p.label = services.post_label(entry, p.post)
    return {
        "campaign": campaign, "entry": entry, "posts": posts, "stats": services.group_stats(entry, d),
        "labels": services.labels(entry), "groups": services.groups_of(entry, d),
        "post_choices": [(k, services.post_label(entry, k)) for k, _ in GroupPost.POST_CHOICES],
        "can_write": request.user.role in services.WRITERS, "show_ids": request.user.role != OBSERVER,
        "today": timezone.localdate(), "errors": [], "values": {}, **extra,
    }


@allow(*VIEWERS)
def groups(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    if request.GET.get("format") == "template":
        lab = services.labels(entry)
        return xlsx_response(f"{entry.village.name}{lab['group']}职务（导入模板）",
                             [lab["group"], "职务", "姓名", "公民身份号码", "推选日期", "兼任党小组长", "兼任网格长"],
                             [], text_columns=[3])
    if wants_xlsx(request):
        ctx = _groups_context(request, campaign, entry)
        lab = ctx["labels"]
        return xlsx_response(f"{entry.village.name}{lab['group']}职务名单", [
            lab["group"], "职务", "姓名", "性别", "政治面貌", "公民身份号码", "兼任党小组长", "兼任网格长", "推选日期"],
            [[p.group_name, services.post_label(entry, p.post), p.person.name, p.person.get_gender_display(),
              p.person.get_political_status_display(), _masked(p.person, request.user),
              "是" if p.party_group_leader else "否", "是" if p.grid_leader else "否", p.chosen_on.isoformat()]
             for p in ctx["posts"]], text_columns=[5])
    return render(request, "villageposts/groups.html", _groups_context(request, campaign, entry))


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def add_group_post(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    values = {k: request.POST.get(k, "") for k in ("id_number", "group_name", "post", "chosen_on")}
    try:
        gp = services.add_group_post(request.user, entry, id_number=values["id_number"],
                                     group_name=values["group_name"], post=values["post"],
                                     chosen_on=form_date(values["chosen_on"]),
                                     party_group_leader=request.POST.get("party_group_leader") == "1",
                                     grid_leader=request.POST.get("grid_leader") == "1")
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, "villageposts/groups.html", _groups_context, **values)
    messages.success(request, f"已登记{gp.group_name}{services.post_label(entry, gp.post)}{gp.person.name}。")
    return redirect("villageposts:groups", slug=slug, code=code)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def remove_group_post(request, slug, code, pk):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    gp = get_object_or_404(GroupPost.objects.select_related("person", "entry__village"), entry=entry, pk=pk)
    if request.user.role not in services.WRITERS:
        raise PermissionDenied("您的账号角色无权修改。")
    try:
        services.remove_group_post(request.user, gp)
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, "villageposts/groups.html", _groups_context)
    messages.success(request, f"已删除{gp.group_name}{services.post_label(entry, gp.post)}{gp.person.name}。")
    return redirect("villageposts:groups", slug=slug, code=code)


@allow(COUNTY, TOWNSHIP, VILLAGE)
@require_POST
def import_group_posts(request, slug, code):
    campaign = _campaign(request, slug)
    entry = _entry(request, campaign, code)
    try:
        data, name = _upload(request)
        result = services.import_group_posts(request.user, entry, data, name)
    except services.PostsRefused as exc:
        return _refused(request, campaign, entry, exc, "villageposts/groups.html", _groups_context)
    if result.errors:
        return render(request, "villageposts/groups.html", _groups_context(
            request, campaign, entry, import_errors=result.errors), status=400)
    messages.success(request, f"已导入 {result.saved} 条小组职务（原名单已替换）。")
    return redirect("villageposts:groups", slug=slug, code=code)
