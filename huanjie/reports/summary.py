"""The summary report (换届选举工作总结) and the 汇总表: the office writes the words, the system
inserts every number (computed from the elections, the review and the oversight records)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from huanjie.accounts import audit
from huanjie.campaigns.models import Campaign
from huanjie.core.access import COUNTY, TOWNSHIP, in_scope
from huanjie.documents.render import BarChart, SheetSpec, TableSpec, notice_docx, notice_pdf, workbook_bytes
from huanjie.oversight.services import upsert
from huanjie.people.models import Region
from huanjie.rules.statistics import ROUNDING, percent, structure_counts

from . import services, structure
from .models import SummaryText


class SummaryError(Exception):
    """A refused change of the summary text; ``str(exc)`` is the Chinese reason."""


@dataclass
class Summary:
    campaign: Campaign
    region: Region
    text: SummaryText | None
    work: list[tuple[str, str]]
    structures: list[dict]
    townships: list[list[str]]
    chart: BarChart
    as_of: dt.date
    after: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return (self.text.title if self.text and self.text.title else
                f"{self.region.name}村（社区）“两委”换届选举工作总结")


def after_vote_lines(campaign: Campaign, prefix: str, as_of: dt.date, villages=None) -> list[tuple[str, str]]:
    """The work after the vote: cadres leaving office and placed, talks, reserve cadres, handover."""
    from huanjie.oversight import handover

    from . import outgoing

    people = outgoing.outgoing_rows(campaign, prefix)
    c = outgoing.outgoing_counts(people)
    reserve = outgoing.reserve_totals(outgoing.reserve_rows(campaign, prefix))
    h = handover.counts(handover.rows(campaign, prefix, as_of, villages=villages))
    with_team = h["done"] + h["late"] + h["overdue"] + h["due"]
    return [
        ("上届村干部离任", f"{c['left']} 人"),
        ("离任村干部另行安排", percent(c["placed"], c["left"]).with_counts),
        ("参选未当选", f"{c['not_elected']} 人"),
        ("离任和未当选人员谈心谈话", percent(c["talked"], c["people"]).with_counts),
        ("村级后备干部", f"{reserve['count']} 人（{reserve['villages_with']} 个村）"),
        ("后备干部中女性", percent(reserve["women"], reserve["count"]).with_counts),
        ("后备干部中35岁及以下", percent(reserve["young"], reserve["count"]).with_counts),
        ("工作移交按期完成（已产生新一届的村）", percent(h["done"], with_team).with_counts),
        ("工作移交逾期未完成", f"{h['overdue']} 个村"),
    ]


def work_lines(figures: dict, leaving: int | None = None) -> list[tuple[str, str]]:
    """The campaign's work in figures: each count with its share where it has a whole."""
    t = figures
    lines = [
        ("换届村（社区）", f"{t['villages']} 个"),
        ("已完成投票计票", percent(t["held"], t["villages"]).with_counts),
        ("已报送结果", percent(t["submitted"], t["villages"]).with_counts),
        *participation_lines(t),
        ("完成资格审查的候选人", f"{t['reviewed']} 人"),
        ("资格审查未通过", percent(t["disqualified"], t["reviewed"]).with_counts),
        ("受理举报信访", f"{t['complaints']} 件"),
        ("举报信访已办结", percent(t["complaints"] - t["complaints_open"], t["complaints"]).with_counts),
        ("突发事件", f"{t['incidents']} 起"),
        ("突发事件已处置完毕", percent(t["incidents"] - t["incidents_open"], t["incidents"]).with_counts),
        ("选情复杂村", f"{t['complicated']} 个"),
    ]
    if leaving is not None:  # callers without the after-the-vote table
        lines.append(("上届村干部离任", f"{leaving} 人"))
    return lines


def participation_lines(t: dict) -> list[tuple[str, str]]:
    """Turnout of the voters (villagers' committees counted) and of the party members (the
    assemblies held), each with its counts."""
    return [("选民参选率（已计票村）", percent(t["returned"], t["registered"]).with_counts),
            ("召开党员大会选举的村", f"{t['party_held']} 个"),
            ("党员参会率（实到/应到会）", percent(t["party_present"], t["party_expected"]).with_counts)]


def build_summary(campaign: Campaign, region: Region, as_of: dt.date | None = None) -> Summary:
    as_of = as_of or timezone.localdate()
    prefix = region.scope_prefix
    villages = services.villages_of(campaign, prefix, handover=True)  # read once for both tables
    rows = services.village_figures(campaign, prefix, as_of, villages)
    totals = services.totals(rows)
    tables = [structure.structure_table(campaign, prefix, body) for body in ("all", "committee", "party")]
    townships, chart_cats, chart_elected, chart_women, chart_young = [], [], [], [], []
    cutoff = campaign.cutoff_date
    # every cadre under the prefix read once, then split by township (was one query per township)
    cadres = structure.current_cadres(campaign, prefix)
    for tw in Region.objects.filter(code__startswith=prefix, level=Region.TOWNSHIP).order_by("code"):
        t_rows = [r for r in rows if r["township_code"] == tw.code]
        t_tot = services.totals(t_rows)
        c = structure_counts([cd for cd in cadres if cd.village.startswith(tw.scope_prefix)], cutoff)
        townships.append([tw.name, str(t_tot["villages"]), str(t_tot["held"]), str(c.cadres),
                          c.share("women").with_counts, c.share("young").with_counts,
                          str(c.yijiantiao_villages), percent(t_tot["returned"], t_tot["registered"]).with_counts,
                          percent(t_tot["party_present"], t_tot["party_expected"]).with_counts])
        chart_cats.append(tw.name)
        chart_elected.append(c.cadres)
        chart_women.append(c.women)
        chart_young.append(c.young)
    chart = BarChart(title="各乡镇新当选村干部结构", categories=chart_cats, unit="人",
                     series=[("当选人数", chart_elected), ("女性", chart_women), ("35岁及以下", chart_young)])
    return Summary(campaign, region, SummaryText.objects.filter(campaign=campaign, region=region).first(),
                   work_lines(totals), tables, townships, chart, as_of,
                   after_vote_lines(campaign, prefix, as_of, villages))


TOWNSHIP_COLUMNS = ["乡镇", "换届村数", "已完成选举", "当选人数", "女性", "35岁及以下", "一肩挑村", "参选率",
                    "党员参会率"]
STRUCTURE_COLUMNS = ["项目", "本届", "上届", "比上届", "目标"]


def structure_rows(table: dict) -> list[list[str]]:
    return [[line.label, line.now_text, line.before_text, line.change,
             line.target + ("" if line.met is None else ("（已达到）" if line.met else "（未达到）"))]
            for line in table["lines"]]


def report_tables(s: Summary) -> list[TableSpec]:
    out = [TableSpec(columns=["项目", "数字"], rows=[list(w) for w in s.work], caption="表1　换届选举工作情况",
                     repeat=1),
           TableSpec(columns=["项目", "数字"], rows=[list(w) for w in s.after], caption="表2　离任安排、后备干部和工作移交",
                     repeat=1)]
    for n, table in enumerate(s.structures, 3):
        out.append(TableSpec(columns=STRUCTURE_COLUMNS, rows=structure_rows(table), repeat=1, font_size=9,
                             caption=f"表{n}　新一届{table['label']}班子结构"))
    if len(s.townships) > 1 or s.region.level == Region.COUNTY:
        out.append(TableSpec(columns=TOWNSHIP_COLUMNS, rows=s.townships, repeat=1, font_size=9,
                             caption=f"表{len(out) + 1}　各乡镇情况"))
    return out


def _paragraphs(s: Summary) -> tuple[list[str], list[str]]:
    text = s.text
    before = [p for p in (text.overview.splitlines() if text else []) if p.strip()]
    if not before:
        before = ["（总体情况由换届办填写。）"]
    after = []
    for head, body in (("主要做法", text.practice if text else ""), ("存在问题和下一步工作", text.problems if text else "")):
        paras = [p for p in body.splitlines() if p.strip()]
        if paras:
            after.append(f"{head}：" + paras[0])
            after.extend(paras[1:])
    after.append(f"（本总结中的数字由换届通根据截至 {s.as_of.isoformat()} 的数据生成，百分比{ROUNDING}。）")
    after.append(f"（{audit.region_checkpoint_line(s.region.code)}）")
    return before, after


def summary_pdf(s: Summary) -> bytes:
    before, after = _paragraphs(s)
    return notice_pdf(s.title, before, issuer=f"{s.region.name}换届工作领导小组办公室",
                      date_text=f"{s.as_of.year}年{s.as_of.month}月{s.as_of.day}日", tables=report_tables(s),
                      charts=[s.chart], closing_paragraphs=after, on_missing="log")


def summary_docx(s: Summary) -> bytes:
    before, after = _paragraphs(s)
    return notice_docx(s.title, before, f"{s.region.name}换届工作领导小组办公室",
                       f"{s.as_of.year}年{s.as_of.month}月{s.as_of.day}日", report_tables(s),
                       closing_paragraphs=after, charts=[s.chart])


def summary_xlsx(s: Summary) -> bytes:
    """The 汇总表: the same tables, one sheet each."""
    sub = f"填报单位：{s.region.name}　数据截至 {s.as_of.isoformat()}"
    return workbook_bytes([SheetSpec(name=(spec.caption or "表").split("　")[-1][:31], title=spec.caption or "",
                                     columns=list(spec.columns), rows=spec.rows, subtitle=sub)
                           for spec in report_tables(s)])


@transaction.atomic
def save_text(actor, campaign: Campaign, region: Region, data: dict) -> SummaryText:
    if actor.role not in (COUNTY, TOWNSHIP) or not in_scope(actor, region.code):
        raise SummaryError("只有本级换届办可以填写工作总结。")
    clean = {}
    for key, label, limit in (("title", "标题", 100), ("overview", "总体情况", 8000), ("practice", "主要做法", 8000),
                              ("problems", "存在问题和下一步工作", 8000)):
        value = (data.get(key) or "").strip()
        if len(value) > limit:
            raise SummaryError(f"{label}：不能超过 {limit} 个字。")
        clean[key] = value
    return upsert(actor, SummaryText, {"campaign": campaign, "region": region}, clean, "reports.summary_text",
                  always={"updated_by": actor})
