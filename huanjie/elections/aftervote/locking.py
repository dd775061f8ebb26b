"""The lock on a submitted result (报送): only the township can unlock it, with a reason.

Submission freezes everything the submitted result and its documents are computed from: the voter
list (registrations, removals, objections, card numbers), the committee, the timeline steps,
nominations and candidates, stations and their staff, rounds, counting forms and results. Every
write service of an election carries :func:`guarded`, which locks the election row and refuses
the write (:class:`ResultLocked`) inside the service's transaction; the services do not check the
lock themselves. ``huanjie/elections/tests/test_lock_guard.py`` lists every public write service of
the election packages (by convention a write takes the acting account as ``actor``; a read that
needs the account calls it ``user``) and fails when one is neither guarded nor named in
:data:`UNGUARDED` with its reason.

After the township has unlocked a submitted result (the submission exists but is not locked:
:func:`is_reopened`), every change to the result tables is written to the audit log with its
before and after values. Services say who acts with :func:`acting` (or pass the actor to
:func:`record_change`); the model signals below are the safety net that also catches a change made
by code that forgot to audit, so the trail of a reopened result has no gaps. The signals are
connected when this module is imported (``ElectionsConfig.ready`` should import it so that this
does not depend on import order).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import inspect
from decimal import Decimal

from django.core.exceptions import AppRegistryNotReady, PermissionDenied
from django.db.models.signals import post_delete, post_save, pre_save

_actor: contextvars.ContextVar = contextvars.ContextVar("huanjie_result_actor", default=None)
_service_audits: contextvars.ContextVar = contextvars.ContextVar("huanjie_service_audits", default=False)


class ResultLocked(PermissionDenied):
    """The result has been submitted and is locked."""


def submission_of(election):
    """The election's ResultSubmission, or None when the result was never submitted."""
    from huanjie.elections.voting.models import ResultSubmission

    try:
        return election.submission
    except ResultSubmission.DoesNotExist:
        return None


def is_locked(election) -> bool:
    submission = submission_of(election)
    return bool(submission and submission.locked)


def is_reopened(election) -> bool:
    """Submitted once and unlocked by the township since: changes now need a full audit trail."""
    submission = submission_of(election)
    return bool(submission and not submission.locked)


def ensure_unlocked(election) -> None:
    """Refuse a change to a locked result. Inside a transaction the election row is locked first and
    the submission read afresh, so a form saved at the moment of submission cannot slip past it."""
    from django.db import transaction

    from huanjie.elections.models import Election
    from huanjie.elections.voting.models import ResultSubmission

    if transaction.get_connection().in_atomic_block:
        Election.objects.select_for_update(no_key=True).filter(pk=election.pk).values_list("pk", flat=True).first()
        locked = ResultSubmission.objects.filter(election_id=election.pk, locked=True).exists()
    else:
        locked = is_locked(election)
    if locked:
        raise ResultLocked(f"{election.title}的选举结果已报送并锁定，只有乡镇换届办说明理由解锁后才能修改。")


# Write services that take an election but are not frozen by its submission, with the reason.
UNGUARDED = {
    "huanjie.elections.services.create_election": "建立选举时还没有结果",
    "huanjie.elections.services.create_elections_from_plan": "建立选举时还没有结果",
    "huanjie.elections.services.record_after_result_step": "就职和移交在报送之后登记（AFTER_RESULT_STEPS）",
    "huanjie.elections.aftervote.services.submit_result": "报送本身加锁，重复报送由其自身拒绝",
    "huanjie.elections.aftervote.services.unlock": "解锁本身",
    "huanjie.elections.aftervote.services.assign_posts": "分工和一肩挑在投票后记录，不属于报送的结果（UNLOCKED_FIELDS）",
    "huanjie.elections.aftervote.services.save_handover": "印章、档案、三资移交在报送之后进行",
}


def election_of(subject):
    """The election a write service's subject belongs to: the election itself or a row hanging
    from it (by ``election``, or through its round, station, counting form or candidate)."""
    from django.core.exceptions import FieldDoesNotExist

    from huanjie.elections.models import Election

    if isinstance(subject, Election):
        return subject
    meta = getattr(subject, "_meta", None)
    for name in ("election", "round", "station", "form", "candidate"):
        try:
            meta.get_field(name)
        except (AttributeError, FieldDoesNotExist):
            continue
        return election_of(getattr(subject, name))
    raise TypeError(f"{subject!r} does not belong to an election")


def guarded(service=None, *, of=None):
    """The one lock guard of the election's write services.

    ``service(actor, subject, ...)`` runs in a transaction that first locks the election row of
    ``subject`` and refuses with :class:`ResultLocked` while the submitted result is locked, before
    the service reads or writes anything else.

    ``@guarded(of=...)`` names the elections a subject feeds when it is not simply the election
    it hangs from: ``of(subject)`` returns one election or several (a party branch's member roll
    feeds its assemblies' 应到会人数; a plenary's candidates hang from the party election but feed
    the plenary's result), and every one of them must be unlocked."""
    from django.db import transaction

    if service is None:
        return lambda func: guarded(func, of=of)
    subject_name = list(inspect.signature(service).parameters)[1]

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        subject = args[1] if len(args) > 1 else kwargs[subject_name]
        with transaction.atomic():
            found = of(subject) if of is not None else election_of(subject)
            for election in (found if isinstance(found, list | tuple) else [found]):
                if election is not None:
                    ensure_unlocked(election)
            return service(*args, **kwargs)

    wrapper.huanjie_lock_guard = True
    return wrapper


def is_guarded(func) -> bool:
    return bool(getattr(func, "huanjie_lock_guard", False))


@contextlib.contextmanager
def acting(actor):
    """Name the account on whose behalf result rows are changed inside the block (for the audit)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def audited_by_service():
    """Inside the block the service writes the audit records of a reopened result itself (with
    :func:`record_change`), so the safety-net signals below skip their query per row: a service
    that writes rows in bulk stays a fixed number of queries."""
    token = _service_audits.set(True)
    try:
        yield
    finally:
        _service_audits.reset(token)


class ActorMiddleware:
    """Sets :func:`acting` to the request's user, so audit records written by the signals name
    the account. Add ``huanjie.elections.aftervote.locking.ActorMiddleware`` after the authentication
    middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with acting(user if user is not None and user.is_authenticated else None):
            return self.get_response(request)


# ---------------------------------------------------------------- audit of a reopened result

# Fields that are not part of the locked result: the committee's division of work (分工) and the
# 一肩挑 mark are recorded after the vote, whether or not the result is locked.
UNLOCKED_FIELDS = {"ElectedMember": {"assigned_post", "is_party_secretary"}}
_SKIP_FIELDS = {"updated_at", "computed_at"}


def _plain(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj) -> dict:
    """The stored values of a row, by field name (foreign keys by id)."""
    out = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in _SKIP_FIELDS:
            continue
        out[f.attname if f.is_relation else f.name] = _plain(getattr(obj, f.attname))
    return out


def _diff(before: dict, after: dict) -> dict:
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def reopened_election_id(obj) -> int | None:
    """The election of a result row if it is reopened (submitted, then unlocked); one query."""
    from huanjie.elections.voting.models import (
        BallotEntry,
        CountingForm,
        CountingLine,
        ElectedMember,
        ResultSubmission,
        RoundResult,
    )

    qs = ResultSubmission.objects.filter(locked=False)
    if isinstance(obj, ElectedMember):
        qs = qs.filter(election_id=obj.election_id)
    elif isinstance(obj, RoundResult | CountingForm):
        qs = qs.filter(election__rounds=obj.round_id)
    elif isinstance(obj, CountingLine | BallotEntry):
        qs = qs.filter(election__rounds__forms=obj.form_id)
    else:
        return None
    return qs.values_list("election_id", flat=True).first()


def record_change(actor, election, obj, action: str, before: dict | None, after: dict | None) -> None:
    """Audit one change of a result row of a reopened election with its before and after values.

    Call inside the transaction of the change. Does nothing while the result was never submitted
    (the services' own audit records cover that time)."""
    from huanjie.accounts import audit

    if not is_reopened(election):
        return
    changes = _diff(before or {}, after or {})
    if not changes:
        return
    audit.record(
        actor,
        action,
        obj,
        changes=changes,
        region_code=election.organization.code,
        object_repr=f"{election.title}：{obj._meta.verbose_name} {obj.pk}",
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    instance._huanjie_before = None
    if raw or _service_audits.get():
        return
    election_id = reopened_election_id(instance)
    if election_id is None:
        return
    old = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._huanjie_before = (election_id, snapshot(old) if old else {})


def _post_save(sender, instance, created=False, raw=False, **kwargs):
    state = getattr(instance, "_huanjie_before", None)
    instance._huanjie_before = None
    if raw or state is None:
        return
    election_id, before = state
    changes = _diff(before, snapshot(instance))
    free = UNLOCKED_FIELDS.get(sender.__name__, set())
    if not changes or set(changes) <= free:
        return
    _audit(
        sender,
        instance,
        election_id,
        "result.change_after_unlock" if before else "result.add_after_unlock",
        changes,
    )


def _post_delete(sender, instance, **kwargs):
    if _service_audits.get():
        return
    election_id = reopened_election_id(instance)
    if election_id is None:
        return
    _audit(sender, instance, election_id, "result.delete_after_unlock", _diff(snapshot(instance), {}))


def _audit(sender, instance, election_id, action, changes) -> None:
    from huanjie.accounts import audit
    from huanjie.elections.models import Election

    election = Election.objects.select_related("organization").get(pk=election_id)
    audit.record(
        _actor.get(),
        action,
        instance,
        changes=changes,
        region_code=election.organization.code,
        object_repr=f"{election.title}：{sender._meta.verbose_name} {instance.pk}",
    )


def connect() -> None:
    from huanjie.elections.voting.models import (
        BallotEntry,
        CountingForm,
        CountingLine,
        ElectedMember,
        RoundResult,
    )

    for model in (CountingForm, CountingLine, BallotEntry, RoundResult, ElectedMember):
        uid = f"huanjie-reopened-{model.__name__}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-del")


try:
    connect()
except AppRegistryNotReady:  # imported while the models load: ElectionsConfig.ready connects later
    pass
