"""versions everywhere; one agenda position per item

Optimistic locking for every object people edit (docs/ARCHITECTURE.md, Data conventions): agenda items
(minutes, purpose), meeting series, escalation steps and participations get a ``version`` column (SQLAlchemy's
``version_id_col``), starting at 1 for existing rows (server default, so bulk inserts may leave it out).

Agenda positions become unique per meeting (``uq_agenda_items_meeting_position``). Concurrent additions could
give two items the same position before; such agendas are renumbered first, keeping their order
(position, then id), so the constraint can be created.

Revision ID: 27471c979ffd
Revises: ca3467ca7862
Create Date: 2026-12-05 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '27471c979ffd'
down_revision = 'ca3467ca7862'
branch_labels = None
depends_on = None

VERSIONED = ('agenda_items', 'meeting_series', 'escalations', 'participations')
POSITION_CONSTRAINT = 'uq_agenda_items_meeting_position'


def _renumber_duplicate_positions() -> None:
    """Dense positions 1..n, in the order the agenda showed (position, id), for every meeting with a duplicate."""
    bind = op.get_bind()
    items = sa.table('agenda_items', sa.column('id', sa.Integer), sa.column('meeting_id', sa.Integer),
                     sa.column('position', sa.Integer))
    duplicated = (sa.select(items.c.meeting_id).group_by(items.c.meeting_id, items.c.position)
                  .having(sa.func.count() > 1))
    rows = bind.execute(sa.select(items.c.id, items.c.meeting_id).where(items.c.meeting_id.in_(duplicated))
                        .order_by(items.c.meeting_id, items.c.position, items.c.id)).all()
    position, meeting_id = 0, None
    for row in rows:
        position = position + 1 if row.meeting_id == meeting_id else 1
        meeting_id = row.meeting_id
        bind.execute(items.update().where(items.c.id == row.id).values(position=position))


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    _renumber_duplicate_positions()
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_unique_constraint(POSITION_CONSTRAINT, ['meeting_id', 'position'])


def downgrade():
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_constraint(POSITION_CONSTRAINT, type_='unique')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
