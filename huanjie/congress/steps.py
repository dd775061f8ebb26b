"""The congress's timeline: the 59 steps of seed 003 篇7 (乡镇党委换届选举工作程序), each with its
phase, its window relative to the congress day and the document it produces where the system makes
one. The seed's calendar (3/15–3/20, 3/21–4/20, 4/21–4/25, the meeting) is kept as offsets from the
congress day, so a township that meets on another day gets the same rhythm.

Steps whose fact the system records elsewhere (the 请示, the allocation, the credentials, the
candidates' approval, the preparatory meeting, the elections, the plenaries, the county's approval)
are done when that fact is; the others are marked done by the office with their date.
"""

from __future__ import annotations

from dataclasses import dataclass

# phase → (title, first day offset, last day offset) relative to the congress day
PHASES = {
    1: ("统一思想，制定方案", -41, -36),
    2: ("精心准备，选好代表，确定党委、纪委委员候选人预备人选", -35, -5),
    3: ("做好会前准备工作", -4, -1),
    4: ("开好会议，选好代表及班子成员", -1, 30),
}


@dataclass(frozen=True)
class Step:
    number: int
    phase: int
    label: str
    document: str = ""  # the document name in huanjie.congress.documents.DOCUMENTS, if the system makes it
    due: int | None = None  # offset of the due day when not the phase's last day


STEPS: tuple[Step, ...] = (
    Step(1, 1, "学习县委有关文件精神，统一思想"),
    Step(2, 1, "开展民情调查走访活动"),
    Step(3, 1, "制定换届工作方案"),
    Step(4, 1, "召开动员大会"),
    Step(5, 1, "成立人事安排、代表选举、文件起草、会务准备、资格审查等工作小组"),
    Step(6, 1, "向县委报告召开党员代表大会的请示", "request.pdf"),
    Step(7, 2, "起草下发召开党代表大会的通知"),
    Step(8, 2, "确定党代表条件和代表构成的指导性比例"),
    Step(9, 2, "划分代表选举单位，分配名额", "allocation.pdf"),
    Step(10, 2, "制定代表推选的程序和方法"),
    Step(11, 2, "选举单位采取党员推荐和群众推荐相结合的方式提出代表候选人推荐人选"),
    Step(12, 2, "选举单位与乡镇党委沟通，按不低于上次的差额比例提出代表候选人初步人选"),
    Step(13, 2, "各选举单位对初步人选征求党员群众意见"),
    Step(14, 2, "各选举单位召开党总支、支部委员会议，确定代表候选人预备人选"),
    Step(15, 2, "各选举单位将代表候选人预备人选名单报乡镇党委审查"),
    Step(16, 2, "选举单位召开党员大会，选举产生党代表大会代表"),
    Step(17, 2, "乡镇党委审批"),
    Step(18, 2, "编制党代表名册", "register.pdf"),
    Step(19, 2, "根据县委考察向县委上报请示，确定党委、纪委委员候选人预备人选"),
    Step(20, 3, "向县委呈报党委委员、纪委委员候选人预备人选的请示及登记表", "candidate-forms.pdf"),
    Step(21, 3, "起草党委、纪委工作报告"),
    Step(22, 3, "起草选举办法（草案）"),
    Step(23, 3, "提出大会会务方案"),
    Step(24, 3, "起草代表资格审查报告、大会议程、代表编团（组）名册、主席团和监票人建议名单等材料", "credentials.pdf"),
    Step(25, 3, "起草各次会议议程"),
    Step(26, 3, "起草各次会议主持词"),
    Step(27, 3, "拟定选票、计票统计表、计票结果报告、清点人数报告单、领发和收回选票报告单样式"),
    Step(28, 3, "起草党委委员、纪委委员选举报告，报上级党委备案"),
    Step(29, 3, "起草党委第一次全体会议选举书记、副书记结果的报告，报上级党委审批"),
    Step(30, 3, "起草纪委第一次全体会议选举书记结果的报告，报上级党委审批"),
    Step(31, 3, "印制选票两套（正式选票、备用选票，格式相同，颜色区别）", "ballots-committee-formal.pdf"),
    Step(32, 3, "编制大会经费预算"),
    Step(33, 3, "制作各种证件佩条"),
    Step(34, 3, "确定会议地点"),
    Step(35, 3, "布置大会会场"),
    Step(36, 3, "准备票箱等用品"),
    Step(37, 3, "制作有关表册"),
    Step(38, 3, "制定文件管理办法"),
    Step(39, 3, "安排会议期间活动"),
    Step(40, 3, "做好会务后勤准备"),
    Step(41, 3, "将会议有关材料报县委指导组和组织部、纪委审查"),
    Step(42, 4, "召开本届党委最后一次会议，审议通过工作报告、代表资格审查报告、候选人预备人选名单和选举办法等"),
    Step(43, 4, "召开代表团召集人会议"),
    Step(44, 4, "召开代表团会议，推选代表团正副团长，审议代表资格审查报告"),
    Step(45, 4, "召开预备会议，通过代表资格审查报告、主席团和秘书长名单、大会议程"),
    Step(46, 4, "召开主席团第一次会议，通过大会日程、副秘书长名单", due=0),
    Step(47, 4, "举行大会开幕式，作工作报告", due=0),
    Step(48, 4, "召开各代表团会议，审议工作报告，酝酿候选人建议名单", due=0),
    Step(49, 4, "召开主席团第二次会议，通过选举办法草案，提出候选人建议名单", due=0),
    Step(50, 4, "组织候选人预备人选与代表见面", due=0),
    Step(51, 4, "召开主席团第三次会议，确定党委委员、纪委委员候选人", due=0),
    Step(52, 4, "大会选举产生党委委员、纪委委员", "result-committee.pdf", due=0),
    Step(53, 4, "大会选举产生出席县党代表大会代表", due=0),
    Step(54, 4, "召开主席团第四次会议，听取计票结果汇报，确定当选名单", due=0),
    Step(55, 4, "举行大会闭幕式", due=0),
    Step(56, 4, "召开党委第一次全体会议，选举党委书记、副书记", "result-committee_plenary.pdf", due=0),
    Step(57, 4, "召开纪委第一次全体会议，选举纪委书记", "result-discipline_plenary.pdf", due=0),
    Step(58, 4, "向县委呈报召开党员代表大会总结报告和选举结果", due=7),
    Step(59, 4, "做好工作总结，整理资料，立卷归档", due=30),
)
assert [s.number for s in STEPS] == list(range(1, 60))
BY_NUMBER = {s.number: s for s in STEPS}
