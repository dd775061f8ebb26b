from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("people", "0003_village_stats")]

    operations = [
        migrations.AddField(
            model_name="region",
            name="urban_rural_code",
            field=models.CharField(blank=True, max_length=3, verbose_name="城乡分类代码"),
        ),
    ]
