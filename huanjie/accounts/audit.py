"""The audit log: append-only keyed hash chains, one per region (village, township, county),
written in the same transaction as the change, anchored by checkpoints outside the database.

Every service function that changes data that matters calls :func:`record` inside its
``transaction.atomic()`` block, so the change and its audit record commit or roll back together.

What makes the log hard to rewrite unseen (issue 9 §5):

- each record's hash is HMAC-SHA256 keyed with a secret that is not in the database
  (``HUANJIE_AUDIT_KEY`` or the file ``HUANJIE_AUDIT_KEY_FILE``): whoever has only the database
  cannot recompute a chain after editing it;
- the hash covers a canonical form of the record that survives a dump and restore on either
  engine (UTC timestamps with microseconds, JSON with sorted keys);
- each region has its own chain (sequence, head row, row-level lock): a village's writes never
  wait on another village's, so on election night 300 villages of one county do not queue on one
  row (issue 17). A county's checkpoint covers the heads of all its chains (:func:`region_checkpoint`);
  chains written before this (one per county, ``chain`` = 6 digits) stay as they are and verify;
- after every committed write the chain's head (count + hash, keyed) is appended to a checkpoint
  file in ``HUANJIE_AUDIT_CHECKPOINT_DIR``, outside the database, and printed on the result
  documents: deleting the newest records (or all of them) is found by comparing with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import AuditChainHead, AuditRecord

log = logging.getLogger(__name__)
GENESIS = "0" * 64
GLOBAL_CHAIN = ""  # records that belong to no region (accounts, system tasks)


# --- the key ------------------------------------------------------------------------------------

_key_lock = threading.Lock()
_key_cache: dict[str, bytes] = {}


def audit_key() -> bytes:
    """The chain key: the setting, else the key file (created on first use outside production)."""
    configured = getattr(settings, "HUANJIE_AUDIT_KEY", "")
    if configured:
        return configured.encode()
    path = Path(getattr(settings, "HUANJIE_AUDIT_KEY_FILE", Path(settings.VAR_DIR) / "audit_key"))
    cache_key = str(path)
    with _key_lock:
        if cache_key in _key_cache and path.exists():
            return _key_cache[cache_key]
        if not path.exists():
            if getattr(settings, "PRODUCTION", False):
                raise ImproperlyConfigured(
                    f"生产模式必须提供审计密钥：设置 HUANJIE_AUDIT_KEY，或把密钥放在 {path}（不要放在数据库里）。"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        _key_cache[cache_key] = path.read_text().strip().encode()
        return _key_cache[cache_key]


def keyed_hash(data: bytes) -> str:
    return hmac.new(audit_key(), data, hashlib.sha256).hexdigest()


# --- canonical form -----------------------------------------------------------------------------


def _plain(value):
    """Make ``value`` JSON-stable (dates as ISO strings) so what is hashed is what is stored."""
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False, sort_keys=True))


def _default(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds") if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


def canonical(fields: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8: the same bytes whatever order a database gives JSON keys back."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default).encode()


def _hashed_fields(rec) -> dict:
    return {
        "chain": rec.chain,
        "seq": rec.seq,
        # UTC with microseconds: both engines store microseconds, and the zone is not data.
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


def compute_hash(rec) -> str:
    return keyed_hash(canonical(_hashed_fields(rec)))


def public_hash(rec) -> str:
    """The unkeyed SHA-256 the chain used before it was keyed: what a forger with only the
    database can compute (kept for the hostile tests)."""
    return hashlib.sha256(canonical(_hashed_fields(rec))).hexdigest()


def chain_of(region_code: str) -> str:
    """The chain a record belongs to: its region's own (village, township or county), so that
    writes in different villages never wait on each other's head row."""
    return region_code or GLOBAL_CHAIN


def chain_label(chain: str) -> str:
    return chain or "全局"


def diff(before: dict, after: dict) -> dict:
    """The fields that changed, as ``{field: [before, after]}``."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


# --- appending ----------------------------------------------------------------------------------


def _locked_head(chain: str) -> AuditChainHead:
    """The chain's head row, locked until the transaction ends (a row lock, per region); created
    the first time its region writes."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(chain=chain)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def record(actor, action: str, obj=None, *, changes: dict | None = None, object_type: str = "",
           object_id: str = "", object_repr: str = "", region_code: str = "") -> AuditRecord:
    """Append one record to its region's chain. Call inside the transaction that makes the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        region_code = region_code or getattr(obj, "audit_region_code", "") or ""
    chain = chain_of(region_code)
    now = timezone.now()
    # Milliseconds: what every way out of the database keeps (Django's JSON dump rounds to them).
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    # No savepoint of its own: a record that cannot be written fails the change it records.
    with transaction.atomic(savepoint=False):
        head = _locked_head(chain)
        actor_user = actor if getattr(actor, "pk", None) else None
        rec = AuditRecord(
            chain=chain,
            seq=head.seq + 1,
            at=now,
            actor=actor_user,
            actor_name=(str(actor) if actor is not None else "系统")[:80],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:200],
            region_code=region_code,
            changes=_plain(changes or {}),
            prev_hash=head.hash if head.seq else GENESIS,
        )
        rec.hash = compute_hash(rec)
        rec.save(force_insert=True)
        AuditChainHead.objects.filter(chain=chain).update(seq=rec.seq, hash=rec.hash)
        transaction.on_commit(lambda: _checkpoint_after_commit(chain))
        return rec


def _checkpoint_after_commit(chain: str) -> None:
    # The change is committed whatever happens here; a checkpoint that cannot be written (disk
    # full, directory gone) is logged loudly rather than turning a saved change into an error page.
    try:
        write_checkpoint(chain)
    except OSError:
        log.exception("审计检查点无法写入：%s", checkpoint_dir())


# --- checkpoints outside the database -----------------------------------------------------------

_written: dict[tuple[str, str], int] = {}
_written_regions: dict[str, str] = {}  # file → the keyed code of the heads last appended to it
_written_lock = threading.Lock()


def checkpoint_dir() -> Path:
    return Path(getattr(settings, "HUANJIE_AUDIT_CHECKPOINT_DIR", Path(settings.VAR_DIR) / "audit_checkpoints"))


def _checkpoint_file(chain: str) -> Path:
    return checkpoint_dir() / f"chain-{chain or 'global'}.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    mac: str

    @property
    def code(self) -> str:
        """What a printed document shows: the first 16 hex digits of the keyed checkpoint."""
        return "-".join(self.mac[i : i + 4] for i in range(0, 16, 4)).upper()


def _checkpoint_mac(chain: str, seq: int, head_hash: str) -> str:
    return keyed_hash(canonical({"chain": chain, "seq": seq, "hash": head_hash}))


def head_checkpoint(chain: str) -> Checkpoint:
    head = AuditChainHead.objects.filter(chain=chain).values("seq", "hash").first() or {"seq": 0, "hash": GENESIS}
    return Checkpoint(chain, head["seq"], head["hash"], _checkpoint_mac(chain, head["seq"], head["hash"]))


def checkpoint_line(region_code: str) -> str:
    """The line printed on a result report: the region chain's head as the document was made
    (count and keyed check code), so that a later truncation of the log shows against paper."""
    chain = chain_of(region_code)
    cp = write_checkpoint(chain) or head_checkpoint(chain)
    return f"审计链检查点：{chain_label(chain)} 链共 {cp.seq} 条记录，校验码 {cp.code}"


def region_prefix(region_code: str) -> str:
    """The part of a region code its sub-regions share: 6 digits for a county, 9 for a township."""
    if region_code[6:] == "000000":
        return region_code[:6]
    if region_code[9:] == "000":
        return region_code[:9]
    return region_code


@dataclass(frozen=True)
class RegionCheckpoint:
    prefix: str
    heads: tuple[tuple[str, int, str], ...]  # (chain, seq, hash), sorted by chain
    mac: str

    @property
    def records(self) -> int:
        return sum(seq for _, seq, _ in self.heads)

    @property
    def code(self) -> str:
        return "-".join(self.mac[i : i + 4] for i in range(0, 16, 4)).upper()


def _region_mac(prefix: str, heads) -> str:
    return keyed_hash(canonical({"region": prefix, "heads": [list(h) for h in heads]}))


def region_checkpoint(region_code: str) -> RegionCheckpoint:
    """The heads of all the chains of a county (or township) with one keyed code over them,
    appended to its checkpoint file: what the summary prints, one line for hundreds of chains."""
    prefix = region_prefix(region_code)
    heads = tuple((c, s, h) for c, s, h in AuditChainHead.objects.filter(chain__startswith=prefix)
                  .order_by("chain").values_list("chain", "seq", "hash") if s)
    cp = RegionCheckpoint(prefix, heads, _region_mac(prefix, heads))
    path = checkpoint_dir() / f"region-{prefix}.jsonl"
    with _written_lock:
        unchanged = _written_regions.get(str(path)) == cp.mac and path.exists()
        _written_regions[str(path)] = cp.mac
    if heads and not unchanged:
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"region": prefix, "heads": [list(h) for h in heads], "at": timezone.now().isoformat(),
                           "mac": cp.mac}, ensure_ascii=False) + "\n"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
    return cp


def region_checkpoint_line(region_code: str) -> str:
    """The line printed on the summary: every chain of the region, as the document was made."""
    cp = region_checkpoint(region_code)
    return f"审计链检查点：{len(cp.heads)} 条审计链共 {cp.records} 条记录，校验码 {cp.code}"


def write_checkpoint(chain: str) -> Checkpoint | None:
    """Append the chain's committed head (count, hash, keyed mac) to its checkpoint file; one line
    per batch of writes (a transaction), never more than once per head."""
    cp = head_checkpoint(chain)
    if cp.seq == 0:
        return None
    path = _checkpoint_file(chain)
    with _written_lock:
        if _written.get((str(path), chain), 0) >= cp.seq and path.exists():
            return cp
        _written[(str(path), chain)] = cp.seq
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"chain": chain, "seq": cp.seq, "hash": cp.hash, "at": timezone.now().isoformat(),
                       "mac": cp.mac}, ensure_ascii=False) + "\n"
    # One write of one short line to a file opened for appending: concurrent writers do not interleave.
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
    return cp


def write_all_checkpoints() -> int:
    """A checkpoint of every chain (``huanjie audit checkpoint``, and after a restore)."""
    return sum(1 for c in AuditChainHead.objects.values_list("chain", flat=True) if write_checkpoint(c))


# --- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    chain: str | None  # None: not about one chain (seals)
    seq: int | None
    problem: str

    def __str__(self) -> str:
        where = f"审计链 {chain_label(self.chain)}：" if self.chain is not None else ""
        return where + self.problem


@dataclass
class ChainReport:
    """What ``verify_chain`` checked and everything it found."""

    checked: int = 0
    chains: dict[str, int] = field(default_factory=dict)  # chain → records checked
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first_bad_seq(self) -> int | None:
        return self.findings[0].seq if self.findings else None

    @property
    def problem(self) -> str:
        return str(self.findings[0]) if self.findings else ""


def _verify_records(chain: str, report: ChainReport, batch_size: int) -> tuple[int, dict[int, str]]:
    """Walk one chain in order; the first break is a finding. Returns (last good seq, seq → hash)."""
    expected_prev, expected_seq, last_seq = GENESIS, 1, 0
    hashes: dict[int, str] = {}
    qs = AuditRecord.objects.filter(chain=chain).order_by("seq")
    while True:
        chunk = list(qs.filter(seq__gt=last_seq)[:batch_size])
        if not chunk:
            break
        for rec in chunk:
            if rec.seq != expected_seq:
                report.findings.append(Finding(chain, expected_seq, f"缺少第 {expected_seq} 条记录（链条断开）"))
                return expected_seq - 1, hashes
            if rec.prev_hash != expected_prev:
                report.findings.append(Finding(chain, rec.seq, f"第 {rec.seq} 条记录的前序哈希与上一条不符"))
                return expected_seq - 1, hashes
            if not hmac.compare_digest(compute_hash(rec), rec.hash):
                report.findings.append(Finding(chain, rec.seq, f"第 {rec.seq} 条记录的内容被改动（哈希不符）"))
                return expected_seq - 1, hashes
            hashes[rec.seq] = rec.hash
            expected_prev, expected_seq, last_seq = rec.hash, expected_seq + 1, rec.seq
            report.checked += 1
            report.chains[chain] = report.chains.get(chain, 0) + 1
    return last_seq, hashes


def _checked_lines(path: Path, report: ChainReport, where: str | None, read):
    """The lines of a checkpoint file that parse and carry their keyed code, as ``read`` returns
    them (``(value, code matches)``); every other line is a finding."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            value, genuine = read(json.loads(line))
        except (ValueError, KeyError, TypeError):
            report.findings.append(Finding(where, None, f"检查点文件 {path.name} 第 {n} 行无法读取"))
            continue
        if not genuine:
            report.findings.append(Finding(where, None, f"检查点文件 {path.name} 第 {n} 行的校验码不符（被改动）"))
            continue
        yield value


def _read_checkpoints(chain: str, report: ChainReport) -> list[tuple[int, str]]:
    path = _checkpoint_file(chain)
    if not path.exists():
        return []

    def read(cp):
        seq, head_hash, mac = int(cp["seq"]), str(cp["hash"]), str(cp["mac"])
        return (seq, head_hash), cp.get("chain") == chain and hmac.compare_digest(
            _checkpoint_mac(chain, seq, head_hash), mac)

    return list(_checked_lines(path, report, chain, read))


def _chains_with_checkpoints() -> set[str]:
    folder = checkpoint_dir()
    if not folder.is_dir():
        return set()
    names = {p.name[len("chain-"):-len(".jsonl")] for p in folder.glob("chain-*.jsonl")}
    return {"" if n == "global" else n for n in names}


def _read_region_checkpoints(report: ChainReport) -> dict[str, list[tuple[int, str]]]:
    """The heads recorded by the region checkpoints (printed on summaries), per chain."""
    out: dict[str, list[tuple[int, str]]] = {}
    folder = checkpoint_dir()
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("region-*.jsonl")):
        prefix = path.name[len("region-"):-len(".jsonl")]

        def read(cp, prefix=prefix):
            heads = tuple((str(c), int(s), str(h)) for c, s, h in cp["heads"])
            return heads, cp.get("region") == prefix and hmac.compare_digest(
                _region_mac(prefix, heads), str(cp["mac"]))

        for heads in _checked_lines(path, report, None, read):
            report.checkpoints += 1
            for chain, seq, head_hash in heads:
                out.setdefault(chain, []).append((seq, head_hash))
    return out


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Check every chain: each record's keyed hash and link, the head row, and every checkpoint
    written outside the database (so that deleting the newest records, or all, is found)."""
    report = ChainReport()
    in_db = set(AuditRecord.objects.order_by().values_list("chain", flat=True).distinct())
    heads = {h["chain"]: h for h in AuditChainHead.objects.values("chain", "seq", "hash")}
    from_regions = _read_region_checkpoints(report)
    for chain in sorted(in_db | set(heads) | _chains_with_checkpoints() | set(from_regions)):
        before = len(report.findings)
        last_good, hashes = _verify_records(chain, report, batch_size)
        report.chains.setdefault(chain, 0)
        broken = len(report.findings) > before
        head = heads.get(chain)
        if not broken and head and (head["seq"] != last_good or (last_good and head["hash"] != hashes[last_good])):
            report.findings.append(Finding(
                chain, head["seq"], f"链头记录为 {head['seq']} 条，与数据库中的 {last_good} 条记录不符"))
        newest_checkpoint = 0
        own = _read_checkpoints(chain, report)
        report.checkpoints += len(own)
        for seq, head_hash in own + from_regions.get(chain, []):
            newest_checkpoint = max(newest_checkpoint, seq)
            if seq in hashes and hashes[seq] != head_hash:
                report.findings.append(Finding(chain, seq, f"第 {seq} 条记录与库外检查点不符（记录被改写）"))
        if newest_checkpoint > last_good and not broken:
            if last_good == 0:
                problem = f"库外检查点记录了 {newest_checkpoint} 条记录，数据库中该链一条也没有（记录被全部删除）"
            else:
                problem = (f"库外检查点记录了 {newest_checkpoint} 条记录，数据库中只有 {last_good} 条"
                           f"（最新的 {newest_checkpoint - last_good} 条被删除）")
            report.findings.append(Finding(chain, last_good + 1, problem))
    return report


def latest_seq(chain: str | None = None) -> int:
    qs = AuditRecord.objects.all() if chain is None else AuditRecord.objects.filter(chain=chain)
    return qs.aggregate(m=Max("seq"))["m"] or 0
