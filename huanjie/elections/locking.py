"""The lock on a submitted result (报送): only the township can unlock it, with a reason.

Every service that changes counting forms, results or elected members calls
:func:`ensure_unlocked` inside its transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ResultLocked(PermissionDenied):
    """The result has been submitted and is locked."""


def is_locked(election) -> bool:
    submission = getattr(election, "submission", None) if _has_submission(election) else None
    return bool(submission and submission.locked)


def _has_submission(election) -> bool:
    from .models_voting import ResultSubmission

    try:
        election.submission  # noqa: B018 — touch the reverse one-to-one
    except ResultSubmission.DoesNotExist:
        return False
    return True


def ensure_unlocked(election) -> None:
    if is_locked(election):
        raise ResultLocked(f"{election.title}的选举结果已报送并锁定，只有乡镇换届办解锁后才能修改。")
