# Digests go to each committee's reviewers: one per (cycle, committee, day).

import django.db.models.deletion
from django.db import migrations, models


def address_digests(apps, schema_editor):
    """Earlier digests were the province's: give each its plan's top committee, that is
    the issuer's province committee followed to the committee that carries it on."""
    Organisation = apps.get_model("organisations", "Organisation")
    ReviewerDigest = apps.get_model("reports", "ReviewerDigest")
    organisations = {o.pk: o for o in Organisation.objects.only("pk", "parent_id", "successor_id")}

    def top(pk):
        seen = set()
        while organisations[pk].parent_id is not None and pk not in seen:
            seen.add(pk)
            pk = organisations[pk].parent_id
        seen = set()
        while organisations[pk].successor_id is not None and pk not in seen:
            seen.add(pk)
            pk = organisations[pk].successor_id
        return pk

    for digest in ReviewerDigest.objects.select_related("cycle__plan").filter(node__isnull=True):
        digest.node_id = top(digest.cycle.plan.issuer_id)
        digest.save(update_fields=["node"])


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_restructuring"),
        ("reports", "0005_reporting_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewerdigest",
            name="node",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="cấp nhận báo cáo",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="reviewerdigest",
            name="digest_once_per_day",
        ),
        migrations.RunPython(address_digests, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="reviewerdigest",
            constraint=models.UniqueConstraint(
                fields=("cycle", "node", "day"), name="digest_once_per_node_and_day"
            ),
        ),
    ]
