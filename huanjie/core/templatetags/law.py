"""Citations of the law in Chinese, from the profile version in force (issue 16).

``{% cite "R24" election %}`` prints "（《村民委员会组织法》第十五条第二款 R24）" with our rule code as
a small reference; ``{% cite_refs message %}`` does the same for every "（R24）" inside a message
from the services (the election or campaign of the page decides the version). Article numbers
come only from ``huanjie/rules/data``; no template writes one.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join

from huanjie.rules.profile_versions import cite_text, split_refs, version_for

register = template.Library()


def _version(subject):
    """The profile version of an election (its day), a campaign, a profile, or a version id."""
    profile = getattr(subject, "profile", None)
    if callable(profile):
        return profile().version
    if getattr(subject, "version", None):
        return subject.version
    if isinstance(subject, str) and subject:
        return subject
    return version_for("national").id  # a page without an election: the law in force now


def _render(codes, rest, version):
    cited = cite_text("、".join(codes), version) or "本系统的理解"
    return format_html(
        '<span class="cite">（{}{} <small class="rule-ref">{}</small>）</span>',
        cited,
        "，" + rest if rest else "",
        "、".join(codes),
    )


@register.simple_tag
def cite(codes: str, subject=None, note: str = ""):
    """``{% cite "R31 R32" election "由规则引擎计算" %}`` — the sources of these rules."""
    parts = [p for p in split_refs(f"（{codes}）") if not isinstance(p, str)]
    if not parts:
        return ""
    found, _rest = parts[0]
    return _render(found, note, _version(subject))


@register.simple_tag(takes_context=True)
def cite_refs(context, text, subject=None):
    """A message with its "（R24）" references replaced by citations; the rest is escaped."""
    text = "" if text is None else str(text)
    version = _version(subject or context.get("election") or context.get("campaign"))
    return format_html_join(
        "",
        "{}",
        ((part if isinstance(part, str) else _render(part[0], part[1], version),) for part in split_refs(text)),
    )
