"""The supervision committee's kind told to the election machinery (see :mod:`huanjie.elections.kinds`)."""

from __future__ import annotations

from datetime import timedelta

from huanjie.elections import kinds
from huanjie.elections.models import Election


def _title(campaign, village) -> str:
    from huanjie.elections.services import zh_number

    return f"{village.name}第{zh_number(campaign.term_number)}届村务监督委员会推选"


def _calendar(election, day, records):
    """Seed 004 §二(二)3: chosen in step with the villagers' committee's election, from a list checked
    against P6 first (which needs the new villagers' committee, so not before its election)."""
    from huanjie.rules.dates import CalendarStep
    from huanjie.supervision.services import supervision_of

    sv = supervision_of(election)
    body = sv.get_body_display() if sv else "村民会议或村民代表会议"
    vc = Election.objects.filter(
        campaign=election.campaign, organization=election.organization,
        kind__in=[Election.VILLAGE_COMMITTEE, Election.RESIDENTS_COMMITTEE],
    ).values_list("election_date", flat=True).first()
    eve = day - timedelta(days=1)
    return (
        CalendarStep("candidates_checked", "候选人资格把关（村民委员会成员及其近亲属、会计、文书等不得担任）", "R37",
                     latest_date=eve, earliest_date=vc),
        CalendarStep("election_day", f"召开{body}推选村务监督委员会", "R71" if body == "村民会议" else "R38",
                     on_date=day),
    )


def _wording(election):
    from huanjie.supervision.services import supervision_of

    sv = supervision_of(election)
    village = election.organization
    villagers = sv is None or sv.body == sv.VILLAGERS_MEETING
    body = "村民会议" if villagers else "村民代表会议"
    members = "本村十八周岁以上村民" if villagers else "村民代表会议组成人员"
    township = village.parent
    return kinds.Wording(
        body="村务监督委员会",
        election_name="村务监督委员会",
        # The 村民委员会 convenes the 村民会议 and the 村民代表会议 and publishes what they decide.
        issuer=f"{village.name}村民委员会",
        law="《中华人民共和国村民委员会组织法》",
        electorate=members,
        electorate_in_notice=members,
        valid_text=f"{body}到会人数符合规定，推选有效",
        report_to=f"{township.name}人民政府" if township else "",
        chair=f"{body}主持人",
        vote="推选",
        seal="村民委员会盖章",
        # The meeting chooses (R38/R71): the certificate reads 经东山村村民代表会议推选.
        elected_by=f"{village.name}{body}",
        turnout="投票率",
    )


def _archive(election):
    from huanjie.supervision import documents

    v = election.organization.name
    return [(f"{v}村务监督委员会成员候选人名单及资格把关情况", "监委会候选人名单.pdf", None,
             lambda: documents.candidates_pdf(election))], []


def _voting_blockers(election):
    from huanjie.supervision.services import voting_blockers

    return voting_blockers(election)


def _ballot_blockers(election):
    from huanjie.supervision.services import ballot_blockers

    return ballot_blockers(election)


def _vote_inputs(rnd):
    from huanjie.supervision.services import vote_inputs

    return vote_inputs(rnd)


def _result_blockers(election):
    from huanjie.supervision.services import result_blockers

    return result_blockers(election)


def _work_url(election) -> str:
    from django.urls import reverse

    return reverse("supervision:detail", args=[election.pk])


def _dashboard_section(campaign, scope_prefix, q, township_code):
    """The supervision committees in a section of their own on the dashboards: a meeting's choice,
    counted by who came to the meeting, not a village's vote (its turnout is not the voters')."""
    from django.urls import reverse

    from huanjie.supervision import services
    from huanjie.supervision.models import Supervision

    qs = kinds.dashboard_filter(
        Supervision.objects.select_related("election__organization__parent").order_by("election__organization__code"),
        campaign, scope_prefix, q, township_code, via="election__")
    rows = list(services.overview_rows(qs).values())
    chosen = [r for r in rows if r["sv"].election.stage in (Election.COUNTED, Election.SUBMITTED)]
    return kinds.DashboardSection(
        title="村务监督委员会推选",
        columns=services.DASHBOARD_COLUMNS,
        rows=[(reverse("supervision:detail", args=[r["sv"].election_id]), services.dashboard_cells(r)) for r in rows],
        shown=(0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 12),
        tiles=[
            ("村务监督委员会推选", len(rows)),
            ("已推选", len(chosen)),
            ("已报送锁定", sum(1 for r in rows if r["submitted"])),
            ("当选成员", sum(len(r["elected"]) for r in rows)),
            ("其中女性", sum(r["women"] for r in rows)),
        ],
        note="会议组成人员、到会为推选会议登记的人数；村务监督委员会由村民会议或村民代表会议推选，不计参选率。",
    )


def register_kinds() -> None:
    from huanjie.supervision.services import POSTS

    kinds.register(
        Election.VILLAGE_SUPERVISION,
        kinds.KindHooks(
            posts=POSTS, title=_title, calendar_steps=_calendar, voting_blockers=_voting_blockers,
            vote_inputs=_vote_inputs, ballot_blockers=_ballot_blockers, wording=_wording,
            archive_documents=_archive, result_blockers=_result_blockers, work_url=_work_url,
            dashboard_section=_dashboard_section,
            stage_work={Election.SETUP: "提出村务监督委员会成员候选人，资格把关后提交会议表决",
                        Election.VOTING: "登记会议到会人数，录入计票单，计算推选结果",
                        Election.COUNTED: "核对推选结果并报送乡镇", Election.SUBMITTED: ""},
            # Seed 004 §二(三)3: the 主任 attends county-level 岗前培训 (P24).
            induction_posts=("supervision_director",),
        ),
    )
