"""The congress's documents, made from its data with the documents app's renderers:
the allocation table (名额分配表), the township committee's 请示 to convene the congress (seed 003
step 6, 附例1) and the county's 批复 — PDF, and Word where the office edits further."""

from __future__ import annotations

from huanjie.congress import services
from huanjie.congress.models import Congress
from huanjie.documents.render.pdf import TableSpec, notice_pdf, table_pdf
from huanjie.documents.render.word import notice_docx
from huanjie.elections.registration.documents import zh_date
from huanjie.elections.services import zh_number


class DocumentError(services.CongressError):
    """A document that cannot be made yet; ``str(exc)`` says why."""


def _date_text(day) -> str:
    return zh_date(day) if day else "　　年　　月　　日"


def _county_committee(congress: Congress) -> str:
    return f"中共{congress.campaign.county.name}委员会"


ALLOCATION_COLUMNS = ["编号", "选举单位", "包括的党组织", "党员人数", "按党员人数应得", "党委提名保留", "分配名额",
                      "调整后名额", "调整理由"]


def allocation_rows(table: services.AllocationTable) -> list[list[str]]:
    rows = []
    for r in table.rows:
        d = r.detail
        rows.append([
            str(r.unit.number), r.unit.name, "、".join(r.branch_names), str(r.members),
            ("不足1名，按最少1名" if d and d.minimum_applied else (d.quota_text if d else "—")),
            str(r.unit.reserved), str(r.computed) if r.computed is not None else "—",
            str(r.unit.seats_set) if r.unit.seats_set is not None else "", r.unit.seats_reason,
        ])
    rows.append(["", "合计", "", str(table.total_members), "", str(sum(r.unit.reserved for r in table.rows)),
                 str(sum(r.computed or 0 for r in table.rows)), str(table.total_seats), ""])
    return rows


def allocation_pdf(congress: Congress) -> bytes:
    table = services.allocation_table(congress)
    if not table.rows:
        raise DocumentError("尚未划分选举单位。")
    a = table.allocation
    footer = [
        f"代表名额{congress.delegates_planned}名；分配方法：{a.method if a else '—'}。",
        f"{a.tie_rule if a else ''}。" + (f"本表中按此规则确定的单位：{'、'.join(a.ties)}。" if a and a.ties else ""),
        *[f"注意：{p}。" for p in table.problems],
    ]
    return table_pdf(
        f"{congress.title}代表名额分配表", ALLOCATION_COLUMNS, allocation_rows(table), landscape=True,
        subtitle=f"填报单位：{congress.committee_name}", footer_lines=footer, whole=[0, 3, 5, 6, 7],
        signature_lines=["制表人", "审核人"],
    )


def _request_parts(congress: Congress):
    blockers = services.request_blockers(congress)
    if blockers:
        raise DocumentError("请示还不能生成：" + "；".join(blockers) + "。")
    table = services.allocation_table(congress)
    c = congress
    number = zh_number(c.number)
    title = f"{c.committee_name}关于召开{c.title}的请示"
    paragraphs = [
        f"{_county_committee(c)}：",
        f"我{c.township.name}党委即将届满，按照《中国共产党章程》和《中国共产党基层组织选举工作条例》的规定，经本届党委"
        f"讨论决定，拟于{zh_date(c.convene_on)}召开中国共产党{c.township.name}第{number}次代表大会。现将有关问题请示如下：",
        "一、大会的任务",
        "总结本届党委、纪委的工作，部署今后五年的工作任务；按照党章的规定，选举产生新一届党委和纪委。",
        "二、大会的主要议程",
        "1．听取和审查本届党委工作报告；2．听取和审查本届纪委工作报告；3．讨论本乡镇重大问题并作出决定；"
        "4．选举产生新一届党委委员和纪委委员。",
        "三、代表名额和产生办法",
        f"本次代表大会代表名额为{c.delegates_planned}名，按各选举单位党员人数分配（分配表附后），"
        f"共{len(table.rows)}个选举单位、党员{table.total_members}名。代表的产生均由各选举单位根据分配的名额召开党员大会，"
        "在充分酝酿的基础上，以无记名投票方式进行差额选举，差额不少于应选人数的20%。",
        "四、新一届委员会和纪律检查委员会的组成名额",
        f"新一届党委拟由{c.committee_seats}人组成，其中书记1人，副书记{c.deputy_secretaries}人；"
        f"纪律检查委员会拟由{c.discipline_seats}人组成。",
        "五、选举办法",
        "代表大会的代表、新一届党委委员和纪委委员均实行差额选举，党委委员、纪委委员候选人的差额不少于应选名额的20%；"
        "党委书记、副书记，纪委书记在当选的委员中选举产生。",
        "当否，请批示。",
    ]
    tables = [TableSpec(["编号", "选举单位", "党员人数", "代表名额"],
                        [[str(r.unit.number), r.unit.name, str(r.members), str(r.seats)] for r in table.rows]
                        + [["", "合计", str(table.total_members), str(table.total_seats)]],
                        caption="附：代表名额分配表")]
    return title, paragraphs, tables


def request_pdf(congress: Congress) -> bytes:
    title, paragraphs, tables = _request_parts(congress)
    if congress.request_number:
        paragraphs = [congress.request_number, *paragraphs]
    return notice_pdf(title, paragraphs, issuer=congress.committee_name, date_text=_date_text(congress.request_date),
                      tables=tables, stamp=True)


def request_docx(congress: Congress) -> bytes:
    title, paragraphs, tables = _request_parts(congress)
    if congress.request_number:
        paragraphs = [congress.request_number, *paragraphs]
    return notice_docx(title, paragraphs, congress.committee_name, _date_text(congress.request_date), tables)


def _approval_parts(congress: Congress):
    if not congress.approved:
        raise DocumentError("县委尚未批复。")
    c = congress
    table = services.allocation_table(c)
    title = f"关于同意召开{c.title}的批复"
    paragraphs = [
        f"{c.committee_name}：",
        f"你委《关于召开{c.title}的请示》（{c.request_number}）收悉。经研究，批复如下：",
        f"一、同意你委于{zh_date(c.convene_on)}召开中国共产党{c.township.name}第{zh_number(c.number)}次代表大会。",
        f"二、同意大会代表名额为{c.delegates_planned}名（{c.size_approval_number}），由{len(table.rows)}个选举单位"
        "按分配的名额差额选举产生。",
        f"三、同意新一届党委由{c.committee_seats}人组成，其中书记1人，副书记{c.deputy_secretaries}人；"
        f"纪律检查委员会由{c.discipline_seats}人组成。",
        "请按照党章和有关规定，认真做好代表选举和大会的各项筹备工作。",
    ]
    return title, paragraphs


def approval_pdf(congress: Congress) -> bytes:
    title, paragraphs = _approval_parts(congress)
    county = _county_committee(congress)
    return notice_pdf(title, [congress.approval_number, *paragraphs], issuer=county,
                      date_text=zh_date(congress.approval_date), red_header=county, red_line=True, stamp=True)


def approval_docx(congress: Congress) -> bytes:
    title, paragraphs = _approval_parts(congress)
    return notice_docx(title, [congress.approval_number, *paragraphs], _county_committee(congress),
                       zh_date(congress.approval_date))


def _credentials_parts(congress: Congress):
    from huanjie.congress.models import CredentialDecision

    decisions = list(CredentialDecision.objects.filter(congress=congress).select_related("unit", "elected"))
    if not decisions:
        raise DocumentError("尚未进行代表资格审查。")
    c = congress
    confirmed = [d for d in decisions if d.status == CredentialDecision.CONFIRMED]
    others = [d for d in decisions if d.status != CredentialDecision.CONFIRMED]
    units = {d.unit_id for d in decisions}
    register = services.delegate_register(congress)
    # keyed by the elected member, not the name: two delegates may share a name
    notes = {r["elected_id"]: r["note"] for r in register}
    replaced = {r["elected_id"]: r["replaces"] for r in register if r["replaces"]}
    by_elected = [f"{d.unit.name}补选{d.elected.name}替换{replaced[d.elected_id]}"
                  for d in confirmed if d.elected_id in replaced]
    paragraphs = [
        "各位代表：",
        f"{c.title}代表名额{c.delegates_planned}名，由{c.units.count()}个选举单位选举产生。代表资格审查小组依据党章和"
        "《中国共产党基层组织选举工作条例》，对已报送的{n}个选举单位选出的{m}名代表的产生程序和代表资格逐一进行了审查。".format(
            n=len(units), m=len(decisions)),
        f"经审查，{len(confirmed)}名代表的产生符合规定程序，代表资格有效。"
        + (f"另有{len(others)}名代表的产生程序或资格不符合规定，已责成原选举单位依照规定办理（见下表）。" if others else ""),
        *([f"经责令撤换，原选举单位召开党员大会补选了代表：{'；'.join(by_elected)}，补选代表的资格经审查有效。"]
          if by_elected else []),
        "代表资格审查小组建议大会确认以上代表资格。",
    ]
    tables = [TableSpec(["选举单位", "代表", "审查结论", "产生方式"],
                        [[d.unit.name, d.elected.name, d.get_status_display(), notes.get(d.elected_id) or "选举"]
                         for d in confirmed], caption="资格有效的代表")]
    if others:
        tables.append(TableSpec(["选举单位", "代表", "审查结论", "理由"],
                                [[d.unit.name, d.elected.name, d.get_status_display(), d.reason] for d in others],
                                caption="需要重新选举或撤换的代表", widths=[3, 2, 3, 8]))
    return paragraphs, tables, decisions[0].decided_on


def credentials_report_text(congress: Congress) -> str:
    """The report's words and cells, for the page and for tests of what the PDF says."""
    paragraphs, tables, _ = _credentials_parts(congress)
    return "\n".join(paragraphs + ["　".join(cell for row in t.rows for cell in row) for t in tables])


def credentials_report_pdf(congress: Congress) -> bytes:
    """代表资格审查报告 to the preparatory meeting (seed 003 step 24; R65)."""
    paragraphs, tables, day = _credentials_parts(congress)
    return notice_pdf(f"{congress.title}代表资格审查报告", paragraphs, issuer="代表资格审查小组",
                      date_text=zh_date(day), tables=tables)


REGISTER_COLUMNS = ["代表团（组）", "选举单位", "姓名", "性别", "年龄", "备注"]


def register_rows(congress: Congress) -> list[list[str]]:
    return [[r["delegation"], r["unit"], r["name"], r["gender"], str(r["age"] or ""), r["note"]]
            for r in services.delegate_register(congress)]


def register_pdf(congress: Congress) -> bytes:
    rows = register_rows(congress)
    if not rows:
        raise DocumentError("尚无资格有效的代表。")
    return table_pdf(f"{congress.title}代表名册", REGISTER_COLUMNS, rows,
                     subtitle=f"共{len(rows)}名（经代表资格审查）　编制单位：{congress.committee_name}", whole=[2])


# ---------------------------------------------------------------- the election meeting (seed 003 steps 20, 27, 31)


def _chief(congress: Congress) -> str:
    s = congress.scrutineers.filter(chief=True).select_related("elected").first()
    return f"总监票人：{s.elected.name}" if s else "总监票人："


def headcount_pdf(congress: Congress) -> bytes:
    """清点人数报告单: delegates expected (confirmed credentials), present, the 4/5 quorum."""
    h = services.headcount(congress)
    if h["present"] is None:
        raise DocumentError("尚未清点到会代表人数。")
    e = congress.committee_election
    rows = [["应到会代表", f"{h['expected']} 名"], ["实到会代表", f"{h['present']} 名"],
            ["缺席", f"{h['expected'] - h['present']} 名"],
            ["是否超过应到会人数的五分之四", "是" if h["met"] else "否"]]
    return notice_pdf(f"{congress.title}清点人数报告单", ["大会执行主席：", h["text"] + "。"],
                      issuer=_chief(congress), date_text=zh_date(e.election_date),
                      tables=[TableSpec(["项目", "人数"], rows)])


def _forms(election):
    from huanjie.elections.aftervote.documents import counted_forms

    return counted_forms([election.rounds.get(number=1).pk])


def _ballot_report(congress: Congress, returned: bool) -> bytes:
    rows = []
    for body, (_k, _p, _f, label) in services.BODIES.items():
        e = services.body_election(congress, body)
        forms = _forms(e) if e else []
        if not forms:
            raise DocumentError(f"{label}选举尚未录入计票单。")
        issued = sum(f.ballots_issued for f in forms)
        back = sum(f.ballots_returned for f in forms)
        rows.append([f"{label}选票", str(congress.present_delegates or 0), str(issued)]
                    + ([str(back), "有效" if back <= issued else "收回多于发出，选举无效"] if returned else []))
    title = "收回选票报告单" if returned else "领发选票报告单"
    columns = ["选票", "实到会代表", "发出选票"] + (["收回选票", "结论"] if returned else [])
    text = ("各项选举收回的选票数如下，收回选票不多于发出选票的，选举有效。" if returned
            else "按实到会代表人数领取、发放选票如下。")
    return notice_pdf(f"{congress.title}{title}", ["大会执行主席：", text], issuer=_chief(congress),
                      date_text=zh_date(congress.committee_election.election_date), tables=[TableSpec(columns, rows)])


def ballots_issued_pdf(congress: Congress) -> bytes:
    return _ballot_report(congress, returned=False)


def ballots_returned_pdf(congress: Congress) -> bytes:
    return _ballot_report(congress, returned=True)


def candidate_forms_pdf(congress: Congress) -> bytes:
    """候选人预备人选登记表 of both lists (name, gender, birth, age on the congress day, organisation)."""
    from huanjie.elections.models import Candidate
    from huanjie.rules.dates import age_on
    from huanjie.rules.strokes import stroke_sort_key

    rows = []
    for body, (_k, _p, _f, label) in services.BODIES.items():
        e = services.body_election(congress, body)
        cands = list(Candidate.objects.filter(election=e, status=Candidate.ACTIVE).select_related(
            "person__hukou_village")) if e else []
        for c in sorted(cands, key=lambda c: stroke_sort_key(c.person.name)):
            p = c.person
            rows.append([label, p.name, {"M": "男", "F": "女"}.get(p.gender, ""), p.birth_date.strftime("%Y.%m"),
                         str(age_on(p.birth_date, congress.convene_on)),
                         p.hukou_village.name if p.hukou_village else ""])
    if not rows:
        raise DocumentError("尚无候选人预备人选。")
    return table_pdf(f"{congress.title}党委委员、纪委委员候选人预备人选登记表",
                     ["名单", "姓名", "性别", "出生年月", "年龄", "所在村（社区）"], rows,
                     subtitle=f"按姓氏笔画为序　填报单位：{congress.committee_name}", whole=[1, 3])


def ballots_pdf(congress: Congress, body: str, ballot_set: str) -> bytes:
    """The ballots of one election in one of the two sets (seed 003 step 31), from the machinery."""
    from huanjie.elections.voting.services import VotingError, round_ballot_pdf

    e = services.body_election(congress, body) if body in (*services.BODIES, "county") else None
    if body in ("committee_plenary", "discipline_plenary"):
        e = services.plenary_election(congress, body.split("_")[0])
    if e is None:
        raise DocumentError("该项选举尚未建立。")
    try:
        return round_ballot_pdf(e.rounds.get(number=1), ballot_set=ballot_set)
    except VotingError as exc:
        raise DocumentError(str(exc)) from None


def result_report_pdf(congress: Congress, body: str) -> bytes:
    """计票结果报告 of one election (the machinery's result report with the congress's wording)."""
    from huanjie.elections.aftervote.documents import report_pdf
    from huanjie.elections.services import ElectionError

    e = {"committee": congress.committee_election, "discipline": congress.discipline_election,
         "committee_plenary": congress.committee_plenary, "discipline_plenary": congress.discipline_plenary,
         "county": congress.county_delegates_election}.get(body)
    if e is None:
        raise DocumentError("该项选举尚未建立。")
    try:
        return report_pdf(e)
    except ElectionError as exc:
        raise DocumentError(str(exc)) from None


BALLOT_BODIES = {"committee": "党委委员", "discipline": "纪委委员", "committee_plenary": "党委书记、副书记",
                 "discipline_plenary": "纪委书记", "county": "出席县党代会代表"}


def _meeting_documents() -> dict:
    out = {
        "headcount.pdf": ("清点人数报告单.pdf", headcount_pdf),
        "ballots-issued.pdf": ("领发选票报告单.pdf", ballots_issued_pdf),
        "ballots-returned.pdf": ("收回选票报告单.pdf", ballots_returned_pdf),
        "candidate-forms.pdf": ("候选人预备人选登记表.pdf", candidate_forms_pdf),
    }
    for body, label in BALLOT_BODIES.items():
        for ballot_set, set_label in (("formal", "正式选票"), ("spare", "备用选票")):
            out[f"ballots-{body}-{ballot_set}.pdf"] = (
                f"{label}{set_label}.pdf", lambda c, b=body, s=ballot_set: ballots_pdf(c, b, s))
        out[f"result-{body}.pdf"] = (f"{label}计票结果报告.pdf", lambda c, b=body: result_report_pdf(c, b))
    return out


DOCUMENTS = {
    "allocation.pdf": ("代表名额分配表.pdf", allocation_pdf),
    "request.pdf": ("召开党代会的请示.pdf", request_pdf),
    "request.docx": ("召开党代会的请示.docx", request_docx),
    "approval.pdf": ("县委批复.pdf", approval_pdf),
    "approval.docx": ("县委批复.docx", approval_docx),
    "credentials.pdf": ("代表资格审查报告.pdf", credentials_report_pdf),
    "register.pdf": ("代表名册.pdf", register_pdf),
}
DOCUMENTS |= _meeting_documents()
