"""The representatives' list as a notice (村民代表名单公告, A4), grouped by 村民小组."""

from __future__ import annotations

from django.utils import timezone

from huanjie.campaigns.models import CampaignVillage
from huanjie.documents.render.pdf import TableSpec, chinese_number, notice_pdf
from huanjie.elections.registration.documents import zh_date
from huanjie.rules.profile_versions import cite_text

from . import services
from .models import Representative


def representatives_notice_pdf(entry: CampaignVillage) -> bytes:
    """Names, gender and political status per group, the basis and the statutory shares (R38).
    A list not yet published prints as a draft (草稿) with today's date, for checking."""
    lab = services.labels(entry)
    setup = services.setup_of(entry)
    check = services.check(entry)
    reps = sorted(Representative.objects.filter(entry=entry).select_related("person"),
                  key=lambda r: (services.group_key(r.group_name), r.id))
    sections: dict[str, list[list[str]]] = {}
    for r in reps:
        sections.setdefault(r.group_name, []).append(
            [r.person.name, r.person.get_gender_display(), "是" if r.person.political_status == "cpc" else ""])
    village = entry.village.name
    basis = "每五户至十五户推选一人" if setup.basis == setup.HOUSEHOLDS else f"由各{lab['group']}推选"
    decided = (f"经{setup.basis_decided_on and zh_date(setup.basis_decided_on) or ''}{setup.basis_decided_by}决定，"
               if setup.basis_decided_by else "")
    law = cite_text("R38", entry.campaign.profile().version)
    basis_law = f"参照{law}" if entry.village.kind == "community" else f"根据{law}的规定"
    paragraphs = [
        f"{basis_law}，{decided}本届{lab['rep']}按{basis}的方式产生。"
        f"现将{village}第{chinese_number(entry.campaign.term_number)}届{lab['rep']}名单公布如下（共 {check['representatives']} 名，"
        f"其中妇女 {check['women']} 名、党员 {check['party_members']} 名）：",
    ]
    table = TableSpec(
        columns=["项目", "人数", "占比", "法定或政策要求"],
        rows=[[f"{lab['rep']}占{lab['meeting']}组成人员", f"{check['representatives']}/{check['meeting_members']}",
               check["representatives_share"].text, "五分之四以上"],
              [f"妇女{lab['rep']}占{lab['meeting']}组成人员", f"{check['women']}/{check['meeting_members']}",
               check["women_share"].text, "三分之一以上"],
              [f"党员占{lab['rep']}", f"{check['party_members']}/{check['representatives']}",
               check["party_share"].text, "应当占一定比例"]],
        caption=f"{lab['meeting']}由{lab['committee']}成员 {check['committee_members']} 名和{lab['rep']}组成")
    published = setup.published_on
    title = f"{village}{lab['rep']}名单公告" + ("" if published else "（草稿）")
    return notice_pdf(
        title, paragraphs, issuer=f"{village}{lab['committee']}",
        date_text=zh_date(published or timezone.localdate()), sections=list(sections.items()),
        section_columns=("姓名", "性别", "党员"), tables=[table],
        closing_paragraphs=[f"{lab['rep']}的任期与{lab['committee']}的任期相同，可以连选连任。"], stamp=bool(published))
