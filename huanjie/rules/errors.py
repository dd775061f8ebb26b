"""The one error type of the rules engine.

Every function of :mod:`huanjie.rules` reports bad input by raising :class:`EngineError` with a
stable *code*, a Chinese *message* for people, and the *path* of the offending field in the JSON
case layout (``inputs.races[0].votes``), so the web application and the command line show the
same thing.
"""

from __future__ import annotations

__all__ = ["EngineError", "RulesError"]


class EngineError(ValueError):
    """Bad input to a rules function: ``code`` (stable), ``message`` (中文), ``path`` (field)."""

    def __init__(self, code: str, message: str, path: str = "") -> None:
        super().__init__(f"{code}: {message} ({path})")
        self.code = code
        self.message = message
        self.path = path

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "path": self.path}}


RulesError = EngineError
