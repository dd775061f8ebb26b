"""The village party organisation: its members (党员名册) and what its election adds to the one
election machinery of :mod:`huanjie.elections` (the method, the 批复, who is left out of 应到会人数
and who signed in). The election itself, its posts, rounds, candidates, counting forms and results
are the elections app's tables with ``kind`` ``party_branch`` (the members' assembly) and
``party_plenary`` (the new committee's first plenary).
"""

from __future__ import annotations

from django.db import models

from huanjie.people.models import Person, Region


class Branch(models.Model):
    """A village's party organisation (党支部 / 党总支 / 党委) and its size (R50)."""

    BRANCH, GENERAL_BRANCH, COMMITTEE = "branch", "general_branch", "committee"
    TYPE_CHOICES = [(BRANCH, "党支部"), (GENERAL_BRANCH, "党总支"), (COMMITTEE, "党委")]

    village = models.OneToOneField(Region, verbose_name="村（社区）", on_delete=models.PROTECT,
                                   related_name="party_branch")
    org_type = models.CharField("组织类型", max_length=20, choices=TYPE_CHOICES, default=BRANCH)
    scattered = models.BooleanField("党员居住分散", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["village__code"]
        verbose_name = "村党组织"

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        body = {self.BRANCH: "支部委员会", self.GENERAL_BRANCH: "总支部委员会", self.COMMITTEE: "委员会"}[self.org_type]
        return f"中共{self.village.name}{body}"

    @property
    def audit_region_code(self) -> str:
        return self.village.code


class Member(models.Model):
    """A member on the branch's roll. Whether they have the vote is decided by the engine (R49) on
    the election day from these facts, never stored."""

    FORMAL, PROBATIONARY = "formal", "probationary"
    STATUS_CHOICES = [(FORMAL, "正式党员"), (PROBATIONARY, "预备党员")]

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="party_memberships")
    status = models.CharField("党员类别", max_length=20, choices=STATUS_CHOICES, default=FORMAL)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    formal_on = models.DateField("转正日期", null=True, blank=True)
    discipline_until = models.DateField("留党察看期至", null=True, blank=True)
    rights_suspended = models.BooleanField("党员权利中止（留置、逮捕）", default=False)
    suspended_reason = models.CharField("中止原因", max_length=100, blank=True)
    mobile = models.BooleanField("流动党员", default=False)
    mobile_where = models.CharField("外出地点", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    added_on = models.DateField("列入名册日期")

    class Meta:
        ordering = ["id"]
        verbose_name = "党员"
        constraints = [models.UniqueConstraint(fields=["branch", "person"], name="member_once_per_branch")]

    def __str__(self) -> str:
        return self.person.name

    @property
    def audit_region_code(self) -> str:
        return self.branch.village.code


class PartyElection(models.Model):
    """What a party branch election adds to its Election (kind ``party_branch``)."""

    TWO_RECOMMEND, PUBLIC_DIRECT = "two_recommend", "public_direct"
    METHOD_CHOICES = [(TWO_RECOMMEND, "两推一选"), (PUBLIC_DIRECT, "公推直选")]
    ASSEMBLY, CONGRESS = "assembly", "congress"
    BODY_CHOICES = [(ASSEMBLY, "党员大会"), (CONGRESS, "党员代表大会")]

    election = models.OneToOneField("elections.Election", on_delete=models.CASCADE, related_name="party")
    plenary = models.OneToOneField("elections.Election", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="party_plenary_of")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="elections")
    method = models.CharField("选举方式", max_length=20, choices=METHOD_CHOICES, default=TWO_RECOMMEND)
    body = models.CharField("选举机构", max_length=20, choices=BODY_CHOICES, default=ASSEMBLY)
    # The township's 批复 of the preliminary candidates: nothing proceeds without it.
    request_number = models.CharField("请示文号", max_length=60, blank=True)
    request_date = models.DateField("请示日期", null=True, blank=True)
    approval_number = models.CharField("批复文号", max_length=60, blank=True)
    approval_date = models.DateField("批复日期", null=True, blank=True)
    # The township approves 应到会人数; the county is informed (seed 004).
    expected_approved_on = models.DateField("乡镇党委批准应到会人数日期", null=True, blank=True)
    county_informed_on = models.DateField("报县委组织部备案日期", null=True, blank=True)
    # R50: a 党员代表大会 instead of the members' assembly needs the higher organisation's approval.
    body_approval_number = models.CharField("批准召开党员代表大会文号", max_length=60, blank=True)
    body_approved_on = models.DateField("批准召开党员代表大会日期", null=True, blank=True)
    plenary_present = models.PositiveSmallIntegerField("全体会议到会委员人数", null=True, blank=True)
    preliminary_decided_on = models.DateField("确定预备人选日期", null=True, blank=True)
    # The result report to the township and its 批复 (R61).
    result_approval_number = models.CharField("选举结果批复文号", max_length=60, blank=True)
    result_approval_date = models.DateField("选举结果批复日期", null=True, blank=True)
    secretary_filed_on = models.DateField("书记报县委组织部备案日期", null=True, blank=True)

    class Meta:
        verbose_name = "村党组织选举"

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code

    @property
    def approved(self) -> bool:
        return bool(self.approval_number and self.approval_date)


class Delegate(models.Model):
    """A delegate to the branch's 党员代表大会 (R50): in that mode the delegates, not all members,
    are the electorate, and 应到会人数 and the 4/5 quorum (R51–R52) count delegates."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="party_delegates")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    unit = models.CharField("选举单位", max_length=60, blank=True)
    added_on = models.DateField("列入代表名单日期")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="delegate_once")]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class Exclusion(models.Model):
    """A member left out of 应到会人数 in a listed situation (R51): township agreement and the
    assembly's approval are both recorded; without both the member stays in the count."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="party_exclusions")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    situation = models.CharField("情形", max_length=40)
    township_agreed_on = models.DateField("乡镇党委同意日期", null=True, blank=True)
    assembly_approved_on = models.DateField("党员大会通过日期", null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="exclusion_once")]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class SignIn(models.Model):
    """A member signed in at the assembly (实到). No proxies (R53): only the member signs."""

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="party_sign_ins")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="sign_in_once")]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class RecommendationMeeting(models.Model):
    """One recommendation vote: the members' meeting and the villagers' (representatives') meeting of
    两推一选, or the 海推 and 定向推荐 rounds of 公推直选. Tallies of each are kept apart."""

    MEMBERS, VILLAGERS, OPEN_ROUND, DIRECTED_ROUND = "members", "villagers", "open_round", "directed_round"
    KIND_CHOICES = [
        (MEMBERS, "党员推荐（党员大会）"),
        (VILLAGERS, "群众推荐（村民（代表）会议）"),
        (OPEN_ROUND, "海推"),
        (DIRECTED_ROUND, "定向推荐"),
    ]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="party_meetings")
    kind = models.CharField("推荐方式", max_length=20, choices=KIND_CHOICES)
    held_on = models.DateField("日期")
    expected = models.PositiveIntegerField("应到人数")
    present = models.PositiveIntegerField("实到人数")

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [models.UniqueConstraint(fields=["election", "kind"], name="recommendation_once_per_kind")]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code


class RecommendationTally(models.Model):
    """Votes one person received at one recommendation meeting, for one post."""

    meeting = models.ForeignKey(RecommendationMeeting, on_delete=models.CASCADE, related_name="tallies")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    post_code = models.CharField("推荐职务", max_length=30, default="committee_member")
    votes = models.PositiveIntegerField("得票")

    class Meta:
        ordering = ["-votes", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person", "post_code"], name="tally_once")]


class Nominee(models.Model):
    """An initial candidate (初步人选) of the committee, on its elections Candidate (so the review app
    reviews it and the ballot carries it once it is a preliminary candidate, 预备人选)."""

    RECOMMENDED, TOWNSHIP_DIRECT = "recommended", "township_direct"
    SOURCE_CHOICES = [(RECOMMENDED, "根据推荐情况提出"), (TOWNSHIP_DIRECT, "乡镇党委直接提名")]

    candidate = models.OneToOneField("elections.Candidate", on_delete=models.CASCADE, related_name="party_nominee")
    source = models.CharField("产生方式", max_length=20, choices=SOURCE_CHOICES, default=RECOMMENDED)
    proposed_post = models.CharField("拟任职务", max_length=30, blank=True,
                                     choices=[("", "委员"), ("secretary", "书记"), ("deputy_secretary", "副书记"),
                                              ("discipline_member", "纪检委员")])
    # The post the person holds now (书记 / 副书记 / 委员, "" for a newcomer): the policy's age and
    # education rules for newcomers and new heads read it (P2).
    current_post = models.CharField("现任职务", max_length=30, blank=True)
    inspected_by = models.CharField("考察组织", max_length=60, blank=True)
    inspected_on = models.DateField("考察日期", null=True, blank=True)
    rating_competent = models.PositiveIntegerField("民主测评：称职", null=True, blank=True)
    rating_basic = models.PositiveIntegerField("民主测评：基本称职", null=True, blank=True)
    rating_incompetent = models.PositiveIntegerField("民主测评：不称职", null=True, blank=True)
    talks = models.PositiveIntegerField("个别谈话人数", null=True, blank=True)
    visits = models.CharField("实地走访情况", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def audit_region_code(self) -> str:
        return self.candidate.election.organization.code

    @property
    def inspected(self) -> bool:
        return self.inspected_on is not None


class NoticeObjection(models.Model):
    """An objection received during a 公示 (P18) and its handling: the township answers every one
    received in the preliminary candidates' window before it approves them."""

    OPEN_ROUND, INITIAL, PRELIMINARY = "open_round", "initial", "preliminary"
    NOTICE_CHOICES = [(OPEN_ROUND, "海推结果公示"), (INITIAL, "初步人选考察公示"), (PRELIMINARY, "预备人选公示")]
    UPHELD, NOT_UPHELD, PARTLY = "upheld", "not_upheld", "partly"
    OUTCOME_CHOICES = [(UPHELD, "反映属实"), (PARTLY, "部分属实"), (NOT_UPHELD, "反映不属实")]

    election = models.ForeignKey("elections.Election", on_delete=models.CASCADE, related_name="party_objections")
    notice = models.CharField("公示", max_length=20, choices=NOTICE_CHOICES, default=PRELIMINARY)
    received_on = models.DateField("收到日期")
    from_whom = models.CharField("反映人", max_length=60, blank=True, help_text="可匿名")
    about = models.ForeignKey(Person, verbose_name="涉及人员", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    content = models.CharField("反映内容", max_length=500)
    handled_on = models.DateField("办理日期", null=True, blank=True)
    handled_by = models.CharField("办理单位", max_length=60, blank=True)
    outcome = models.CharField("核查结论", max_length=20, choices=OUTCOME_CHOICES, blank=True)
    handling = models.CharField("处理意见", max_length=500, blank=True)

    class Meta:
        ordering = ["received_on", "id"]

    @property
    def audit_region_code(self) -> str:
        return self.election.organization.code

    @property
    def answered(self) -> bool:
        return self.handled_on is not None
