"""Index cases by (definition_id, id), so that counting a user's readable cases reads only the index.

`grants.policy` counts the cases of the definitions a user reaches with a filter on both columns.
With both in one index, PostgreSQL answers that count by an index-only scan instead of reading every
page of the case table. The index is created in SQL because the case model belongs to the casemgmt
app; the model state does not list it, so makemigrations leaves it alone.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("grants", "0001_initial"),
        ("casemgmt", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX case_definition_id_pk ON casemgmt_caseinstance (definition_id, id)",
            reverse_sql="DROP INDEX case_definition_id_pk",
        ),
    ]
