"""Dated versions of the jurisdiction profiles and the legal source of every rule (issue 16).

The law changes: both organic laws were amended on 2025-10-28 and are in force from 2026-01-01
(rules.md §0). A profile therefore has versions, each in force from its ``effective`` date until
the next one; an election uses the version in force on its election day (:func:`version_for`).
Each version says, per rule id, which text the rule rests on and how far that was checked
(``checked``, ``unchecked``, ``changed_unknown``, ``possibly_outdated``, ``secondary``,
``interpretation``). The data are literals in :mod:`huanjie.rules.data.law_sources`; this module
only reads and checks them, so a province's new rules are a new entry there plus its tests.

:func:`cite` gives the Chinese citation a clerk reads ("《村民委员会组织法》第十五条第二款");
article numbers are written only in the data, never in code, templates or messages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .data import law_sources
from .errors import EngineError

__all__ = [
    "STATUSES",
    "ProfileVersion",
    "Source",
    "chinese_number",
    "cite",
    "cite_message",
    "cite_text",
    "explain",
    "explain_version",
    "get_version",
    "load_versions",
    "rule_title",
    "split_refs",
    "version_for",
    "versions_of",
]

STATUSES: Mapping[str, str] = MappingProxyType(dict(law_sources.STATUSES))
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 105 → 一百零五, 1259 → 一千二百五十九 (as in 第…条)."""
    if type(n) is not int or not 0 < n < 10000:
        raise ValueError(f"条、款、项的序号应为 1–9999 的整数：{n!r}")
    if n < 20:
        return ("十" + (_DIGITS[n - 10] if n > 10 else "")) if n >= 10 else _DIGITS[n]
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            if zero and out:
                out += "零"
            out += _DIGITS[d] + unit
            zero = False
        else:
            zero = True
    return out


@dataclass(frozen=True)
class Source:
    """Where a rule stands: a document, article / paragraph / item, and how far it was checked."""

    document: str
    article: int | None
    paragraph: int | None
    item: int | None
    status: str
    note: str = ""
    stale: bool = False  # the version cites an older text of this document (article numbers too)

    @property
    def status_zh(self) -> str:
        return STATUSES[self.status]

    @property
    def document_title(self) -> str:
        return law_sources.DOCUMENTS[self.document]["title"] if self.document else ""

    @property
    def document_full(self) -> str:
        return law_sources.DOCUMENTS[self.document]["full"] if self.document else ""

    def citation(self) -> str:
        """《村民委员会组织法》第十五条第二款 — with the edition where the text is stale or superseded."""
        title, place = self._parts()
        return title + place

    def _parts(self) -> tuple[str, str]:
        if not self.document:
            return "", ""
        doc = law_sources.DOCUMENTS[self.document]
        title = doc["title"]
        if doc["edition"] and (self.stale or self.status == "changed_unknown" or doc.get("show_edition")):
            title += f"（{doc['edition']}）"
        place = ""
        if self.article is not None:
            place += f"第{chinese_number(self.article)}条"
        if self.paragraph is not None:
            place += f"第{chinese_number(self.paragraph)}款"
        if self.item is not None:
            place += f"第{chinese_number(self.item)}项"
        return title, place


@dataclass(frozen=True)
class ProfileVersion:
    """One dated version of a jurisdiction profile: its sources per rule and its switch values."""

    profile: str
    id: str
    label: str
    effective: dt.date
    note: str
    sources: Mapping[str, tuple[Source, ...]]
    switches: Mapping[str, Any]

    def rules(self) -> list[tuple[str, str, tuple[Source, ...]]]:
        """(rule id, Chinese name, sources) for every rule, in rule order (R1…R70, then P…)."""
        return [(rid, rule_title(rid), self.sources.get(rid, ())) for rid in _rule_order()]


def _rule_order() -> list[str]:
    return sorted(law_sources.RULES, key=lambda r: (r[0] != "R", int(r[1:])))


def rule_title(rule_id: str) -> str:
    return law_sources.RULES.get(rule_id, "")


_WHERE = re.compile(r"^(\d+)?(?:\.(\d*))?(?:\.(\d+))?$")


def _bad(message: str) -> EngineError:
    return EngineError("invalid_law_data", f"法规依据数据有误：{message}", "huanjie/rules/data/law_sources.py")


def _source(raw: Sequence, where_: str) -> Source:
    if not isinstance(raw, tuple | list) or len(raw) not in (3, 4):
        raise _bad(f"{where_} 应为 (文件, 位置, 状态[, 说明])")
    doc, where, status = raw[0], raw[1], raw[2]
    note = raw[3] if len(raw) == 4 else ""
    if doc and doc not in law_sources.DOCUMENTS:
        raise _bad(f"{where_} 的文件代号 {doc!r} 未在 DOCUMENTS 中登记")
    if status not in STATUSES:
        raise _bad(f"{where_} 的状态 {status!r} 不在 STATUSES 中")
    if not doc and status != "interpretation":
        raise _bad(f"{where_} 没有文件的依据只能是 interpretation")
    m = _WHERE.match(where) if isinstance(where, str) else None
    if m is None or (where and not doc):
        raise _bad(f"{where_} 的位置 {where!r} 应写成 条.款.项，如 15.2 或 13..3")
    art, para, item = (int(g) if g else None for g in m.groups())
    if art is None and (para or item):
        raise _bad(f"{where_} 的位置 {where!r} 缺少条")
    return Source(doc, art, para, item, status, note)


def load_versions(versions: Sequence[Mapping], rules: Mapping[str, str] | None = None) -> dict[str, ProfileVersion]:
    """Read and check version data (``law_sources.VERSIONS`` by default): every document, status,
    rule id and base must be known, dates ISO, and a profile's dates strictly increasing."""
    rules = law_sources.RULES if rules is None else rules
    out: dict[str, ProfileVersion] = {}
    last: dict[str, dt.date] = {}
    for n, raw in enumerate(versions):
        vid = raw.get("id")
        where_ = f"VERSIONS[{n}]（{vid}）"
        if not isinstance(vid, str) or vid in out:
            raise _bad(f"{where_} 的 id 缺少或重复")
        try:
            effective = dt.date.fromisoformat(raw["effective"])
        except (KeyError, TypeError, ValueError):
            raise _bad(f"{where_} 的生效日期应为 YYYY-MM-DD") from None
        profile = raw.get("profile")
        if profile in last and effective <= last[profile]:
            raise _bad(f"{where_} 的生效日期应晚于同一辖区的上一个版本")
        unknown = set(raw) - {"profile", "id", "label", "effective", "base", "note", "sources", "restatus",
                              "changes", "switches"}
        if unknown:
            raise _bad(f"{where_} 有未知的键 {sorted(unknown)}")
        sources: dict[str, list[Source]] = {}
        switches: dict[str, Any] = {}
        base = raw.get("base")
        if base is not None:
            if base not in out:
                raise _bad(f"{where_} 的 base {base!r} 应为前面已列出的版本")
            sources = {rid: list(s) for rid, s in out[base].sources.items()}
            switches = dict(out[base].switches)
        for key in ("sources", "changes"):
            for rid, items in (raw.get(key) or {}).items():
                if rid not in rules:
                    raise _bad(f"{where_}.{key} 的规则 {rid!r} 未在 RULES 中登记")
                sources.setdefault(rid, []).extend(
                    _source(s, f"{where_}.{key}.{rid}[{j}]") for j, s in enumerate(items)
                )
        for doc, status in (raw.get("restatus") or {}).items():
            # a reading of the text changes status (the law changed, or someone checked it);
            # our own readings (interpretation) and secondary sources keep theirs
            if doc not in law_sources.DOCUMENTS or status not in STATUSES:
                raise _bad(f"{where_}.restatus 的 {doc!r}: {status!r} 无效")
            for rid, items in sources.items():
                sources[rid] = [
                    Source(
                        s.document,
                        s.article,
                        s.paragraph,
                        s.item,
                        status if s.status in ("checked", "unchecked") else s.status,
                        s.note,
                        stale=status != "checked",
                    )
                    if s.document == doc
                    else s
                    for s in items
                ]
        switches.update(raw.get("switches") or {})
        out[vid] = ProfileVersion(
            profile=profile,
            id=vid,
            label=raw.get("label") or vid,
            effective=effective,
            note=raw.get("note") or "",
            sources=MappingProxyType({rid: tuple(s) for rid, s in sources.items()}),
            switches=MappingProxyType(switches),
        )
        last[profile] = effective
    return out


VERSIONS: Mapping[str, ProfileVersion] = MappingProxyType(load_versions(law_sources.VERSIONS))


def versions_of(profile: str) -> list[ProfileVersion]:
    """The versions of one profile, oldest first."""
    return sorted((v for v in VERSIONS.values() if v.profile == profile), key=lambda v: v.effective)


def version_for(profile: str, day: dt.date | None = None) -> ProfileVersion:
    """The version of ``profile`` in force on ``day`` (its election day); ``None`` = the newest.

    A day before the first version's effective date gets the first version: the project holds no
    older text, and the version's effective date shows it."""
    found = versions_of(profile)
    if not found:
        raise EngineError("unknown_jurisdiction", f"未知的辖区 {profile!r}", "config.jurisdiction")
    if day is None:
        return found[-1]
    current = found[0]
    for v in found:
        if v.effective <= day:
            current = v
    return current


def get_version(version: ProfileVersion | str | Any) -> ProfileVersion:
    """A version from itself, its id, or a :class:`~huanjie.rules.profiles.Profile` carrying one."""
    if isinstance(version, ProfileVersion):
        return version
    vid = version if isinstance(version, str) else getattr(version, "version", None)
    if vid not in VERSIONS:
        raise EngineError("unknown_profile_version", f"未知的法规版本 {vid!r}", "config.profile_version")
    return VERSIONS[vid]


def cite(rule_id: str, profile_version: ProfileVersion | str | Any) -> str:
    """The Chinese citation of a rule under a version: "《村民委员会组织法》第十五条第二款；
    《浙江省村民委员会选举办法》第二十七条第一款". A rule no text states reads "本系统的理解"."""
    version = get_version(profile_version)
    if rule_id not in law_sources.RULES:
        raise EngineError("unknown_rule", f"未知的规则编号 {rule_id!r}", "rule")
    return _join([s for s in version.sources.get(rule_id, ()) if s.document]) or "法规未明文规定（本系统的理解）"


def _join(sources: Sequence[Source]) -> str:
    """One document once: "《浙江省村民委员会选举办法》第二十一条第三款、第二十九条第四款"."""
    places: dict[str, list[str]] = {}
    for s in sources:
        title, place = s._parts()
        got = places.setdefault(title, [])
        if place not in got:
            got.append(place)
    return "；".join(title + "、".join(p for p in got if p) for title, got in places.items())


# A rule (R1–R70) or a policy item (P7, P12 …) that RULES names; "P2020" is a document, not P20.
_REF = re.compile(r"[RP]\d{1,2}(?!\d)")


def cite_text(codes: str, profile_version: ProfileVersion | str | Any) -> str:
    """"R31、R32" → their citations joined with "；" (each rule once, documents once)."""
    version = get_version(profile_version)
    sources = [
        s for rid in _REF.findall(codes) if rid in law_sources.RULES for s in version.sources.get(rid, ()) if s.document
    ]
    return _join(sources)


def explain(profile: str, day: dt.date | None = None) -> dict:
    """Every rule of the profile version in force on ``day`` with its sources and their status —
    what a legal officer checks (``huanjie engine --explain PROFILE --date YYYY-MM-DD``, and the
    campaign's rules page)."""
    return explain_version(version_for(profile, day))


def explain_version(profile_version: ProfileVersion | str | Any) -> dict:
    """:func:`explain` for a given version (or its id, or a profile carrying one)."""
    version = get_version(profile_version)
    rules = []
    for rid, title, sources in version.rules():
        rules.append(
            {
                "rule": rid,
                "title": title,
                "citation": cite(rid, version),
                "sources": [
                    {
                        "document": s.document_full or "本系统的理解",
                        "citation": s.citation() or "法规未明文规定",
                        "status": s.status,
                        "status_zh": s.status_zh,
                        "note": s.note,
                    }
                    for s in sources
                ],
            }
        )
    counts: dict[str, int] = {}
    for r in rules:
        for s in r["sources"]:
            counts[s["status"]] = counts.get(s["status"], 0) + 1
    return {
        "profile": version.profile,
        "version": version.id,
        "label": version.label,
        "effective": version.effective.isoformat(),
        "in_force_until": _next_effective(version),
        "note": version.note,
        "status_counts": {k: counts[k] for k in STATUSES if k in counts},
        "rules": rules,
    }


def _next_effective(version: ProfileVersion) -> str | None:
    later = [v.effective for v in versions_of(version.profile) if v.effective > version.effective]
    return (min(later) - dt.timedelta(days=1)).isoformat() if later else None


# References such as "（R24）", "（R31、R32）", "（R31—R35）" or "（R16，由规则引擎按选举日计算）" in a
# message: the group in brackets that names at least one rule.
_GROUP = re.compile(r"[（(]([^（）()]*?[RP]\d{1,2}(?!\d)[^（）()]*)[）)]")
_CODE = re.compile(r"([RP])(\d{1,2})(?:\s*[—–~-]\s*\1(\d{1,2}))?(?!\d)")


def split_refs(text: str) -> list[str | tuple[tuple[str, ...], str]]:
    """Cut a message at its rule references: plain strings, and for each bracketed reference
    ``(rule ids, the group's other words)`` — "（R16，由规则引擎计算）" → (("R16",), "由规则引擎计算");
    a range "R31—R35" names every rule in it. Renderers put the citation in its place."""
    out: list[str | tuple[tuple[str, ...], str]] = []
    pos = 0
    for m in _GROUP.finditer(text):
        inner = m.group(1)
        codes: list[str] = []
        for c in _CODE.finditer(inner):
            letter, lo = c.group(1), int(c.group(2))
            hi = int(c.group(3)) if c.group(3) else lo
            codes.extend(f"{letter}{n}" for n in range(lo, max(lo, hi) + 1) if f"{letter}{n}" in law_sources.RULES)
        if not codes:
            continue
        # Only the codes cited leave the words: "P14" that RULES does not name stays as written.
        rest = _CODE.sub(lambda c: "" if f"{c.group(1)}{c.group(2)}" in law_sources.RULES else c.group(0), inner)
        rest = re.sub(r"^[\s、，,；;和及]+|[\s、，,；;和及]+$", "", rest)
        rest = re.sub(r"[、，,]\s*(?=[、，,])", "", rest)
        out.append(text[pos : m.start()])
        out.append((tuple(dict.fromkeys(codes)), rest))
        pos = m.end()
    out.append(text[pos:])
    return [part for part in out if part != ""]


def cite_message(text: str, profile_version: ProfileVersion | str | Any) -> str:
    """A message for print (notices, PDFs): each "（R24）" becomes "（《村民委员会组织法》第十五条
    第二款）" under the version; our rule codes are left out of printed documents."""
    version = get_version(profile_version)
    parts = []
    for part in split_refs(text):
        if isinstance(part, str):
            parts.append(part)
        else:
            codes, rest = part
            cited = cite_text("、".join(codes), version) or "本系统的理解"
            parts.append(f"（{cited}{'，' + rest if rest else ''}）")
    return "".join(parts)
