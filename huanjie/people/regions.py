"""A county's townships and villages: import from the statistical division code list, add by hand,
rename and merge between terms.

The import reads the columns of 国家统计局《统计用区划和城乡划分代码》: the 12-digit code, the name
and the urban-rural class code (城乡分类代码, villages only), with 户籍人口 and 户数 optional. Every
problem names the row the spreadsheet shows, the field and the reason (the shared mechanism of
:mod:`huanjie.core.tables`); nothing is saved while a row has a problem unless the user chose to
keep only the good rows.

A renamed or merged region is never edited in place: the old row gets ``valid_until`` and a
``successor``, so the campaigns it took part in keep their history, and the people and accounts
of today move to the current row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from huanjie.accounts import audit
from huanjie.core import uploads
from huanjie.core.access import COUNTY, require_scope
from huanjie.core.tables import Problem, TableError, cell_text, header_key

from .models import Person, Region

HEADER_NAMES = {
    "code": ("统计用区划代码", "区划代码", "统计代码", "代码"),
    "name": ("名称", "区划名称", "单位名称"),
    "class_code": ("城乡分类代码", "城乡分类", "城乡划分代码", "城乡属性代码"),
    "population": ("户籍人口", "人口", "总人口"),
    "households": ("户数", "总户数", "户籍户数"),
}
FIELD_LABELS = {
    "code": "统计用区划代码",
    "name": "名称",
    "class_code": "城乡分类代码",
    "population": "户籍人口",
    "households": "户数",
    "file": "文件",
}
CLASS_CODES = dict(Region.URBAN_RURAL_CHOICES)
HEADER_SCAN_ROWS = 30


class RegionRefused(Exception):
    """A refused change; ``problems`` name row, field and reason (row 0: a form, not a file)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("；".join(describe(p) for p in problems))


def describe(p: Problem) -> str:
    where = f"第 {p.row} 行" if p.row else ""
    return f"{where}“{FIELD_LABELS.get(p.field, p.field)}”：{p.message}"


@dataclass
class RegionRow:
    row: int
    code: str
    name: str
    class_code: str
    population: int
    households: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def level(self) -> str:
        return Region.TOWNSHIP if self.code[9:] == "000" else Region.VILLAGE

    @property
    def parent_code(self) -> str:
        return self.code[:9] + "000"


@dataclass
class RegionCheck:
    rows: list[RegionRow]
    notes: list[Problem]  # rows already present, identical: not imported, not an error

    @property
    def good(self) -> list[RegionRow]:
        return [r for r in self.rows if not r.problems]

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]


def kind_for(level: str, name: str) -> str:
    """The region's kind from its name, as the code list names them (…镇, …乡, …街道办事处, …社区居委会)."""
    if level == Region.TOWNSHIP:
        if "街道" in name:
            return "subdistrict"
        return "xiang" if name.endswith("乡") else "town"
    return "community" if ("社区" in name or "居委会" in name or "居民委员会" in name) else "village"


# The code list names the body (…村民委员会, …社区居委会, …街道办事处); offices call the place.
_SUFFIXES = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"),
             ("居民委员会", "社区"), ("居委会", "社区"), ("街道办事处", "街道"))


def short_name(name: str) -> str:
    """东山村委会 → 东山村, 城关社区居委会 → 城关社区, 城关街道办事处 → 城关街道."""
    for suffix, place in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith(place) else stem + place
    return name


def _find_header(table: list[list]) -> tuple[int, dict[str, int]]:
    for i, row in enumerate(table[:HEADER_SCAN_ROWS]):
        keys = [header_key(v) for v in row]
        cols: dict[str, int] = {}
        for fld, names in HEADER_NAMES.items():
            for col, key in enumerate(keys):
                if key in names and fld not in cols:
                    cols[fld] = col
        if "code" in cols and "name" in cols:
            return i, cols
    raise TableError("找不到表头：前30行中没有同时包含“统计用区划代码”和“名称”两列的一行。")


def _count(text: str, row: int, fld: str, problems: list[Problem]) -> int:
    if not text:
        return 0
    clean = text.replace(",", "").replace("，", "")
    if not clean.isdigit():
        problems.append(Problem(row, fld, "not_a_count", f"应为非负整数，收到“{text}”。"))
        return 0
    return int(clean)


def read_rows(data: bytes, filename: str) -> list[RegionRow]:
    """The rows of a code-list file as text, numbered as the spreadsheet shows them (read by the one
    upload reader: container checks, then a child process with limits)."""
    table = uploads.read_table(data, filename)
    header_at, cols = _find_header(table)
    out: list[RegionRow] = []
    for i in range(header_at + 1, len(table)):
        raw = table[i]
        texts = {f: cell_text(raw[c]) if c < len(raw) else "" for f, c in cols.items()}
        if not any(texts.values()):
            continue
        problems: list[Problem] = []
        n = i + 1
        out.append(
            RegionRow(
                n,
                texts["code"].replace(" ", ""),
                short_name(texts["name"]),
                texts.get("class_code", ""),
                _count(texts.get("population", ""), n, "population", problems),
                _count(texts.get("households", ""), n, "households", problems),
                problems,
            )
        )
    return out


def check_rows(county: Region, rows: list[RegionRow]) -> RegionCheck:
    """Every rule of a region row, in one pass over the file and one query for the county."""
    prefix = county.code[:6]
    current = {r.code: r for r in Region.objects.current().filter(code__startswith=prefix)}
    seen: dict[str, RegionRow] = {}
    kept: list[RegionRow] = []
    notes: list[Problem] = []
    # Townships first: a village's parent may be a row further down the file.
    for r in sorted(rows, key=lambda r: (r.level != Region.TOWNSHIP, r.row)):
        p = r.problems
        if not (len(r.code) == 12 and r.code.isdigit() and r.code.isascii()):
            p.append(Problem(r.row, "code", "code_format", f"应为 12 位数字，收到“{r.code or '（空）'}”。"))
            kept.append(r)
            continue
        if r.code == county.code:
            continue  # the code list starts with the county itself
        if r.code[:6] != prefix:
            p.append(Problem(r.row, "code", "other_county",
                             f"{r.code} 不属于{county.name}（本县代码的前 6 位是 {prefix}）。"))
        elif r.code[6:9] == "000":
            p.append(Problem(r.row, "code", "not_below_county", f"{r.code} 不是乡镇（街道）或村（社区）的代码。"))
        if not r.name:
            p.append(Problem(r.row, "name", "missing_name", "名称为空。"))
        elif len(r.name) > 60:
            p.append(Problem(r.row, "name", "name_too_long", "名称超过 60 个字。"))
        if r.class_code and r.class_code not in CLASS_CODES:
            p.append(Problem(r.row, "class_code", "class_code_unknown",
                             f"“{r.class_code}”不是城乡分类代码（应为 " + "、".join(CLASS_CODES) + "）。"))
        elif not r.class_code and r.level == Region.VILLAGE:
            p.append(Problem(r.row, "class_code", "class_code_missing", "村（社区）必须填写城乡分类代码。"))
        first = seen.get(r.code)
        if first is not None:
            p.append(Problem(r.row, "code", "duplicate_in_file", f"与第 {first.row} 行的代码重复。"))
        else:
            seen[r.code] = r
        stored = current.get(r.code)
        if stored is not None and not p:
            if stored.name == r.name:
                notes.append(Problem(r.row, "code", "already_present", f"{r.code} {r.name} 已在系统中，未重复导入。"))
                continue
            p.append(Problem(r.row, "code", "code_taken",
                             f"代码 {r.code} 已是“{stored.name}”；更名请在该区域页面办理“更名”，以保留历史。"))
        if r.level == Region.VILLAGE and not p:
            parent_row = seen.get(r.parent_code)
            parent = current.get(r.parent_code)
            if parent is None and parent_row is None:
                p.append(Problem(r.row, "code", "parent_missing",
                                 f"上级乡镇（街道）{r.parent_code} 不存在：系统中没有，文件中也没有这一行。"))
            elif parent is None and parent_row.problems:
                p.append(Problem(r.row, "code", "parent_rejected",
                                 f"上级乡镇（街道）{r.parent_code}（第 {parent_row.row} 行）有错误，未能导入。"))
        kept.append(r)
    kept.sort(key=lambda r: r.row)
    return RegionCheck(kept, notes)


@dataclass
class ImportResult:
    created: list[Region]
    rejected: list[Problem]
    notes: list[Problem]

    @property
    def townships(self) -> int:
        return sum(1 for r in self.created if r.level == Region.TOWNSHIP)

    @property
    def villages(self) -> int:
        return sum(1 for r in self.created if r.level == Region.VILLAGE)


def _require_county_office(actor, county: Region) -> None:
    require_scope(actor, county.code)
    if actor.role != COUNTY or county.level != Region.COUNTY:
        raise RegionRefused([Problem(0, "code", "not_county_office", "只有县换届办可以维护本县的区域。")])


def _create(rows: list[RegionRow], county: Region) -> list[Region]:
    parents = {r.code: r for r in Region.objects.current().filter(code__startswith=county.code[:6])}
    created = []
    for r in sorted(rows, key=lambda r: (r.level != Region.TOWNSHIP, r.code)):
        region = Region.objects.create(
            code=r.code, name=r.name, level=r.level, kind=kind_for(r.level, r.name),
            parent=county if r.level == Region.TOWNSHIP else parents[r.parent_code],
            urban_rural_code=r.class_code, population=r.population, households=r.households,
        )
        parents[region.code] = region
        created.append(region)
    return created


@transaction.atomic
def import_regions(actor, county: Region, data: bytes, filename: str, *, skip_bad_rows: bool = False) -> ImportResult:
    """Import a code list: all rows or none, unless ``skip_bad_rows`` keeps the good ones."""
    _require_county_office(actor, county)
    try:
        rows = read_rows(data, filename)
    except (TableError, uploads.UploadRefused) as exc:
        raise RegionRefused([Problem(0, "file", "unreadable", str(exc))]) from None
    checked = check_rows(county, rows)
    if not checked.good and not checked.problems:
        raise RegionRefused([Problem(0, "file", "empty", "文件中没有新的乡镇（街道）或村（社区）。")])
    if checked.problems and not skip_bad_rows:
        raise RegionRefused(checked.problems)
    created = _create(checked.good, county)
    audit.record(actor, "region.import", county, changes={
        "file": [None, filename], "created": [None, len(created)],
        "rejected_rows": [None, sorted({p.row for p in checked.problems})],
    })
    return ImportResult(created, checked.problems, checked.notes)


@transaction.atomic
def add_region(actor, county: Region, *, code: str, name: str, class_code: str = "",
               population: int = 0, households: int = 0) -> Region:
    """Add one township or village by hand, with the same checks as a row of the import."""
    _require_county_office(actor, county)
    row = RegionRow(0, (code or "").strip(), (name or "").strip(), (class_code or "").strip(),
                    population or 0, households or 0)
    checked = check_rows(county, [row])
    if checked.notes:
        raise RegionRefused([Problem(0, "code", "already_present", f"代码 {row.code} 已存在（{row.name}）。")])
    if checked.problems:
        raise RegionRefused(checked.problems)
    (region,) = _create([row], county)
    audit.record(actor, "region.create", region, changes={
        "code": [None, region.code], "name": [None, region.name], "urban_rural_code": [None, region.urban_rural_code],
    })
    return region


# ---------------------------------------------------------------- renames and merges


def _refuse_during_campaign(region: Region, on: dt.date) -> None:
    """Between terms only: a region in a running campaign keeps its row until the campaign ends."""
    from huanjie.campaigns.models import CampaignVillage

    busy = (CampaignVillage.objects.filter(village__code__startswith=region.scope_prefix, campaign__ends_on__gte=on)
            .select_related("campaign").first())
    if busy is not None:
        raise RegionRefused([Problem(0, "valid_from", "campaign_running",
                                     f"{region.name}在换届工作“{busy.campaign.name}”中（至 {busy.campaign.ends_on}），"
                                     "换届期间不能更名或合并。")])


def _check_change(actor, region: Region, on: dt.date | None) -> None:
    county = region.parent if region.level == Region.VILLAGE else region
    while county is not None and county.level != Region.COUNTY:
        county = county.parent
    if county is None or region.level == Region.COUNTY:
        raise RegionRefused([Problem(0, "code", "not_changeable", "只能更名或合并乡镇（街道）和村（社区）。")])
    _require_county_office(actor, county)
    if not region.is_current:
        raise RegionRefused([Problem(0, "code", "not_current", f"{region.name}已停用，不能再更名或合并。")])
    if on is None:
        raise RegionRefused([Problem(0, "valid_from", "missing_date", "请填写生效日期。")])
    if on <= region.valid_from:
        raise RegionRefused([Problem(0, "valid_from", "too_early",
                                     f"生效日期应晚于{region.name}的启用日期 {region.valid_from}。")])
    _refuse_during_campaign(region, on)


def _move_current_references(old: Region, new: Region) -> dict:
    """Today's people, accounts and subordinate regions follow the current row."""
    from huanjie.accounts.models import User

    moved = {
        "people": Person.objects.filter(hukou_village=old).update(hukou_village=new),
        "residents": Person.objects.filter(residence_village=old).update(residence_village=new),
        "children": Region.objects.filter(parent=old, valid_until__isnull=True).update(parent=new),
    }
    moved["accounts"] = User.objects.filter(region=old).update(region=new)
    return moved


@transaction.atomic
def rename_region(actor, region: Region, new_name: str, on: dt.date | None) -> Region:
    """A new row with the same code and the new name from ``on``; the old row keeps the old name."""
    new_name = (new_name or "").strip()
    if not new_name or new_name == region.name:
        raise RegionRefused([Problem(0, "name", "same_name", "请填写与现名称不同的新名称。")])
    if len(new_name) > 60:
        raise RegionRefused([Problem(0, "name", "name_too_long", "名称超过 60 个字。")])
    _check_change(actor, region, on)
    region.valid_until = on - dt.timedelta(days=1)
    region.save(update_fields=["valid_until"])
    new = Region.objects.create(
        code=region.code, name=new_name, level=region.level, kind=kind_for(region.level, new_name),
        parent=region.parent, urban_rural_code=region.urban_rural_code, population=region.population,
        households=region.households, valid_from=on,
    )
    region.successor = new
    region.save(update_fields=["successor"])
    moved = _move_current_references(region, new)
    audit.record(actor, "region.rename", new, changes={
        "name": [region.name, new_name], "valid_from": [None, on], **{k: [None, v] for k, v in moved.items()}})
    return new


@transaction.atomic
def merge_region(actor, source: Region, target: Region, on: dt.date | None) -> Region:
    """``source`` ends the day before ``on`` and is succeeded by ``target`` (same level, same county)."""
    _check_change(actor, source, on)
    if target.pk == source.pk or not target.is_current or target.level != source.level \
            or target.code[:6] != source.code[:6]:
        raise RegionRefused([Problem(0, "target", "bad_target",
                                     "合并后的区域应为本县另一个同级、正在使用的乡镇（街道）或村（社区）。")])
    _refuse_during_campaign(target, on)
    from huanjie.accounts.models import User

    source.valid_until = on - dt.timedelta(days=1)
    source.successor = target
    source.save(update_fields=["valid_until", "successor"])
    moved = {
        "people": Person.objects.filter(hukou_village=source).update(hukou_village=target),
        "residents": Person.objects.filter(residence_village=source).update(residence_village=target),
        "children": Region.objects.filter(parent=source, valid_until__isnull=True).update(parent=target),
        # The merged region's own accounts no longer have anything to work on.
        "accounts_deactivated": User.objects.filter(region=source, is_active=True).update(is_active=False),
    }
    audit.record(actor, "region.merge", source, changes={
        "successor": [None, target.code], "valid_until": [None, source.valid_until],
        **{k: [None, v] for k, v in moved.items()}})
    return target


def history_of(region: Region) -> list[Region]:
    """Earlier rows of this code (renames) and regions merged into it, oldest first."""
    return list(Region.objects.filter(Q(successor=region) | Q(code=region.code, valid_until__isnull=False))
                .exclude(pk=region.pk).order_by("valid_from", "code").distinct())
