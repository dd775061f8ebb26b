"""No article number is written by hand outside the law's data (issue 16).

Articles are renumbered when a law is amended (the village law went from 41 to 50 articles on
2026-01-01), so every "第十五条" a clerk reads must come from ``huanjie/rules/data`` through the
profile version of the election day. This test reads every template and every string a .py file
can show (docstrings and comments are explanations for developers, not messages) and fails on any
article number.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

HUANJIE = Path(__file__).resolve().parents[2]
DATA = HUANJIE / "rules" / "data"
ARTICLE = re.compile(r"第\s*[一二三四五六七八九十百千零〇两0-9０-９]+\s*条")
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)


def template_hits(text: str) -> list[str]:
    return ARTICLE.findall(TEMPLATE_COMMENT.sub("", text))


def python_hits(source: str) -> list[str]:
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    return [
        hit
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        for hit in ARTICLE.findall(node.value)
    ]


def test_the_scanner_finds_what_it_must_refuse():
    assert template_hits("根据《村民委员会组织法》第十五条{# 第二十条 #}") == ["第十五条"]
    assert python_hits('"""第十五条 in a docstring"""\nx = f"依据第{n}条" + "民法典第1045条"\n') == ["第1045条"]
    assert python_hits('MSG = "组织法第 24 条"') == ["第 24 条"]


def test_no_template_writes_an_article_number():
    found = {
        str(p.relative_to(HUANJIE)): hits
        for p in HUANJIE.rglob("*.html")
        if DATA not in p.parents and (hits := template_hits(p.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_no_message_in_python_writes_an_article_number():
    found = {}
    for p in HUANJIE.rglob("*.py"):
        if DATA in p.parents or "tests" in p.parts or "migrations" in p.parts:
            continue
        hits = python_hits(p.read_text(encoding="utf-8"))
        if hits:
            found[str(p.relative_to(HUANJIE))] = hits
    assert found == {}
