"""Registered-voter counts per election, cached in :class:`VoterCounts`.

The cached row is dropped by each write that may change it: a registration saved or deleted, a
registered person's sex or birth date changed, the election saved (its day decides the age bands).
The import's COPY path, which bypasses ``save()``, calls :func:`forget` itself.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from huanjie.elections.models import Election, VoterCounts, VoterRegistration
from huanjie.people.models import Person


def forget(*election_ids) -> None:
    ids = {e for e in election_ids if e is not None}
    if ids:
        VoterCounts.objects.filter(election_id__in=ids).delete()


def cached(election_ids) -> dict[int, dict]:
    return dict(VoterCounts.objects.filter(election_id__in=set(election_ids)).values_list("election_id", "data"))


def store(counts: dict[int, dict]) -> None:
    VoterCounts.objects.bulk_create(
        [VoterCounts(election_id=e, data=d) for e, d in counts.items()], ignore_conflicts=True
    )


@receiver(post_save, sender=VoterRegistration, dispatch_uid="voter-counts-reg-save")
@receiver(post_delete, sender=VoterRegistration, dispatch_uid="voter-counts-reg-delete")
def _registration_changed(sender, instance: VoterRegistration, **kwargs):
    forget(instance.election_id)


@receiver(post_save, sender=Election, dispatch_uid="voter-counts-election-save")
def _election_changed(sender, instance: Election, created: bool, **kwargs):
    if not created:
        forget(instance.pk)


@receiver(post_save, sender=Person, dispatch_uid="voter-counts-person-save")
def _person_changed(sender, instance: Person, created: bool, **kwargs):
    if not created:
        VoterCounts.objects.filter(election__voters__person=instance).delete()
