"""Background work with progress: a Job row and a daemon thread (or ``huanjie run_jobs`` in production).

A 200,000-row roster takes seconds to check and save, longer than a request should hang, so the
view stores the upload, creates a Job and starts a thread; the page polls the Job's progress.
The thread has its own database connection (Django opens one per thread) and closes it at the
end. Inside a transaction that the thread could not see (tests, ATOMIC_REQUESTS), or with
``settings.HUANJIE_JOBS_SYNC``, the job runs in the calling thread instead.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.utils import timezone

from huanjie.elections.models import Job

log = logging.getLogger(__name__)

ROSTER_PREVIEW = "roster_preview"
ROSTER_COMMIT = "roster_commit"
MAX_STORED_PROBLEMS = 5000


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(data: bytes, filename: str) -> tuple[Path, str]:
    """Keep the uploaded file under VAR_DIR/uploads named by its SHA-256 (same file, same name)."""
    from huanjie.elections.registration.services import sha256

    digest = sha256(data)
    suffix = Path(filename).suffix.lower()[:6] or ".bin"
    path = upload_dir() / f"{digest}{suffix}"
    if not path.exists():
        path.write_bytes(data)
    return path, digest


def _progress_updater(job_id: int, phase_weight: tuple[int, int] = (0, 100)):
    def update(done: int, total: int) -> None:
        lo, hi = phase_weight
        pct = lo + (hi - lo) * done // total if total else lo
        Job.objects.filter(pk=job_id).update(progress=pct, total=100)

    return update


def _run_roster(job: Job) -> dict:
    from huanjie.accounts.models import User
    from huanjie.elections.models import Election
    from huanjie.elections.registration import services as registration

    p = job.params
    election = Election.objects.select_related("campaign", "organization").get(pk=p["election_id"])
    data = Path(p["path"]).read_bytes()
    parsed = registration.preview_import(
        election,
        data,
        p["filename"],
        mapping=p.get("mapping") or None,
        progress=_progress_updater(job.pk, (0, 80)),
    )
    summary = parsed.summary()
    errors, warnings = summary["errors"], summary["warnings"]
    result = {
        "rows": summary["rows"],
        "accepted": summary["accepted"],
        "error_count": len(errors),
        "warning_count": len(warnings),
        "errors": errors[:MAX_STORED_PROBLEMS],
        "warnings": warnings[:MAX_STORED_PROBLEMS],
        "header_row": parsed.header_row,
        "already_registered": sum(1 for r in parsed.rows if r.existing),
    }
    if job.kind == ROSTER_PREVIEW:
        return result
    actor = User.objects.filter(pk=job.created_by_id).first()
    Job.objects.filter(pk=job.pk).update(progress=85, message="正在写入数据库")
    outcome = registration.commit_import(
        actor,
        election,
        parsed,
        bool(p.get("skip_bad_rows")),
        file_sha256=p.get("sha256", ""),
        filename=p["filename"],
        category=p.get("category") or "hukou_resident",
    )
    result.update(outcome.as_dict())
    if outcome.rejected_xlsx:
        out = upload_dir() / f"job-{job.pk}-rejected.xlsx"
        out.write_bytes(outcome.rejected_xlsx)
        result["rejected_file"] = str(out)
    return result


RUNNERS = {ROSTER_PREVIEW: _run_roster, ROSTER_COMMIT: _run_roster}


def run(job_id: int) -> Job:
    """Run one queued job to the end, recording its result or its Chinese failure message."""
    job = Job.objects.get(pk=job_id)
    # Claim the job atomically: a web thread and `huanjie run_jobs` must never both run it.
    if not Job.objects.filter(pk=job.pk, status=Job.QUEUED).update(status=Job.RUNNING, message="正在处理"):
        job.refresh_from_db()
        return job
    try:
        result = RUNNERS[job.kind](job)
    except Exception as exc:  # noqa: BLE001 — any failure is shown to the user on the job page
        from huanjie.elections.registration.roster import RosterError
        from huanjie.elections.registration.services import RegistrationRefused

        known = isinstance(exc, RosterError | RegistrationRefused)
        if not known:
            log.exception("job %s failed", job.pk)
        message = str(exc) if known else f"处理失败：{exc}"
        Job.objects.filter(pk=job.pk).update(
            status=Job.FAILED, message=message[:300], finished_at=timezone.now()
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.DONE,
            progress=100,
            total=100,
            result=result,
            message="已完成",
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def _thread_main(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        connections.close_all()


def start(job: Job) -> None:
    """Start a job: in a daemon thread, or right here when a thread could not see the job's row."""
    if getattr(settings, "HUANJIE_JOBS_SYNC", False) or connection.in_atomic_block:
        run(job.pk)
        return
    threading.Thread(target=_thread_main, args=(job.pk,), daemon=True, name=f"job-{job.pk}").start()


def create_roster_job(
    user,
    election,
    data: bytes,
    filename: str,
    *,
    commit: bool,
    skip_bad_rows: bool = False,
    mapping: dict | None = None,
    category: str = "hukou_resident",
) -> Job:
    path, digest = store_upload(data, filename)
    return Job.objects.create(
        kind=ROSTER_COMMIT if commit else ROSTER_PREVIEW,
        created_by=user,
        region_code=election.organization.code,
        params={
            "election_id": election.pk,
            "path": str(path),
            "filename": filename,
            "sha256": digest,
            "skip_bad_rows": skip_bad_rows,
            "mapping": mapping or {},
            "category": category,
        },
        total=100,
    )


def run_queued(limit: int | None = None) -> int:
    """Run queued jobs oldest first (``huanjie run_jobs``); returns how many ran."""
    n = 0
    for job_id in Job.objects.filter(status=Job.QUEUED).order_by("created_at").values_list("pk", flat=True):
        run(job_id)
        n += 1
        if limit and n >= limit:
            break
    return n
