"""An index on the usual order of organisations (organisations.ordering.usual_order): the
kind's rank, the name in Vietnamese collation, the code. Long lists of reports in that
order (the inbox, reports.keyset) walk it and stop after a page, instead of sorting every
report of the year.

PostgreSQL only: its expression must be the very one the queries order by, and the
Vietnamese collation (ICU's) is PostgreSQL's; the embedded SQLite database is small and
sorts. The kinds are frozen here: when KIND_ORDER changes, a new migration rebuilds the
index (tests/organisations/test_ordering.py fails until it does).
"""

from django.db import migrations, models
from django.db.models.functions import Collate

NAME = "organisation_usual_order"
KIND_ORDER = [
    "provincial_committee",
    "district_committee",
    "affiliated_committee",
    "commune_committee",
    "grassroots",
    "cell",
    "standing_committee",
    "standing_office",
    "advisory_body",
    "front",
    "mass_organisation",
    "external",
]


def usual_order_index() -> models.Index:
    rank = models.Case(
        *(models.When(kind=kind, then=models.Value(i)) for i, kind in enumerate(KIND_ORDER)),
        default=models.Value(len(KIND_ORDER)),
        output_field=models.IntegerField(),
    )
    return models.Index(rank, Collate(models.F("name"), "vi-x-icu"), models.F("code"), name=NAME)


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(
            apps.get_model("organisations", "Organisation"), usual_order_index()
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0003_organisation_document"),
    ]

    operations = [migrations.RunPython(create, drop)]
