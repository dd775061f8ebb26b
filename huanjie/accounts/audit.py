"""The audit log: an append-only hash chain written in the same transaction as the change.

Every service function that changes data that matters calls :func:`record` inside its
``transaction.atomic()`` block, so the change and its audit record commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .models import AuditRecord

GENESIS = "0" * 64
_LOCK_KEY = 7_160_011  # arbitrary constant: the advisory lock that serialises chain appends


def _plain(value):
    """Make ``value`` JSON-stable (dates as ISO strings) so what is hashed is what is stored."""
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True))


def _default(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def canonical(fields: dict) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _hashed_fields(rec: AuditRecord) -> dict:
    return {
        "seq": rec.seq,
        "at": rec.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": rec.actor_id,
        "actor_name": rec.actor_name,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": rec.object_id,
        "object_repr": rec.object_repr,
        "region_code": rec.region_code,
        "changes": rec.changes,
        "prev_hash": rec.prev_hash,
    }


def compute_hash(rec: AuditRecord) -> str:
    return hashlib.sha256(canonical(_hashed_fields(rec))).hexdigest()


def diff(before: dict, after: dict) -> dict:
    """The fields that changed, as ``{field: [before, after]}``."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def record(actor, action: str, obj=None, *, changes: dict | None = None, object_type: str = "",
           object_id: str = "", object_repr: str = "", region_code: str = "") -> AuditRecord:
    """Append one record to the chain. Call inside the transaction that makes the change."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditRecord.objects.order_by("-seq").values("seq", "hash").first()
        if obj is not None:
            object_type = object_type or obj._meta.label
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:200]
            region_code = region_code or getattr(obj, "audit_region_code", "") or ""
        actor_user = actor if getattr(actor, "pk", None) else None
        rec = AuditRecord(
            seq=(last["seq"] + 1) if last else 1,
            at=timezone.now(),
            actor=actor_user,
            actor_name=(str(actor) if actor is not None else "系统")[:80],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            region_code=region_code,
            changes=_plain(changes or {}),
            prev_hash=last["hash"] if last else GENESIS,
        )
        rec.hash = compute_hash(rec)
        rec.save(force_insert=True)
        return rec


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first record whose hash or link is wrong, or a gap."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    qs = AuditRecord.objects.order_by("seq")
    last_seq = 0
    while True:
        chunk = list(qs.filter(seq__gt=last_seq)[:batch_size])
        if not chunk:
            break
        for rec in chunk:
            if rec.seq != expected_seq:
                return ChainReport(False, checked, expected_seq, f"缺少第 {expected_seq} 条记录（链条断开）")
            if rec.prev_hash != expected_prev:
                return ChainReport(False, checked, rec.seq, f"第 {rec.seq} 条记录的前序哈希与上一条不符")
            if compute_hash(rec) != rec.hash:
                return ChainReport(False, checked, rec.seq, f"第 {rec.seq} 条记录的内容被改动（哈希不符）")
            expected_prev = rec.hash
            expected_seq += 1
            checked += 1
            last_seq = rec.seq
    return ChainReport(True, checked)


def latest_seq() -> int:
    return AuditRecord.objects.aggregate(m=Max("seq"))["m"] or 0
