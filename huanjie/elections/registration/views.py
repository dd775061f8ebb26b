"""Voter registration pages: the list with counts, roster upload → preview → commit, objections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from huanjie.core import uploads
from huanjie.core.access import ADMIN, COUNTY, TOWNSHIP, VILLAGE, allow, require_scope, require_write
from huanjie.core.kept import keep_form
from huanjie.documents.export import wants_xlsx, xlsx_response
from huanjie.elections import kinds
from huanjie.elections.models import Job, Objection, VoterRegistration
from huanjie.elections.registration import documents, jobs
from huanjie.elections.registration import services as registration
from huanjie.elections.services import ElectionError, date_default, group_sort_key
from huanjie.elections.view_helpers import election_in_scope as _election
from huanjie.elections.view_helpers import form_date as _date
from huanjie.people.services import find_person_for

OFFICE = (COUNTY, TOWNSHIP, VILLAGE, ADMIN)
WRITERS = (COUNTY, TOWNSHIP, VILLAGE)




def _detail_url(election) -> str | None:
    try:
        return reverse("elections:detail", kwargs={"pk": election.pk})
    except NoReverseMatch:
        return None




@allow(*OFFICE)
def voter_list(request, pk):
    election = _election(request, pk)
    regs = VoterRegistration.objects.filter(election=election).select_related("person")
    q = request.GET.get("q", "").strip()
    group = request.GET.get("group", "").strip()
    category = request.GET.get("category", "").strip()
    status = request.GET.get("status", "registered")
    shown = regs
    if status in ("registered", "removed"):
        shown = shown.filter(status=status)
    if q:
        shown = shown.filter(Q(person__name__contains=q) | Q(person__id_number__endswith=q.upper()))
    if group:
        shown = shown.filter(group_name=group)
    if category:
        shown = shown.filter(category=category)
    # The web list is in the order of the printed one: 村民小组, then surname strokes (R69).
    ordered = documents.in_list_order(shown.select_related("person"))
    if wants_xlsx(request):
        full_id = request.user.role in WRITERS
        words = kinds.wording(election)
        return xlsx_response(
            f"{election.organization.name}选民名单",
            ["序号", "姓名", "性别", "身份证号码", words.say("村民小组"), "登记类别", "登记依据", "状态"],
            [
                [i, r.person.name, r.person.get_gender_display(),
                 r.person.id_number if full_id else r.person.masked_id, r.group_name,
                 words.say(r.get_category_display()), r.reason, r.get_status_display()]
                for i, r in enumerate(ordered, 1)
            ],
        )
    page = Paginator(ordered, 50).get_page(request.GET.get("page"))
    stats = registration.counts(regs, election.election_date)
    chart = {
        "categories": [b["label"] for b in stats["age_bands"]],
        "series": [
            {"name": "男", "data": [b["men"] for b in stats["age_bands"]]},
            {"name": "女", "data": [b["women"] for b in stats["age_bands"]]},
        ],
        "stack": "g",
    }
    # order_by() drops the model's ordering (group_name, id), which made DISTINCT return every row.
    groups = sorted(
        (g for g in regs.order_by().values_list("group_name", flat=True).distinct() if g), key=group_sort_key
    )
    query = urlencode(
        {k: v for k, v in {"q": q, "group": group, "category": category, "status": status}.items() if v}
    )
    return render(
        request,
        "elections/registration/voter_list.html",
        {
            "election": election,
            "page": page,
            "stats": stats,
            "chart": chart,
            "groups": groups,
            "q": q,
            "group": group,
            "category": category,
            "status": status,
            "query": query,
            "categories": registration.categories_for(election),
            "detail_url": _detail_url(election),
            "can_write": request.user.role in WRITERS,
        },
    )


@allow(*WRITERS)
def upload(request, pk):
    election = _election(request, pk)
    require_write(request.user)
    if request.method == "POST":
        try:
            f = uploads.uploaded_file(request, "file")
            if f is None:
                raise uploads.UploadRefused("请选择名册文件。")
            data = f.read()
            # The cheap container checks answer at once; the parse itself runs in the job.
            uploads.check_container(data, f.name)
        except uploads.UploadRefused as exc:
            messages.error(request, str(exc))
        else:
            mapping = {}
            for line in request.POST.get("mapping", "").splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    mapping[k.strip()] = v.strip()
            job = jobs.create_roster_job(
                request.user,
                election,
                data,
                f.name,
                commit=False,
                mapping=mapping,
                category=request.POST.get("category") or "hukou_resident",
            )
            jobs.start(job)
            return redirect("elections:voters_job", pk=election.pk, job_id=job.pk)
    return render(
        request,
        "elections/registration/upload.html",
        {"election": election, "categories": registration.categories_for(election)},
    )


def _job(request, election, job_id) -> Job:
    job = get_object_or_404(Job, pk=job_id, kind__in=[jobs.ROSTER_PREVIEW, jobs.ROSTER_COMMIT])
    if job.params.get("election_id") != election.pk:
        raise Http404("任务不存在")
    require_scope(request.user, job.region_code)
    return job


@allow(*WRITERS)
def job_page(request, pk, job_id):
    election = _election(request, pk)
    jobs.recover_stale()  # a job whose worker died shows as failed, not "进行中" for ever
    job = _job(request, election, job_id)
    template = "elections/registration/_job.html" if request.htmx else "elections/registration/job.html"
    warnings = (job.result or {}).get("warnings", []) if isinstance(job.result, dict) else []
    boxes = [
        ("corrected", "已自动更正", [w for w in warnings if w.get("kind", "corrected") == "corrected"]),
        ("notice", "已在名单中，不重复登记", [w for w in warnings if w.get("kind") == "notice"]),
    ]
    return render(
        request,
        template,
        {"election": election, "job": job, "labels": _labels(), "warning_boxes": [b for b in boxes if b[2]]},
    )


def _labels():
    from huanjie.elections.registration.roster import FIELD_LABELS

    return FIELD_LABELS


@allow(*WRITERS)
@require_POST
def job_commit(request, pk, job_id):
    election = _election(request, pk)
    require_write(request.user)
    preview = _job(request, election, job_id)
    if preview.kind != jobs.ROSTER_PREVIEW or preview.status != Job.DONE:
        messages.error(request, "请等检查完成后再导入。")
        return redirect("elections:voters_job", pk=election.pk, job_id=preview.pk)
    path = Path(preview.params["path"])
    if preview.purged_at or not path.is_file():
        messages.error(request, "上传的文件已超过保留期限被删除，请重新上传名册。")
        return redirect("elections:voters_upload", pk=election.pk)
    data = path.read_bytes()
    job = jobs.create_roster_job(
        request.user,
        election,
        data,
        preview.params["filename"],
        commit=True,
        skip_bad_rows=request.POST.get("mode") == "good",
        mapping=preview.params.get("mapping"),
        category=preview.params.get("category"),
    )
    jobs.start(job)
    return redirect("elections:voters_job", pk=election.pk, job_id=job.pk)


@allow(*WRITERS)
def job_rejected(request, pk, job_id):
    election = _election(request, pk)
    job = _job(request, election, job_id)
    path = job.result.get("rejected_file") if job.status == Job.DONE else None
    if not path or not Path(path).exists():
        raise Http404("没有未导入的行")
    return FileResponse(
        open(path, "rb"),
        as_attachment=True,  # noqa: SIM115 — FileResponse closes it
        filename=f"{election.organization.name}-未导入的行.xlsx",
    )


@allow(*WRITERS)
def voter_add(request, pk):
    election = _election(request, pk)
    require_write(request.user)
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            person = registration.person_to_register(
                request.user, election, form.get("id_number", ""), form.get("name", ""), form.get("category", "")
            )
        except ElectionError as exc:
            person = None
            messages.error(request, str(exc))
        if person is not None:
            evidence = {
                k: _date(form.get(k, ""))
                for k in ("intent_declared_on", "resident_since", "applied_on", "assembly_approved_on")
            }
            evidence["intent"] = form.get("intent", "")
            try:
                registration.register_voter(
                    request.user,
                    election,
                    person,
                    form.get("category", ""),
                    evidence=evidence,
                    reason=form.get("reason", ""),
                )
            except ElectionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已将{person.name}列入选民名单。")
                return redirect("elections:voters", pk=election.pk)
    return render(
        request,
        "elections/registration/voter_add.html",
        {"election": election, "categories": registration.categories_for(election), "form": form},
    )


@allow(*WRITERS)
@require_POST
def voter_remove(request, pk, reg_id):
    election = _election(request, pk)
    require_write(request.user)
    vr = get_object_or_404(VoterRegistration.objects.select_related("person"), pk=reg_id, election=election)
    try:
        registration.remove_voter(request.user, vr, request.POST.get("reason", ""))
    except ElectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已将{vr.person.name}除名。")
    return redirect("elections:voters", pk=election.pk)


@allow(*OFFICE)
def objections(request, pk):
    election = _election(request, pk)
    rows = []
    for o in Objection.objects.filter(election=election).select_related("about"):
        times = registration.objection_times(election, o.filed_on, o.received_on)
        rows.append(
            {
                "o": o,
                "t": times,
                # The decision's date field offers today where the rule accepts it (late is allowed
                # with its reason, R10).
                "decide_default": date_default(
                    election,
                    after=[("异议受理日期", o.received_on)],
                    deadline=times.decision_deadline,
                    late_allowed=True,
                ),
                "overdue": o.decision == Objection.PENDING
                and times.decision_deadline is not None
                and dt.date.today() > times.decision_deadline,
            }
        )
    return render(
        request,
        "elections/registration/objections.html",
        {
            "election": election,
            "rows": rows,
            "published": registration.list_published_on(election),
            "filed_default": date_default(
                election, after=[("选民名单公布日期", registration.list_published_on(election))]
            ),
            "can_write": request.user.role in WRITERS,
            "kinds": Objection.KIND_CHOICES,
            "decisions": Objection.DECISION_CHOICES[1:],
            "categories": registration.categories_for(election),
        },
    )


@allow(*WRITERS)
@require_POST
def objection_add(request, pk):
    election = _election(request, pk)
    require_write(request.user)
    f = request.POST
    about = find_person_for(request.user, f.get("about_id_number", "")) or None
    filed = _date(f.get("filed_on", ""))
    if about is None or filed is None:
        keep_form(request)
        messages.error(request, "被异议人：请按姓名查找并选中人员库中的人员；提出日期：请填写有效日期。")
    else:
        try:
            registration.file_objection(
                request.user,
                election,
                objector_name=f.get("objector_name", ""),
                about=about,
                kind=f.get("kind", ""),
                content=f.get("content", ""),
                filed_on=filed,
                received_on=_date(f.get("received_on", "")),
            )
        except ElectionError as exc:
            keep_form(request)  # the redirected page puts back what was typed
            messages.error(request, str(exc))
        else:
            messages.success(request, "异议已登记。")
    return redirect("elections:voters_objections", pk=election.pk)


@allow(*WRITERS)
@require_POST
def objection_decide(request, pk, objection_id):
    election = _election(request, pk)
    require_write(request.user)
    obj = get_object_or_404(
        Objection.objects.select_related("about", "election"), pk=objection_id, election=election
    )
    decided = _date(request.POST.get("decided_on", ""))
    if decided is None:
        keep_form(request)
        messages.error(request, "请填写处理日期。")
    else:
        try:
            outcome = registration.decide_objection(
                request.user,
                obj,
                request.POST.get("decision", ""),
                decided,
                request.POST.get("note", ""),
                category=request.POST.get("category") or "hukou_resident",
            )
        except ElectionError as exc:
            keep_form(request)
            messages.error(request, str(exc))
        else:
            messages.success(request, outcome.message or "已处理。")
    return redirect("elections:voters_objections", pk=election.pk)
