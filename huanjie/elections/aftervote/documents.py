"""Printable documents of the result: 选举结果公告, 选举结果报告单, 当选证书 and the 计票单 as filled in.

The figures come from the counting forms (what the counting teams read from paper) and from the
engine's stored decision (``RoundResult.output``: base, threshold, tally, elected, unfilled); the
documents only lay them out. The public notice names written-in people who were not elected with
their vote count only (domain §5: "such a person who is not elected gets only the vote count
published"); gender and age are printed for the elected only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from huanjie.documents.render.pdf import TableSpec, certificate_pdf, notice_pdf, table_pdf
from huanjie.elections import kinds
from huanjie.elections.aftervote.services import REASON_ZH, counted_forms, percent
from huanjie.elections.models import Election, Post, Round, VoterRegistration
from huanjie.elections.nomination.models import Candidate
from huanjie.elections.registration.documents import GENDER_ZH, zh_date
from huanjie.elections.services import ElectionError
from huanjie.elections.voting.models import CountingForm, CountingLine, ElectedMember, RoundResult
from huanjie.rules.dates import age_on

ROUND_KIND_ZH = dict(Round.KIND_CHOICES)


@dataclass
class Line:
    name: str
    votes: int
    elected: bool = False
    void: bool = False
    write_in: bool = False


@dataclass
class PostTally:
    post: Post | None
    label: str
    seats: int | None
    lines: list[Line] = field(default_factory=list)


@dataclass
class RoundFigures:
    round: Round
    output: dict
    issued: int
    returned: int
    blank: int
    invalid: int
    stations: int
    posts: list[PostTally]

    @property
    def valid(self) -> int:
        # A blank ballot is a valid ballot with no selection (R26); invalid ballots still count in
        # the base (R23), which the engine reports as participation_base.
        return self.returned - self.invalid

    @property
    def label(self) -> str:
        return f"第{self.round.number}轮（{ROUND_KIND_ZH.get(self.round.kind, self.round.kind)}）"

    def threshold_text(self) -> str:
        out = self.output
        if not out.get("election_valid", False):
            return "投票无效，不计算当选票数"
        threshold, base = out.get("threshold"), out.get("participation_base")
        if threshold is None:
            return "得票多者当选（再次投票不设过半数要求）"
        if self.round.kind == Round.RUNOFF:
            return f"{threshold} 票（得票多且不少于参选人数 {base} 的三分之一）"
        return f"{threshold} 票（超过参选人数 {base} 的半数）"


def _post_index(election: Election) -> dict[str, Post]:
    index: dict[str, Post] = {}
    for p in election.posts.all():
        index.setdefault(p.code, p)
        index[p.name] = p
    return index


def _tallies(output: dict, posts: dict[str, Post]) -> dict[str, dict]:
    """The engine's tally as {post key: {name: votes}} (one race is given flat, engine.md §1)."""
    tally = output.get("tally") or {}
    if tally and all(isinstance(v, int) for v in tally.values()):
        keys = [e.get("post") for e in output.get("elected") or []] + [
            u.get("post") for u in output.get("unfilled") or []
        ]
        key = next((k for k in keys if k), None)
        if key is None:
            distinct = {p.pk: p for p in posts.values()}
            key = next(iter(distinct.values())).name if len(distinct) == 1 else ""
        return {key: tally}
    return tally


def round_figures(election: Election) -> list[RoundFigures]:
    """Every counted round with the form totals, the engine's output and each name's votes."""
    posts = _post_index(election)
    rounds = list(election.rounds.order_by("number"))
    results = {r.round_id: r.output for r in RoundResult.objects.filter(round__in=rounds)}
    forms = counted_forms([r.pk for r in rounds])
    write_ins: dict[tuple[int, int], set[str]] = {}
    for round_id, post_id, name in CountingLine.objects.filter(form__in=forms, write_in=True).values_list(
        "form__round_id", "post_id", "name"
    ):
        write_ins.setdefault((round_id, post_id), set()).add(name)
    candidates: dict[int, set[str]] = {}
    for post_id, name in Candidate.objects.filter(election=election).values_list("post_id", "person__name"):
        candidates.setdefault(post_id, set()).add(name)
    members: dict[tuple[int, int], dict[str, str]] = {}
    for m in ElectedMember.objects.filter(election=election):
        members.setdefault((m.round_id, m.post_id), {})[m.name] = m.status
    out = []
    for rnd in rounds:
        if rnd.pk not in results:
            continue
        output = results[rnd.pk] or {}
        mine = [f for f in forms if f.round_id == rnd.pk]
        tallies = []
        for key, names in _tallies(output, posts).items():
            post = posts.get(key)
            pid = post.pk if post else None
            seated = members.get((rnd.pk, pid), {})
            known = candidates.get(pid, set())
            lines = [
                Line(
                    name=name,
                    votes=int(votes),
                    elected=seated.get(name) == ElectedMember.ELECTED,
                    void=seated.get(name) == ElectedMember.VOID,
                    write_in=name in write_ins.get((rnd.pk, pid), set())
                    or (bool(known) and name not in known),
                )
                for name, votes in sorted(names.items(), key=lambda kv: -int(kv[1]))
            ]
            tallies.append(PostTally(post, post.name if post else key, post.seats if post else None, lines))
        tallies.sort(key=lambda t: (t.post.rank if t.post else 99, t.label))
        out.append(
            RoundFigures(
                round=rnd,
                output=output,
                issued=sum(f.ballots_issued for f in mine),
                returned=sum(f.ballots_returned for f in mine),
                blank=sum(f.blank_ballots for f in mine),
                invalid=sum(f.invalid_ballots for f in mine),
                stations=len(mine),
                posts=tallies,
            )
        )
    return out


def registered_count(election: Election) -> int:
    return VoterRegistration.objects.filter(election=election, status=VoterRegistration.REGISTERED).count()


def elected_members(election: Election) -> list[ElectedMember]:
    return list(
        ElectedMember.objects.filter(election=election, status=ElectedMember.ELECTED)
        .select_related("post", "person", "round")
        .order_by("post__rank", "-votes", "id")
    )


def _electorate(election: Election, figures: list[RoundFigures]) -> int:
    """Registered voters; for kinds counted against attendance, 应到会人数 of the first round (R51)."""
    if kinds.hooks_for(election.kind).vote_inputs is None or not figures:
        return registered_count(election)
    inp = figures[0].output.get("input", {})
    return inp.get("expected_attendance") or len(inp.get("committee_members") or ())


def _term(election: Election) -> str:
    from huanjie.documents.render.pdf import chinese_number

    return f"第{chinese_number(election.campaign.term_number)}届"


def _heading(election: Election) -> str:
    """The organisation and term the titles start with (the kind's own, else the campaign's term)."""
    return kinds.wording(election).heading or f"{election.organization.name}{_term(election)}"


def _result_day(election: Election, figures: list[RoundFigures]) -> dt.date:
    held = [f.round.held_on for f in figures if f.round.held_on]
    return max(held) if held else election.election_date


def _unfilled_text(figures: list[RoundFigures]) -> list[str]:
    if not figures:
        return []
    last = figures[-1].output
    out = []
    for u in last.get("unfilled") or []:
        tail = "依法可以空缺" if last.get("may_remain_vacant") else "依法另行选举"
        out.append(f"{u.get('post', '')}尚缺 {u.get('seats', 0)} 名，{tail}。")
    return out


# ---------------------------------------------------------------- 选举结果公告


def results_notice_pdf(election: Election, date: dt.date | None = None) -> bytes:
    figures = round_figures(election)
    if not figures:
        raise ElectionError("该选举尚未计票，没有可以公告的结果。")
    registered = _electorate(election, figures)
    first = figures[0]
    day = date or _result_day(election, figures)
    words = kinds.wording(election)
    body = words.election_name
    turnout = percent(first.returned, registered)
    valid_text = (
        words.valid_text
        if first.output.get("election_valid")
        else f"选举无效（{REASON_ZH.get(first.output.get('reason') or '', '未说明原因')}）"
    )
    paragraphs = [
        f"{_heading(election)}{body}{words.vote}于 {zh_date(election.election_date)}举行。{words.electorate_in_notice} {registered} 名，"
        f"发出选票 {first.issued} 张，收回选票 {first.returned} 张"
        f"{f'（{words.turnout} {turnout}）' if turnout is not None else ''}，{valid_text}。"
        f"收回选票中有效票 {first.valid} 张，无效票 {first.invalid} 张。",
        f"根据{words.law}的规定，经{words.issuer}确认，现将{words.vote}结果公告如下：",
    ]
    for f in figures[1:]:
        paragraphs.append(
            f"{f.label}于 {zh_date(f.round.held_on or election.election_date)}举行，"
            f"发出选票 {f.issued} 张，收回选票 {f.returned} 张，有效票 {f.valid} 张，无效票 {f.invalid} 张。"
        )
    elected_rows = []
    for m in elected_members(election):
        person = m.person
        elected_rows.append(
            [
                m.post.name,
                m.name,
                GENDER_ZH.get(person.gender, "") if person else "",
                str(age_on(person.birth_date, election.election_date))
                if person and person.birth_date
                else "",
                f"{m.votes} 票",
            ]
        )
    tables = [
        TableSpec(
            columns=["职位", "姓名", "性别", "年龄", "得票"],
            rows=elected_rows or [["—", "无人当选", "", "", ""]],
            caption="当选人员名单",
        )
    ]
    for f in figures:
        rows = [
            [t.label, line.name + ("（另选他人）" if line.write_in else ""), f"{line.votes} 票"]
            for t in f.posts
            for line in t.lines
            if not line.elected
        ]
        if rows:
            tables.append(
                TableSpec(columns=["职位", "姓名", "得票"], rows=rows, caption=f"{f.label}其他人员得票情况")
            )
    closing = _unfilled_text(figures)
    return notice_pdf(
        f"{_heading(election)}{body}{words.vote}结果公告",
        paragraphs,
        issuer=words.issuer,
        date_text=zh_date(day),
        tables=tables,
        closing_paragraphs=closing,
        stamp=True,
    )


# ---------------------------------------------------------------- 选举结果报告单


def report_rows(election: Election, figures: list[RoundFigures], registered: int) -> list[list[str]]:
    rows = [[f"{kinds.wording(election).electorate}数", f"{registered} 人"]]
    for f in figures:
        out = f.output
        head = f"第{f.round.number}轮{ROUND_KIND_ZH.get(f.round.kind, '')}：" if len(figures) > 1 else ""
        rows += [
            [head + "投票日期", zh_date(f.round.held_on or election.election_date)],
            [head + "发出选票", f"{f.issued} 张"],
            [head + "收回选票", f"{f.returned} 张"],
            [head + "有效选票", f"{f.valid} 张（其中空白票 {f.blank} 张）"],
            [head + "无效选票", f"{f.invalid} 张"],
            [
                head + "选举是否有效",
                "有效"
                if out.get("election_valid")
                else "无效：" + REASON_ZH.get(out.get("reason") or "", ""),
            ],
            [head + "参选人数（计算基数）", f"{out.get('participation_base', f.returned)} 人"],
            [head + "当选所需票数", f.threshold_text()],
        ]
        for t in f.posts:
            for line in t.lines:
                mark = "当选" if line.elected else ("当选无效" if line.void else "未当选")
                who = line.name + ("（另选他人）" if line.write_in else "")
                rows.append([f"{head}{t.label}：{who}", f"{line.votes} 票，{mark}"])
    elected = elected_members(election)
    rows.append(["当选人员", "；".join(f"{m.post.name}{m.name}（{m.votes} 票）" for m in elected) or "无"])
    rows.append(["未选足名额", "；".join(_unfilled_text(figures)) or "无"])
    return rows


def report_pdf(election: Election) -> bytes:
    figures = round_figures(election)
    if not figures:
        raise ElectionError("该选举尚未计票，无法生成选举结果报告单。")
    registered = _electorate(election, figures)
    words = kinds.wording(election)
    # 填报日期 is the day the report was filled in and sent: the submission's day once submitted
    # (a result entered days after the vote is not reported on the election day), else today.
    from huanjie.elections.aftervote.locking import submission_of

    submission = submission_of(election)
    day = timezone.localtime(submission.submitted_at).date() if submission else timezone.localdate()
    return table_pdf(
        f"{_heading(election)}{words.election_name}{words.vote}结果报告单",
        ["项目", "内容"],
        report_rows(election, figures, registered),
        subtitle=f"报送单位：{words.issuer}　　报送：{words.report_to}　　填报日期：{zh_date(day)}",
        widths=[3, 4],
        signature_lines=[words.chair, "监票人", "计票人"],
        footer_lines=trust_lines(election),
    )


def trust_lines(election: Election) -> list[str]:
    """The anchors printed on the paper: the county audit chain's head as this document was made
    (count and keyed check code, so that a later truncation of the log is visible against the
    paper), and the seal recorded when the result was submitted."""
    from huanjie.accounts import audit
    from huanjie.accounts.models import AuditRecord

    chain = audit.chain_of(election.organization.code)
    lines = [audit.checkpoint_line(election.organization.code)]
    rec = (
        AuditRecord.objects.filter(
            chain=chain, object_type="elections.Election", object_id=str(election.pk),
            action__in=["result.submit", "result.resubmit"],
        ).order_by("-seq").first()
    )
    sealed = (rec.changes.get("seal") or [None, None])[1] if rec else None
    if sealed:
        code = sealed["seal"][:16].upper()
        lines.append(f"结果封印（报送时，审计链第 {rec.seq} 条）：{'-'.join(code[i:i + 4] for i in range(0, 16, 4))}")
    return lines


# ---------------------------------------------------------------- 当选证书


def certificates_pdf(election: Election, date: dt.date | None = None) -> bytes:
    members = elected_members(election)
    if not members:
        raise ElectionError("该选举尚无当选人员，无法打印当选证书。")
    day = date or _result_day(election, round_figures(election))
    words = kinds.wording(election)
    items = [
        {
            "name": m.name,
            "village": election.organization.name,
            "term": election.campaign.term_number,
            "post": m.post.name,
            "committee": words.body,
            "elected_by": words.elected_by,
            "vote": words.vote,
        }
        for m in members
    ]
    return certificate_pdf(items, issuer=words.issuer, date_text=zh_date(day))


# ---------------------------------------------------------------- 计票单


def counting_form_pdf(form: CountingForm) -> bytes:
    rnd = form.round
    election = rnd.election
    lines = list(form.lines.select_related("post").order_by("post__rank", "-votes", "id"))
    rows = [
        [line.post.name, line.name, "另选他人" if line.write_in else "候选人", str(line.votes)]
        for line in lines
    ]
    per_post: dict[str, int] = {}
    for line in lines:
        per_post[line.post.name] = per_post.get(line.post.name, 0) + line.votes
    # The returned ballots split into three parts that add up (R23): valid ones without the
    # blanks, blanks, invalid ones; the sum is printed so that the sheet can be checked by eye.
    valid_not_blank = form.ballots_returned - form.invalid_ballots - form.blank_ballots
    parts = valid_not_blank + form.blank_ballots + form.invalid_ballots
    footer = [
        f"发出选票 {form.ballots_issued} 张；收回选票 {form.ballots_returned} 张，其中有效票（不含空白票）"
        f"{valid_not_blank} 张、空白票 {form.blank_ballots} 张、废票 {form.invalid_ballots} 张，"
        f"合计 {parts} 张。",
        "各职位得票合计：" + ("；".join(f"{k} {v} 票" for k, v in per_post.items()) or "无"),
        f"录入方式：{form.get_method_display()}；第 {form.entry} 次录入；状态：{form.get_status_display()}；"
        f"录入时间：{timezone.localtime(form.updated_at):%Y-%m-%d %H:%M}。",
    ]
    if form.resolution_note:
        footer.append(f"双录不一致的处理意见：{form.resolution_note}")
    return table_pdf(
        f"{election.organization.name}{ROUND_KIND_ZH.get(rnd.kind, '')}计票单",
        ["职位", "姓名", "类别", "得票"],
        rows or [["—", "无得票记录", "", "0"]],
        subtitle=f"{form.station.name}　　第 {rnd.number} 轮　　投票日期：{zh_date(rnd.held_on or election.election_date)}",
        widths=[2, 3, 2, 1.5],
        footer_lines=footer,
        signature_lines=["唱票人", "计票人", "监票人"],
    )


def handover_pdf(election: Election) -> bytes:
    """工作移交清单 (R41, P20): the seals, the files and the 三资 handed over, with who handed, who
    received, who supervised and the date; lines for the three signatures. Refused before anything
    was recorded (an empty list would say nothing true)."""
    from huanjie.elections.aftervote import services as aftervote

    status = aftervote.handover_status(election)
    rows = [
        [
            r["label"],
            r["item"].description or "—",
            zh_date(r["item"].handed_over_on) if r["item"].handed_over_on else "—",
            r["item"].handed_by or "—",
            r["item"].received_by or "—",
            r["item"].supervised_by or "—",
            "已签字" if r["item"].signed else "未签字",
        ]
        for r in status.items
        if r["item"] is not None
    ]
    if not rows:
        raise ElectionError("尚未登记工作移交，无法生成工作移交清单。")
    footer = []
    if status.deadline is not None:
        footer.append(f"移交期限：新一届委员会产生之日起 10 日内，即 {zh_date(status.deadline)} 前。")
    missing = [r["label"] for r in status.items if r["item"] is None or not r["item"].signed]
    if missing:
        footer.append("尚未完成签字移交：" + "、".join(missing) + "。")
    return table_pdf(
        f"{_heading(election)}{kinds.wording(election).election_name}工作移交清单",
        ["移交事项", "清单说明", "移交日期", "移交人", "接收人", "监交人", "签字"],
        rows,
        subtitle=f"移交单位：{election.organization.name}",
        footer_lines=footer,
        signature_lines=["移交人", "接收人", "监交人"],
        whole=[2, 3, 4, 5, 6],  # dates, names and 已签字 never break; the items and lists may
    )
