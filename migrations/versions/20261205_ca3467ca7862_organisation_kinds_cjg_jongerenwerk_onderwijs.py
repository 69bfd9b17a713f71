"""organisation kinds: cjg, jongerenwerk, onderwijs

The kind of an organisation is a string with a CHECK constraint (``organisations.models.enum_column``); the
constraint learns the three new values. Downgrading maps organisations of a new kind onto the nearest old one
(cjg → wijkteam, jongerenwerk and onderwijs → overig) before the narrower constraint returns.

Revision ID: ca3467ca7862
Revises: 1b5c670bf08d
Create Date: 2026-12-05 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ca3467ca7862'
down_revision = '1b5c670bf08d'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_organisations_organisation_kind'
OLD_KINDS = ('gemeente', 'politie', 'om', 'woningcorporatie', 'ggz', 'verslavingszorg', 'veilig_thuis',
             'reclassering', 'jeugdbescherming', 'wijkteam', 'halt', 'belastingdienst', 'riec', 'zvh', 'overig')
NEW_KINDS = ('cjg', 'jongerenwerk', 'onderwijs')
DOWNGRADE_TO = {'cjg': 'wijkteam', 'jongerenwerk': 'overig', 'onderwijs': 'overig'}


def _check(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def _replace_constraint(kinds) -> None:
    # SQLite copies the table (with its CHECKs) in batch mode; PostgreSQL drops and adds the constraint in place.
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(batch_op.f(CONSTRAINT), _check(kinds))


def upgrade():
    _replace_constraint(OLD_KINDS + NEW_KINDS)


def downgrade():
    organisations = sa.table('organisations', sa.column('kind', sa.String(40)))
    for new, old in DOWNGRADE_TO.items():
        op.execute(organisations.update().where(organisations.c.kind == new).values(kind=old))
    _replace_constraint(OLD_KINDS)
