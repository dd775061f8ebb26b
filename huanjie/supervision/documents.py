"""The supervision committee's own document: the candidate list with the P6 check of each person.
The result notice, report and certificates are the elections app's result documents, worded by
the kind's :class:`~huanjie.elections.kinds.Wording`."""

from __future__ import annotations

from huanjie.documents.render.pdf import TableSpec, notice_pdf
from huanjie.elections import kinds
from huanjie.elections.models import Candidate, Election
from huanjie.elections.registration.documents import GENDER_ZH, zh_date
from huanjie.rules.dates import age_on
from huanjie.supervision import services


def candidates_pdf(election: Election) -> bytes:
    sv = services.supervision_of(election)
    if sv is None:
        raise services.SupervisionError("不是村务监督委员会推选。")
    rows_on, rows_off = [], []
    day = election.election_date
    for n in services.nominees(sv):
        c, p = n.candidate, n.candidate.person
        base = [c.post.name, p.name, GENDER_ZH.get(p.gender, ""), str(age_on(p.birth_date, day)) if p.birth_date else "",
                "是" if n.accounting else ""]
        if c.status == Candidate.ACTIVE:
            rows_on.append(base + ["符合"])
        elif n.refusals:
            rows_off.append(base + ["；".join(n.refusals)])
    posts = "，".join(f"{post.name}{post.seats}名" for post in election.posts.all())
    words = kinds.wording(election)
    tables = [TableSpec(["职务", "姓名", "性别", "年龄", "财会管理知识", "资格把关"],
                        rows_on or [["—", "尚无候选人", "", "", "", ""]])]
    if rows_off:
        tables.append(TableSpec(["职务", "姓名", "性别", "年龄", "财会管理知识", "不得担任的原因"], rows_off,
                                caption="经资格把关不列入名单的人员"))
    return notice_pdf(
        f"{election.organization.name}村务监督委员会成员候选人名单",
        [f"根据{words.law}和本次换届工作安排，村务监督委员会由{sv.get_body_display()}于{zh_date(day)}"
         f"以{sv.get_method_display()}方式推选产生，应选{posts}。村民委员会成员及其近亲属、村会计（报账员）、村文书、"
         "村集体经济组织负责人不得担任村务监督委员会成员，任何组织和个人不得指定、委派村务监督委员会成员。"
         "经资格把关，候选人名单如下："],
        issuer=words.issuer, date_text=zh_date(sv.list_checked_on or day), tables=tables, stamp=True,
    )
