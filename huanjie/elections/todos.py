"""What each office has to do next on its elections (the 工作台's to-do list, ``core.todos``).

The township sees every village's next step and the overdue ones, the village committee its own
election's next step; both come from the engine's calendar (``services.timeline``) and the stage
of the work, so the list says the same as the election page."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from huanjie.core.access import COUNTY, TOWNSHIP, VILLAGE
from huanjie.core.todos import Todo, register
from huanjie.elections import kinds, services
from huanjie.elections.models import Election

# Election pages per step of the calendar: where the clerk records it.
STEP_PAGE = {
    "voter_list_published": "elections:voters",
    "objection_decision": "elections:voters_objections",
    "candidate_list": "elections:candidates",
    "voting_arrangements": "elections:voting",
    "proxy_lists_published": "elections:proxies",
    "handover": "elections:handover",
}
# The work of each stage when no dated step is due (the page of the next piece of work).
STAGE_WORK = {
    Election.SETUP: ("建立村民选举委员会、导入选民名单", "elections:committee"),
    Election.REGISTRATION: ("选民登记，公布选民名单", "elections:voters"),
    Election.NOMINATION: ("录入提名，确定正式候选人", "elections:nominations"),
    Election.CANDIDATES: ("资格审查，公布正式候选人名单，安排投票", "elections:candidates"),
    Election.VOTING: ("录入计票单，计算选举结果", "elections:voting"),
    Election.COUNTED: ("核对选举结果并报送乡镇", "elections:submit"),
    Election.SUBMITTED: ("工作移交，整理归档", "elections:handover"),
}
# What a to-do calls its election, so a village's several elections read apart on the 工作台. The
# party branch's assembly and its first plenary are one 换届 with one calendar and one page.
TODO_NAMES = {Election.PARTY_BRANCH: "党组织换届", Election.PARTY_PLENARY: "党组织换届"}
MAX_ELECTIONS = 300  # a county's villages; a bigger scope reads its dashboards instead


def _url(name: str, election: Election) -> str:
    own = kinds.hooks_for(election.kind).work_url
    if own is not None:
        return own(election)
    try:
        return reverse(name, kwargs={"pk": election.pk})
    except Exception:  # a page that does not exist for this kind of election
        return reverse("elections:detail", kwargs={"pk": election.pk})


def election_todos(election: Election, today=None) -> list[Todo]:
    """The overdue steps of one election, then its next step (one line)."""
    today = today or timezone.localdate()
    village = election.organization.name
    name = f"{village}·{TODO_NAMES.get(election.kind) or election.get_kind_display()}"
    out: list[Todo] = []
    steps = [s for s in services.timeline(election, today=today) if not s.passive]
    for s in steps:
        if s.status == "overdue":
            out.append(Todo(
                text=f"{name}：{s.label}（已逾期）",
                url=_url(STEP_PAGE.get(s.key, "elections:detail"), election),
                overdue=True,
                due=f"{s.deadline:%Y-%m-%d} 前" if s.deadline else "",
                sort=(s.deadline or today, village),
            ))
    if election.stage == Election.SUBMITTED:
        handover = next((s for s in steps if s.key == "handover"), None)
        if handover is not None and handover.done_on is not None:
            return out  # nothing left but the archive, which needs no step
    # The next step before the vote is a step of the preparation: not the vote itself nor what
    # follows the result (a plenary's next work is not the 批复 of a result it has not produced).
    after_vote = services.ELECTION_DAY_STEPS | services.AFTER_RESULT_STEPS
    due = next((s for s in steps if s.status == "due" and s.key not in after_vote), None)
    label, page = STAGE_WORK.get(election.stage, ("", "elections:detail"))
    own_work = kinds.hooks_for(election.kind).stage_work
    if own_work is not None:
        label = own_work.get(election.stage, "")
    else:  # the committee's work, in its kind's words (a residents' committee's 居民选举委员会)
        label = kinds.wording(election).say(label)
    if election.stage == Election.REGISTRATION and any(
        s.key == "voter_list_published" and s.done_on for s in steps
    ):
        label, page = STAGE_WORK[Election.NOMINATION]  # the list is out: the nominations come next
    if due is not None and services.STAGE_ORDER.index(election.stage) < services.STAGE_ORDER.index(Election.VOTING):
        out.append(Todo(
            text=f"{name}：下一步 {due.label}",
            url=_url(STEP_PAGE.get(due.key, page), election),
            due=f"{due.deadline:%Y-%m-%d} 前" if due.deadline else "",
            sort=(due.deadline or election.election_date, village),
        ))
    elif label:
        out.append(Todo(
            text=f"{name}：下一步 {label}",
            url=_url(page, election),
            due=f"选举日 {election.election_date:%Y-%m-%d}",
            sort=(election.election_date, village),
        ))
    return out


def office_todos(user) -> list[Todo]:
    if user.role not in {COUNTY, TOWNSHIP, VILLAGE} or not user.scope_prefix:
        return []
    elections = (
        Election.objects.filter(organization__code__startswith=user.scope_prefix, campaign__ends_on__gte=timezone.localdate())
        # the township: the default wording names it (one query per election on a county's list)
        .select_related("organization__parent", "campaign")
        .prefetch_related("steps")
        .order_by("election_date", "organization__code")[:MAX_ELECTIONS]
    )
    today = timezone.localdate()
    out: list[Todo] = []
    for election in elections:
        todos = election_todos(election, today)
        if user.role == COUNTY:
            todos = [t for t in todos if t.overdue]  # the county follows what is late
        out.extend(todos)
    return out


register(office_todos)
