"""People counts per village, cached in :class:`VillageStats` and dropped by the writes that change them.

Saving or deleting a person drops the rows of its old and new village (signals below). Bulk paths
that bypass ``save()`` (the roster import's COPY, ``bulk_create``) call :func:`forget` themselves.
A missing row is computed on the next read, in one grouped query over the villages that miss one
(served by the ``(hukou_village, name)`` index), so a dropped row costs one village's count.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Person, VillageStats


def forget(*village_ids) -> None:
    ids = {v for v in village_ids if v is not None}
    if ids:
        VillageStats.objects.filter(village_id__in=ids).delete()


def village_stats(village_ids: Iterable[int]) -> dict[int, VillageStats]:
    """Per village id, its counts (a village without people has a row of zeros)."""
    ids = set(village_ids)
    out = {s.village_id: s for s in VillageStats.objects.filter(village_id__in=ids)}
    missing = ids - out.keys()
    if missing:
        fresh = {v: VillageStats(village_id=v) for v in missing}
        rows = (
            Person.objects.filter(hukou_village_id__in=missing)
            .values("hukou_village")
            .annotate(
                total=Count("id"),
                men=Count("id", filter=Q(gender="M")),
                women=Count("id", filter=Q(gender="F")),
                party=Count("id", filter=Q(political_status="cpc")),
                manual=Count("id", filter=Q(manual_birth_data=True)),
            )
            .order_by()
        )
        for r in rows:
            s = fresh[r.pop("hukou_village")]
            for k, v in r.items():
                setattr(s, k, v)
        for v, g in (Person.objects.filter(hukou_village_id__in=missing).exclude(group_name="").order_by()
                     .values_list("hukou_village_id", "group_name").distinct()):
            fresh[v].groups.append(g)
        for s in fresh.values():
            s.groups.sort()
        VillageStats.objects.bulk_create(fresh.values(), ignore_conflicts=True)
        out.update(fresh)
    return out


def groups(village_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per village id, the 村民小组 names its people (by 户籍) carry."""
    return {v: set(s.groups) for v, s in village_stats(village_ids).items()}


def totals(stats: dict[int, VillageStats] | Iterable[int]) -> dict[str, int]:
    """The sums over villages: pass :func:`village_stats`' answer, or village ids."""
    if not isinstance(stats, dict):
        stats = village_stats(stats)
    out = dict.fromkeys(("total", "men", "women", "party", "manual"), 0)
    for s in stats.values():
        for k in out:
            out[k] += getattr(s, k)
    return out


@receiver(post_save, sender=Person, dispatch_uid="people-stats-save")
@receiver(post_delete, sender=Person, dispatch_uid="people-stats-delete")
def _person_changed(sender, instance: Person, **kwargs):
    forget(instance.hukou_village_id, getattr(instance, "_loaded_hukou_village_id", None))
