"""Structure statistics of the new teams against the previous term and the campaign's targets.

The previous term's cadres come from the office's Excel (:func:`import_previous_cadres`, every
row checked, nothing saved on an error); the new term's from the elections (the elected members
of the villagers' committee and of the party organization, with the people's register for
gender, birth date, education and party membership). The arithmetic is
:mod:`huanjie.rules.statistics` (one rounding rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign, CampaignVillage
from huanjie.core.access import COUNTY, TOWNSHIP, in_scope
from huanjie.people.models import Region
from huanjie.rules.dates import add_years
from huanjie.rules.idnumber import parse_id
from huanjie.rules.statistics import (
    BODIES,
    Cadre,
    Percent,
    StructureCounts,
    format_scaled,
    percent,
    point_change,
    structure_counts,
    turnover,
)

from .models import PreviousCadre

TEAM_KINDS = ("village_committee", "residents_committee", "party_branch", "party_plenary")
PARTY_POSTS = {"书记": "secretary", "副书记": "deputy_secretary", "委员": "committee_member"}
COMMITTEE_POSTS = {"主任": "director", "副主任": "deputy", "委员": "member", "妇女委员": "women_member"}
PARTY_MEMBER_TEXTS = {"中共党员", "党员", "中共预备党员", "预备党员", "是"}
COLUMNS = {
    "code": ("村（社区）代码", "村代码", "统计代码", "区划代码"),
    "name": ("姓名",),
    "id_number": ("公民身份号码", "身份证号码", "身份证号"),
    "party_post": ("党组织职务", "村党组织职务"),
    "committee_post": ("村委会职务", "村民委员会职务", "居委会职务"),
    "political": ("政治面貌", "是否党员"),
    "education": ("文化程度", "学历"),
}


class ImportError_(ValueError):
    """The file as a whole cannot be imported (no header row, unreadable)."""


@dataclass
class ImportResult:
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    saved: int = 0


def _header(table: list[list]) -> tuple[int, dict[str, int]]:
    from huanjie.elections.registration.roster import cell_text

    for r, row in enumerate(table[:10]):
        texts = [cell_text(v).replace(" ", "") for v in row]
        found = {}
        for key, names in COLUMNS.items():
            for i, t in enumerate(texts):
                if t in names:
                    found[key] = i
                    break
        if {"code", "name", "id_number"} <= set(found):
            return r, found
    raise ImportError_("找不到表头：表格前 10 行中应有“村（社区）代码”“姓名”“公民身份号码”三列。")


def parse_previous_cadres(campaign: Campaign, data: bytes, filename: str) -> tuple[list[PreviousCadre], list[str]]:
    """Rows of the previous term's cadres, and a Chinese error per bad row/field."""
    from huanjie.elections.registration.roster import RosterError, cell_text, read_table

    try:
        table = read_table(data, filename)
    except RosterError as exc:
        raise ImportError_(str(exc)) from None
    head, cols = _header(table)
    villages = {e.village.code: e.village for e in
                CampaignVillage.objects.filter(campaign=campaign).select_related("village")}
    out, errors, seen = [], [], {}
    for r in range(head + 1, len(table)):
        row = table[r]

        def cell(key, row=row):
            i = cols.get(key)
            return cell_text(row[i]) if i is not None and i < len(row) else ""

        if not any(cell(k) for k in cols):
            continue
        line = r + 1
        problems = []
        code, name, raw_id = cell("code"), cell("name"), cell("id_number")
        village = villages.get(code)
        if village is None:
            problems.append(f"村（社区）代码：{code or '（空）'} 不是本次换届范围内的村（社区）")
        if not name:
            problems.append("姓名：必须填写")
        info = None
        if not raw_id:
            problems.append("公民身份号码：必须填写")
        else:
            info = parse_id(raw_id, campaign.cutoff_date)
            if not info.valid:
                problems.append(f"公民身份号码：{(info.reason or '号码无效').rstrip('。')}")
            elif info.normalised in seen:
                problems.append(f"公民身份号码：与第 {seen[info.normalised]} 行重复")
            else:
                seen[info.normalised] = line
        party_post, committee_post = cell("party_post"), cell("committee_post")
        if party_post and party_post not in PARTY_POSTS:
            problems.append(f"党组织职务：“{party_post}”应为书记、副书记或委员")
        if committee_post and committee_post not in COMMITTEE_POSTS:
            problems.append(f"村委会职务：“{committee_post}”应为主任、副主任、委员或妇女委员")
        if not party_post and not committee_post:
            problems.append("职务：党组织职务和村委会职务至少填写一项")
        if problems:
            errors.extend(f"第 {line} 行，{p}。" for p in problems)
            continue
        out.append(PreviousCadre(
            campaign=campaign, village=village, name=name, id_number=info.normalised, gender=info.gender,
            birth_date=info.birth_date, posts="、".join(p for p in (party_post and f"党组织{party_post}",
                                                                  committee_post and f"村委会{committee_post}") if p),
            party_committee=bool(party_post), villagers_committee=bool(committee_post),
            secretary=party_post == "书记", director=committee_post == "主任",
            party_member=cell("political") in PARTY_MEMBER_TEXTS or bool(party_post),
            education=cell("education")[:20]))
    return out, errors


@transaction.atomic
def import_previous_cadres(actor, campaign: Campaign, data: bytes, filename: str) -> ImportResult:
    """Replace the previous term's cadres of the campaign with the file's rows: all or nothing."""
    if actor.role != COUNTY or not in_scope(actor, campaign.county.code):
        raise ImportError_("只有县换届办可以导入上届村干部名单。")
    rows, errors = parse_previous_cadres(campaign, data, filename)
    result = ImportResult(rows=len(rows) + len({e.split("，")[0] for e in errors}), errors=errors)
    if errors:
        return result
    if not rows:
        raise ImportError_("表格中没有数据行。")
    before = PreviousCadre.objects.filter(campaign=campaign).count()
    PreviousCadre.objects.filter(campaign=campaign).delete()
    PreviousCadre.objects.bulk_create(rows)
    result.saved = len(rows)
    audit.record(actor, "reports.previous_cadres.import", campaign,
                 changes={"rows": [before, len(rows)], "file": [None, filename]})
    return result


# ---------------------------------------------------------------- the new term from the elections


def current_cadres(campaign: Campaign, prefix: str) -> list[Cadre]:
    """The elected members (not void) of the villages under ``prefix``, one Cadre per person and
    village: the villagers' committee and the party organization elections together."""
    from huanjie.elections.models import ElectedMember, Election

    people: dict[tuple[str, int], dict] = {}
    # the two committees only: the supervision committee, representatives or congress delegates
    # elected in the same campaign are not members of the 两委
    members = (ElectedMember.objects.filter(election__campaign=campaign, status=ElectedMember.ELECTED,
                                            election__organization__code__startswith=prefix,
                                            election__kind__in=TEAM_KINDS, person__isnull=False)
               .select_related("person", "post", "election__organization"))
    from huanjie.elections.aftervote.services import party_secretaries

    # Where the party plenary's result is in the system, 一肩挑 follows from the two results (its
    # 书记 is counted as secretary below); an earlier hand mark on the 主任 no longer counts.
    party_result = set(party_secretaries([campaign.pk], Election.objects.filter(
        campaign=campaign, organization__code__startswith=prefix).values_list("organization_id", flat=True)))
    for m in members:
        village = m.election.organization.code
        d = people.setdefault((village, m.person_id), {"person": m.person, "party": False, "committee": False,
                                                       "secretary": False, "director": False})
        if m.election.kind in (Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE):
            d["committee"] = True
            d["director"] |= m.post.code == "director"
            if m.is_party_secretary and m.election.organization_id not in party_result:  # 一肩挑 marked by hand
                d["party"] = d["secretary"] = True
        elif m.election.kind in (Election.PARTY_BRANCH, Election.PARTY_PLENARY):
            d["party"] = True
            d["secretary"] |= m.post.code == "secretary"
    return [Cadre(key=d["person"].id_number, village=village, gender=d["person"].gender,
                  birth=d["person"].birth_date, education=d["person"].education,
                  party_member=d["person"].political_status == "cpc" or d["party"],
                  party_committee=d["party"], villagers_committee=d["committee"], secretary=d["secretary"],
                  director=d["director"])
            for (village, _), d in sorted(people.items(), key=lambda kv: (kv[0][0], kv[1]["person"].id_number))]


def supervision_chairs(campaign: Campaign, prefix: str) -> tuple[int, int]:
    """村务监督委员会主任 elected (not void) in the villages under ``prefix``, and how many of them
    were elected to the same village's new party committee (seed 004: the chair is by default the
    party organization's 纪检委员, a committee member)."""
    from huanjie.elections.models import ElectedMember, Election

    chairs = set(ElectedMember.objects.filter(
        election__campaign=campaign, election__kind=Election.VILLAGE_SUPERVISION, post__code="supervision_director",
        status=ElectedMember.ELECTED, person__isnull=False, election__organization__code__startswith=prefix,
    ).values_list("election__organization_id", "person_id"))
    party = set(ElectedMember.objects.filter(
        election__campaign=campaign, election__kind=Election.PARTY_BRANCH, status=ElectedMember.ELECTED,
        person__isnull=False, election__organization__code__startswith=prefix,
    ).values_list("election__organization_id", "person_id"))
    return len(chairs), len(chairs & party)


def previous_cadres(campaign: Campaign, prefix: str) -> list[Cadre]:
    return [Cadre(key=p.id_number, village=p.village.code, gender=p.gender, birth=p.birth_date,
                  education=p.education or None, party_member=p.party_member, party_committee=p.party_committee,
                  villagers_committee=p.villagers_committee, secretary=p.secretary, director=p.director)
            for p in PreviousCadre.objects.filter(campaign=campaign, village__code__startswith=prefix)
            .select_related("village")]


@dataclass
class Line:
    """One line of a structure table: a count with its denominator and the previous term's."""

    label: str
    now: Percent | str
    before: Percent | str | None = None
    change: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def now_text(self) -> str:
        return self.now.with_counts if isinstance(self.now, Percent) else self.now

    @property
    def before_text(self) -> str:
        if self.before is None:
            return "—"
        return self.before.with_counts if isinstance(self.before, Percent) else self.before


def _points(now: Percent, before: Percent) -> str:
    change = point_change(now, before)
    if change is None:
        return ""
    text = format_scaled(abs(change), now.places)
    return "持平" if change == 0 else f"{'提高' if change > 0 else '降低'} {text} 个百分点"


def _share_line(label, now_c: StructureCounts, prev_c: StructureCounts | None, fld: str) -> Line:
    now = now_c.share(fld)
    before = prev_c.share(fld) if prev_c and prev_c.cadres else None
    return Line(label, now, before, _points(now, before) if before else "")


def structure_table(campaign: Campaign, prefix: str, body: str = "all", on: dt.date | None = None) -> dict:
    """The structure lines of the villages under ``prefix`` for one body, with the previous term."""
    on = on or campaign.cutoff_date
    policy = campaign.effective_policy()
    now_list = current_cadres(campaign, prefix)
    # like for like: the party organization against the villages whose party committee is elected,
    # the villagers' committee against those whose committee is; the two together against the
    # villages with any new team
    done = {c.village for c in now_list if body == "all" or (body == "party" and c.party_committee)
            or (body == "committee" and c.villagers_committee)}
    prev_list = [c for c in previous_cadres(campaign, prefix) if c.village in done]
    now_c, prev_c = structure_counts(now_list, on, body), (
        structure_counts(prev_list, _previous_cutoff(campaign, on), body) if prev_list else None)
    lines = [Line("当选人数", str(now_c.cadres), str(prev_c.cadres) if prev_c else None,
                  _diff(now_c.cadres, prev_c.cadres if prev_c else None, "人"))]
    women = _share_line("女性", now_c, prev_c, "women")
    if body != "party":
        num, den = policy["women_share_target"]
        women.target = f"不低于 {percent(num, den).text}（P11）"
        women.met = now_c.cadres > 0 and now_c.women * den >= now_c.cadres * num
    lines.append(women)
    lines.append(_share_line(f"{policy['young_member_age_max']}岁及以下", now_c, prev_c, "young"))
    avg_now, avg_prev = now_c.average_age, prev_c.average_age if prev_c else None
    lines.append(Line("平均年龄（岁）", format_scaled(avg_now, 1) if avg_now is not None else "—",
                      format_scaled(avg_prev, 1) if avg_prev is not None else None,
                      "" if avg_now is None or avg_prev is None else
                      (f"{'增加' if avg_now > avg_prev else '降低'} {format_scaled(abs(avg_now - avg_prev), 1)} 岁"
                       if avg_now != avg_prev else "持平")))
    lines.append(_share_line("高中（中专）及以上", now_c, prev_c, "senior_high_plus"))
    lines.append(_share_line("大专及以上", now_c, prev_c, "college_plus"))
    if body == "committee":
        lines.append(_share_line("中共党员", now_c, prev_c, "party_members"))
    if body == "all":
        lines.append(_share_line("交叉任职", now_c, prev_c, "cross_members"))
        yj = percent(now_c.yijiantiao_villages, now_c.villages)
        yj_prev = percent(prev_c.yijiantiao_villages, prev_c.villages) if prev_c else None
        lines.append(Line("“一肩挑”的村", yj, yj_prev, _points(yj, yj_prev) if yj_prev else ""))
        chairs, chairs_party = supervision_chairs(campaign, prefix)
        lines.append(Line("村务监督委员会主任由村党组织委员担任", percent(chairs_party, chairs)))
        num, den = policy["secretary_college_share_target"]
        sc = percent(now_c.secretaries_college, now_c.secretaries)
        lines.append(Line("书记大专及以上", sc, percent(prev_c.secretaries_college, prev_c.secretaries)
                          if prev_c else None, "", f"达到 {percent(num, den).text}（P13）",
                          now_c.secretaries > 0 and now_c.secretaries_college * den >= now_c.secretaries * num))
        t = turnover(now_list, prev_list) if prev_list else None
        if t:
            from .outgoing import outgoing_counts, outgoing_rows

            # leaving: the cadres whose every body has its new result and who are in neither new
            # team (the one rule of the outgoing list, so the two pages print one figure)
            out = outgoing_counts(outgoing_rows(campaign, prefix))
            lines.append(Line("新进班子", percent(t["new_entrants"], now_c.cadres)))
            lines.append(Line("上届离任", percent(out["left"], prev_c.cadres)))
            lines.append(Line("离任后另行安排", percent(out["placed"], out["left"])))
    return {"body": body, "label": BODIES[body], "lines": lines, "counts": now_c, "previous": prev_c}


def _previous_cutoff(campaign: Campaign, on: dt.date) -> dt.date:
    """The previous term's ages are taken one term earlier (at its own cut-off date)."""
    return add_years(on, -campaign.term_years)


def _diff(now: int, before: int | None, unit: str) -> str:
    if before is None:
        return ""
    return "持平" if now == before else f"{'增加' if now > before else '减少'} {abs(now - before)} {unit}"


def scopes(campaign: Campaign, user) -> list[Region]:
    """The county (or the township) and its townships, for the per-level tables."""
    region = user.region
    if user.role == TOWNSHIP:
        return [region]
    return [region] + list(Region.objects.filter(parent=region, level=Region.TOWNSHIP).order_by("code"))
