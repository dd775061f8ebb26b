"""Proxy voting (委托投票, R20): written authorizations, refusals with reasons, the proxy notice.

Every decision is the engine's ``check_proxies`` (near relative under ``proxy.agent_relation``,
the filing deadline ``proxy.deadline_days_before``, ``proxy.max_per_agent`` in filing order, a
candidate as agent where ``proxy.agent_may_be_candidate`` forbids it, no sub-delegation). The
request is checked together with the proxies already registered, so the per-agent limit and the
"one principal, one proxy" rule see the whole list. A refused request is stored with its reason.

The relation between principal and agent comes from the stored relations; where none is stored
the office may enter the relation declared on the form, which is used and flagged for checking.
An accepted proxy marks the principal's voter card as handed over (HA Art. 30).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.elections import kinds
from huanjie.elections.aftervote.locking import guarded
from huanjie.elections.models import Election, VoterRegistration
from huanjie.elections.nomination.models import Candidate, Proxy
from huanjie.elections.nomination.services import CandidateError, _check
from huanjie.elections.services import calendar_for, check_dated_fact, profile_of, require_visible_person
from huanjie.people.models import Person, Relation
from huanjie.rules import EngineError, ProxyRequest, check_proxies
from huanjie.rules.profile_versions import cite
from huanjie.rules.profiles import canonical_relation

RELATION_ZH = {
    "spouses": "配偶",
    "parent-child": "父母子女",
    "siblings": "兄弟姐妹",
    "grandparent-grandchild": "祖父母、外祖父母与孙子女、外孙子女",
}
DECLARABLE = ["配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女"]


class ProxyError(CandidateError):
    pass


def stored_relation(a: Person, b: Person) -> str | None:
    """The engine's name of the stored relation between two people (either direction), or None."""
    rel = Relation.objects.filter(Q(elder=a, younger=b) | Q(elder=b, younger=a)).first()
    return rel.engine_name if rel else None


def _registration(election: Election, person: Person) -> VoterRegistration | None:
    return VoterRegistration.objects.filter(
        election=election, person=person, status=VoterRegistration.REGISTERED
    ).first()


def _request(p: Proxy, candidate_ids: set[int], voter_ids: set[int]) -> ProxyRequest:
    return ProxyRequest(
        id=str(p.pk or "new"),
        principal=f"#{p.principal_id}#",
        agent=f"#{p.agent_id}#",
        relation=p.relation,
        filed=p.filed_on,
        agent_is_candidate=p.agent_id in candidate_ids,
        agent_has_vote=p.agent_id in voter_ids,
    )


@guarded
@transaction.atomic
def register_proxy(
    actor,
    election: Election,
    principal: Person,
    agent: Person,
    filed_on: dt.date,
    declared_relation: str = "",
) -> Proxy:
    """Register a written authorization (R20). Returns the stored Proxy: ``accepted`` or ``refused``
    with the reason."""
    _check(actor, election, "登记委托投票")
    require_visible_person(actor, principal, agent, error=ProxyError)
    election = Election.objects.select_for_update(no_key=True).get(pk=election.pk)
    if not isinstance(filed_on, dt.date):
        raise ProxyError("书面委托日期无效。")
    check_dated_fact(election, "书面委托日期", filed_on, before_vote=True, error=ProxyError)
    stored = stored_relation(principal, agent)
    declared = (declared_relation or "").strip()
    relation, flagged = stored, False
    if stored is None and declared:
        if canonical_relation(declared) is None:
            raise ProxyError(f"声明的关系“{declared}”不是近亲属关系，应为" + "、".join(DECLARABLE) + "之一。")
        relation, flagged = canonical_relation(declared), True
    proxy = Proxy(
        election=election,
        principal=principal,
        agent=agent,
        relation=relation or declared or "无登记关系",
        relation_declared=flagged,
        filed_on=filed_on,
    )
    if _registration(election, principal) is None:
        proxy.status, proxy.reason = Proxy.REFUSED, f"委托人{principal.name}不是本村登记选民"
    else:
        voter_ids = set(
            VoterRegistration.objects.filter(
                election=election, status=VoterRegistration.REGISTERED
            ).values_list("person_id", flat=True)
        )
        candidate_ids = set(
            Candidate.objects.filter(election=election, status=Candidate.ACTIVE).values_list(
                "person_id", flat=True
            )
        )
        accepted = list(Proxy.objects.filter(election=election, status=Proxy.ACCEPTED))
        requests = [_request(p, candidate_ids, voter_ids) for p in accepted]
        requests.append(_request(proxy, candidate_ids, voter_ids))
        try:
            decisions, _publish_by = check_proxies(
                requests, election.election_date, profile_of(election)
            )
            baseline, _ = check_proxies(requests[:-1], election.election_date, profile_of(election))
        except EngineError as exc:
            raise ProxyError(exc.message) from exc
        mine = decisions[-1]
        bumped = [d for d, b in zip(decisions[:-1], baseline, strict=True) if b.accepted and not d.accepted]
        if mine.accepted and bumped:
            # A request dated before ones already registered must not push them out (R20: filing order).
            mine = type(mine)(mine.id, False, bumped[0].code, bumped[0].reason)
        if mine.accepted:
            proxy.status, proxy.reason = Proxy.ACCEPTED, ""
        else:
            proxy.status = Proxy.REFUSED
            proxy.reason = mine.reason.replace(f"#{principal.pk}#", principal.name).replace(
                f"#{agent.pk}#", agent.name
            )
    proxy.save()
    if proxy.status == Proxy.ACCEPTED:
        VoterRegistration.objects.filter(election=election, person=principal).update(card_handed_over=True)
    audit.record(
        actor,
        "proxies.register",
        proxy,
        changes={
            "status": [None, proxy.get_status_display()],
            "reason": [None, proxy.reason or None],
            "relation_declared": [None, flagged],
        },
    )
    return proxy


@guarded
@transaction.atomic
def revoke_proxy(actor, proxy: Proxy) -> Proxy:
    """Revoke an accepted proxy (the principal will vote in person); the voter card is given back."""
    _check(actor, proxy.election, "撤销委托投票")
    p = Proxy.objects.select_for_update().select_related("principal", "agent", "election").get(pk=proxy.pk)
    if p.status != Proxy.ACCEPTED:
        raise ProxyError("只能撤销已登记的委托。")
    p.status = Proxy.REVOKED
    p.save(update_fields=["status"])
    VoterRegistration.objects.filter(election=p.election, person=p.principal).update(card_handed_over=False)
    audit.record(actor, "proxies.revoke", p, changes={"status": [Proxy.ACCEPTED, Proxy.REVOKED]})
    return p


def deadlines(election: Election) -> dict:
    """The profile's proxy dates (R20 via the engine's calendar) and limits, for the page and notice."""
    cal = calendar_for(election)
    profile = profile_of(election)
    return {
        "filing_latest": cal.proxy_filing_latest,
        "lists_by": cal.proxy_lists_published_by,
        "max_per_agent": profile["proxy.max_per_agent"],
        "agent_may_be_candidate": profile["proxy.agent_may_be_candidate"],
    }


def relation_label(proxy: Proxy) -> str:
    rel = canonical_relation(proxy.relation)
    return RELATION_ZH.get(rel, proxy.relation) if rel else proxy.relation


def proxy_notice_pdf(election: Election, published_on: dt.date | None = None) -> bytes:
    """委托投票公告: the principals and their agents (R20: the committee publishes the lists)."""
    from huanjie.documents.render.pdf import TableSpec, notice_pdf
    from huanjie.elections.registration.documents import committee_name, zh_date

    published_on = published_on or timezone.localdate()
    rows = []
    accepted = Proxy.objects.filter(election=election, status=Proxy.ACCEPTED).select_related(
        "principal", "agent"
    )
    for i, p in enumerate(accepted, 1):
        rows.append(
            [
                str(i),
                p.principal.name,
                p.agent.name,
                relation_label(p),
                f"{p.filed_on.month}月{p.filed_on.day}日",
            ]
        )
    if not rows:
        raise ProxyError("没有已登记的委托投票，无须公告。")
    dl = deadlines(election)
    words = kinds.wording(election)
    paragraphs = [
        f"根据{cite('R20', election.profile()).replace('；', '、')}，"
        + words.say("登记参加选举的村民在选举期间外出不能参加投票的，可以书面委托本村有选举权的近亲属代为投票。")
        + f"经{committee_name(election)}审核登记，"
        f"{election.title}（选举日 {zh_date(election.election_date)}）委托投票共 {len(rows)} 人，现公告如下：",
    ]
    closing = [f"受委托人凭书面委托书代为投票，不得再委托他人。对以上名单有异议的，请向{committee_name(election)}反映。"]
    if dl["max_per_agent"]:
        closing.insert(0, f"每一受委托人接受委托不得超过{dl['max_per_agent']}人。")
    return notice_pdf(
        f"{election.organization.name}委托投票公告",
        paragraphs,
        issuer=committee_name(election),
        date_text=zh_date(published_on),
        tables=[TableSpec(columns=["序号", "委托人", "受委托人", "关系", "委托日期"], rows=rows)],
        closing_paragraphs=closing,
        stamp=True,
    )
