"""The 工作台's to-do list: each area registers what its users have to do next.

The home page belongs to ``core``, the work to the apps: an app registers a provider in its
``AppConfig.ready`` (elections: next and overdue steps; review: waiting reviews and the
department's queue), so core imports no app above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Todo:
    text: str  # what to do, in Chinese, naming the village and the step
    url: str = ""  # where to do it
    overdue: bool = False
    due: str = ""  # the deadline as text ("2027-01-03 前"), or ""
    sort: tuple = ()

    @property
    def step(self) -> str:
        """The step without the village's name, for the village's own page ("下一步：公布选民名单")."""
        head, sep, rest = self.text.partition("：下一步 ")
        return rest if sep else self.text


_PROVIDERS: list[Callable] = []


def register(provider: Callable) -> Callable:
    """``provider(user) -> list[Todo]``; registered once per process (apps' ready)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def todos_for(user) -> list[Todo]:
    out: list[Todo] = []
    for provider in _PROVIDERS:
        out.extend(provider(user))
    # Overdue first, then by deadline, each provider's own order otherwise.
    return sorted(out, key=lambda t: (not t.overdue, t.sort))
