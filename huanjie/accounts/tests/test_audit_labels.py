"""Every action the services write to the audit log reads in Chinese.

A walk of the demo's audit log found 66 actions shown as "其他操作" (the party, congress,
supervision, village posts, preparation, oversight and reports areas); the demo's own fields are
checked in ``huanjie/demo/tests/built/test_demo_audit_log.py``."""

from __future__ import annotations

import ast
from pathlib import Path

from huanjie.accounts.audit_display import ACTION_LABELS, AREA_LABELS, key_label

PACKAGE = Path(__file__).resolve().parents[2]


def record_calls():
    """(file, call) for every ``audit.record(…)`` outside the tests and migrations."""
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"):
                yield str(path.relative_to(PACKAGE)), node


def recorded_actions() -> dict[str, str]:
    """action → the file that writes it (both branches of ``"a" if x else "b"``; an action passed
    in a variable is a literal elsewhere)."""
    found = {}
    for where, node in record_calls():
        action = node.args[1]
        for value in (action.body, action.orelse) if isinstance(action, ast.IfExp) else (action,):
            if isinstance(value, ast.Constant):
                found[value.value] = where
    return found


def test_every_action_written_has_a_chinese_label():
    actions = recorded_actions()
    assert len(actions) > 150  # the scan finds the calls written over several lines too
    assert {a: f for a, f in actions.items() if a not in ACTION_LABELS} == {}
    assert {a.split(".")[0] for a in actions} <= set(AREA_LABELS)


def test_a_policy_finding_code_reads_as_its_explanation():
    assert key_label("P11-women-share") == "专项说明（P11-women-share）"
    assert key_label("unit_must_replace") == "责令选举单位撤换"


def test_every_field_a_service_records_reads_in_chinese():
    """The keys of ``changes={…}`` written in the code: a label of their own, or a model field's
    Chinese name (the log reads the field's verbose_name); "added", "rejected", "elder" were shown
    as they are written."""
    import re

    from django.apps import apps

    from huanjie.accounts.audit_display import KEY_LABELS

    named = {f.name for m in apps.get_models() for f in m._meta.get_fields()
             if re.search(r"[\u4e00-\u9fff]", str(getattr(f, "verbose_name", "")))}
    missing = {}
    for where, node in record_calls():
        for kw in node.keywords:
            if kw.arg == "changes" and isinstance(kw.value, ast.Dict):
                for key in kw.value.keys:
                    if (isinstance(key, ast.Constant) and key.value.isascii()
                            and key.value not in KEY_LABELS and key.value not in named):
                        missing[key.value] = f"{where}:{node.lineno}"
    assert missing == {}
