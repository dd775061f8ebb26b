"""Checks of a counting form (计票单), in the style of the Dutch Kiesraad's Abacus.

A counting form is what a counting team reads off the paper after the count: ballots issued,
returned, blank, invalid and valid, and per post the votes of each candidate and each written-in
person (另选他人). Before the form is saved, :func:`check_form` looks at its arithmetic:

* ``F`` codes (errors) block saving: the paper or the typing is wrong and must be corrected;
* ``W`` codes (warnings) let the form be saved once a person acknowledges them: the numbers are
  possible but unusual, so the paper is looked at again;
* ``D.01`` marks two independent entries of the same paper form that differ (double entry):
  :func:`compare_entries` lists the differences field by field.

:data:`CODES` is the registry of every code: ``{code: (severity, title_zh, explanation_zh)}``.
Pure Python, integer arithmetic only (rules.md §2): the shares of W.01–W.03 are compared by
cross-multiplication (``invalid*10 > returned``), never by division.

"Valid ballots" (``valid``) on the form are the valid ballots with at least one mark: the paper
form splits the returned ballots into 有效票, 空白票 and 废票 (blank ballots are valid under R26 but
carry no vote, so they do not count towards what a post may receive).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "CODES",
    "DIFFERENCE",
    "ERROR",
    "WARNING",
    "Difference",
    "Finding",
    "FormCount",
    "Line",
    "PostCount",
    "WARN_INVALID_SHARE",
    "WARN_LOW_RETURN",
    "WARN_WRITE_IN_SHARE",
    "check_form",
    "compare_entries",
    "errors",
    "warnings",
]

ERROR, WARNING, DIFFERENCE = "error", "warning", "difference"

# W.01: more than one ballot in ten invalid (invalid*10 > returned).
WARN_INVALID_SHARE = (1, 10)
# W.02: a written-in person with at least a fifth of the valid ballots (votes*5 >= valid).
WARN_WRITE_IN_SHARE = (1, 5)
# W.03: a box returned less than eight in ten of the ballots it issued (returned*10 < issued*8).
WARN_LOW_RETURN = (8, 10)

CODES: dict[str, tuple[str, str, str]] = {
    "F.01": (
        ERROR,
        "收回选票多于发出选票",
        "收回的选票数不得多于发出的选票数；多于发出数的，本次投票无效，应重新投票（R25）。请核对发票登记和收回的选票。",
    ),
    "F.02": (
        ERROR,
        "职位得票总数超过选票允许的票数",
        "每张有效票对一个职位最多选应选名额数的人，某职位全部得票之和不得多于“有效票数×应选名额”（R26）。",
    ),
    "F.03": (
        ERROR,
        "计票单合计数不符",
        "有效票、空白票与废票之和应等于收回选票数；填写了某职位得票合计的，合计应等于该职位各人得票之和。",
    ),
    "F.04": (
        ERROR,
        "一人得票多于有效票",
        "每张有效票对同一人只能计一票，任何人的得票不得多于有效票数（R26）。",
    ),
    "F.05": (
        ERROR,
        "数字缺失或不是非负整数",
        "计票单上的每个数字都必须填写，且为 0 或正整数。",
    ),
    "F.06": (
        ERROR,
        "另选他人的姓名缺失或重复",
        "另选他人有得票的必须写明姓名；同一职位中同一姓名只能录入一行；写了候选人姓名的应计入该候选人的得票。",
    ),
    "F.07": (
        ERROR,
        "收回选票多于登记选民",
        "收回的选票数不得多于本村登记的选民人数（R23、R24）。",
    ),
    "F.08": (
        ERROR,
        "再次投票中出现另选他人",
        "得票相等的再次投票只在得票相等的人中进行，另选他人的票不计，不应录入（R29）。",
    ),
    "F.09": (
        ERROR,
        "妇女委员职位的另选他人未注明性别",
        "妇女委员职位单列的，只计妇女的得票；另选他人有得票的，须注明其性别（R36）。",
    ),
    "W.01": (
        WARNING,
        "废票比例较高",
        "废票超过收回选票的十分之一。请再次核对废票的认定，并确认计票单与选票一致。",
    ),
    "W.02": (
        WARNING,
        "另选他人得票较多",
        "有另选他人的得票达到有效票的五分之一以上。请核对姓名是否写对、是否为同一人，必要时复核选票。",
    ),
    "W.03": (
        WARNING,
        "收回选票明显少于发出选票",
        "收回的选票少于发出选票的十分之八。请核对发票登记、流动票箱和未投入票箱的选票。",
    ),
    "W.04": (
        WARNING,
        "妇女委员职位上男性的得票不计入",
        "妇女委员职位单列的，男性的得票不计入（R36）。请确认录入的性别和得票无误。",
    ),
    "D.01": (
        DIFFERENCE,
        "两次录入不一致",
        "同一张计票单由两名录入员分别录入，两次录入的数字不一致。请对照纸质计票单核对；只有两次一致，"
        "或由选举委员会主任记录处理意见后，计票单才被采用。",
    ),
}


@dataclass(frozen=True)
class Line:
    """One name on one post: a listed candidate or a written-in person (``write_in``)."""

    name: str
    votes: int | None
    write_in: bool = False
    gender: str | None = None  # "M" / "F" when known


@dataclass(frozen=True)
class PostCount:
    """One post of the form. ``total`` is the post's 合计 where the paper form has one.

    ``women_only``: the separate 妇女委员 post (R36 dedicated_post). ``candidates_only``: a tie
    re-vote, where only the tied people can receive votes (R29).
    """

    post: str
    seats: int
    lines: tuple[Line, ...] = ()
    total: int | None = None
    women_only: bool = False
    candidates_only: bool = False


@dataclass(frozen=True)
class FormCount:
    """The numbers of one counting form. ``registered`` (the village's registered voters) is optional."""

    issued: int | None
    returned: int | None
    blank: int | None
    invalid: int | None
    valid: int | None
    posts: tuple[PostCount, ...] = ()
    registered: int | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    field: str  # what to highlight: "returned", "post:<post>", "line:<post>:<name>"
    message: str  # Chinese, naming the numbers

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def title(self) -> str:
        return CODES[self.code][1]

    @property
    def explanation(self) -> str:
        return CODES[self.code][2]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "title": self.title,
            "message": self.message,
        }


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    first: object
    second: object


@dataclass
class _Out:
    items: list[Finding] = field(default_factory=list)

    def add(self, code: str, where: str, message: str) -> None:
        self.items.append(Finding(code, where, message))


def _is_count(value: object) -> bool:
    return type(value) is int and value >= 0


_HEAD = (
    ("issued", "发出选票"),
    ("returned", "收回选票"),
    ("valid", "有效票"),
    ("blank", "空白票"),
    ("invalid", "废票"),
)


def check_form(form: FormCount) -> list[Finding]:
    """Every F and W finding of one counting form, in form order (head numbers, then post by post).

    * F.05 — a number is missing, negative or not an integer (checked first: the sums need them).
    * F.01 — ``returned > issued`` (R25).
    * F.07 — ``returned > registered`` when the registered voters are given.
    * F.03 — ``valid + blank + invalid != returned``; a post's ``total`` differs from its lines' sum.
    * F.06 — a write-in with votes but no name; a name twice on a post; a write-in named like a
      listed candidate of the post.
    * F.04 — one name with more votes than valid ballots (one vote per ballot, R26).
    * F.02 — a post's votes more than ``valid × seats`` (R26: at most ``seats`` marks per ballot).
    * F.08 — a write-in with votes in a tie re-vote (R29: only the tied can receive votes).
    * F.09 — a write-in with votes on the women-only post without a gender (R36).
    * W.01 — ``invalid*10 > returned``; W.02 — a write-in with ``votes*5 >= valid`` (and votes > 0);
      W.03 — ``returned*10 < issued*8``; W.04 — a man with votes on the women-only post (R36).
    """
    out = _Out()
    head_ok = True
    for key, label in _HEAD:
        value = getattr(form, key)
        if not _is_count(value):
            head_ok = False
            out.add("F.05", key, f"{label}：应填写 0 或正整数，收到“{'' if value is None else value}”")
    if form.registered is not None and not _is_count(form.registered):
        head_ok = False
        out.add("F.05", "registered", f"登记选民数应为非负整数，收到“{form.registered}”")
    lines_ok = True
    for p in form.posts:
        if not (type(p.seats) is int and p.seats >= 1):
            lines_ok = False
            out.add("F.05", f"post:{p.post}", f"{p.post}应选名额应为正整数，收到“{p.seats}”")
        if p.total is not None and not _is_count(p.total):
            lines_ok = False
            out.add("F.05", f"post:{p.post}", f"{p.post}得票合计应为非负整数，收到“{p.total}”")
        for ln in p.lines:
            if not _is_count(ln.votes):
                lines_ok = False
                who = ln.name or "另选他人（未写姓名）"
                shown = "" if ln.votes is None else ln.votes
                out.add(
                    "F.05", f"line:{p.post}:{ln.name}", f"{p.post}“{who}”的得票应为 0 或正整数，收到“{shown}”"
                )

    issued, returned, blank, invalid, valid = form.issued, form.returned, form.blank, form.invalid, form.valid
    if head_ok:
        if returned > issued:
            out.add("F.01", "returned", f"收回选票 {returned} 张，多于发出的 {issued} 张")
        if form.registered is not None and returned > form.registered:
            out.add("F.07", "returned", f"收回选票 {returned} 张，多于登记选民 {form.registered} 人")
        if valid + blank + invalid != returned:
            out.add(
                "F.03",
                "returned",
                f"有效票 {valid} + 空白票 {blank} + 废票 {invalid} = {valid + blank + invalid}，"
                f"与收回选票 {returned} 张不符",
            )

    for p in form.posts:
        candidates = {ln.name for ln in p.lines if not ln.write_in}
        seen: set[str] = set()
        for ln in p.lines:
            where = f"line:{p.post}:{ln.name}"
            counted = _is_count(ln.votes) and ln.votes > 0
            name = (ln.name or "").strip()
            if ln.write_in and not name:
                if counted:
                    out.add("F.06", where, f"{p.post}有一行另选他人得 {ln.votes} 票，但未写姓名")
                continue
            if ln.write_in and name in candidates:
                out.add(
                    "F.06", where, f"{p.post}另选他人“{name}”与候选人同名：写候选人姓名的票应计入该候选人"
                )
            elif name in seen:
                out.add("F.06", where, f"{p.post}中“{name}”录入了两行，请合并为一行")
            seen.add(name)
            if not counted:
                continue
            if head_ok and ln.votes > valid:
                out.add("F.04", where, f"{p.post}“{name}”得 {ln.votes} 票，多于有效票 {valid} 张")
            if ln.write_in and p.candidates_only:
                out.add("F.08", where, f"再次投票只在得票相等的人中进行，“{name}”的 {ln.votes} 票不应录入")
            if ln.write_in and p.women_only and ln.gender not in ("M", "F"):
                out.add("F.09", where, f"{p.post}另选他人“{name}”得 {ln.votes} 票，请注明其性别")
        if not lines_ok:
            continue
        total = sum(ln.votes for ln in p.lines)
        if p.total is not None and p.total != total:
            out.add(
                "F.03", f"post:{p.post}", f"{p.post}各人得票之和为 {total} 票，与填写的合计 {p.total} 票不符"
            )
        if head_ok and type(p.seats) is int and total > valid * p.seats:
            out.add(
                "F.02",
                f"post:{p.post}",
                f"{p.post}得票合计 {total} 票，多于有效票 {valid} × 应选 {p.seats} 名 = {valid * p.seats} 票",
            )

    if head_ok:
        num, den = WARN_INVALID_SHARE
        if invalid * den > returned * num:
            out.add("W.01", "invalid", f"废票 {invalid} 张，超过收回选票 {returned} 张的十分之一")
        num, den = WARN_LOW_RETURN
        if returned * den < issued * num:
            out.add("W.03", "returned", f"收回选票 {returned} 张，少于发出选票 {issued} 张的十分之八")
    for p in form.posts:
        for ln in p.lines:
            if not (_is_count(ln.votes) and ln.votes > 0):
                continue
            where = f"line:{p.post}:{ln.name}"
            num, den = WARN_WRITE_IN_SHARE
            if head_ok and ln.write_in and ln.name and ln.votes * den >= valid * num:
                out.add(
                    "W.02",
                    where,
                    f"{p.post}另选他人“{ln.name}”得 {ln.votes} 票，达到有效票 {valid} 张的五分之一",
                )
            if p.women_only and ln.gender == "M":
                out.add("W.04", where, f"{p.post}“{ln.name}”为男性，所得 {ln.votes} 票不计入")
    return out.items


def errors(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]


def warnings(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == WARNING]


def compare_entries(first: FormCount, second: FormCount) -> list[Difference]:
    """D.01 — the fields in which two independent entries of the same paper form differ.

    Head numbers are compared one by one; lines by post and name (a name present in one entry
    only is a difference with ``None`` on the other side); a post's ``total`` likewise.
    """
    out: list[Difference] = []
    for key, label in _HEAD:
        a, b = getattr(first, key), getattr(second, key)
        if a != b:
            out.append(Difference(key, label, a, b))
    posts_a = {p.post: p for p in first.posts}
    posts_b = {p.post: p for p in second.posts}
    for name in list(dict.fromkeys([*posts_a, *posts_b])):
        pa, pb = posts_a.get(name), posts_b.get(name)
        if pa is None or pb is None:
            out.append(Difference(f"post:{name}", name, pa is not None, pb is not None))
            continue
        if pa.total != pb.total:
            out.append(Difference(f"post:{name}", f"{name}合计", pa.total, pb.total))
        la = {(ln.name, ln.write_in): ln for ln in pa.lines}
        lb = {(ln.name, ln.write_in): ln for ln in pb.lines}
        for key in list(dict.fromkeys([*la, *lb])):
            a, b = la.get(key), lb.get(key)
            va = a.votes if a else None
            vb = b.votes if b else None
            label = f"{name}“{key[0]}”" + ("（另选他人）" if key[1] else "")
            if va != vb and not (va in (None, 0) and vb in (None, 0) and key[1]):
                out.append(Difference(f"line:{name}:{key[0]}", label, va, vb))
            elif a and b and a.gender != b.gender and key[1]:
                out.append(Difference(f"line:{name}:{key[0]}", f"{label}性别", a.gender, b.gender))
    return out
