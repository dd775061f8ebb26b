"""村民代表 (居民代表), 村民小组长 (居民小组长) and the group posts of one village in one campaign.

Seed 004 §二(二)4: the representatives are chosen per 村民小组 or per 5–15 households (VCL Art. 25,
the village's choice, recorded on :class:`PostsSetup`); the group leaders, 妇女小组长 and
村民理事会 members by each group's meeting. Everything is written by :mod:`.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huanjie.campaigns.models import CampaignVillage
from huanjie.people.models import Person


class PostsSetup(models.Model):
    """The village's basis of representation and the state of its representatives' list."""

    GROUP, HOUSEHOLDS = "group", "households"
    BASIS_CHOICES = [(GROUP, "由各村民小组推选若干人"), (HOUSEHOLDS, "每五户至十五户推选一人")]

    entry = models.OneToOneField(CampaignVillage, on_delete=models.CASCADE, related_name="posts_setup")
    basis = models.CharField("推选方式", max_length=20, choices=BASIS_CHOICES, default=GROUP)
    basis_decided_by = models.CharField("决定推选方式的会议", max_length=40, blank=True)
    basis_decided_on = models.DateField("决定日期", null=True, blank=True)
    # Who else sits in the 村民代表会议 (VCL Art. 25): the villagers' committee; taken from the
    # election's result when there is one, else as entered.
    committee_members = models.PositiveSmallIntegerField("村民委员会成员人数", null=True, blank=True)
    # The published list is fixed: a change needs the township to withdraw the notice (with a reason).
    published_on = models.DateField("名单公告日期", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")

    class Meta:
        verbose_name = "村民代表推选方式"

    @property
    def audit_region_code(self) -> str:
        return self.entry.village.code

    def __str__(self) -> str:
        return f"{self.entry.village.name}村民代表推选方式"


class Representative(models.Model):
    """One 村民代表 (居民代表): a villager of the people register, chosen by a group or households."""

    entry = models.ForeignKey(CampaignVillage, on_delete=models.CASCADE, related_name="representatives")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    group_name = models.CharField("村民小组", max_length=30)
    households = models.PositiveSmallIntegerField("推选户数", null=True, blank=True)
    chosen_on = models.DateField("推选日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")

    class Meta:
        ordering = ["group_name", "id"]
        verbose_name = "村民代表"
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="representative_once")]

    @property
    def audit_region_code(self) -> str:
        return self.entry.village.code

    def __str__(self) -> str:
        return f"{self.entry.village.name}村民代表{self.person.name}"


class GroupPost(models.Model):
    """A post of a 村民小组 chosen by the group's meeting (seed 004 §二(二)4)."""

    LEADER, WOMEN_LEADER, COUNCIL_HEAD, COUNCIL_MEMBER = "leader", "women_leader", "council_head", "council_member"
    POST_CHOICES = [(LEADER, "村民小组长"), (WOMEN_LEADER, "妇女小组长"), (COUNCIL_HEAD, "村民理事会理事长"),
                    (COUNCIL_MEMBER, "村民理事会成员")]
    # One holder per group for these; a council has several members.
    SINGLE = {LEADER, WOMEN_LEADER, COUNCIL_HEAD}

    entry = models.ForeignKey(CampaignVillage, on_delete=models.CASCADE, related_name="group_posts")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    group_name = models.CharField("村民小组", max_length=30)
    post = models.CharField("职务", max_length=20, choices=POST_CHOICES)
    chosen_on = models.DateField("小组会议推选日期")
    party_group_leader = models.BooleanField("兼任党小组长", default=False)
    grid_leader = models.BooleanField("兼任网格长", default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")

    class Meta:
        ordering = ["group_name", "post", "id"]
        verbose_name = "村民小组职务"
        constraints = [models.UniqueConstraint(fields=["entry", "group_name", "post", "person"],
                                               name="group_post_once")]

    @property
    def audit_region_code(self) -> str:
        return self.entry.village.code

    def __str__(self) -> str:
        return f"{self.entry.village.name}{self.group_name}{self.get_post_display()}{self.person.name}"
