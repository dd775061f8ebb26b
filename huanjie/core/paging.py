"""Pagination for lists that can hold a million rows (a county's people register)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: past it the page says "超过 N 条" and offers the first N rows,
    so that the count never walks the whole register on every request; a search narrows the list."""

    def __init__(self, object_list, per_page, cap: int = 10_000, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        n = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = n > self.cap
        return min(n, self.cap)
