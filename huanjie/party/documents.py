"""The party election's own documents, with the documents app's renderers (PDF and Word):
the recommendation tallies, the 公示 of the preliminary candidates, the branch's 请示 and the
township's 批复, the meeting notice and the 清点人数报告. The ballots, 计票单, result report and
certificates are the election machinery's own documents (the party kinds' wording)."""

from __future__ import annotations

import datetime as dt

from huanjie.documents.render.pdf import TableSpec, notice_pdf
from huanjie.documents.render.word import notice_docx
from huanjie.elections.models import Candidate
from huanjie.elections.registration.documents import GENDER_ZH, zh_date
from huanjie.elections.services import ElectionError
from huanjie.party import services
from huanjie.party.models import PartyElection
from huanjie.rules.dates import age_on
from huanjie.rules.party import EXCLUSION_SITUATIONS
from huanjie.rules.profile_versions import cite_message
from huanjie.rules.strokes import stroke_sort_key


class DocumentError(services.PartyError, ElectionError):
    """A document that cannot be made yet (the archive lists it as not filed, with this reason)."""


def _township(pe: PartyElection) -> str:
    parent = pe.election.organization.parent
    return f"中共{parent.name}委员会" if parent else "乡镇党委"


def _preliminary(pe: PartyElection) -> list[Candidate]:
    cands = Candidate.objects.filter(election=pe.election, status=Candidate.ACTIVE).select_related("person")
    return sorted(cands, key=lambda c: stroke_sort_key(c.person.name))  # R55: surname strokes


def _people_rows(pe: PartyElection, cands: list[Candidate]) -> list[list[str]]:
    day = pe.election.election_date
    return [[c.person.name, GENDER_ZH.get(c.person.gender, ""), str(age_on(c.person.birth_date, day))]
            for c in cands]


def tallies_pdf(pe: PartyElection) -> bytes:
    """The recommendation tallies, each meeting in its own column (never added together)."""
    table = services.tally_table(pe)
    if not table["rows"]:
        raise DocumentError("尚未登记推荐票数。")
    columns = ["姓名"] + [f"{m.get_kind_display()}（{zh_date(m.held_on)}，应到{m.expected}人，实到{m.present}人）"
                          for m in table["meetings"]]
    rows = [[r["person"].name, *[f"{n} 票" for n in r["cells"]]] for r in table["rows"]]
    return notice_pdf(
        f"{pe.branch.name}换届推荐情况公布",
        [f"根据{pe.get_method_display()}的有关规定，现将新一届委员会委员推荐票数公布如下（各推荐方式分别统计）："],
        issuer=pe.branch.name, date_text=zh_date(max(m.held_on for m in table["meetings"])),
        tables=[TableSpec(columns, rows)], stamp=True,
    )


def preliminary_notice_pdf(pe: PartyElection) -> bytes:
    window = services.notice_window(pe)
    if not pe.preliminary_decided_on or window is None:
        raise DocumentError("预备人选尚未确定或尚未登记公示日期。")
    cands = _preliminary(pe)
    seats = pe.election.posts.get(code="committee_member").seats
    return notice_pdf(
        f"{pe.branch.name}新一届委员会委员候选人预备人选公示",
        [f"经党组织研究，确定新一届委员会委员候选人预备人选{len(cands)}名（应选{seats}名），按姓氏笔画为序公示如下。",
         f"公示时间：{zh_date(window[0])}至{zh_date(window[1])}。"],
        issuer=pe.branch.name, date_text=zh_date(window[0]),
        tables=[TableSpec(["姓名", "性别", "年龄"], _people_rows(pe, cands))],
        closing_paragraphs=[f"公示期间，如有异议，请于{zh_date(window[1])}前向{_township(pe)}组织办反映。"],
        stamp=True,
    )


def open_round_notice_pdf(pe: PartyElection) -> bytes:
    """公推直选's first 公示: the 海推 result (seed 001), each person's votes."""
    window = services.notice_windows(pe).get("open_round")
    meeting = pe.election.party_meetings.filter(kind="open_round").first()
    if window is None or meeting is None:
        raise DocumentError("海推结果尚未登记或尚未登记公示日期。")
    rows = [[t.person.name, GENDER_ZH.get(t.person.gender, ""), f"{t.votes} 票"]
            for t in meeting.tallies.select_related("person").order_by("-votes", "id")]
    return notice_pdf(
        f"{pe.branch.name}换届公推直选海推结果公示",
        [f"{zh_date(meeting.held_on)}，我村党组织通过组织推荐、十人联名推荐和个人自荐进行海推，应到{meeting.expected}人，"
         f"实到{meeting.present}人。现将海推结果公示如下（按得票多少为序）。",
         f"公示时间：{zh_date(window[0])}至{zh_date(window[1])}。"],
        issuer=pe.branch.name, date_text=zh_date(window[0]),
        tables=[TableSpec(["姓名", "性别", "得票"], rows)],
        closing_paragraphs=[f"公示期间，如有异议，请于{zh_date(window[1])}前向{_township(pe)}组织办反映。"],
        stamp=True,
    )


def initial_notice_pdf(pe: PartyElection) -> bytes:
    """公推直选's second 公示: the initial candidates after the township's inspection (seed 001)."""
    window = services.notice_windows(pe).get("initial")
    if window is None:
        raise DocumentError("尚未登记初步人选考察公示日期。")
    noms = sorted(services.nominees(pe), key=lambda n: stroke_sort_key(n.candidate.person.name))
    day = pe.election.election_date
    rows = [[n.candidate.person.name, GENDER_ZH.get(n.candidate.person.gender, ""),
             str(age_on(n.candidate.person.birth_date, day)), n.get_proposed_post_display() or "委员",
             n.inspected_by or "", f"称职{n.rating_competent or 0}、基本称职{n.rating_basic or 0}、"
                                   f"不称职{n.rating_incompetent or 0}"] for n in noms]
    return notice_pdf(
        f"{pe.branch.name}新一届委员会候选人初步人选考察公示",
        [f"经{_township(pe)}资格审查和考察，现将新一届委员会候选人初步人选{len(rows)}名按姓氏笔画为序公示如下。",
         f"公示时间：{zh_date(window[0])}至{zh_date(window[1])}。"],
        issuer=_township(pe), date_text=zh_date(window[0]),
        tables=[TableSpec(["姓名", "性别", "年龄", "拟任", "考察组织", "民主测评"], rows)],
        closing_paragraphs=[f"公示期间，如有异议，请于{zh_date(window[1])}前向{_township(pe)}组织办反映。"],
        stamp=True,
    )


def objections_xlsx(pe: PartyElection) -> bytes:
    """The register of objections received during the 公示 and their handling (Excel)."""
    from huanjie.documents.render.excel import SheetSpec, workbook_bytes

    rows = [[i, o.get_notice_display(), o.received_on.isoformat(), o.from_whom or "匿名",
             o.about.name if o.about else "", o.content, o.handled_on.isoformat() if o.handled_on else "未办结",
             o.handled_by, o.get_outcome_display(), o.handling] for i, o in enumerate(services.objections(pe), 1)]
    return workbook_bytes([SheetSpec(
        name="公示反映登记", title=f"{pe.branch.name}换届公示期间反映登记表",
        columns=["序号", "公示", "收到日期", "反映人", "涉及人员", "反映内容", "办理日期", "办理单位", "核查结论", "处理意见"],
        rows=rows)])


def _request_parts(pe: PartyElection):
    if not pe.preliminary_decided_on:
        raise DocumentError("预备人选尚未确定，不能生成请示。")
    cands = _preliminary(pe)
    seats = pe.election.posts.get(code="committee_member").seats
    window = services.notice_window(pe)
    title = f"关于{pe.branch.name}新一届委员会委员候选人预备人选的请示"
    paragraphs = [
        f"{_township(pe)}：",
        f"根据换届工作安排，我村党组织按照{pe.get_method_display()}程序，经推荐、资格审查和考察，研究确定新一届委员会"
        f"委员候选人预备人选{len(cands)}名（应选{seats}名，差额{len(cands) - seats}名）"
        + (f"，并于{zh_date(window[0])}至{zh_date(window[1])}进行了公示" if window else "")
        + "。现将名单报上，请予审批。",
    ]
    return title, paragraphs, [TableSpec(["姓名", "性别", "年龄"], _people_rows(pe, cands))]


def request_pdf(pe: PartyElection) -> bytes:
    title, paragraphs, tables = _request_parts(pe)
    if pe.request_number:
        paragraphs = [pe.request_number, *paragraphs]
    return notice_pdf(title, paragraphs, issuer=pe.branch.name, date_text=_date_text(pe.request_date),
                      tables=tables, stamp=True)


def request_docx(pe: PartyElection) -> bytes:
    title, paragraphs, tables = _request_parts(pe)
    if pe.request_number:
        paragraphs = [pe.request_number, *paragraphs]
    return notice_docx(title, paragraphs, pe.branch.name, _date_text(pe.request_date), tables)


def _approval_parts(pe: PartyElection):
    if not pe.approved:
        raise DocumentError("乡镇党委尚未批复。")
    cands = _preliminary(pe)
    title = f"关于同意{pe.branch.name}新一届委员会委员候选人预备人选的批复"
    paragraphs = [
        f"{pe.branch.name}：",
        f"你村党组织《关于新一届委员会委员候选人预备人选的请示》（{pe.request_number}）收悉。经研究，同意"
        + "、".join(c.person.name for c in cands)
        + f"（共{len(cands)}名）同志为新一届委员会委员候选人预备人选，提交{pe.get_body_display()}选举。",
        f"请按照有关规定，认真组织好{pe.get_body_display()}选举工作。",
    ]
    return title, paragraphs


def approval_pdf(pe: PartyElection) -> bytes:
    title, paragraphs = _approval_parts(pe)
    return notice_pdf(title, [pe.approval_number, *paragraphs], issuer=_township(pe),
                      date_text=zh_date(pe.approval_date), red_header=_township(pe), red_line=True, stamp=True)


def approval_docx(pe: PartyElection) -> bytes:
    title, paragraphs = _approval_parts(pe)
    return notice_docx(title, [pe.approval_number, *paragraphs], _township(pe), zh_date(pe.approval_date))


def _date_text(day: dt.date | None) -> str:
    return zh_date(day) if day else "　　年　　月　　日"


def meeting_notice_pdf(pe: PartyElection) -> bytes:
    e = pe.election
    cands = _preliminary(pe)
    body = pe.get_body_display()
    congress = services.is_congress(pe)
    return notice_pdf(
        f"关于召开{pe.branch.name}{body}的通知",
        [
            "各位代表：" if congress else "全体党员：",
            f"经{_township(pe)}批复（{pe.approval_number or '待批复'}），定于{zh_date(e.election_date)}召开{body}，"
            f"差额选举产生新一届委员会。请{'各位代表' if congress else '全体党员'}按时参加，因故不能到会的应事先请假；"
            "不能委托他人投票。",
            "委员候选人（按姓氏笔画为序）：" + ("、".join(c.person.name for c in cands) or "待定") + "。",
        ],
        issuer=pe.branch.name, date_text=_date_text(pe.approval_date), stamp=True,
    )


def attendance_report_pdf(pe: PartyElection) -> bytes:
    """清点人数报告: members, without the vote by reason, left out with approvals, 应到, 实到, quorum."""
    e = pe.election
    result = services.attendance(e)
    congress = services.is_congress(pe)
    who = "代表" if congress else "党员"
    members = list(services.electorate(pe).select_related("person"))
    reasons: dict[str, int] = {}
    for m in members:
        v = services.vote_of(m, e.election_date)
        if not v.has_vote:
            reasons[v.reason] = reasons.get(v.reason, 0) + 1
    rows = [["代表总数" if congress else "党员总数", f"{len(members)} 人"]]
    rows += [[f"没有选举权：{why}", f"{n} 人"] for why, n in reasons.items()]
    rows.append([f"有选举权的{who}", f"{result.with_vote} 人"])
    for ex in result.excluded:
        rows.append([f"经批准不计入应到会人数：{ex['who']}", EXCLUSION_SITUATIONS.get(ex["code"], ex["situation"])])
    for st in result.stays_in_count:
        rows.append([f"仍计入应到会人数：{st['who']}", st["reason"]])
    rows += [["应到会人数", f"{result.expected_attendance} 人"], ["实到会有选举权的人数", f"{result.present_with_vote} 人"]]
    return notice_pdf(
        f"{pe.branch.name}{pe.get_body_display()}清点人数报告",
        [f"大会主持人、全体{who}：",
         cite_message(services.quorum_text(result, delegates=congress), e.profile().version)],
        issuer="监票人", date_text=zh_date(e.election_date),
        tables=[TableSpec(["项目", "人数"], rows)],
    )
