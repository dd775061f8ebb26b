# Nomination fields (P2 exception, current post, exclusion), candidate selection notes, nomination count.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0002_electedmember_nomination_candidate_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="candidate",
            name="selection_note",
            field=models.CharField(blank=True, max_length=300, verbose_name="确定方式说明"),
        ),
        migrations.AddField(
            model_name="candidate",
            name="women_rule",
            field=models.BooleanField(default=False, verbose_name="按妇女候选人规定增列"),
        ),
        migrations.AddField(
            model_name="nomination",
            name="current_post",
            field=models.CharField(blank=True, max_length=20, verbose_name="现任职务"),
        ),
        migrations.AddField(
            model_name="nomination",
            name="exception_body",
            field=models.CharField(blank=True, max_length=100, verbose_name="破格批准机关"),
        ),
        migrations.AddField(
            model_name="nomination",
            name="exception_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="破格理由"),
        ),
        migrations.AddField(
            model_name="nomination",
            name="excluded_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="不确定为候选人的原因"),
        ),
        migrations.CreateModel(
            name="NominationCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[("aggregated", "按职位汇总"), ("ballots", "逐张录入")],
                        max_length=20,
                        verbose_name="录入方式",
                    ),
                ),
                ("held_on", models.DateField(verbose_name="提名日期")),
                ("registered_voters", models.PositiveIntegerField(verbose_name="登记选民数")),
                ("participated", models.PositiveIntegerField(verbose_name="参加提名人数")),
                ("ballots", models.PositiveIntegerField(default=0, verbose_name="提名票张数")),
                (
                    "turnout_required",
                    models.BooleanField(default=False, verbose_name="法规要求过半数选民参加"),
                ),
                ("turnout_ok", models.BooleanField(null=True, verbose_name="过半数选民参加")),
                ("void", models.JSONField(blank=True, default=list, verbose_name="无效提名")),
                ("recorded_at", models.DateTimeField(auto_now=True)),
                (
                    "election",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="nomination_count",
                        to="elections.election",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
