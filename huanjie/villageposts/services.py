"""Writing a village's representatives and group posts: scope, lock and date guards, audit.

Who writes: the village's election committee account for its own village and the township office
for its villages (seed 004: the 村 chooses, the 乡镇 guides); the county reads. Each write runs in
one transaction with its audit record. The lock: once the representatives' list is published
(公告), it is fixed; only the township withdraws the notice, with a reason, to change it.
The shares are the engine's (:mod:`huanjie.rules.villageposts`); this module only counts people.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import CampaignVillage
from huanjie.core.access import TOWNSHIP, VILLAGE, in_scope
from huanjie.core.tables import TableError, data_rows, locate_columns
from huanjie.people import stats as people_stats
from huanjie.people.models import Person
from huanjie.rules import villageposts as rules
from huanjie.rules.idnumber import parse_id

from .models import GroupPost, PostsSetup, Representative

WRITERS = {VILLAGE, TOWNSHIP}
WITHDRAWERS = {TOWNSHIP}
MEETINGS = ("村民会议", "村民代表会议", "居民会议", "居民代表会议")


class PostsRefused(Exception):
    """``errors`` maps a field (or ``"rows"``) to its Chinese reason(s)."""

    def __init__(self, errors: dict):
        super().__init__("；".join(str(v) for v in errors.values()))
        self.errors = errors


def labels(entry: CampaignVillage) -> dict[str, str]:
    """The words of a village or of a community (居民代表, 居民小组长: seed 004, URCL)."""
    community = entry.village.kind == "community"
    p = "居民" if community else "村民"
    return {"rep": f"{p}代表", "group": f"{p}小组", "leader": f"{p}小组长", "meeting": f"{p}代表会议",
            "committee": f"{p}委员会", "people": p}


def post_label(entry: CampaignVillage, post: str) -> str:
    text = dict(GroupPost.POST_CHOICES)[post]
    return text.replace("村民", labels(entry)["people"]) if entry.village.kind == "community" else text


def _require(actor, entry: CampaignVillage, roles=WRITERS, what="登记村民代表和村民小组职务") -> None:
    if getattr(actor, "role", None) not in roles:
        raise PostsRefused({"entry": f"您的账号角色无权{what}。"})
    if not in_scope(actor, entry.village.code):
        raise PostsRefused({"entry": f"{entry.village.name}不在您的管辖范围内。"})


def _date_problem(on: dt.date | None, entry: CampaignVillage, what: str) -> str | None:
    """A fact is recorded on a day it can have happened: within the campaign, not in the future."""
    if on is None:
        return f"请填写{what}（格式如 2027-01-15）。"
    if on > timezone.localdate():
        return f"{what}不能晚于今天。"
    if on < entry.campaign.starts_on:
        return f"{what}早于本次换届开始日期（{entry.campaign.starts_on}）。"
    return None


def setup_of(entry: CampaignVillage) -> PostsSetup:
    return PostsSetup.objects.filter(entry=entry).first() or PostsSetup(entry=entry)


def _require_open(entry: CampaignVillage) -> None:
    s = PostsSetup.objects.select_for_update().filter(entry=entry).first()
    if s is not None and s.published_on:
        raise PostsRefused({"entry": f"{labels(entry)['rep']}名单已于 {s.published_on} 公告，不能再修改；"
                                     "如确需修改，请乡镇换届办撤回公告并说明原因。"})


# ---------------------------------------------------------------- reading


_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)}


def group_key(name: str) -> tuple:
    """第二村民小组 before 第十村民小组: the group's number (Arabic or Chinese) first, then the name."""
    m = re.search(r"\d+", name)
    if m:
        return (int(m.group()), name)
    m = re.search(r"[一二三四五六七八九十]+", name)
    if m:
        text, n = m.group(), 0
        if "十" in text:
            tens, _, ones = text.partition("十")
            n = (_NUMERALS.get(tens, 1) if tens else 1) * 10 + (_NUMERALS.get(ones, 0) if ones else 0)
        else:
            for ch in text:
                n = n * 10 + _NUMERALS[ch]
        return (n, name)
    return (10_000, name)


def village_people(entry: CampaignVillage):
    v = entry.village_id
    return Person.objects.filter(Q(hukou_village_id=v) | Q(residence_village_id=v))


@dataclass
class Loaded:
    """What the checks read of one village, loaded for many villages at once (the overview of a
    county reads its villages in a handful of queries, not a handful per village)."""

    setup: PostsSetup
    reps: list
    posts: list
    register_groups: set
    elected: int


def load(entries: list[CampaignVillage]) -> dict[int, Loaded]:
    from huanjie.elections.models import ElectedMember, Election

    ids = [e.pk for e in entries]
    villages = [e.village_id for e in entries]
    setups = {x.entry_id: x for x in PostsSetup.objects.filter(entry_id__in=ids)}
    reps: dict[int, list] = {}
    for r in Representative.objects.filter(entry_id__in=ids).select_related("person"):
        reps.setdefault(r.entry_id, []).append(r)
    posts: dict[int, list] = {}
    for gp in GroupPost.objects.filter(entry_id__in=ids).select_related("person"):
        posts.setdefault(gp.entry_id, []).append(gp)
    # The register's groups from the per-village cache (a DISTINCT over a county's million people
    # was 0.3 s per request; issue 17).
    register: dict[int, set] = people_stats.groups(villages)
    elected: dict[int, int] = {}
    for v, in (ElectedMember.objects.filter(
            election__campaign_id__in={e.campaign_id for e in entries}, election__organization_id__in=villages,
            election__kind__in=(Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE),
            status=ElectedMember.ELECTED).values_list("election__organization_id")):
        elected[v] = elected.get(v, 0) + 1
    return {e.pk: Loaded(setups.get(e.pk) or PostsSetup(entry=e), reps.get(e.pk, []), posts.get(e.pk, []),
                         register.get(e.village_id, set()), elected.get(e.village_id, 0)) for e in entries}


def _loaded(entry: CampaignVillage, data: Loaded | None) -> Loaded:
    return data if data is not None else load([entry])[entry.pk]


def groups_of(entry: CampaignVillage, data: Loaded | None = None) -> list[str]:
    """The village's groups: those of its people register and those already used in its lists."""
    d = _loaded(entry, data)
    names = set(d.register_groups) | {r.group_name for r in d.reps} | {p.group_name for p in d.posts}
    return sorted(names, key=group_key)


def committee_members(entry: CampaignVillage, data: Loaded | None = None) -> tuple[int | None, str]:
    """The villagers' committee members who sit in the 村民代表会议, and where the number comes from."""
    d = _loaded(entry, data)
    if d.elected:
        return d.elected, "选举结果"
    if d.setup.committee_members is not None:
        return d.setup.committee_members, "手工填写"
    return None, ""


def check(entry: CampaignVillage, data: Loaded | None = None) -> dict:
    """The engine's check of the village's list (R38, VCL Art. 25; P23)."""
    d = _loaded(entry, data)
    members, source = committee_members(entry, d)
    result = rules.representatives_check(
        [rules.Representative(r.group_name, r.person.gender == "F", r.person.political_status == "cpc",
                              r.households, r.person.name) for r in d.reps],
        committee_members=members or 0, basis=d.setup.basis, groups=groups_of(entry, d),
        party_share_min=entry.campaign.effective_policy()["representatives_party_share_min"])
    if entry.village.kind == "community":
        # The residents' committee law sets no shares for 居民代表: the village rule is applied by
        # analogy (as R48 does for the count), and the wording says so.
        for f in result["findings"]:
            text = f["text"].replace("村民代表", "居民代表").replace("村民小组", "居民小组")
            text = text.replace("村民委员会", "居民委员会")
            f["text"] = text.replace("（R38）", "（R38，参照村民委员会的规定）")
    if members is None:
        result["findings"].insert(0, {"code": "committee_unknown", "severity": "statutory",
                                      "text": f"{labels(entry)['committee']}成员人数未知：选举结果报送前请在推选方式中填写。"})
        result["publishable"] = False
    result["committee_source"] = source
    return result


def group_stats(entry: CampaignVillage, data: Loaded | None = None) -> dict:
    """四长合一 and the party members' share among the group leaders (seed 004 §二(二)4)."""
    d = _loaded(entry, data)
    heads = {(p.group_name, p.person_id) for p in d.posts if p.post == GroupPost.COUNCIL_HEAD}
    leaders = [rules.GroupLeader(p.group_name, p.person.political_status == "cpc", p.party_group_leader,
                                 p.grid_leader, (p.group_name, p.person_id) in heads)
               for p in d.posts if p.post == GroupPost.LEADER]
    return rules.four_in_one(groups_of(entry, d), leaders)


# ---------------------------------------------------------------- writing


@transaction.atomic
def save_setup(actor, entry: CampaignVillage, *, basis: str, decided_by: str, decided_on: dt.date | None,
               committee_members: int | None) -> PostsSetup:
    """The village's choice of basis (VCL Art. 25 ¶2), by which meeting and when."""
    _require(actor, entry)
    _require_open(entry)
    errors = {}
    decided_by = (decided_by or "").strip()
    if basis not in dict(PostsSetup.BASIS_CHOICES):
        errors["basis"] = "请选择推选方式。"
    if decided_by not in MEETINGS:
        errors["decided_by"] = "请选择决定推选方式的会议（村民会议或村民代表会议）。"
    problem = _date_problem(decided_on, entry, "决定日期")
    if problem:
        errors["decided_on"] = problem
    if committee_members is not None and not 0 <= committee_members <= 15:
        errors["committee_members"] = "村民委员会成员人数应为 0 至 15。"
    if errors:
        raise PostsRefused(errors)
    s = setup_of(entry)
    before = {"basis": s.basis, "decided_by": s.basis_decided_by, "decided_on": s.basis_decided_on,
              "committee_members": s.committee_members} if s.pk else {}
    s.basis, s.basis_decided_by, s.basis_decided_on = basis, decided_by, decided_on
    s.committee_members = committee_members
    s.save()
    audit.record(actor, "villageposts.setup", s, changes=audit.diff(before, {
        "basis": basis, "decided_by": decided_by, "decided_on": decided_on, "committee_members": committee_members}))
    return s


def _find_person(entry: CampaignVillage, id_number: str) -> tuple[Person | None, str | None]:
    raw = (id_number or "").strip().upper()
    if not raw:
        return None, "请填写公民身份号码（或按姓名查找后选择）。"
    person = village_people(entry).filter(id_number=raw).first()
    if person is None:
        info = parse_id(raw, None)
        if not info.valid:
            return None, f"{raw} 无效：{(info.reason or '').rstrip('。')}。"
        return None, f"{raw} 不在{entry.village.name}的人员名册中（户籍或居住在本村的人才能担任）。"
    return person, None


@dataclass
class RepRow:
    id_number: str
    group_name: str
    households: int | None
    chosen_on: dt.date | None
    row: int = 0
    errors: list[str] = field(default_factory=list)


def _rep_problems(entry: CampaignVillage, r: RepRow, basis: str) -> tuple[Person | None, list[str]]:
    problems = []
    person, why = _find_person(entry, r.id_number)
    if why:
        problems.append(f"公民身份号码：{why}")
    group = (r.group_name or "").strip()
    if not group:
        problems.append(f"{labels(entry)['group']}：必须填写。")
    elif len(group) > 30:
        problems.append(f"{labels(entry)['group']}：超过 30 个字。")
    if basis == PostsSetup.HOUSEHOLDS and r.households is None:
        problems.append("推选户数：按户推选时必须填写（5 至 15 户）。")
    if r.households is not None and not 1 <= r.households <= 100:
        problems.append("推选户数：应为 1 至 100 的整数。")
    d = _date_problem(r.chosen_on, entry, "推选日期")
    if d:
        problems.append(f"推选日期：{d}")
    return person, problems


@transaction.atomic
def add_representative(actor, entry: CampaignVillage, *, id_number: str, group_name: str,
                       households: int | None, chosen_on: dt.date | None) -> Representative:
    _require(actor, entry)
    _require_open(entry)
    s = setup_of(entry)
    person, problems = _rep_problems(entry, RepRow(id_number, group_name, households, chosen_on), s.basis)
    if person is not None and Representative.objects.filter(entry=entry, person=person).exists():
        problems.append(f"公民身份号码：{person.name}已是{labels(entry)['rep']}。")
    if problems:
        raise PostsRefused({"form": problems})
    rep = Representative.objects.create(entry=entry, person=person, group_name=group_name.strip(),
                                        households=households, chosen_on=chosen_on, recorded_by=actor)
    audit.record(actor, "villageposts.representative.add", rep, changes={
        "person": [None, person.name], "group": [None, rep.group_name], "households": [None, households],
        "chosen_on": [None, chosen_on]})
    return rep


@transaction.atomic
def remove_representative(actor, rep: Representative) -> None:
    _require(actor, rep.entry)
    _require_open(rep.entry)
    audit.record(actor, "villageposts.representative.remove", rep, changes={
        "person": [rep.person.name, None], "group": [rep.group_name, None]})
    rep.delete()


def _post_problems(entry: CampaignVillage, post: str, group: str, person: Person | None, *, taken) -> list[str]:
    """One 村民小组长, 妇女小组长 and 理事长 per group; a 妇女小组长 is a woman."""
    problems = []
    if post not in dict(GroupPost.POST_CHOICES):
        problems.append("职务：应为" + "、".join(post_label(entry, k) for k, _ in GroupPost.POST_CHOICES) + "之一。")
        return problems
    if person is not None and post == GroupPost.WOMEN_LEADER and person.gender != "F":
        problems.append(f"职务：{person.name}是男性，不能担任{post_label(entry, post)}。")
    if post in GroupPost.SINGLE and group and taken(group, post, person):
        problems.append(f"职务：{group}已有{post_label(entry, post)}（每组一人）。")
    return problems


@transaction.atomic
def add_group_post(actor, entry: CampaignVillage, *, id_number: str, group_name: str, post: str,
                   chosen_on: dt.date | None, party_group_leader: bool = False,
                   grid_leader: bool = False) -> GroupPost:
    """A post chosen by the group's meeting on ``chosen_on``."""
    _require(actor, entry)
    group = (group_name or "").strip()
    problems = []
    person, why = _find_person(entry, id_number)
    if why:
        problems.append(f"公民身份号码：{why}")
    if not group:
        problems.append(f"{labels(entry)['group']}：必须填写。")

    def taken(g, p, who):
        return GroupPost.objects.filter(entry=entry, group_name=g, post=p).exclude(person=who).exists()

    problems += _post_problems(entry, post, group, person, taken=taken)
    if person is not None and GroupPost.objects.filter(entry=entry, group_name=group, post=post, person=person).exists():
        problems.append(f"职务：{person.name}已登记为{group}{post_label(entry, post)}。")
    d = _date_problem(chosen_on, entry, "小组会议推选日期")
    if d:
        problems.append(f"推选日期：{d}")
    if problems:
        raise PostsRefused({"form": problems})
    gp = GroupPost.objects.create(entry=entry, person=person, group_name=group, post=post, chosen_on=chosen_on,
                                  party_group_leader=party_group_leader, grid_leader=grid_leader, recorded_by=actor)
    audit.record(actor, "villageposts.group_post.add", gp, changes={
        "person": [None, person.name], "group": [None, group], "post": [None, gp.get_post_display()],
        "party_group_leader": [None, party_group_leader], "grid_leader": [None, grid_leader],
        "chosen_on": [None, chosen_on]})
    return gp


@transaction.atomic
def remove_group_post(actor, gp: GroupPost) -> None:
    _require(actor, gp.entry)
    audit.record(actor, "villageposts.group_post.remove", gp, changes={
        "person": [gp.person.name, None], "group": [gp.group_name, None], "post": [gp.get_post_display(), None]})
    gp.delete()


@transaction.atomic
def publish(actor, entry: CampaignVillage, on: dt.date | None) -> PostsSetup:
    """Publish the list (公告): refused while a statutory share or the basis fails (R38)."""
    _require(actor, entry)
    _require_open(entry)
    problem = _date_problem(on, entry, "公告日期")
    if problem:
        raise PostsRefused({"published_on": problem})
    result = check(entry)
    if not result["publishable"]:
        raise PostsRefused({"published_on": ["名单不符合法定要求，不能公告："] +
                            [f["text"] for f in result["findings"] if f["severity"] == "statutory"]})
    s = setup_of(entry)
    if not s.basis_decided_by:
        raise PostsRefused({"published_on": "请先登记推选方式和决定推选方式的会议。"})
    # The list cannot be published before its last representative was chosen.
    last = Representative.objects.filter(entry=entry).order_by("-chosen_on").values_list("chosen_on", flat=True).first()
    earliest = max(d for d in (last, s.basis_decided_on) if d is not None)
    if on < earliest:
        raise PostsRefused({"published_on": f"公告日期早于最后一名{labels(entry)['rep']}的推选日期或推选方式的决定日期（{earliest}）。"})
    s.published_on, s.published_by = on, actor
    s.save()
    audit.record(actor, "villageposts.publish", s, changes={
        "published_on": [None, on], "representatives": [None, result["representatives"]],
        "women_share": [None, result["women_share"].with_counts],
        "representatives_share": [None, result["representatives_share"].with_counts]})
    return s


@transaction.atomic
def withdraw(actor, entry: CampaignVillage, reason: str) -> PostsSetup:
    """The township withdraws a published list so that it can be corrected (the reason is kept)."""
    _require(actor, entry, WITHDRAWERS, "撤回村民代表名单公告（只有乡镇换届办可以撤回）")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise PostsRefused({"reason": "请写明撤回公告的原因（至少 4 个字）。"})
    s = PostsSetup.objects.select_for_update().filter(entry=entry).first()
    if s is None or not s.published_on:
        raise PostsRefused({"reason": "名单尚未公告，无需撤回。"})
    before = s.published_on
    s.published_on, s.published_by = None, None
    s.save()
    audit.record(actor, "villageposts.withdraw", s, changes={"published_on": [before, None], "reason": [None, reason]})
    return s


# ---------------------------------------------------------------- Excel import (all or nothing)

REP_COLUMNS = {
    "group": ("村民小组", "居民小组", "小组", "组别"),
    "name": ("姓名",),
    "id_number": ("公民身份号码", "身份证号码", "身份证号"),
    "households": ("推选户数", "户数", "代表户数"),
    "chosen_on": ("推选日期", "日期"),
}
POST_COLUMNS = {
    "group": REP_COLUMNS["group"],
    "post": ("职务",),
    "name": ("姓名",),
    "id_number": REP_COLUMNS["id_number"],
    "chosen_on": ("推选日期", "小组会议日期", "日期"),
    "party_group_leader": ("兼任党小组长", "党小组长"),
    "grid_leader": ("兼任网格长", "网格长"),
}
YES = {"是", "√", "✓", "Y", "y", "1", "兼任"}
NO = {"", "否", "0", "N", "n", "×"}


@dataclass
class ImportResult:
    saved: int = 0
    errors: list[str] = field(default_factory=list)


def _header(table: list[list], columns: dict, required: set[str]) -> tuple[int, dict[str, int]]:
    try:
        return locate_columns(table, columns, required)
    except TableError as exc:
        raise PostsRefused({"file": str(exc)}) from None


def _read(data: bytes, filename: str) -> list[list]:
    from huanjie.core import uploads

    try:
        return uploads.read_table(data, filename)
    except uploads.UploadRefused as exc:
        raise PostsRefused({"file": str(exc)}) from None


def _cell_date(text: str) -> dt.date | None | str:
    text = text.strip().replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})[-年](\d{1,2})[-月](\d{1,2})日?", text)
    if not m:
        return "bad"
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return "bad"


_rows = data_rows


@transaction.atomic
def import_representatives(actor, entry: CampaignVillage, data: bytes, filename: str) -> ImportResult:
    """Replace the village's representatives with the file's rows: every row checked, each
    problem named by row and column; nothing is saved while any row has one."""
    _require(actor, entry)
    _require_open(entry)
    table = _read(data, filename)
    head, cols = _header(table, REP_COLUMNS, {"group", "name", "id_number"})
    basis = setup_of(entry).basis
    result, rows, seen = ImportResult(), [], {}
    for line, cell in _rows(table, head, cols):
        hh_text = cell("households")
        households: int | None = None
        problems = []
        if hh_text:
            if hh_text.isdigit():
                households = int(hh_text)
            else:
                problems.append(f"推选户数：“{hh_text}”不是整数。")
        chosen = _cell_date(cell("chosen_on")) if cell("chosen_on") else None
        if chosen == "bad":
            problems.append(f"推选日期：“{cell('chosen_on')}”不是日期（格式如 2027-01-15）。")
            chosen = None
        row = RepRow(cell("id_number"), cell("group"), households, chosen, line)
        person, more = _rep_problems(entry, row, basis)
        problems += [p for p in more if not (chosen is None and p.startswith("推选日期") and any(
            q.startswith("推选日期") for q in problems))]
        if person is not None:
            if cell("name") and cell("name") != person.name:
                problems.append(f"姓名：表中为“{cell('name')}”，人员名册中该身份证号码为“{person.name}”。")
            if person.pk in seen:
                problems.append(f"公民身份号码：与第 {seen[person.pk]} 行重复。")
            else:
                seen[person.pk] = line
        if problems:
            result.errors += [f"第 {line} 行，{p}" for p in problems]
        else:
            rows.append(Representative(entry=entry, person=person, group_name=row.group_name.strip(),
                                       households=households, chosen_on=chosen, recorded_by=actor))
    if not rows and not result.errors:
        raise PostsRefused({"file": "表格中没有数据行。"})
    if result.errors:
        return result
    before = Representative.objects.filter(entry=entry).count()
    Representative.objects.filter(entry=entry).delete()
    Representative.objects.bulk_create(rows)
    result.saved = len(rows)
    audit.record(actor, "villageposts.representative.import", entry, changes={
        "representatives": [before, len(rows)], "file": [None, filename]})
    return result


@transaction.atomic
def import_group_posts(actor, entry: CampaignVillage, data: bytes, filename: str) -> ImportResult:
    """Replace the village's group posts with the file's rows (all or nothing)."""
    _require(actor, entry)
    table = _read(data, filename)
    head, cols = _header(table, POST_COLUMNS, {"group", "post", "name", "id_number"})
    by_label = {}
    for k, _ in GroupPost.POST_CHOICES:
        by_label[dict(GroupPost.POST_CHOICES)[k]] = k
        by_label[post_label(entry, k)] = k
    result, rows = ImportResult(), []
    single: dict[tuple[str, str], int] = {}
    seen: dict[tuple[str, str, int], int] = {}
    for line, cell in _rows(table, head, cols):
        problems = []
        group = cell("group")
        if not group:
            problems.append(f"{labels(entry)['group']}：必须填写。")
        person, why = _find_person(entry, cell("id_number"))
        if why:
            problems.append(f"公民身份号码：{why}")
        elif cell("name") and cell("name") != person.name:
            problems.append(f"姓名：表中为“{cell('name')}”，人员名册中该身份证号码为“{person.name}”。")
        post = by_label.get(cell("post"), cell("post"))
        flags = {}
        for key in ("party_group_leader", "grid_leader"):
            text = cell(key)
            if text in YES:
                flags[key] = True
            elif text in NO:
                flags[key] = False
            else:
                problems.append(f"{POST_COLUMNS[key][0]}：“{text}”应填“是”或“否”。")

        def taken(g, p, who, line=line):
            other = single.get((g, p))
            return other is not None and other != line

        problems += _post_problems(entry, post, group, person, taken=taken)
        if post in GroupPost.SINGLE and group and (group, post) in single:
            problems[-1:] = [f"职务：{group}的{post_label(entry, post)}与第 {single[(group, post)]} 行重复（每组一人）。"]
        elif post in GroupPost.SINGLE and group:
            single[(group, post)] = line
        if person is not None and (group, post, person.pk) in seen:
            problems.append(f"姓名：与第 {seen[(group, post, person.pk)]} 行重复。")
        elif person is not None:
            seen[(group, post, person.pk)] = line
        chosen = _cell_date(cell("chosen_on")) if cell("chosen_on") else None
        if chosen == "bad":
            problems.append(f"推选日期：“{cell('chosen_on')}”不是日期（格式如 2027-01-15）。")
        else:
            d = _date_problem(chosen, entry, "小组会议推选日期")
            if d:
                problems.append(f"推选日期：{d}")
        if problems:
            result.errors += [f"第 {line} 行，{p}" for p in problems]
        else:
            rows.append(GroupPost(entry=entry, person=person, group_name=group, post=post, chosen_on=chosen,
                                  recorded_by=actor, **flags))
    if not rows and not result.errors:
        raise PostsRefused({"file": "表格中没有数据行。"})
    if result.errors:
        return result
    before = GroupPost.objects.filter(entry=entry).count()
    GroupPost.objects.filter(entry=entry).delete()
    GroupPost.objects.bulk_create(rows)
    result.saved = len(rows)
    audit.record(actor, "villageposts.group_post.import", entry, changes={
        "group_posts": [before, len(rows)], "file": [None, filename]})
    return result
