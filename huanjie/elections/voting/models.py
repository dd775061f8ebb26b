"""Election day: voting stations and staff, ballots issued, counting forms, results, lock, handover
(issue: village committee election, part 3). Paper is authoritative: these tables record what the
counting teams read from it.
"""

from __future__ import annotations

from django.db import models

from huanjie.people.models import Person


class VotingStation(models.Model):
    """The central election meeting, a polling station, or a mobile ballot box (R16, R21)."""

    CENTRAL, STATION, MOBILE = "central", "station", "mobile"
    KIND_CHOICES = [(CENTRAL, "中心会场"), (STATION, "投票站"), (MOBILE, "流动票箱")]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="stations")
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类型", max_length=20, choices=KIND_CHOICES, default=CENTRAL)
    location = models.CharField("地点", max_length=120, blank=True)
    opens_at = models.TimeField("开始时间", null=True, blank=True)
    closes_at = models.TimeField("结束时间", null=True, blank=True)
    township_approved_on = models.DateField("乡镇批准流动票箱日期", null=True, blank=True)
    voter_list_published_on = models.DateField("流动票箱投票人名单公布日期", null=True, blank=True)
    scrutineer_list_published_on = models.DateField("监票人名单公布日期", null=True, blank=True)
    ballots_issued = models.PositiveIntegerField("发出选票数", default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = "投票站（票箱）"

    def __str__(self) -> str:  # the audit log and messages name the station, not "object (4)"
        return f"{self.election}：{self.name}"


class StationStaff(models.Model):
    """发票、代书、唱票、计票、监票 staff of a station; checked against candidates' relatives (R12)."""

    ROLE_CHOICES = [("issuer", "发票人"), ("writer", "代书人"), ("reader", "唱票人"), ("counter", "计票人"),
                    ("scrutineer", "监票人")]

    station = models.ForeignKey(VotingStation, on_delete=models.CASCADE, related_name="staff")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("职责", max_length=20, choices=ROLE_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["station", "person", "role"], name="staff_role_once")]

    def __str__(self) -> str:
        return f"{self.station.name}{self.get_role_display()}{self.person.name}"


class CountingForm(models.Model):
    """One counting form (计票单) per station and round; with double entry, one per clerk (entry 1, 2)."""

    DRAFT, SAVED, ACCEPTED = "draft", "saved", "accepted"
    STATUS_CHOICES = [(DRAFT, "草稿"), (SAVED, "已保存"), (ACCEPTED, "已确认")]
    AGGREGATED, BALLOTS = "aggregated", "ballots"

    round = models.ForeignKey("elections.Round", on_delete=models.CASCADE, related_name="forms")
    station = models.ForeignKey(VotingStation, on_delete=models.CASCADE, related_name="forms")
    entry = models.PositiveSmallIntegerField("录入次序", default=1)
    method = models.CharField("录入方式", max_length=20, default=AGGREGATED,
                              choices=[(AGGREGATED, "汇总录入"), (BALLOTS, "逐票录入")])
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    ballots_issued = models.PositiveIntegerField("发出选票", default=0)
    ballots_returned = models.PositiveIntegerField("收回选票", default=0)
    blank_ballots = models.PositiveIntegerField("空白票", default=0)
    invalid_ballots = models.PositiveIntegerField("废票", default=0)
    # 有效票 without the blank ones: the paper splits returned ballots into 有效票, 空白票 and 废票.
    valid_ballots = models.PositiveIntegerField("有效票（不含空白票）", default=0)
    # {post_id: 合计} where the paper form has a total per post (checked by F.03).
    post_totals = models.JSONField("各职位得票合计", default=dict, blank=True)
    # {post_id: n}: ballot-by-ballot entry, ballots valid as a sheet but void for one post (R26).
    post_invalid = models.JSONField("仅某职位无效的选票", default=dict, blank=True)
    findings = models.JSONField("检查结果", default=list, blank=True)
    resolved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    status = models.CharField("状态", max_length=20, choices=STATUS_CHOICES, default=DRAFT)
    acknowledged_warnings = models.JSONField("已确认的警告", default=list, blank=True)
    resolution_note = models.CharField("双录不一致的处理意见", max_length=300, blank=True)
    # Raised by every save: a save based on an older version is refused (issue 9 §4, 已被他人修改).
    version = models.PositiveIntegerField("版本", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station_id", "entry"]
        verbose_name = "计票单"
        constraints = [models.UniqueConstraint(fields=["round", "station", "entry"], name="form_entry_once")]

    def __str__(self) -> str:
        return f"{self.station.name}第{self.round.number}轮计票单（第{self.entry}次录入）"


class CountingLine(models.Model):
    """Votes for one name on one post of a counting form (a candidate or a write-in)."""

    form = models.ForeignKey(CountingForm, on_delete=models.CASCADE, related_name="lines")
    post = models.ForeignKey("elections.Post", on_delete=models.CASCADE, related_name="+")
    name = models.CharField("姓名", max_length=40)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    write_in = models.BooleanField("另选他人", default=False)
    gender = models.CharField("性别", max_length=1, blank=True, choices=[("M", "男"), ("F", "女")])
    votes = models.PositiveIntegerField("得票", default=0)

    class Meta:
        ordering = ["post__rank", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "post", "name"], name="line_once")]

    def __str__(self) -> str:
        return f"{self.form}：{self.post.name}{self.name}{'（另选他人）' if self.write_in else ''}"


class BallotEntry(models.Model):
    """One paper ballot entered ballot by ballot: {post_code: {approve: [], oppose: [], write_in: []}}."""

    form = models.ForeignKey(CountingForm, on_delete=models.CASCADE, related_name="ballots")
    number = models.PositiveIntegerField("选票序号")
    marks = models.JSONField("填写内容", default=dict)
    unreadable = models.BooleanField("无法辨认", default=False)
    extra_mark = models.BooleanField("有规定以外的符号", default=False)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="ballot_number_once")]


class RoundRace(models.Model):
    """A post voted on in a tie re-vote or 另行选举, with exactly the candidates the engine named
    (R29, R31) and the seats still open. The first round uses the posts and the candidate list."""

    round = models.ForeignKey("elections.Round", on_delete=models.CASCADE, related_name="races")
    post = models.ForeignKey("elections.Post", on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveSmallIntegerField("应选名额")
    # [{"name", "person_id", "gender"}] in ballot order
    candidates = models.JSONField("候选人", default=list)
    women_only = models.BooleanField("仅限女性", null=True, blank=True)
    reason = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        ordering = ["post__rank", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "post"], name="round_race_once")]


class RoundResult(models.Model):
    """The engine's decision for a round, stored as computed (the arithmetic shown to the chair)."""

    round = models.OneToOneField("elections.Round", on_delete=models.CASCADE, related_name="result")
    output = models.JSONField("引擎结果")
    computed_at = models.DateTimeField(auto_now=True)


class ElectedMember(models.Model):
    """A person elected to a post; 当选无效 (R39) is a recorded decision that reopens the seat."""

    ELECTED, VOID = "elected", "void"
    SUPPORTING_POSTS = [("youth_league", "团组织负责人"), ("women_federation", "妇联主席"),
                        ("militia", "民兵连长"), ("women_director", "妇女主任")]
    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="elected")
    round = models.ForeignKey("elections.Round", on_delete=models.PROTECT, related_name="elected")
    post = models.ForeignKey("elections.Post", on_delete=models.PROTECT, related_name="elected")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    name = models.CharField("姓名", max_length=40)
    votes = models.PositiveIntegerField("得票")
    status = models.CharField("状态", max_length=20, default=ELECTED,
                              choices=[(ELECTED, "当选"), (VOID, "当选无效")])
    void_reason = models.CharField("当选无效原因", max_length=300, blank=True)
    void_document = models.CharField("当选无效文号", max_length=60, blank=True)
    assigned_post = models.CharField("分工", max_length=40, blank=True)
    is_party_secretary = models.BooleanField("同时为村党组织书记（一肩挑）", default=False)
    # Seed 004 §二(二)4, §二(三)5: the posts of the supporting organisations a member also holds
    # (团组织负责人, 妇联主席, 民兵连长, 妇女主任), codes of SUPPORTING_POSTS joined by ",".
    extra_posts = models.CharField("兼任配套组织职务", max_length=80, blank=True)

    class Meta:
        ordering = ["post__rank", "-votes", "id"]
        verbose_name = "当选人"

    @property
    def extra_post_codes(self) -> list[str]:
        return [c for c in self.extra_posts.split(",") if c]

    @property
    def extra_post_labels(self) -> list[str]:
        names = dict(self.SUPPORTING_POSTS)
        return [names.get(c, c) for c in self.extra_post_codes]


class ResultSubmission(models.Model):
    """The election committee's submission of the result to the township (报送); it locks the result."""

    election = models.OneToOneField("elections.Election", on_delete=models.CASCADE, related_name="submission")
    submitted_at = models.DateTimeField("报送时间")
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    locked = models.BooleanField("已锁定", default=True)
    unlocked_at = models.DateTimeField("解锁时间", null=True, blank=True)
    unlocked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    unlock_reason = models.CharField("解锁原因", max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.election}：选举结果报送"


class HandoverItem(models.Model):
    """Handover of seals, files and 三资 by the outgoing team (R41, P20)."""

    KIND_CHOICES = [("seals", "公章"), ("files", "文书档案"), ("assets", "集体资金、资产、资源（三资）")]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="handover")
    kind = models.CharField("移交事项", max_length=20, choices=KIND_CHOICES)
    description = models.CharField("清单说明", max_length=300, blank=True)
    handed_over_on = models.DateField("移交日期", null=True, blank=True)
    handed_by = models.CharField("移交人", max_length=40, blank=True)
    received_by = models.CharField("接收人", max_length=40, blank=True)
    supervised_by = models.CharField("监交人", max_length=40, blank=True)
    signed = models.BooleanField("已签字", default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "kind"], name="handover_once")]

    def __str__(self) -> str:
        return f"{self.election}：移交{self.get_kind_display()}"
