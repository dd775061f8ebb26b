"""The party kinds told to the election machinery (see :mod:`huanjie.elections.kinds`)."""

from __future__ import annotations

from huanjie.elections import kinds
from huanjie.elections.models import Election


def _posts(*codes):
    from huanjie.party.services import PARTY_POSTS

    return {c: PARTY_POSTS[c] for c in codes}


def _title(body: str):
    def title(campaign, village) -> str:
        from huanjie.elections.services import zh_number
        from huanjie.party.models import Branch

        branch = Branch.objects.filter(village=village).first()
        name = branch.name if branch else f"中共{village.name}支部委员会"
        return f"{name}换届选举（第{zh_number(campaign.term_number)}届）{body}"

    return title


def _calendar(election, day, records):
    """The assembly's calendar: the preparation, read from its own step records."""
    from huanjie.party.models import PartyElection
    from huanjie.rules.party import party_calendar

    rec = records.get("preliminary_notice")
    method = PartyElection.objects.filter(election=election).values_list("method", flat=True).first()
    return party_calendar(
        day, notice_days=election.campaign.effective_policy()["notice_days"], notice_published=rec.done_on if rec else None,
        public_direct=method == PartyElection.PUBLIC_DIRECT,
    )


def _plenary_calendar(election, day, records):
    """The plenary's own steps (R61): it never repeats the assembly's preparation, which the
    assembly's timeline shows and its to-do list owes once."""
    from huanjie.rules.party import plenary_calendar

    held = records.get("election_day")
    return plenary_calendar(day, held_on=held.done_on if held else None)


def _work_url(election):
    """Both elections of a party election are worked on one page, the assembly's."""
    from django.urls import reverse

    from huanjie.party.services import party_election_of

    pe = party_election_of(election)
    return reverse("party:election", args=[pe.election.pk if pe else election.pk])


# What the office does per stage when no dated step is due (the to-do list's wording).
_ASSEMBLY_WORK = {
    Election.SETUP: "党员名册、两推、初步人选和考察",
    Election.REGISTRATION: "党员名册、两推、初步人选和考察",
    Election.NOMINATION: "确定预备人选，公示，报送请示",
    Election.CANDIDATES: "党员签到，召开党员大会",
    Election.VOTING: "录入党员大会计票单，计算选举结果",
    Election.COUNTED: "核对党员大会选举结果并报送乡镇党委",
}
_PLENARY_WORK = {
    Election.SETUP: "委员会第一次全体会议：提出书记、副书记候选人",
    Election.CANDIDATES: "召开委员会第一次全体会议",
    Election.VOTING: "录入全体会议计票单，计算选举结果",
    Election.COUNTED: "报送书记、副书记选举结果，乡镇党委批复",
}


def _voting_blockers(election):
    from huanjie.party.services import party_election_of

    pe = party_election_of(election)
    if pe is None or not pe.approved:
        return ["乡镇党委尚未批复候选人预备人选（请示、批复），选举不能进行"]
    return []


def _ballot_blockers(election):
    from huanjie.party.services import ballot_blockers

    return ballot_blockers(election)


def _vote_inputs(rnd):
    from huanjie.party.services import vote_inputs

    return vote_inputs(rnd)


def _wording(election):
    from huanjie.party.models import Branch

    branch = Branch.objects.filter(village=election.organization).first()
    org_type = branch.org_type if branch else Branch.BRANCH
    body = {Branch.BRANCH: "党支部委员会", Branch.GENERAL_BRANCH: "党总支部委员会", Branch.COMMITTEE: "党委员会"}[org_type]
    township = election.organization.parent
    plenary = election.kind == Election.PARTY_PLENARY
    from huanjie.party.services import is_congress, party_election_of

    pe = party_election_of(election)
    who = "代表" if pe is not None and is_congress(pe) else "党员"
    issuer = branch.name if branch else f"中共{election.organization.name}支部委员会"
    return kinds.Wording(
        body=body,
        election_name=body + ("书记、副书记" if plenary else ""),
        issuer=issuer,
        law="《中国共产党基层组织选举工作条例》",
        electorate="应到会委员" if plenary else f"应到会有选举权的{who}",
        electorate_in_notice="应到会委员" if plenary else f"应到会有选举权的{who}",
        valid_text="到会委员超过规定人数，选举有效" if plenary else f"实到会有选举权的{who}超过应到会人数的五分之四，选举有效",
        report_to=f"中共{township.name}委员会" if township else "",
        chair="会议主持人" if plenary else "大会主持人",
        seal="党组织盖章",
        # R61: the committee's first plenary elects 书记、副书记; the assembly (or the delegates'
        # congress, R50) elects the committee: the certificates name that meeting.
        elected_by=(f"{issuer}第一次全体会议" if plenary
                    else f"{issuer.removesuffix('委员会')}{'党员代表大会' if who == '代表' else '党员大会'}"),
    )


def _archive(election):
    """The party election's archive: its own documents first, the plenary's result after."""
    from huanjie.elections.aftervote import documents as result_documents
    from huanjie.elections.voting.services import round_ballot_pdf
    from huanjie.party import documents
    from huanjie.party.services import party_election_of

    pe = party_election_of(election)
    if pe is None or election.kind != Election.PARTY_BRANCH:
        return [], []
    v = election.organization.name
    opening = [
        (f"{v}党组织换届推荐情况公布", "推荐情况公布.pdf", None, lambda: documents.tallies_pdf(pe)),
        *([(f"{v}海推结果公示", "海推结果公示.pdf", None, lambda: documents.open_round_notice_pdf(pe)),
           (f"{v}候选人初步人选考察公示", "初步人选考察公示.pdf", None, lambda: documents.initial_notice_pdf(pe))]
          if pe.method == pe.PUBLIC_DIRECT else []),
        (f"{v}委员候选人预备人选公示", "预备人选公示.pdf", None, lambda: documents.preliminary_notice_pdf(pe)),
        (f"{v}公示期间反映登记表", "公示期间反映登记表.xlsx", None, lambda: documents.objections_xlsx(pe)),
        (f"{v}确定预备人选的请示", "预备人选请示.pdf", pe.request_date, lambda: documents.request_pdf(pe)),
        (f"{v}确定预备人选的请示（Word）", "预备人选请示.docx", pe.request_date, lambda: documents.request_docx(pe)),
        ("乡镇党委关于预备人选的批复", "预备人选批复.pdf", pe.approval_date, lambda: documents.approval_pdf(pe)),
        ("乡镇党委关于预备人选的批复（Word）", "预备人选批复.docx", pe.approval_date,
         lambda: documents.approval_docx(pe)),
        (f"{v}党员大会通知", "党员大会通知.pdf", pe.approval_date, lambda: documents.meeting_notice_pdf(pe)),
        (f"{v}党员大会清点人数报告", "清点人数报告.pdf", election.election_date,
         lambda: documents.attendance_report_pdf(pe)),
    ]
    closing = []
    plenary = pe.plenary
    if plenary is not None:
        closing = [
            (f"{v}全体会议选票", "全体会议选票.pdf", plenary.election_date,
             lambda: round_ballot_pdf(plenary.rounds.get(number=1))),
            *[
                (f"全体会议第{f.round.number}轮计票单（{f.station.name}）", f"全体会议计票单_{n:02d}.pdf",
                 f.round.held_on, lambda f=f: result_documents.counting_form_pdf(f))
                for n, f in enumerate(result_documents.counted_forms(
                    list(plenary.rounds.values_list("pk", flat=True))), 1)
            ],
            (f"{v}书记、副书记选举结果报告单", "全体会议选举结果报告单.pdf", None,
             lambda: result_documents.report_pdf(plenary)),
            (f"{v}书记、副书记当选证书", "全体会议当选证书.pdf", None,
             lambda: result_documents.certificates_pdf(plenary)),
        ]
    return opening, closing


_POLICY_POSTS = {"secretary": "书记", "deputy_secretary": "副书记", "discipline_member": "纪检委员"}


def _policy_candidate(candidate):
    """The policy reads a party candidate as the post proposed for (an initial candidate proposed
    as 书记 is checked against the 书记 limits), in the party body, with the post held now."""
    from huanjie.party.models import Nominee

    nominee = Nominee.objects.filter(candidate=candidate).first()
    if nominee is None:  # a plenary candidate stands for the plenary's own post
        return {"post": candidate.post.name, "body": "party"}
    return {"post": _POLICY_POSTS.get(nominee.proposed_post, "委员"), "body": "party",
            "current_post": nominee.current_post}


def _dashboard_section(campaign, scope_prefix, q, township_code):
    """The village party elections beside the villagers' committees on the dashboards."""
    from django.urls import reverse

    from huanjie.party import services
    from huanjie.party.models import PartyElection

    qs = kinds.dashboard_filter(
        PartyElection.objects.select_related("election__organization__parent", "election__campaign", "plenary",
                                             "branch__village").order_by("election__organization__code"),
        campaign, scope_prefix, q, township_code, via="election__")
    rows = services.party_rows(qs, live_attendance=False)
    return kinds.DashboardSection(
        title="村党组织换届",
        columns=services.INDEX_COLUMNS,
        rows=[(reverse("party:election", args=[r["election"].pk]), services.index_cells(r)) for r in rows],
        # 村, 乡镇, 方式, 阶段, 预备人选批复, 应到, 实到, 4/5, 委员, 书记, 女, ≤35, 结果批复
        shown=(0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14),
        tiles=[
            ("村党组织选举", len(rows)),
            ("到会超过4/5", sum(1 for r in rows if r["quorum_met"])),
            ("已选出书记", sum(1 for r in rows if r["secretary"])),
            ("当选委员", sum(len(r["committee"]) for r in rows)),
            ("其中女性", sum(r["women"] for r in rows)),
            ("35岁以下", sum(r["young"] for r in rows)),
            ("结果已批复", sum(1 for r in rows if r["result_approval"])),
        ],
        note="应到/实到为计票时的人数；书记由委员会第一次全体会议选出。",
    )


def register_kinds() -> None:
    common = {
        "dashboard_section": _dashboard_section,
        "archive_documents": _archive,
        "wording": _wording,
        "voting_blockers": _voting_blockers,
        "ballot_blockers": _ballot_blockers,
        "vote_inputs": _vote_inputs,
        "work_url": _work_url,
        "policy_candidate": _policy_candidate,
    }
    kinds.register(
        Election.PARTY_BRANCH,
        # A branch without a committee elects its secretary in the 党员大会 (R61); else the plenary.
        kinds.KindHooks(posts=_posts("committee_member"), title=_title("党员大会选举委员会"),
                        calendar_steps=_calendar, stage_work=_ASSEMBLY_WORK, induction_posts=("secretary",), **common),
    )
    kinds.register(
        Election.PARTY_PLENARY,
        kinds.KindHooks(
            posts=_posts("secretary", "deputy_secretary", "discipline_member"),
            title=_title("委员会全体会议选举书记、副书记"),
            calendar_steps=_plenary_calendar,
            stage_work=_PLENARY_WORK,
            induction_posts=("secretary",),
            **common,
        ),
    )
