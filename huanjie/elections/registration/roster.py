"""Reading a village roster (选民登记名册) as offices really keep it, and checking every row.

The file is read with python-calamine and every cell is turned into text here, so nothing is
converted behind our back; an ID number that Excel already stored as a number arrives as a float
(its last digits are gone) and is reported, never repaired. The header row is found by its names
(a title row and a 填报单位/日期 row usually sit above it), a second header row under merged
cells is folded in, blank rows and the 合计/制表人 footer are skipped, and every problem names
the row number the spreadsheet shows.

Other rosters of people with ID numbers (the party member roll) use the same reader: they pass
their own columns as ``extra`` ({field: header words}), get the cell texts in ``RosterRow.extra``
and add their own row problems; the identity checks stay here, once.

This module only reads and checks; it never writes. Cross-village checks (R9) and eligibility
(R5–R7) need the database and the election, and are given to :func:`check_rows` as plain data
so the checks stay testable and fast: one query for the whole file, not one per row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from huanjie.core import tables
from huanjie.core.tables import Problem, cell_text
from huanjie.rules.education import education_code
from huanjie.rules.idnumber import validate_ids
from huanjie.rules.people import PersonRecord, eligibility

FIELDS = (
    "seq",
    "name",
    "gender",
    "ethnicity",
    "birth",
    "id_number",
    "education",
    "group",
    "address",
    "phone",
    "note",
)
FIELD_LABELS = {
    "seq": "序号",
    "name": "姓名",
    "gender": "性别",
    "ethnicity": "民族",
    "birth": "出生年月",
    "id_number": "公民身份号码",
    "education": "文化程度",
    "group": "村民小组",
    "address": "家庭住址",
    "phone": "联系电话",
    "note": "备注",
}
# Header words → field. Matched after removing spaces, line breaks and brackets' contents.
HEADER_NAMES = {
    "序号": "seq",
    "编号": "seq",
    "姓名": "name",
    "选民姓名": "name",
    "性别": "gender",
    "民族": "ethnicity",
    "出生年月": "birth",
    "出生日期": "birth",
    "出生年月日": "birth",
    "公民身份号码": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "身份证": "id_number",
    "公民身份证号码": "id_number",
    "居民身份证号码": "id_number",
    "文化程度": "education",
    "学历": "education",
    "村民小组": "group",
    "组别": "group",
    "小组": "group",
    "所在小组": "group",
    "所在组": "group",
    "家庭住址": "address",
    "住址": "address",
    "家庭地址": "address",
    "联系电话": "phone",
    "电话": "phone",
    "手机号码": "phone",
    "联系方式": "phone",
    "备注": "note",
}
FOOTER_WORDS = ("合计", "总计", "小计", "制表人", "填表人", "审核人", "负责人", "制表：", "制表日期")
HEADER_SCAN_ROWS = 30

MESSAGES = {
    "missing_name": "姓名为空。",
    "gender_mismatch": "性别栏填写“{given}”，与身份证号码（第17位）表示的“{expected}”不符。",
    "birth_date_mismatch": "出生年月栏填写“{given}”，与身份证号码中的出生日期 {expected} 不符。",
    "duplicate_in_file": "身份证号码与第{first}行重复，同一人只能登记一次。",
}
WARNINGS = {
    "whitespace": "身份证号码中有空格或不可见字符，已去除。",
    "quote": "身份证号码前有单引号，已去除。",
    "fullwidth": "身份证号码中有全角字符，已转为半角。",
    "lowercase_x": "身份证号码末位小写 x 已改为大写 X。",
    "name_spaces": "姓名中有空格，已去除。",
    "gender_unreadable": "性别栏“{given}”无法识别，按身份证号码取性别。",
    "birth_unreadable": "出生年月栏“{given}”无法识别，按身份证号码取出生日期。",
    "education_unreadable": "文化程度“{given}”无法识别，未导入该项。",
    "already_registered_here": "已在本村选民名单中（{status}），不重复登记。",
}


# Warnings that are notices (nothing was corrected): shown apart from the corrections.
NOTICE_CODES = {"already_registered_here"}


class RosterError(tables.TableError):
    """The file cannot be read as a roster at all (no header, unknown format)."""


@dataclass(slots=True)
class RosterRow:
    row: int  # as the spreadsheet shows it (1-based)
    cells: list[str]  # the row as text, for the rejected-rows file
    name: str
    id_number: str | None  # normalised, None when invalid
    gender: str | None
    birth_date: dt.date | None
    ethnicity: str
    education: str
    group: str
    address: str
    phone: str
    note: str
    errors: list[Problem] = field(default_factory=list)
    existing: bool = False  # already registered in this election: nothing to insert
    extra: dict[str, str] = field(default_factory=dict)  # the caller's own columns, as text

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedRoster:
    header_row: int
    headers: list[str]
    mapping: dict[str, int]
    rows: list[RosterRow]
    warnings: list[Problem]
    # Set by registration.preview_import: the database lookup and the state it was read in, so a
    # commit right after the preview can reuse it instead of querying a million rows again.
    existing: dict | None = None
    lookup_mark: tuple | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for r in self.rows for p in r.errors]

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if not r.errors)

    def summary(self) -> dict:
        """The ``--json`` shape: rows, accepted, errors, warnings. Each problem carries the row's
        name (the clerk finds the person by name, not by row number alone) and each warning its
        kind: ``corrected`` (the system fixed the cell) or ``notice`` (nothing to fix)."""
        names = {r.row: r.name for r in self.rows}

        def shown(p: Problem, kind: str | None = None) -> dict:
            out = p.as_dict()
            out["name"] = names.get(p.row, "")
            if kind:
                out["kind"] = kind
            return out

        return {
            "rows": len(self.rows),
            "accepted": self.accepted,
            "errors": [shown(p) for p in self.errors],
            "warnings": [shown(p, "notice" if p.code in NOTICE_CODES else "corrected") for p in self.warnings],
        }


# --- reading --------------------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> list[list]:
    """The first worksheet as a list of rows; cells keep calamine's types ('' when empty).

    Read by the one upload reader (container checks, then a child process with limits)."""
    from huanjie.core import uploads

    try:
        return uploads.read_table(data, filename)
    except uploads.UploadRefused as exc:
        raise RosterError(str(exc)) from None


_SPACES = tables.SPACES
_header_key = tables.header_key


def _header_field(value: object, names: Mapping[str, str] = HEADER_NAMES) -> str | None:
    key = _header_key(value)
    if not key:
        return None
    if key in names:
        return names[key]
    for word, fld in names.items():
        if len(word) >= 3 and word in key:
            return fld
    return None


def _column_index(spec: object, headers: list[str]) -> int:
    """A mapping value: 0-based int, column letters ("C"), or a header text."""
    if isinstance(spec, int):
        return spec
    text = str(spec).strip()
    if text.isdigit():
        return int(text)
    if text.isascii() and text.isalpha() and len(text) <= 3:
        n = 0
        for ch in text.upper():
            n = n * 26 + (ord(ch) - 64)
        return n - 1
    keys = [_header_key(h) for h in headers]
    if _header_key(text) in keys:
        return keys.index(_header_key(text))
    raise RosterError(f"列映射中的“{text}”在表头中找不到。")


def _header_names(extra: Mapping[str, Iterable[str]] | None) -> Mapping[str, str]:
    if not extra:
        return HEADER_NAMES
    # The caller's words first: a 党员名册's "入党日期" must not be read as a voter roster's column.
    names = {_header_key(w): fld for fld, words in extra.items() for w in words}
    return names | {k: v for k, v in HEADER_NAMES.items() if k not in names}


def find_header(
    table: list[list],
    override: Mapping[str, object] | None = None,
    extra: Mapping[str, Iterable[str]] | None = None,
) -> tuple[int, int, dict]:
    """(header row index, first data row index, field → column index); ``extra`` adds the
    caller's own fields with their header words."""
    names = _header_names(extra)
    known = set(FIELDS) | set(extra or ())
    best, best_score = -1, 0
    for i, row in enumerate(table[:HEADER_SCAN_ROWS]):
        found = {_header_field(v, names) for v in row} - {None}
        score = len(found)
        if score > best_score and ("name" in found or "id_number" in found):
            best, best_score = i, score
    if best < 0 or best_score < 2:
        if not override:
            raise RosterError(
                "找不到表头：前30行中没有同时包含“姓名”“身份证号”等列名的一行，请检查文件或指定列映射。"
            )
        best = 0
    mapping: dict[str, int] = {}
    header = table[best] if table else []
    for col, value in enumerate(header):
        fld = _header_field(value, names)
        if fld and fld not in mapping:
            mapping[fld] = col
    data_start = best + 1
    # The row above may hold a header cell merged down over two rows (公民身份号码 over 基本情况/姓名…).
    if best > 0:
        for col, value in enumerate(table[best - 1]):
            fld = _header_field(value, names)
            if fld and fld not in mapping and (col >= len(header) or not cell_text(header[col])):
                mapping[fld] = col
    # A two-level header (merged "基本信息" above 姓名/性别…): fold the row below into the header.
    if data_start < len(table):
        below = table[data_start]
        sub = {col: _header_field(v, names) for col, v in enumerate(below)}
        if sum(1 for f in sub.values() if f) >= 2:
            for col, fld in sub.items():
                if fld and fld not in mapping:
                    mapping[fld] = col
            data_start += 1
    if override:
        headers = [str(v) for v in header]
        for fld, spec in override.items():
            if fld not in known:
                raise RosterError(f"列映射中的字段“{fld}”无法识别。")
            mapping[fld] = _column_index(spec, headers)
    if "name" not in mapping or "id_number" not in mapping:
        missing = "、".join(FIELD_LABELS[f] for f in ("name", "id_number") if f not in mapping)
        raise RosterError(f"表头中找不到“{missing}”列，请检查文件或指定列映射。")
    return best, data_start, mapping


# --- cells ------------------------------------------------------------------------------------


_FULL = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FULL[0x3000] = 0x20


def _half(text: str) -> str:
    return text.translate(_FULL)


_GENDER = {"男": "M", "男性": "M", "M": "M", "MALE": "M", "女": "F", "女性": "F", "F": "F", "FEMALE": "F"}
_GENDER_ZH = {"M": "男", "F": "女"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[年.\-/]?\s*(?:(\d{1,2})\s*[月.\-/]?\s*(?:(\d{1,2})\s*日?)?)?$")


def parse_birth(value: object) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) at the precision written: "1985.03" → (1985, 3, None); None if unreadable.

    Excel serial numbers and date cells are full dates; a number like 1985.03 (typed into a cell
    formatted as a number) is year.month.
    """
    if isinstance(value, dt.datetime):
        return value.year, value.month, value.day
    if isinstance(value, dt.date):
        return value.year, value.month, value.day
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value < 2100:
            year = int(value)
            frac = round((value - year) * 100)
            return (year, frac, None) if 1 <= frac <= 12 else (year, None, None) if frac == 0 else None
        if 1 <= value < 80000:
            d = EXCEL_EPOCH + dt.timedelta(days=int(value))
            return d.year, d.month, d.day
        return None
    text = _SPACES.sub("", _half(str(value)))
    if not text:
        return None
    if text.isdigit() and len(text) == 5:
        d = EXCEL_EPOCH + dt.timedelta(days=int(text))
        return d.year, d.month, d.day
    if text.isdigit() and len(text) == 8:
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    elif text.isdigit() and len(text) == 6:
        text = f"{text[:4]}-{text[4:]}"
    m = _DATE_TEXT.match(text.replace("T00:00:00", ""))
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            dt.date(year, month or 1, day)
        except ValueError:
            return None
    return year, month, day


def _birth_matches(given: tuple[int, int | None, int | None], actual: dt.date) -> bool:
    year, month, day = given
    if year != actual.year:
        return False
    if month is not None and month != actual.month:
        return False
    return day is None or day == actual.day


def _is_footer(texts: list[str]) -> bool:
    first = next((t for t in texts if t), "")
    joined = "".join(texts)
    return first.startswith(FOOTER_WORDS) or "制表人" in joined or "填表人" in joined


def _is_numeric_cell(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- checking ---------------------------------------------------------------------------------


@dataclass
class ExistingPerson:
    """What the database already knows about an ID number in the file."""

    person_id: int
    deprived_from: dt.date | None = None
    deprived_until: dt.date | None = None
    deprived_lifetime: bool = False
    registered_election_id: int | None = None
    registered_village: str | None = None  # the other village's name (R9)
    registered_on: dt.date | None = None
    registered_status: str | None = None


def parse_roster(
    data: bytes,
    filename: str,
    *,
    mapping: Mapping[str, object] | None = None,
    reference_date: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    extra: Mapping[str, Iterable[str]] | None = None,
) -> ParsedRoster:
    """Read a roster file and check what can be checked without the database.

    ``extra`` ({field: header words}) names the caller's own columns; their texts arrive in
    ``RosterRow.extra`` unchecked (the caller checks them and appends to ``row.errors``).
    """
    table = read_table(data, filename)
    header_idx, start, cols = find_header(table, mapping, extra)
    extra_cols = [(f, cols[f]) for f in (extra or ()) if f in cols]
    reference = reference_date or dt.date.today()
    headers = [cell_text(v) for v in table[header_idx]] if table else []
    width = max(len(headers), max(cols.values()) + 1)
    c_id = cols["id_number"]

    # Column positions, resolved once. A missing column points one past the row (always ""), so the
    # loop below indexes without a bounds check per cell; rows shorter than the header are padded.
    absent = width
    i_name, i_gender, i_birth, i_edu, i_eth, i_group, i_addr, i_phone, i_note = (
        absent if cols.get(f) is None else cols[f]
        for f in ("name", "gender", "birth", "education", "ethnicity", "group", "address", "phone", "note")
    )
    c_seq = cols.get("seq")
    c_birth = cols.get("birth")
    pad = [""] * (width + 1)

    raw_rows: list[tuple[int, list, list[str]]] = []
    for i in range(start, len(table)):
        raw = table[i]
        texts = [v.strip() if v.__class__ is str else cell_text(v) for v in raw[:width]]
        filled = len(texts) - texts.count("")
        if not filled or (filled == 1 and c_seq is not None and c_seq < len(texts) and texts[c_seq]):
            continue  # blank row, or a row with only its 序号 filled
        if _is_footer(texts):
            continue
        raw_rows.append((i + 1, raw, texts))

    # Non-text cells go to the engine as they are: a float there is an ID Excel already damaged.
    id_cells = [raw[c_id] if c_id < len(raw) else "" for _, raw, _ in raw_rows]
    parsed_ids = validate_ids(id_cells, reference)

    # Rosters repeat the same few values (男/女, 初中, 第3组, 汉族, 1985.03) on every row: each distinct
    # value is read once, through the same functions, and the answer reused.
    gender_seen: dict[str, str | None] = {}
    birth_seen: dict[tuple, tuple | None] = {}
    education_seen: dict[str, str | None] = {}
    ethnicity_seen: dict[str, str] = {}
    group_seen: dict[str, str] = {}
    spaces_sub = _SPACES.sub
    rows: list[RosterRow] = []
    warnings: list[Problem] = []
    first_seen: dict[str, int] = {}
    total = len(raw_rows)
    for n, ((rownum, raw, texts), pid) in enumerate(zip(raw_rows, parsed_ids, strict=True)):
        if progress and n % 5000 == 0:
            progress(n, total)
        full = texts + pad[len(texts) :]
        errors: list[Problem] = []
        name = full[i_name]
        if name:
            clean = spaces_sub("", name)
            if clean != name:
                warnings.append(Problem(rownum, "name", "name_spaces", WARNINGS["name_spaces"]))
                name = clean
        else:
            errors.append(Problem(rownum, "name", "missing_name", MESSAGES["missing_name"]))
        id_value = id_cells[n]
        if _is_numeric_cell(id_value) and (abs(id_value) >= 1e15 or not pid.valid):
            if pid.code != "id_numeric_corrupted":
                shown = cell_text(id_value)
                pid_code, pid_msg = (
                    "id_numeric_corrupted",
                    (
                        f"身份证号码被 Excel 当成数字保存，显示为“{shown}”，后几位数字已经丢失，无法还原。"
                        "请把该列设置为“文本”格式后，按身份证原件重新录入。"
                    ),
                )
            else:
                pid_code, pid_msg = pid.code, pid.reason
            errors.append(Problem(rownum, "id_number", pid_code, pid_msg))
            number = None
        elif not pid.valid:
            errors.append(
                Problem(rownum, "id_number", pid.code or "id_format", pid.reason or "身份证号码无效。")
            )
            number = None
        else:
            number = pid.normalised
            for fix in pid.normalisations:
                if fix in WARNINGS:
                    warnings.append(Problem(rownum, "id_number", f"id_{fix}", WARNINGS[fix]))
        gender, birth = (pid.gender, pid.birth_date) if number else (None, None)
        if number:
            if number in first_seen:
                errors.append(
                    Problem(
                        rownum,
                        "id_number",
                        "duplicate_in_file",
                        MESSAGES["duplicate_in_file"].format(first=first_seen[number]),
                    )
                )
            else:
                first_seen[number] = rownum
            given_gender = full[i_gender]
            if given_gender:
                if given_gender in gender_seen:
                    g = gender_seen[given_gender]
                else:
                    g = gender_seen[given_gender] = _GENDER.get(_half(given_gender).upper().replace(" ", ""))
                if g is None:
                    warnings.append(
                        Problem(
                            rownum,
                            "gender",
                            "gender_unreadable",
                            WARNINGS["gender_unreadable"].format(given=given_gender),
                        )
                    )
                elif g != gender:
                    errors.append(
                        Problem(
                            rownum,
                            "gender",
                            "gender_mismatch",
                            MESSAGES["gender_mismatch"].format(
                                given=given_gender, expected=_GENDER_ZH[gender]
                            ),
                        )
                    )
            birth_cell = raw[c_birth] if c_birth is not None and c_birth < len(raw) else ""
            if birth_cell not in ("", None):
                key = (birth_cell.__class__, birth_cell)  # 1 and 1.0 and True are equal keys otherwise
                if key in birth_seen:
                    given = birth_seen[key]
                else:
                    given = birth_seen[key] = parse_birth(birth_cell)
                if given is None:
                    warnings.append(
                        Problem(
                            rownum,
                            "birth",
                            "birth_unreadable",
                            WARNINGS["birth_unreadable"].format(given=full[i_birth]),
                        )
                    )
                elif not _birth_matches(given, birth):
                    errors.append(
                        Problem(
                            rownum,
                            "birth",
                            "birth_date_mismatch",
                            MESSAGES["birth_date_mismatch"].format(
                                given=full[i_birth], expected=birth.isoformat()
                            ),
                        )
                    )
        edu_text = full[i_edu]
        education = ""
        if edu_text:
            if edu_text in education_seen:
                code = education_seen[edu_text]
            else:
                code = education_seen[edu_text] = education_code(edu_text)
            education = code or ""
            if not education:
                warnings.append(
                    Problem(
                        rownum,
                        "education",
                        "education_unreadable",
                        WARNINGS["education_unreadable"].format(given=edu_text),
                    )
                )
        ethnicity = full[i_eth]
        if ethnicity in ethnicity_seen:
            ethnicity = ethnicity_seen[ethnicity]
        else:
            ethnicity = ethnicity_seen[ethnicity] = spaces_sub("", ethnicity) or "汉族"
        group = full[i_group]
        if group in group_seen:
            group = group_seen[group]
        else:
            group = group_seen[group] = spaces_sub("", _half(group))[:30]
        phone = full[i_phone]
        rows.append(
            RosterRow(
                rownum,
                texts,
                name,
                number,
                gender,
                birth,
                ethnicity,
                education,
                group,
                full[i_addr][:120],
                spaces_sub("", _half(phone))[:20] if phone else "",
                full[i_note],
                errors,
                extra={f: full[c] for f, c in extra_cols} if extra_cols else {},
            )
        )
    if progress:
        progress(total, total)
    return ParsedRoster(header_idx + 1, headers, cols, rows, warnings)


def check_against_database(
    parsed: ParsedRoster,
    existing: Mapping[str, ExistingPerson],
    *,
    election_id: int,
    election_date: dt.date,
    profile,
    village_name: str,
) -> None:
    """Add the checks that need stored data: R9 (one registration) and R5–R7 on the election day.

    ``existing`` maps a normalised ID number to what the database holds for it.
    """
    from huanjie.rules.people import RegistrationRecord, registration_conflicts

    candidates = [r for r in parsed.rows if r.id_number is not None and not r.errors]
    # R9: the engine decides who keeps the registration; the stored one is the earlier.
    conflicts = []
    for r in candidates:
        known = existing.get(r.id_number)
        if known is None or known.registered_election_id is None:
            continue
        if known.registered_election_id == election_id:
            status = "已除名" if known.registered_status == "removed" else "已登记"
            r.existing = True
            parsed.warnings.append(
                Problem(
                    r.row,
                    "id_number",
                    "already_registered_here",
                    WARNINGS["already_registered_here"].format(status=status),
                )
            )
            continue
        conflicts.append(r)
    if conflicts:
        records = []
        for r in conflicts:
            known = existing[r.id_number]
            records.append(
                RegistrationRecord(
                    r.name,
                    r.id_number,
                    known.registered_village or "其他村",
                    known.registered_on or election_date,
                )
            )
            records.append(RegistrationRecord(r.name, r.id_number, village_name, dt.date.max))
        decisions = registration_conflicts(records)
        for r, decision in zip(conflicts, decisions[1::2], strict=True):
            if not decision.accepted:
                r.errors.append(Problem(r.row, "id_number", "registered_elsewhere", f"{decision.reason}。"))
    # R5–R7: eligibility on the election day, through the engine, for everyone still accepted. For a
    # person with no deprivation on record the engine's answer depends on the birth date alone (the
    # name is only carried through), so each distinct birth date is asked once: 200,000 rows span
    # about 24,000 dates. Anyone with a deprivation on record is asked individually.
    todo = [r for r in candidates if not r.errors]
    records: list[PersonRecord] = []
    slot: list[int] = []  # todo[k] → its record
    by_birth: dict[dt.date, int] = {}
    for r in todo:
        known = existing.get(r.id_number)
        if known is not None and (known.deprived_lifetime or known.deprived_from or known.deprived_until):
            slot.append(len(records))
            records.append(
                PersonRecord(
                    r.name,
                    None,
                    r.birth_date,
                    known.deprived_from,
                    known.deprived_until,
                    known.deprived_lifetime,
                )
            )
            continue
        k = by_birth.get(r.birth_date)
        if k is None:
            k = by_birth[r.birth_date] = len(records)
            records.append(PersonRecord(r.name, None, r.birth_date))
        slot.append(k)
    decisions = eligibility(records, election_date, profile)
    for r, k in zip(todo, slot, strict=True):
        decision = decisions[k]
        if not decision.eligible:
            fld = "birth" if decision.code == "under_age" else "id_number"
            r.errors.append(Problem(r.row, fld, decision.code or "ineligible", f"{decision.reason}。"))


def iter_ids(parsed: ParsedRoster) -> Iterable[str]:
    return (r.id_number for r in parsed.rows if r.id_number is not None)
