"""The archive package of one village's election (立卷归档): every notice, form and result as PDF,
the data as one Excel workbook, and the index (卷内目录) as PDF and as ``index.xlsx``, in one zip.

A document that cannot be produced yet (no voters registered, not counted) is left out and listed
in the index as missing with the reason, so the archive of an unfinished election says what is
not there instead of failing.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.utils import timezone

from huanjie.documents.render.excel import SheetSpec, workbook_bytes
from huanjie.documents.render.fonts import MissingGlyphError
from huanjie.documents.render.pdf import table_pdf
from huanjie.elections import kinds
from huanjie.elections.aftervote import documents as result_documents
from huanjie.elections.aftervote import services as aftervote_services
from huanjie.elections.models import Election, VoterRegistration
from huanjie.elections.nomination.models import Candidate
from huanjie.elections.registration import documents
from huanjie.elections.registration.documents import GENDER_ZH, zh_date
from huanjie.elections.services import ElectionError
from huanjie.elections.voting.models import CountingLine, ElectedMember, HandoverItem

INDEX_COLUMNS = ["序号", "文件名称", "文件", "日期", "页数", "备注"]


@dataclass
class Entry:
    title: str
    filename: str
    content: bytes | None
    date: dt.date | None
    note: str = ""

    @property
    def pages(self) -> int | None:
        if self.content is None or not self.filename.endswith(".pdf"):
            return None
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(self.content)).pages)


def _try(title: str, filename: str, date, make) -> Entry:
    try:
        return Entry(title, filename, make(), date)
    except (ElectionError, MissingGlyphError) as exc:
        return Entry(title, filename, None, date, f"未归档：{exc}")


def _step_day(election: Election, key: str) -> dt.date | None:
    step = election.steps.filter(key=key).first()
    return step.done_on if step else None


def data_workbook(election: Election) -> bytes:
    """Voters, candidates, counting forms and lines, the engine's tallies, the elected and the
    handover, one sheet each."""
    voters = [
        [
            r.group_name or "未分组",
            r.person.name,
            GENDER_ZH.get(r.person.gender, ""),
            r.get_category_display(),
            r.registered_on,
            r.card_number,
            r.get_status_display(),
        ]
        for r in VoterRegistration.objects.filter(election=election).select_related("person")
    ]
    cands = [
        [c.post.name, c.person.name, GENDER_ZH.get(c.person.gender, ""), c.list_order, c.get_status_display()]
        for c in Candidate.objects.filter(election=election)
        .select_related("post", "person")
        .order_by("post__rank", "list_order")
    ]
    figures = result_documents.round_figures(election)
    forms = result_documents.counted_forms([f.round.pk for f in figures])
    form_rows = [
        [
            f.round.number,
            f.station.name,
            f.entry,
            f.get_method_display(),
            f.ballots_issued,
            f.ballots_returned,
            f.blank_ballots,
            f.invalid_ballots,
            f.get_status_display(),
        ]
        for f in sorted(forms, key=lambda f: (f.round.number, f.station_id))
    ]
    lines = [
        [
            ln.form.round.number,
            ln.form.station.name,
            ln.post.name,
            ln.name,
            "是" if ln.write_in else "",
            ln.votes,
        ]
        for ln in CountingLine.objects.filter(form__in=forms).select_related(
            "form__round", "form__station", "post"
        )
    ]
    results = []
    for f in figures:
        for t in f.posts:
            for line in t.lines:
                results.append(
                    [
                        f.label,
                        t.label,
                        line.name,
                        "是" if line.write_in else "",
                        line.votes,
                        "当选" if line.elected else ("当选无效" if line.void else ""),
                        f.output.get("participation_base"),
                        f.output.get("threshold"),
                    ]
                )
    yijiantiao = aftervote_services.yijiantiao_of(election)
    elected = [
        [
            m.post.name,
            m.name,
            GENDER_ZH.get(m.person.gender, "") if m.person else "",
            m.votes,
            m.get_status_display(),
            m.void_reason,
            m.assigned_post,
            "是" if m.pk == yijiantiao else "",
        ]
        for m in ElectedMember.objects.filter(election=election).select_related("post", "person")
    ]
    handover = [
        [
            h.get_kind_display(),
            h.description,
            h.handed_over_on,
            h.handed_by,
            h.received_by,
            h.supervised_by,
            "是" if h.signed else "",
        ]
        for h in HandoverItem.objects.filter(election=election)
    ]
    title = election.title
    return workbook_bytes(
        [
            SheetSpec(
                "选民",
                f"{title} 选民名单",
                ["村民小组", "姓名", "性别", "登记类别", "登记日期", "选民证号", "状态"],
                voters,
            ),
            SheetSpec("候选人", f"{title} 候选人", ["职位", "姓名", "性别", "名单顺序", "状态"], cands),
            SheetSpec(
                "计票单",
                f"{title} 计票单",
                ["轮次", "投票站", "录入次序", "录入方式", "发出选票", "收回选票", "空白票", "废票", "状态"],
                form_rows,
            ),
            SheetSpec(
                "计票单明细",
                f"{title} 计票单明细",
                ["轮次", "投票站", "职位", "姓名", "另选他人", "得票"],
                lines,
            ),
            SheetSpec(
                "计票结果",
                f"{title} 计票结果（规则引擎）",
                ["轮次", "职位", "姓名", "另选他人", "得票", "结果", "计算基数", "当选所需票数"],
                results,
            ),
            SheetSpec(
                "当选人员",
                f"{title} 当选人员",
                ["职位", "姓名", "性别", "得票", "状态", "当选无效原因", "分工", "一肩挑"],
                elected,
            ),
            SheetSpec(
                "工作移交",
                f"{title} 工作移交",
                ["移交事项", "清单说明", "移交日期", "移交人", "接收人", "监交人", "已签字"],
                handover,
            ),
        ]
    )


def _planned(election: Election, today: dt.date) -> list[tuple[str, str, dt.date | None, object]]:
    """Every document the election produces, in the order of the work: (title, file name without
    its number, date, how to make it)."""
    from huanjie.elections.nomination import proxies
    from huanjie.elections.nomination import services as candidates
    from huanjie.elections.nomination.models import CandidateListPublication
    from huanjie.elections.voting import services as voting
    from huanjie.review import services as review

    village = election.organization.name
    own = kinds.hooks_for(election.kind).archive_documents
    if own is not None:  # the kind's own documents before the vote (a party branch: 请示, 批复 …)
        opening, closing = own(election)
        return [*opening, *_vote_and_result(election, today), *closing]
    published = documents.publication_date(election)
    planned: list[tuple[str, str, dt.date | None, object]] = [
        (f"{village}选民名单公告", "选民名单公告.pdf", published, lambda: documents.voter_notice_pdf(election)),
        # The cards carry the day they were issued with the list, not the day the archive is made.
        (f"{village}选民证", "选民证.pdf", published, lambda: documents.voter_cards_pdf(election, published)),
    ]
    publications = list(CandidateListPublication.objects.filter(election=election).order_by("version"))
    for pub in publications:
        suffix = f"（第{pub.version}版）" if len(publications) > 1 else ""
        planned.append((
            f"{village}正式候选人名单公告{suffix}",
            f"正式候选人名单公告{'_第' + str(pub.version) + '版' if suffix else ''}.pdf",
            pub.published_on,
            lambda pub=pub: candidates.notice_pdf(election, pub),
        ))
    if not publications:
        planned.append((f"{village}正式候选人名单公告", "正式候选人名单公告.pdf", None, _missing("正式候选人名单尚未公布")))
    planned += [
        (
            f"{village}候选人资格联审表",
            "资格联审表.pdf",
            _joint_review_day(election),
            lambda: review.joint_review_pdf(election.organization, election.campaign),
        ),
        (
            f"{village}委托投票公告",
            "委托投票公告.pdf",
            _step_day(election, "proxy_lists_published"),
            lambda: proxies.proxy_notice_pdf(election, _step_day(election, "proxy_lists_published") or today),
        ),
        (
            f"{village}投票选举事项公告",
            "投票选举事项公告.pdf",
            _step_day(election, "voting_arrangements"),
            lambda: voting.arrangements_notice_pdf(election, _step_day(election, "voting_arrangements") or today),
        ),
        (
            f"{village}选举工作人员名单公告",
            "选举工作人员名单公告.pdf",
            _step_day(election, "voting_arrangements"),
            lambda: voting.staff_notice_pdf(election, _step_day(election, "voting_arrangements") or today),
        ),
    ]
    # The handover of the villagers' committee (R41) closes its file.
    handover = (f"{village}工作移交清单", "工作移交清单.pdf", _step_day(election, "handover"), _handover_or_missing(election))
    return [*planned, *_vote_and_result(election, today), handover]


def _vote_and_result(election: Election, today: dt.date) -> list[tuple[str, str, dt.date | None, object]]:
    """The documents of the vote and its result, the same for every kind of election."""
    from huanjie.elections.voting import services as voting

    village = election.organization.name
    planned: list[tuple[str, str, dt.date | None, object]] = []
    figures = result_documents.round_figures(election)
    # A sample ballot of every round that was voted on (a 另行选举 has its own ballot); before the
    # vote, the first round's.
    voted = [f.round for f in figures] or list(election.rounds.filter(number=1))
    for rnd in voted:
        suffix = f"（第{rnd.number}轮）" if len(voted) > 1 else ""
        planned.append((
            f"{village}选票样张{suffix}",
            f"选票样张{'_第' + str(rnd.number) + '轮' if suffix else ''}.pdf",
            rnd.held_on or election.election_date,
            lambda rnd=rnd: voting.round_ballot_pdf(rnd),
        ))
    result_day = max((f.round.held_on or election.election_date for f in figures), default=None)
    forms = result_documents.counted_forms([f.round.pk for f in figures])
    for n, form in enumerate(sorted(forms, key=lambda f: (f.round.number, f.station_id)), 1):
        planned.append((
            f"第{form.round.number}轮计票单（{form.station.name}）",
            f"计票单_{n:02d}_第{form.round.number}轮_{form.station.name}.pdf",
            form.round.held_on or election.election_date,
            lambda form=form: result_documents.counting_form_pdf(form),
        ))
    planned += [
        (f"{village}选举结果公告", "选举结果公告.pdf", result_day, lambda: result_documents.results_notice_pdf(election)),
        (f"{village}选举结果报告单", "选举结果报告单.pdf", result_day, lambda: result_documents.report_pdf(election)),
        (f"{village}当选证书", "当选证书.pdf", result_day, lambda: result_documents.certificates_pdf(election)),
        (
            f"{village}选举数据（选民、候选人、计票单、结果、当选人员、移交）",
            "选举数据.xlsx",
            today,
            lambda: data_workbook(election),
        ),
    ]
    return planned


def _joint_review_day(election: Election) -> dt.date | None:
    """The day the joint review of this election's candidates was last decided."""
    from django.db.models import Max

    from huanjie.review.models import ReviewVerdict

    return ReviewVerdict.objects.filter(case__candidate__election=election).aggregate(d=Max("decided_on"))["d"]


def _handover_or_missing(election: Election):
    from huanjie.elections.voting.models import HandoverItem

    if not HandoverItem.objects.filter(election=election).exists():
        return _missing("尚未登记工作移交")
    return lambda: result_documents.handover_pdf(election)


def _missing(reason: str):
    def make():
        raise ElectionError(reason)

    return make


def entries(election: Election, today: dt.date | None = None) -> list[Entry]:
    """Every document, numbered without gaps: the files made come first, numbered 01, 02, … in the
    order of the work; a document that cannot be made yet follows without a number, with why."""
    today = today or timezone.localdate()
    made, missing = [], []
    for title, name, day, make in _planned(election, today):
        entry = _try(title, name, day, make)
        (made if entry.content is not None else missing).append(entry)
    for n, entry in enumerate(made, 1):
        entry.filename = f"{n:02d}_{entry.filename}"
    for entry in missing:
        entry.filename = "—"
    return made + missing


def index_rows(items: list[Entry]) -> list[list]:
    return [
        [
            n,
            e.title,
            e.filename,
            e.date.isoformat() if e.date else "",
            e.pages if e.pages is not None else "",
            e.note,
        ]
        for n, e in enumerate(items, 1)
    ]


def archive_zip(election: Election, today: dt.date | None = None) -> bytes:
    """One zip: ``00_卷内目录.pdf``, ``index.xlsx`` and every file listed in them."""
    today = today or timezone.localdate()
    items = entries(election, today)
    rows = index_rows(items)
    title = f"{election.title}档案卷内目录"
    index_pdf = table_pdf(
        title,
        INDEX_COLUMNS,
        [[str(c) for c in r] for r in rows],
        subtitle=f"立卷单位：{kinds.wording(election).issuer}　　立卷日期：{zh_date(today)}",
        widths=[0.6, 4, 4, 1.4, 0.8, 2],
        whole=[0, 2, 3],  # 序号, the file name and the date never break inside
        landscape=True,
        signature_lines=["立卷人", "检查人"],
        fit_page=True,  # one sheet with its signatures where the entries allow (a 村's usual 16–21)
    )
    index_xlsx = workbook_bytes([SheetSpec("卷内目录", title, INDEX_COLUMNS, rows)])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("00_卷内目录.pdf", index_pdf)
        zf.writestr("index.xlsx", index_xlsx)
        for e in items:
            if e.content is not None:
                zf.writestr(e.filename, e.content)
    return buf.getvalue()


def archive_filename(election: Election) -> str:
    return f"{election.organization.name}_换届选举档案.zip"
