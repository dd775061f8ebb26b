"""Background work with progress: a Job row and a daemon thread (or ``huanjie run_jobs`` in production).

A 200,000-row roster takes seconds to check and save, longer than a request should hang, so the
view stores the upload, creates a Job and starts a thread; the page polls the Job's progress.
The thread has its own database connection (Django opens one per thread) and closes it at the
end. Inside a transaction that the thread could not see (tests, ATOMIC_REQUESTS), or with
``settings.HUANJIE_JOBS_SYNC``, the job runs in the calling thread instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, connections, models
from django.utils import timezone

from huanjie.elections.models import Job

log = logging.getLogger(__name__)

STALE_MESSAGE = (
    "处理中断：处理该任务的后台进程已停止（服务器重启或进程被终止）。导入要么完整写入、要么完全没有写入，"
    "请查看选民名单后重新上传。"
)
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


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Heartbeat(threading.Thread):
    """Stamps the job's ``heartbeat_at`` while it runs, so a job whose process died is found by its
    silence (:func:`recover_stale`) even when that process ran on another machine."""

    def __init__(self, job_id: int):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id = job_id
        self.done = threading.Event()
        self.interval = max(1.0, settings.HUANJIE_JOB_STALE_SECONDS / 10)

    def run(self) -> None:
        from django.db import DatabaseError

        try:
            while not self.done.wait(self.interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.RUNNING).update(heartbeat_at=timezone.now())
                except DatabaseError:  # SQLite busy with the job's own write: the next beat will do
                    pass
        finally:
            connections.close_all()


def run(job_id: int) -> Job:
    """Run one queued job to the end, recording its result or its Chinese failure message."""
    job = Job.objects.get(pk=job_id)
    # Claim the job atomically: a web thread and `huanjie run_jobs` must never both run it.
    claimed = Job.objects.filter(pk=job.pk, status=Job.QUEUED).update(
        status=Job.RUNNING, message="正在处理", worker=_worker_id(), heartbeat_at=timezone.now()
    )
    if not claimed:
        job.refresh_from_db()
        return job
    # Inside a transaction (tests) another connection could not even see the row.
    heartbeat = None if connection.in_atomic_block else _Heartbeat(job.pk)
    if heartbeat:
        heartbeat.start()
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
        Job.objects.filter(pk=job.pk, status=Job.RUNNING).update(
            status=Job.DONE,
            progress=100,
            total=100,
            result=result,
            message="已完成",
            finished_at=timezone.now(),
        )
    finally:
        if heartbeat:
            heartbeat.done.set()
    job.refresh_from_db()
    return job


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_stale(now: dt.datetime | None = None) -> int:
    """Mark failed every running job whose worker died (server killed mid-import): its process is
    gone from this machine, or it has not stamped its heartbeat for HUANJIE_JOB_STALE_SECONDS.
    The roster import is one transaction, so a dead worker wrote all of it or nothing."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.HUANJIE_JOB_STALE_SECONDS)
    host = socket.gethostname()
    failed = 0
    for job in Job.objects.filter(status=Job.RUNNING).only("pk", "worker", "heartbeat_at", "created_at"):
        dead = (job.heartbeat_at or job.created_at) < limit
        worker_host, _, pid = job.worker.rpartition(":")
        if not dead and worker_host == host and pid.isdigit():
            dead = not _alive(int(pid))
        if dead:
            failed += Job.objects.filter(pk=job.pk, status=Job.RUNNING, heartbeat_at=job.heartbeat_at).update(
                status=Job.FAILED, message=STALE_MESSAGE, finished_at=now
            )
    return failed


def _job_files(job: Job) -> list[str]:
    return [p for p in (job.params.get("path"), (job.result or {}).get("rejected_file")) if p]


def purge_uploads(now: dt.datetime | None = None) -> int:
    """Remove the uploaded (and rejected-rows) files of jobs finished or abandoned more than
    HUANJIE_UPLOAD_RETENTION_DAYS ago, and stray files as old; what was imported stays identified
    by its SHA-256 in the job and in the audit record. Returns how many files were removed."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.HUANJIE_UPLOAD_RETENTION_DAYS)
    folder = upload_dir().resolve()
    keep: set[str] = set()
    for job in Job.objects.filter(purged_at__isnull=True).exclude(
        status__in=[Job.DONE, Job.FAILED], finished_at__lt=cutoff
    ).exclude(status__in=[Job.DONE, Job.FAILED], finished_at__isnull=True, created_at__lt=cutoff):
        keep.update(str(Path(p).resolve()) for p in _job_files(job))
    removed = 0

    def unlink(path: Path) -> None:
        nonlocal removed
        if path.parent == folder and str(path) not in keep and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1

    expired = Job.objects.filter(status__in=[Job.DONE, Job.FAILED], purged_at__isnull=True).filter(
        models.Q(finished_at__lt=cutoff) | models.Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    for job in expired:
        for p in _job_files(job):
            unlink(Path(p).resolve())
        Job.objects.filter(pk=job.pk).update(purged_at=now)
    for path in folder.iterdir():
        if dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) < cutoff:
            unlink(path.resolve())
    return removed


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
    recover_stale()
    purge_uploads()
    n = 0
    for job_id in Job.objects.filter(status=Job.QUEUED).order_by("created_at").values_list("pk", flat=True):
        run(job_id)
        n += 1
        if limit and n >= limit:
            break
    return n
