"""Voter registration services (R5–R10): roster import, manual registration, objections, counts.

Every legal decision is a call into :mod:`huanjie.rules`; every write runs in one transaction
with its audit record. A bulk import writes ONE audit record (counts and the file's SHA-256),
not one per row, and inserts with COPY (PostgreSQL) or executemany (SQLite) because the ORM's
per-object cost dominates at 200,000 rows.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.core.access import in_scope
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import Election, Objection, StepRecord, VoterRegistration
from huanjie.elections.registration import counts as voter_counts
from huanjie.elections.registration import roster
from huanjie.elections.services import ElectionError, check_dated_fact, profile_of
from huanjie.people import services as people_services
from huanjie.people import stats as people_stats
from huanjie.people.models import Person
from huanjie.rules.dates import add_years, election_calendar
from huanjie.rules.people import (
    RegistrationRecord,
    VoterApplicant,
    registration_conflicts,
    voter_registration_decision,
)

# The engine's category names (rules.people) ↔ the stored ones (VoterRegistration.CATEGORY_CHOICES).
ENGINE_TO_MODEL = {
    "hukou_resident": "hukou_resident",
    "hukou_absent_intent": "hukou_away_taking_part",
    "non_hukou_resident": "resident_approved",
    "village_work": "village_work",
    "married_in_spouse": "spouse_married_in",
    "collective_rights_holder": "former_villager_rights",
    "former_agricultural_hukou": "former_agricultural",
}
MODEL_TO_ENGINE = {v: k for k, v in ENGINE_TO_MODEL.items()}
BASE_CATEGORIES = ("hukou_resident", "hukou_away_taking_part", "resident_approved")
LIST_PUBLISHED_STEP = "voter_list_published"
AGE_BANDS = ((18, 30), (31, 40), (41, 50), (51, 60), (61, 70), (71, None))
CHUNK = 5000


class RegistrationRefused(ElectionError):
    """A registration or decision the rules do not allow; the message is Chinese and complete. An
    :class:`ElectionError` like every refusal of the election machinery."""


class ImportRefused(RegistrationRefused):
    def __init__(self, message: str, parsed: roster.ParsedRoster | None = None):
        super().__init__(message)
        self.parsed = parsed


def categories_for(election: Election) -> list[tuple[str, str]]:
    """The base categories plus the profile's extra ones (R8), as (code, label)."""
    extra = {ENGINE_TO_MODEL[c] for c in profile_of(election)["registration.extra_categories"]}
    labels = dict(VoterRegistration.CATEGORY_CHOICES)
    return [
        (c, labels[c]) for c, _ in VoterRegistration.CATEGORY_CHOICES if c in BASE_CATEGORIES or c in extra
    ]


# --- the import ---------------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def lookup_existing(election: Election, ids: list[str]) -> dict[str, roster.ExistingPerson]:
    """What the database knows about these ID numbers: the person and any registration in this campaign.

    The registration is joined LATERALly, so it is probed through the (campaign, person) unique index
    only for the persons found: a plain LEFT JOIN makes PostgreSQL assume every number matches and
    hash the campaign's whole registration table (a million rows) on each import. On PostgreSQL the
    numbers go as one array parameter; SQLite takes them in chunks of 5,000.
    """
    person_t = Person._meta.db_table
    reg_t = VoterRegistration._meta.db_table
    elec_t = Election._meta.db_table
    region_t = Election._meta.get_field("organization").related_model._meta.db_table
    is_pg = connection.vendor == "postgresql"
    if is_pg:
        sql = (
            f"SELECT p.id, p.id_number, p.deprived_from, p.deprived_until, p.deprived_lifetime, "
            f"r.election_id, g.name, r.registered_on, r.status, g.code, h.code, v.code "
            f"FROM {person_t} p LEFT JOIN LATERAL (SELECT r.election_id, r.registered_on, r.status "
            f"FROM {reg_t} r WHERE r.person_id = p.id AND r.campaign_id = %s) r ON TRUE "
            f"LEFT JOIN {elec_t} e ON e.id = r.election_id LEFT JOIN {region_t} g ON g.id = e.organization_id "
            f"LEFT JOIN {region_t} h ON h.id = p.hukou_village_id LEFT JOIN {region_t} v ON v.id = p.residence_village_id "
            f"WHERE p.id_number = ANY(string_to_array(%s, ','))"
        )
    else:
        sql = (
            f"SELECT p.id, p.id_number, p.deprived_from, p.deprived_until, p.deprived_lifetime, "
            f"r.election_id, g.name, r.registered_on, r.status, g.code, h.code, v.code "
            f"FROM {person_t} p LEFT JOIN {reg_t} r ON r.person_id = p.id AND r.campaign_id = %s "
            f"LEFT JOIN {elec_t} e ON e.id = r.election_id LEFT JOIN {region_t} g ON g.id = e.organization_id "
            f"LEFT JOIN {region_t} h ON h.id = p.hukou_village_id LEFT JOIN {region_t} v ON v.id = p.residence_village_id "
        )
    out: dict[str, roster.ExistingPerson] = {}
    batches = [ids] if is_pg else list(_chunks(ids))
    with connection.cursor() as cur:
        for batch in batches:
            if not batch:
                continue
            if is_pg:
                # One text parameter: the client quotes 200,000 array elements one by one otherwise.
                # Normalised ID numbers are digits and X only, so the comma cannot occur inside one.
                cur.execute(sql, [election.campaign_id, ",".join(batch)])
            else:
                marks = ",".join(["%s"] * len(batch))
                cur.execute(sql + f"WHERE p.id_number IN ({marks})", [election.campaign_id, *batch])
            for pid, number, dfrom, duntil, dlife, eid, village, reg_on, status, *codes in cur.fetchall():
                if isinstance(dfrom, str):
                    dfrom = dt.date.fromisoformat(dfrom)
                if isinstance(duntil, str):
                    duntil = dt.date.fromisoformat(duntil)
                if isinstance(reg_on, str):
                    reg_on = dt.date.fromisoformat(reg_on)
                out[number] = roster.ExistingPerson(
                    pid, dfrom, duntil, bool(dlife), eid, village, reg_on, status, *codes
                )
    return out


def lookup_mark(election: Election) -> tuple:
    """A cheap fingerprint of what :func:`lookup_existing` reads: the newest and number of people, and
    of registrations in the campaign. Unchanged → a lookup made earlier still holds (people and
    registrations are added or removed; their ID numbers and villages are never rewritten)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT MAX(id), COUNT(*) FROM {Person._meta.db_table}")
        person_max, person_count = cur.fetchone()
        cur.execute(
            f"SELECT MAX(id), COUNT(*) FROM {VoterRegistration._meta.db_table} WHERE campaign_id = %s",
            [election.campaign_id],
        )
        reg_max, reg_count = cur.fetchone()
    return (person_max, person_count, reg_max, reg_count)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an import builds its rows.

    An import allocates a few million objects that all stay alive (rows, cells, lists); the
    collector keeps rescanning them as they pile up and costs 2–3 s of 200,000 rows without ever
    finding garbage. Reference counting still frees everything as usual; only cycles wait.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _scope_of(actor) -> str:
    """The region prefix a roster's known people must belong to ("" for the system itself)."""
    return "" if actor is None else (actor.scope_prefix or "-")


def preview_import(
    election: Election,
    data: bytes,
    filename: str,
    *,
    mapping: Mapping[str, object] | None = None,
    progress: Callable[[int, int], None] | None = None,
    actor=None,
) -> roster.ParsedRoster:
    """Read and check a roster for this election; nothing is saved.

    A row whose ID number is on record outside ``actor``'s scope is refused with the one message
    that names neither the person nor the place (issue 9 §3); ``actor=None`` is the system.

    The result has ``rows``, ``accepted``, ``errors`` and ``warnings`` (see ``ParsedRoster.summary``).
    Raises :class:`roster.RosterError` when the file is not a roster at all.
    """
    with _gc_paused():
        parsed = roster.parse_roster(
            data, filename, mapping=mapping, reference_date=election.election_date, progress=progress
        )
        mark = lookup_mark(election)
        existing = lookup_existing(election, list(roster.iter_ids(parsed)))
        parsed.existing, parsed.lookup_mark = existing, mark  # commit_import reuses them if still current
        roster.check_against_database(
            parsed,
            existing,
            election_id=election.pk,
            election_date=election.election_date,
            profile=profile_of(election),
            village_name=election.organization.name,
            scope_prefix=_scope_of(actor),
        )
    return parsed


@dataclass
class ImportResult:
    rows: int
    accepted: int
    registered: int
    persons_created: int
    persons_updated: int
    rejected: int
    already_registered: int
    rejected_xlsx: bytes | None
    audit_seq: int | None

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "rejected_xlsx"}


def rejected_rows_xlsx(
    parsed: roster.ParsedRoster, *, title: str = "选民名册未导入的行", labels: Mapping[str, str] | None = None
) -> bytes:
    """The rejected rows as the file had them, with a 原因 column listing every problem.

    Other rosters (the party member roll) pass their title and the labels of their own fields."""
    labels = {**roster.FIELD_LABELS, **(labels or {})}
    bad = [r for r in parsed.rows if r.errors]
    headers = [h or f"第{i + 1}列" for i, h in enumerate(parsed.headers)]
    rows = []
    for r in bad:
        cells = list(r.cells) + [""] * (len(headers) - len(r.cells))
        reasons = "；".join(f"{labels.get(p.field, p.field)}：{p.message}" for p in r.errors)
        rows.append([str(r.row), *cells[: len(headers)], reasons])
    try:
        from huanjie.documents.render.excel import SheetSpec, workbook_bytes
    except ImportError:  # pragma: no cover — the renderer is part of the project
        SheetSpec = workbook_bytes = None
    if workbook_bytes is not None:
        spec = SheetSpec(
            name="未导入的行",
            title=title,
            columns=["原行号", *headers],
            rows=rows,
            text_columns=list(range(len(headers) + 1)),
            extra_columns=["原因"],
        )
        return workbook_bytes([spec])
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("未导入的行")
    for j, h in enumerate(["原行号", *headers, "原因"]):
        ws.write_string(0, j, h)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            ws.write_string(i, j, str(v))
    wb.close()
    return buf.getvalue()


def _model_columns(model, values: dict) -> tuple[list[str], list]:
    """Every concrete column except the id, with ``values`` (by attname) over the model defaults.

    COPY and a bare INSERT do not apply Django's Python-side defaults, so they are filled here.
    """
    cols, defaults = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        cols.append(f.column)
        defaults.append(values[f.attname] if f.attname in values else f.get_default())
    return cols, defaults


def _bulk_insert(
    model, columns: list[str], rows: list[tuple], progress: Callable[[int], None] | None = None
) -> None:
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    copy.write_row(row)
                    if progress and i % 20000 == 0:
                        progress(i)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"
    connection.ensure_connection()
    raw_cur = connection.connection.cursor()
    try:
        for start in range(0, len(rows), 50000):
            raw_cur.executemany(sql, rows[start : start + 50000])
            if progress:
                progress(start)
    finally:
        raw_cur.close()


def _db_value(value):
    """Dates and datetimes as the backend stores them (SQLite: ISO text)."""
    if connection.vendor == "postgresql":
        return value
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


_COPY_SPECIAL = ("\\", "\t", "\n", "\r")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_literal(value) -> str:
    """One value in COPY's text format (PostgreSQL)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_lines(
    table: str, columns: list[str], lines: Iterable[str], progress: Callable[[int], None] | None = None
) -> None:
    """COPY rows already formatted as text lines, in large writes: psycopg's per-row adaptation of
    ~18 values costs about 10 µs a row, more than the server needs to store it."""
    connection.ensure_connection()
    with connection.connection.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buf: list[str] = []
            for i, line in enumerate(lines, start=1):
                buf.append(line)
                if i % 20000 == 0:
                    copy.write("".join(buf))
                    buf.clear()
                    if progress:
                        progress(i)
            if buf:
                copy.write("".join(buf))


def _copy_text(value: str) -> str:
    """A free-text cell for COPY: escaped only when it holds one of COPY's special characters."""
    for ch in _COPY_SPECIAL:
        if ch in value:
            return value.translate(_COPY_ESCAPES)
    return value


def _insert_people(election: Election, rows: list[roster.RosterRow], now) -> dict[str, int]:
    """Create Person records for new ID numbers; returns id_number → person id."""
    if not rows:
        return {}
    village_id = election.organization_id
    people_stats.forget(village_id)
    template = {
        "hukou_village_id": village_id,
        "residence_village_id": village_id,
        "created_at": now,
        "updated_at": now,
        "manual_birth_data": False,
        "political_status": "none",
        "deprived_lifetime": False,
        "deprived_from": None,
        "deprived_until": None,
    }
    varying = (
        "name",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "education",
        "group_name",
        "address",
        "phone",
    )
    for k in varying:
        template[k] = None
    table = Person._meta.db_table
    if connection.vendor == "postgresql":
        # Take the ids from the sequence first and COPY them in: no read-back of 200,000 rows, and
        # no reliance on ids being above a maximum read earlier (another writer may interleave).
        with connection.cursor() as cur:
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(rows)],
            )
            new_ids = [row[0] for row in cur.fetchall()]
        # The varying columns first, then every other column with its constant value, formatted once.
        fixed_cols, fixed_vals = _model_columns(
            Person, {k: v for k, v in template.items() if k not in varying}
        )
        varying_cols = [Person._meta.get_field(k).column for k in varying]
        fixed_cols, fixed_vals = zip(
            *[(c, v) for c, v in zip(fixed_cols, fixed_vals, strict=True) if c not in varying_cols],
            strict=True,
        )
        tail = "\t" + "\t".join(_copy_literal(v) for v in fixed_vals) + "\n"
        esc = _copy_text
        lines = (
            f"{pid}\t{esc(r.name[:40])}\t{r.id_number}\t{r.gender}\t{r.birth_date.isoformat()}\t"
            f"{esc(r.ethnicity[:20])}\t{esc(r.education)}\t{esc(r.group)}\t{esc(r.address)}\t{esc(r.phone)}"
            f"{tail}"
            for pid, r in zip(new_ids, rows, strict=True)
        )
        _copy_lines(table, ["id", *varying_cols, *fixed_cols], lines)
        return {r.id_number: i for r, i in zip(rows, new_ids, strict=True)}
    columns, defaults = _model_columns(Person, template)
    defaults = [_db_value(v) for v in defaults]
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    pos = {f.attname: i for i, f in enumerate(fields)}
    idx = [pos[k] for k in varying]
    out_rows = []
    for r in rows:
        row = list(defaults)
        vals = (
            r.name[:40],
            r.id_number,
            r.gender,
            r.birth_date.isoformat(),
            r.ethnicity[:20],
            r.education,
            r.group,
            r.address,
            r.phone,
        )
        for i, v in zip(idx, vals, strict=True):
            row[i] = v
        out_rows.append(tuple(row))
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        before = cur.fetchone()[0]
    _bulk_insert(Person, columns, out_rows)
    wanted = {r.id_number for r in rows}
    ids: dict[str, int] = {}
    with connection.cursor() as cur:
        # SQLite writes one transaction at a time: rows above the previous maximum are ours.
        cur.execute(f"SELECT id, id_number FROM {table} WHERE id > %s", [before])
        for pid, number in cur.fetchall():
            if number in wanted:
                ids[number] = pid
    return ids


def _insert_registrations(
    election: Election, people: list[tuple[int, roster.RosterRow]], today: dt.date, category: str, reason: str
) -> None:
    if not people:
        return
    voter_counts.forget(election.pk)
    template = {
        "campaign_id": election.campaign_id,
        "election_id": election.pk,
        "person_id": None,
        "category": category,
        "reason": reason,
        "group_name": None,
        "registered_on": today,
        "status": VoterRegistration.REGISTERED,
    }
    if connection.vendor == "postgresql":
        fixed = {k: v for k, v in template.items() if k not in ("person_id", "group_name")}
        fixed_cols, fixed_vals = _model_columns(VoterRegistration, fixed)
        skip = {VoterRegistration._meta.get_field(k).column for k in ("person", "group_name")}
        fixed_cols, fixed_vals = zip(
            *[(c, v) for c, v in zip(fixed_cols, fixed_vals, strict=True) if c not in skip], strict=True
        )
        tail = "\t" + "\t".join(_copy_literal(v) for v in fixed_vals) + "\n"
        lines = (f"{pid}\t{_copy_text(r.group)}{tail}" for pid, r in people)
        _copy_lines(VoterRegistration._meta.db_table, ["person_id", "group_name", *fixed_cols], lines)
        return
    columns, defaults = _model_columns(VoterRegistration, template)
    defaults = [_db_value(v) for v in defaults]
    fields = [f for f in VoterRegistration._meta.concrete_fields if not f.primary_key]
    pos = {f.attname: i for i, f in enumerate(fields)}
    i_person, i_group = pos["person_id"], pos["group_name"]
    out_rows = []
    for pid, r in people:
        row = list(defaults)
        row[i_person] = pid
        row[i_group] = r.group
        out_rows.append(tuple(row))
    _bulk_insert(VoterRegistration, columns, out_rows)


@guarded
def commit_import(
    actor,
    election: Election,
    parsed: roster.ParsedRoster,
    skip_bad_rows: bool = False,
    *,
    file_sha256: str = "",
    filename: str = "",
    category: str = VoterRegistration.HUKOU_RESIDENT,
    today: dt.date | None = None,
) -> ImportResult:
    """Save a checked roster: all-or-nothing unless ``skip_bad_rows`` (then the rejected rows come back
    as an .xlsx with a 原因 column). Creates missing Person records by ID number, fills blank group,
    address and phone of known ones, and registers everyone not yet on this election's list.
    """
    errors = parsed.errors
    if errors and not skip_bad_rows:
        raise ImportRefused(
            f"名册中有 {len(errors)} 个问题（涉及 {len(parsed.rows) - parsed.accepted} 行），"
            "未导入任何数据。请修改后重新上传，或选择“只导入没有问题的行”。",
            parsed,
        )
    if category not in dict(categories_for(election)):
        raise ImportRefused("登记类别不适用于本次选举。")
    # R8: the category and its reason come from the engine (a household-register resident by default).
    probe = _applicant_for(category, "名册", {})
    decision = voter_registration_decision([probe], election.election_date, profile=profile_of(election))[0]
    if not decision.registered or ENGINE_TO_MODEL.get(decision.category) != category:
        raise ImportRefused(
            f"批量导入不能按“{dict(categories_for(election))[category]}”登记："
            f"{decision.reason}。该类别需逐人登记并录入依据。"
        )
    reason = f"名册导入：{decision.reason}"[:200]
    today = today or timezone.localdate()
    now = timezone.now()
    good = [r for r in parsed.rows if not r.errors]
    with _gc_paused(), transaction.atomic():
        if connection.vendor == "postgresql":
            # This transaction's COMMIT returns before its WAL reaches the disk: an import is one big
            # write, and waiting for the flush gains nothing a re-run cannot. A server crash in the
            # next fraction of a second can lose the whole import (never part of it, and nothing
            # else); a clean commit loses nothing. SET LOCAL ends with the transaction.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit = off")
        # Another import may have registered some of them since the preview: reuse the preview's
        # lookup only if the fingerprint is unchanged, else read again inside the transaction.
        if parsed.existing is not None and parsed.lookup_mark == lookup_mark(election):
            fresh = parsed.existing
        else:
            fresh = lookup_existing(election, [r.id_number for r in good])
        # Those seen registered elsewhere at preview are already rejected; any left were added meanwhile.
        scope = _scope_of(actor)
        clash = [
            r
            for r in good
            if r.id_number in fresh
            and (
                fresh[r.id_number].registered_election_id not in (None, election.pk)
                or not fresh[r.id_number].in_scope(scope, election.pk)
            )
        ]
        if clash:
            raise ImportRefused(
                f"第{clash[0].row}行等 {len(clash)} 人刚刚已在其他村登记，请重新预览后再导入。"
            )
        new_people = [r for r in good if r.id_number not in fresh]
        ids = _insert_people(election, new_people, now)
        updated = _update_known_people(good, fresh)
        to_register = []
        already = 0
        for r in good:
            known = fresh.get(r.id_number)
            if known is not None and known.registered_election_id == election.pk:
                already += 1
                continue
            to_register.append((ids[r.id_number] if known is None else known.person_id, r))
        _insert_registrations(election, to_register, today, category, reason)
        result = ImportResult(
            rows=len(parsed.rows),
            accepted=len(good),
            registered=len(to_register),
            persons_created=len(ids),
            persons_updated=updated,
            rejected=len(parsed.rows) - len(good),
            already_registered=already,
            rejected_xlsx=None,
            audit_seq=None,
        )
        rec = audit.record(
            actor,
            "voters.import",
            election,
            changes={
                "file": [None, filename],
                "file_sha256": [None, file_sha256],
                "rows": [None, result.rows],
                "registered": [None, result.registered],
                "persons_created": [None, result.persons_created],
                "persons_updated": [None, result.persons_updated],
                "rejected": [None, result.rejected],
                "already_registered": [None, already],
                "skip_bad_rows": [None, skip_bad_rows],
                "category": [None, category],
            },
        )
        result.audit_seq = rec.seq
    if result.rejected:
        result.rejected_xlsx = rejected_rows_xlsx(parsed)
    return result


def _update_known_people(rows: list[roster.RosterRow], known: dict) -> int:
    """Fill the group, address and phone a known person lacks; never overwrite what is stored."""
    ids = [known[r.id_number].person_id for r in rows if r.id_number in known]
    if not ids:
        return 0
    by_id = {known[r.id_number].person_id: r for r in rows if r.id_number in known}
    changed = []
    for batch in _chunks(ids):
        for p in Person.objects.filter(pk__in=batch).only("id", "group_name", "address", "phone"):
            r = by_id[p.pk]
            dirty = False
            for attr, value in (("group_name", r.group), ("address", r.address), ("phone", r.phone)):
                if value and not getattr(p, attr):
                    setattr(p, attr, value)
                    dirty = True
            if dirty:
                changed.append(p)
    if changed:
        Person.objects.bulk_update(changed, ["group_name", "address", "phone"], batch_size=1000)
    return len(changed)


# --- one voter by hand --------------------------------------------------------------------------


def _applicant_for(
    category: str, name: str, evidence: Mapping, person: Person | None = None
) -> VoterApplicant:
    """The engine's view of a person asking to be registered in ``category`` with this evidence (R8)."""
    applied = bool(evidence.get("applied_on"))
    approved = bool(evidence.get("assembly_approved_on"))
    kw: dict = {}
    if person is not None:
        kw = {
            "id": person.id_number,
            "birth_date": None if person.id_number else person.birth_date,
            "deprived_from": person.deprived_from,
            "deprived_until": person.deprived_until,
            "deprived_lifetime": person.deprived_lifetime,
        }
    if category == "hukou_resident":
        return VoterApplicant(name, hukou_here=True, lives_here=True, **kw)
    if category == "hukou_away_taking_part":
        return VoterApplicant(
            name,
            hukou_here=True,
            lives_here=False,
            expressed_intent=evidence.get("intent") == "yes" and bool(evidence.get("intent_declared_on")),
            **kw,
        )
    if category == "resident_approved":
        return VoterApplicant(
            name,
            hukou_here=False,
            lives_here=True,
            resident_since=evidence.get("resident_since"),
            applied=applied,
            assembly_approved=approved,
            **kw,
        )
    if category == "village_work":
        return VoterApplicant(
            name,
            hukou_here=False,
            lives_here=True,
            village_work_since=evidence.get("resident_since"),
            applied=applied,
            assembly_approved=approved,
            **kw,
        )
    if category == "spouse_married_in":
        return VoterApplicant(
            name,
            hukou_here=False,
            lives_here=True,
            married_in_spouse=True,
            applied=applied,
            committee_confirmed=approved,
            **kw,
        )
    if category == "former_villager_rights":
        return VoterApplicant(
            name,
            hukou_here=False,
            lives_here=True,
            collective_rights=True,
            applied=applied,
            committee_confirmed=approved,
            **kw,
        )
    if category == "former_agricultural":
        return VoterApplicant(
            name,
            hukou_here=False,
            lives_here=True,
            former_agricultural_hukou=True,
            assembly_approved=approved,
            **kw,
        )
    raise RegistrationRefused("登记类别无法识别。")


HUKOU_CATEGORIES = frozenset({VoterRegistration.HUKOU_RESIDENT, VoterRegistration.HUKOU_AWAY_TAKING_PART})


@guarded
def person_to_register(actor, election: Election, id_number: str, name: str, category: str) -> Person:
    """The person a clerk registers by ID number (issue 9 §3). In scope: the person. On record
    elsewhere: only a resident who is not on this village's household register (category 3 and
    the like) is linked to the existing record, and only when the name typed is the name on
    record (the person shows the ID card); the record itself is not changed. Anything else gets
    the one answer that names neither the person nor the place."""
    try:
        return people_services.find_by_id_number(actor, id_number)
    except people_services.PersonElsewhere as exc:
        person = Person.objects.get(pk=exc.person_id)
        typed = "".join((name or "").split())
        if category in HUKOU_CATEGORIES or not typed or typed != person.name:
            raise RegistrationRefused(str(exc)) from None
        return person
    except people_services.PersonLookupError as exc:
        raise RegistrationRefused(str(exc)) from None


def _r9_check(election: Election, person: Person, actor=None) -> VoterRegistration | None:
    """R9 through the engine: a registration elsewhere in the campaign stands; returns one here, if any.
    A registration outside ``actor``'s scope is named by the one message only (issue 9 §3)."""
    prior = (
        VoterRegistration.objects.filter(campaign_id=election.campaign_id, person=person)
        .select_related("election__organization")
        .first()
    )
    if prior is None:
        return None
    if prior.election_id == election.pk:
        return prior
    decisions = registration_conflicts(
        [
            RegistrationRecord(
                person.name,
                person.id_number or f"#{person.pk}",
                prior.election.organization.name,
                prior.registered_on,
            ),
            RegistrationRecord(
                person.name, person.id_number or f"#{person.pk}", election.organization.name, dt.date.max
            ),
        ]
    )
    if actor is not None and not in_scope(actor, prior.election.organization.code):
        raise RegistrationRefused(people_services.ELSEWHERE_MESSAGE + "。")
    raise RegistrationRefused(f"{person.name}：{decisions[1].reason or '已在其他村登记'}。")


@guarded
def register_voter(
    actor,
    election: Election,
    person: Person,
    category: str,
    *,
    evidence: Mapping | None = None,
    reason: str = "",
    registered_on: dt.date | None = None,
) -> VoterRegistration:
    """Put one person on the list (R5–R9) with the category's evidence.

    ``evidence`` keys: ``intent`` ("yes"/"no"/"none") and ``intent_declared_on`` (category 2),
    ``resident_since``, ``applied_on``, ``assembly_approved_on`` (category 3 and the extra ones).
    A person removed earlier from this list is put back.
    """
    evidence = dict(evidence or {})
    if category not in dict(categories_for(election)):
        raise RegistrationRefused("该登记类别不适用于本次选举所在地的法规。")
    # A person out of the actor's scope is only ever linked (category 3, see person_to_register):
    # never on a household-register category, and nothing of the record is copied here.
    linked = not people_services.may_see(actor, person)
    if linked and category in HUKOU_CATEGORIES:
        raise RegistrationRefused(people_services.ELSEWHERE_MESSAGE + "。")
    on = registered_on or timezone.localdate()
    decision = voter_registration_decision(
        [_applicant_for(category, person.name, evidence, person)],
        election.election_date,
        on,
        profile=profile_of(election),
    )[0]
    if not decision.registered:
        raise RegistrationRefused(f"{person.name}不能登记：{decision.reason}。")
    stored_category = ENGINE_TO_MODEL[decision.category]
    with transaction.atomic():
        prior = _r9_check(election, person, actor)
        fields = {
            "category": stored_category,
            "reason": (reason or decision.reason)[:200],
            "group_name": "" if linked else person.group_name,
            "intent_declared_on": evidence.get("intent_declared_on"),
            "resident_since": evidence.get("resident_since"),
            "applied_on": evidence.get("applied_on"),
            "assembly_approved_on": evidence.get("assembly_approved_on"),
            "registered_on": on,
            "status": VoterRegistration.REGISTERED,
            "removed_reason": "",
        }
        if prior is not None:
            if prior.status == VoterRegistration.REGISTERED:
                raise RegistrationRefused(f"{person.name}已在本村选民名单中，不得重复登记。")
            before = {k: getattr(prior, k) for k in fields}
            for k, v in fields.items():
                setattr(prior, k, v)
            prior.save()
            audit.record(actor, "voters.restore", prior, changes=audit.diff(before, fields))
            return prior
        try:
            with transaction.atomic():
                reg = VoterRegistration.objects.create(
                    campaign_id=election.campaign_id, election=election, person=person, **fields
                )
        except IntegrityError:
            raise RegistrationRefused(f"{person.name}已在本次换届中登记，不得重复登记。") from None
        audit.record(
            actor,
            "voters.register",
            reg,
            changes={k: [None, v] for k, v in fields.items() if v},
            object_repr=f"{person.name}（{election.organization.name}）",
        )
        return reg


@guarded
def remove_voter(actor, registration: VoterRegistration, reason: str) -> VoterRegistration:
    """Take a voter off the list (the row stays, marked removed, so R9 and the history are kept)."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationRefused("请填写除名原因。")
    if registration.status == VoterRegistration.REMOVED:
        raise RegistrationRefused("该选民已被除名。")
    with transaction.atomic():
        registration.status = VoterRegistration.REMOVED
        registration.removed_reason = reason[:200]
        registration.save(update_fields=["status", "removed_reason"])
        audit.record(
            actor,
            "voters.remove",
            registration,
            changes={"status": ["registered", "removed"], "removed_reason": [None, reason]},
            object_repr=str(registration.person),
        )
    return registration


# --- objections (R10) ---------------------------------------------------------------------------


def list_published_on(election: Election) -> dt.date | None:
    step = StepRecord.objects.filter(election=election, key=LIST_PUBLISHED_STEP).first()
    return step.done_on if step else None


@dataclass
class ObjectionTimes:
    list_published: dt.date | None
    objection_deadline: dt.date | None
    on_time: bool | None
    decision_deadline: dt.date | None


def objection_times(
    election: Election, filed_on: dt.date, received_on: dt.date | None = None
) -> ObjectionTimes:
    """R10 deadlines from the engine: the objection window after publication, and the decision deadline."""
    published = list_published_on(election)
    cal = election_calendar(
        election.election_date,
        profile_of(election),
        list_published=published,
        objection_filed=filed_on,
        objection_received=received_on or filed_on,
    )
    return ObjectionTimes(
        published, cal.objection_deadline, cal.objection_on_time, cal.objection_decision_deadline
    )


@guarded
def file_objection(
    actor,
    election: Election,
    *,
    objector_name: str,
    about: Person,
    kind: str,
    content: str,
    filed_on: dt.date,
    received_on: dt.date | None = None,
    objector: Person | None = None,
) -> Objection:
    """Record an objection to the list (who, when, about whom). Late ones are recorded too: the
    committee must answer them (不予受理), so they are kept, not refused."""
    for person in (about, objector):
        if person is not None and not people_services.may_see(actor, person):
            raise RegistrationRefused(people_services.ELSEWHERE_MESSAGE + "。")
    if not objector_name.strip():
        raise RegistrationRefused("请填写异议人姓名。")
    if kind not in dict(Objection.KIND_CHOICES):
        raise RegistrationRefused("异议类型无法识别。")
    if not content.strip():
        raise RegistrationRefused("请填写异议内容。")
    received_on = received_on or filed_on
    # The one date rule (services.check_dated_fact): an objection is to a published list, so it is
    # filed on or after the publication and not in the future, and received on or after its filing.
    # A late one (past the window) is still recorded: the committee answers it 不予受理.
    check_dated_fact(
        election, "异议提出日期", filed_on, after=[("选民名单公布日期", list_published_on(election))],
        error=RegistrationRefused,
    )
    check_dated_fact(
        election, "异议受理日期", received_on, after=[("异议提出日期", filed_on)], error=RegistrationRefused
    )
    with transaction.atomic():
        obj = Objection.objects.create(
            election=election,
            objector_name=objector_name.strip()[:40],
            objector=objector,
            about=about,
            kind=kind,
            content=content.strip(),
            filed_on=filed_on,
            received_on=received_on,
        )
        audit.record(
            actor,
            "voters.objection.file",
            obj,
            region_code=election.organization.code,
            changes={"about": [None, about.name], "kind": [None, kind], "filed_on": [None, filed_on]},
            object_repr=f"{objector_name}对{about.name}的异议",
        )
    return obj


@dataclass
class DecisionOutcome:
    objection: Objection
    late: bool  # decided after the engine's decision deadline
    message: str


@guarded
def decide_objection(
    actor,
    objection: Objection,
    decision: str,
    decided_on: dt.date,
    note: str = "",
    *,
    category: str = VoterRegistration.HUKOU_RESIDENT,
    evidence: Mapping | None = None,
) -> DecisionOutcome:
    """Decide an objection (R10) and update the list by the decision.

    An objection filed outside the window (or before the list was published) can only be
    不予受理; one upheld adds the person (kind ``add``, through :func:`register_voter`) or removes
    them (kind ``remove``). A decision after the engine's deadline is recorded and flagged late,
    with the reason in ``note`` (:class:`LateNeedsExplanation` without one).
    """
    election = objection.election
    if objection.decision != Objection.PENDING:
        raise RegistrationRefused("该异议已经处理。")
    if decision not in {Objection.UPHELD, Objection.REJECTED, Objection.NOT_ACCEPTED}:
        raise RegistrationRefused("处理结果无法识别。")
    times = objection_times(election, objection.filed_on, objection.received_on)
    # The one date rule: not in the future, not before the objection was received; past the 3 days
    # of R10 the decision is still owed, so it is recorded late with its reason written (the note).
    check_dated_fact(
        election,
        "异议处理日期",
        decided_on,
        after=[("异议受理日期", objection.received_on)],
        deadline=times.decision_deadline,
        late_allowed=True,
        explanation=note,
        error=RegistrationRefused,
    )
    if times.on_time is not True and decision != Objection.NOT_ACCEPTED:
        if times.list_published is None:
            why = "选民名单尚未公布（未记录公布日期）"
        else:
            why = (
                f"选民名单于{times.list_published.isoformat()}公布，异议应在{times.objection_deadline.isoformat()}"
                f"前提出，本异议于{objection.filed_on.isoformat()}提出"
            )
        raise RegistrationRefused(f"{why}，只能作“超过期限不予受理”处理。")
    late = times.decision_deadline is not None and decided_on > times.decision_deadline
    with transaction.atomic():
        message = ""
        if decision == Objection.UPHELD:
            reg = VoterRegistration.objects.filter(election=election, person=objection.about).first()
            if objection.kind == Objection.ADD:
                register_voter(
                    actor,
                    election,
                    objection.about,
                    category,
                    evidence=evidence,
                    reason=f"异议成立，依{decided_on.isoformat()}处理决定登记",
                    registered_on=decided_on,
                )
                message = f"已将{objection.about.name}列入选民名单。"
            elif objection.kind == Objection.REMOVE:
                if reg is None or reg.status != VoterRegistration.REGISTERED:
                    raise RegistrationRefused(f"{objection.about.name}不在本村选民名单中，无需除名。")
                remove_voter(
                    actor, reg, f"异议成立（{decided_on.isoformat()}处理决定）：{note or objection.content}"
                )
                message = f"已将{objection.about.name}从选民名单中除名。"
            else:
                message = "异议成立，请在人员库中更正登记信息。"
        before = {"decision": objection.decision, "decided_on": None}
        objection.decision = decision
        objection.decided_on = decided_on
        objection.decision_note = note
        objection.save(update_fields=["decision", "decided_on", "decision_note"])
        audit.record(
            actor,
            "voters.objection.decide",
            objection,
            region_code=election.organization.code,
            changes=audit.diff(before, {"decision": decision, "decided_on": decided_on})
            | ({"late": [None, True]} if late else {}),
            object_repr=f"{objection.objector_name}对{objection.about.name}的异议",
        )
    if late:
        message += f"注意：处理日期晚于法定期限（最迟{times.decision_deadline.isoformat()}）。"
    return DecisionOutcome(objection, late, message)


# --- counts -------------------------------------------------------------------------------------


def age_band_label(low: int, high: int | None) -> str:
    return f"{low}岁以上" if high is None else f"{low}–{high}岁"


def counts(registrations, election_date: dt.date) -> dict:
    """Counts of registered voters by category, group, gender and age band on the election day.

    An age band [low, high] is born in (election − (high+1) years, election − low years] — the
    boundaries come from the engine's year arithmetic (R5: the birthday counts on the day itself).
    """
    qs = registrations.filter(status=VoterRegistration.REGISTERED)
    labels = dict(VoterRegistration.CATEGORY_CHOICES)
    by_category = {
        labels.get(c, c): n
        for c, n in qs.values_list("category").annotate(n=Count("id")).order_by("category")
    }
    from huanjie.elections.services import group_sort_key

    by_group = {
        g or "（未分组）": n
        for g, n in sorted(
            qs.values_list("group_name").annotate(n=Count("id")).order_by("group_name"),
            key=lambda row: group_sort_key(row[0] or ""),
        )
    }
    aggregates = {
        "total": Count("id"),
        "men": Count("id", filter=Q(person__gender="M")),
        "women": Count("id", filter=Q(person__gender="F")),
    }
    for low, high in AGE_BANDS:
        cond = Q(person__birth_date__lte=add_years(election_date, -low))
        if high is not None:
            cond &= Q(person__birth_date__gt=add_years(election_date, -(high + 1)))
        for g in ("M", "F"):
            aggregates[f"band_{low}_{g}"] = Count("id", filter=cond & Q(person__gender=g))
    agg = qs.aggregate(**aggregates)
    bands = [
        {"label": age_band_label(lo, hi), "men": agg[f"band_{lo}_M"], "women": agg[f"band_{lo}_F"]}
        for lo, hi in AGE_BANDS
    ]
    return {
        "total": agg["total"],
        "men": agg["men"],
        "women": agg["women"],
        "by_category": by_category,
        "by_group": by_group,
        "age_bands": bands,
    }


def _band_conditions(election_date: dt.date) -> list[Q]:
    """Birth-date ranges of the age bands on ``election_date``: age_on(birth, day) ≥ low exactly when
    birth ≤ add_years(day, −low) — the engine's year arithmetic (29 February → 28 February)."""
    out = []
    for low, high in AGE_BANDS:
        cond = Q(person__birth_date__lte=add_years(election_date, -low))
        if high is not None:
            cond &= Q(person__birth_date__gt=add_years(election_date, -(high + 1)))
        out.append(cond)
    return out


def village_counts(elections: Iterable[Election]) -> dict[int, dict]:
    """Registered voters of many elections at once (township and county pages): per election id,
    ``total``, ``M``, ``F``, ``categories`` {code: n} and ``age_bands`` [n per AGE_BANDS], ages on each
    village's own election day. One query per distinct election day, grouped in the database."""
    by_day: dict[dt.date, list[int]] = {}
    for e in elections:
        by_day.setdefault(e.election_date, []).append(e.pk)
    out: dict[int, dict] = {}
    wanted = [pk for ids in by_day.values() for pk in ids]
    out.update(voter_counts.cached(wanted))
    fresh: dict[int, dict] = {}
    for day, ids in by_day.items():
        ids = [pk for pk in ids if pk not in out]
        if not ids:
            continue
        bands = {f"b{i}": Count("id", filter=c) for i, c in enumerate(_band_conditions(day))}
        rows = (
            VoterRegistration.objects.filter(election_id__in=ids, status=VoterRegistration.REGISTERED)
            .values_list("election_id", "category", "person__gender")
            .annotate(n=Count("id"), **bands)
            .order_by()
        )
        for election_id, category, gender, n, *band_counts in rows:
            d = fresh.setdefault(
                election_id, {"total": 0, "M": 0, "F": 0, "categories": {}, "age_bands": [0] * len(AGE_BANDS)}
            )
            d["total"] += n
            d["F" if gender == "F" else "M"] += n
            d["categories"][category] = d["categories"].get(category, 0) + n
            d["age_bands"] = [a + b for a, b in zip(d["age_bands"], band_counts, strict=True)]
        # An election without voters is cached too, as zeros, and left out of the answer as before.
        for pk in ids:
            fresh.setdefault(pk, {"total": 0, "M": 0, "F": 0, "categories": {}, "age_bands": [0] * len(AGE_BANDS)})
    voter_counts.store(fresh)
    out.update(fresh)
    return {pk: d for pk, d in out.items() if d["total"]}
