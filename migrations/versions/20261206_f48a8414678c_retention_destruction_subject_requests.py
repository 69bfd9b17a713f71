"""retention terms, archive fields, legal holds, destruction lists, verklaringen, data-subject requests

The data lifecycle (docs/PRIVACY.md): retention terms per category and per outcome of a signal without a case;
the ZGW archive fields on cases (and a closing date and archiefactiedatum on signals that never became a case);
legal holds; monthly destruction lists per team, approved through the four-eyes approvals (an approval now names
either its case or its destruction list); the verklaring van vernietiging, insert-only like the audit log; and the
data-subject requests with their matches, reviewed inzage items, rectificatie history and restrictions.

Revision ID: f48a8414678c
Revises: 5ea10c4a1714
Create Date: 2026-12-06 05:20:12.331103

"""
from alembic import op
import sqlalchemy as sa

import casus.database

APPEND_ONLY_TABLES = ('destruction_declarations',)
# Two enums gain a value, so their CHECK constraints widen (autogenerate does not see it):
# a signal can be withdrawn, and an approval can be a destruction list's.
SIGNAL_STATUSES = ('ontvangen', 'in_triage', 'gebundeld', 'doorverwezen', 'afgesloten')
APPROVAL_KINDS = ('riec_voordracht', 'close_early', 'reopen', 'retention_extension')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"
# SQLite's batch copy of ``cases`` loses this expression index (batch mode cannot reflect it): made again after.
MY_CASES_INDEX = ("CREATE INDEX IF NOT EXISTS ix_cases_procesregisseur_next "
                  "ON cases (procesregisseur_id, coalesce(next_review_on, triage_due_on), id)")


# revision identifiers, used by Alembic.
revision = 'f48a8414678c'
down_revision = '5ea10c4a1714'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('destruction_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.Enum('concept', 'ter_goedkeuring', 'goedgekeurd', 'vernietigd', 'afgewezen', name='destruction_list_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('proposed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('prepared_by_id', sa.Integer(), nullable=True),
    sa.Column('prepared_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('destroyed_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_destruction_lists_approved_by_id_users')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_destruction_lists_prepared_by_id_users')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_destruction_lists_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_lists')),
    sa.UniqueConstraint('reference', name=op.f('uq_destruction_lists_reference')),
    sa.UniqueConstraint('team_id', 'period', name='one_per_team_and_month')
    )
    with op.batch_alter_table('destruction_lists', schema=None) as batch_op:
        batch_op.create_index('ix_destruction_lists_team_status', ['team_id', 'status', 'id'], unique=False)

    op.create_table('retention_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('signal_outcome', sa.Enum('dismissed', 'referred', 'withdrawn', name='signal_outcome', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('archiefnominatie', sa.Enum('vernietigen', 'blijvend_bewaren', name='archiefnominatie', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('basis', sa.Text(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('(category_id IS NULL) != (signal_outcome IS NULL)', name=op.f('ck_retention_terms_one_subject')),
    sa.CheckConstraint('confirmed_at IS NULL OR confirmed_by_id IS NOT NULL', name=op.f('ck_retention_terms_confirmation_has_user')),
    sa.CheckConstraint('months BETWEEN 1 AND 1200', name=op.f('ck_retention_terms_months_range')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_retention_terms_category_id_categories')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_retention_terms_confirmed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_terms')),
    sa.UniqueConstraint('category_id', name=op.f('uq_retention_terms_category_id')),
    sa.UniqueConstraint('signal_outcome', name=op.f('uq_retention_terms_signal_outcome'))
    )
    # A category's retention_years becomes its retention term, unconfirmed: the privacy officer decides it now.
    op.execute("INSERT INTO retention_terms (category_id, months, archiefnominatie, version) "
               "SELECT id, CASE WHEN retention_years < 1 THEN 12 WHEN retention_years > 100 THEN 1200 "
               "ELSE retention_years * 12 END, 'vernietigen', 1 FROM categories")
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('retention_years')
    op.create_table('subject_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('inzage', 'rectificatie', 'wissing', 'beperking', 'bezwaar', name='request_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('status', sa.Enum('ontvangen', 'in_behandeling', 'afgerond', name='request_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('bsn', sa.String(length=9), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('postcode', sa.String(length=6), nullable=True),
    sa.Column('huisnummer', sa.Integer(), nullable=True),
    sa.Column('toevoeging', sa.String(length=6), nullable=True),
    sa.Column('identity_check', sa.Enum('id_bewijs', 'digid', 'kopie_id', 'gemachtigde', name='identity_check', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('identity_note', sa.Text(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('deadline_on', sa.Date(), nullable=False),
    sa.Column('extended_deadline_on', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('extension_letter_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=False),
    sa.Column('registered_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('toegewezen', 'deels_toegewezen', 'afgewezen', 'ingetrokken', name='request_outcome', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('package_produced_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('erasure_granted_by_id', sa.Integer(), nullable=True),
    sa.Column('erasure_granted_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('erasure_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('erasure_confirmed_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status != 'afgerond' OR (outcome IS NOT NULL AND completed_on IS NOT NULL)", name=op.f('ck_subject_requests_completion_has_outcome')),
    sa.CheckConstraint('extended_deadline_on IS NULL OR extension_reason IS NOT NULL', name=op.f('ck_subject_requests_extension_has_reason')),
    sa.CheckConstraint('erasure_confirmed_by_id IS NULL OR (erasure_granted_by_id IS NOT NULL AND erasure_confirmed_by_id != erasure_granted_by_id)', name=op.f('ck_subject_requests_erasure_four_eyes')),
    sa.ForeignKeyConstraint(['erasure_granted_by_id'], ['users.id'], name=op.f('fk_subject_requests_erasure_granted_by_id_users')),
    sa.ForeignKeyConstraint(['erasure_confirmed_by_id'], ['users.id'], name=op.f('fk_subject_requests_erasure_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_subject_requests_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_requests')),
    sa.UniqueConstraint('reference', name=op.f('uq_subject_requests_reference'))
    )
    with op.batch_alter_table('subject_requests', schema=None) as batch_op:
        batch_op.create_index('ix_subject_requests_status_deadline', ['status', 'deadline_on', 'id'], unique=False)

    op.create_table('destruction_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.Enum('vernietigingslijst', 'wissing', name='declaration_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('destruction_list_id', sa.Integer(), nullable=True),
    sa.Column('subject_request_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('prepared_by_id', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=False),
    sa.Column('destroyed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_destruction_declarations_approved_by_id_users')),
    sa.ForeignKeyConstraint(['destruction_list_id'], ['destruction_lists.id'], name=op.f('fk_destruction_declarations_destruction_list_id_destruction_lists')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_destruction_declarations_prepared_by_id_users')),
    sa.ForeignKeyConstraint(['subject_request_id'], ['subject_requests.id'], name=op.f('fk_destruction_declarations_subject_request_id_subject_requests')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_destruction_declarations_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_declarations')),
    sa.UniqueConstraint('destruction_list_id', name=op.f('uq_destruction_declarations_destruction_list_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_destruction_declarations_reference'))
    )
    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('lifted_at IS NULL OR lifted_by_id IS NOT NULL', name=op.f('ck_legal_holds_lift_has_user')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_legal_holds_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_legal_holds_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_legal_holds_placed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index('ix_legal_holds_case', ['case_id', 'lifted_at'], unique=False)

    op.create_table('subject_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.String(length=250), nullable=True),
    sa.Column('new_value', sa.String(length=250), nullable=True),
    sa.Column('corrected_by_id', sa.Integer(), nullable=False),
    sa.Column('corrected_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], name=op.f('fk_subject_corrections_corrected_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_corrections_request_id_subject_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_corrections_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_corrections'))
    )
    with op.batch_alter_table('subject_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_subject_corrections_subject', ['subject_id', 'corrected_at'], unique=False)

    op.create_table('subject_request_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=60), nullable=False),
    sa.Column('item_kind', sa.String(length=30), nullable=False),
    sa.Column('withheld', sa.Boolean(), nullable=False),
    sa.Column('ground', sa.Enum('rechten_anderen', 'avg_23', 'opsporing', name='withholding_ground', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('ground_note', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('NOT withheld OR ground IS NOT NULL', name=op.f('ck_subject_request_items_withholding_has_ground')),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_request_items_request_id_subject_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_subject_request_items_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_request_items')),
    sa.UniqueConstraint('request_id', 'item_key', name='one_decision_per_item')
    )
    op.create_table('subject_request_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_subject_request_matches_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_request_matches_request_id_subject_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_request_matches_subject_id_subjects'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_request_matches')),
    sa.UniqueConstraint('request_id', 'subject_id', name='one_match_per_subject')
    )
    with op.batch_alter_table('subject_request_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_request_matches_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_request_matches_subject_id'), ['subject_id'], unique=False)

    op.create_table('subject_restrictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('placed_by_id', sa.Integer(), nullable=False),
    sa.Column('placed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_by_id', sa.Integer(), nullable=True),
    sa.Column('lifted_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('lifted_at IS NULL OR lifted_by_id IS NOT NULL', name=op.f('ck_subject_restrictions_lift_has_user')),
    sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_subject_restrictions_lifted_by_id_users')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_subject_restrictions_placed_by_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['subject_requests.id'], name=op.f('fk_subject_restrictions_request_id_subject_requests'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_restrictions_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_restrictions'))
    )
    with op.batch_alter_table('subject_restrictions', schema=None) as batch_op:
        batch_op.create_index('ix_subject_restrictions_subject', ['subject_id', 'lifted_at'], unique=False)

    op.create_table('destruction_list_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('destruction_list_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('signal_id', sa.Integer(), nullable=True),
    sa.Column('record_kind', sa.String(length=10), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('archiefactiedatum', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('voorgesteld', 'verwijderd', 'uitgesteld', 'vernietigd', name='destruction_item_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('postponed_until', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status != 'uitgesteld' OR postponed_until IS NOT NULL", name=op.f('ck_destruction_list_items_postponement_has_date')),
    sa.CheckConstraint("status NOT IN ('verwijderd', 'uitgesteld') OR reason IS NOT NULL", name=op.f('ck_destruction_list_items_decision_has_reason')),
    sa.CheckConstraint('(case_id IS NULL) OR (signal_id IS NULL)', name=op.f('ck_destruction_list_items_case_or_signal')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_destruction_list_items_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_destruction_list_items_decided_by_id_users')),
    sa.ForeignKeyConstraint(['destruction_list_id'], ['destruction_lists.id'], name=op.f('fk_destruction_list_items_destruction_list_id_destruction_lists'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['signal_id'], ['signals.id'], name=op.f('fk_destruction_list_items_signal_id_signals'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_list_items'))
    )
    with op.batch_alter_table('destruction_list_items', schema=None) as batch_op:
        batch_op.create_index('ix_destruction_list_items_case', ['case_id'], unique=False)
        batch_op.create_index('ix_destruction_list_items_list', ['destruction_list_id', 'id'], unique=False)
        batch_op.create_index('ix_destruction_list_items_signal', ['signal_id'], unique=False)

    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_constraint('approval_kind', type_='check')
        batch_op.create_check_constraint('approval_kind', _in('kind', (*APPROVAL_KINDS, 'destruction_list')))
        batch_op.add_column(sa.Column('destruction_list_id', sa.Integer(), nullable=True))
        batch_op.alter_column('case_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_approvals_one_open_per_list', ['destruction_list_id'], unique=True, sqlite_where=sa.text("status = 'open' AND destruction_list_id IS NOT NULL"), postgresql_where=sa.text("status = 'open' AND destruction_list_id IS NOT NULL"))
        batch_op.create_foreign_key(batch_op.f('fk_approvals_destruction_list_id_destruction_lists'), 'destruction_lists', ['destruction_list_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(
            'destruction_list_named', "(kind = 'destruction_list') = (destruction_list_id IS NOT NULL)")
        batch_op.create_check_constraint('case_named', "kind = 'destruction_list' OR case_id IS NOT NULL")

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archiefnominatie', sa.Enum('vernietigen', 'blijvend_bewaren', name='archiefnominatie', native_enum=False, create_constraint=True, length=40), nullable=True))
        batch_op.add_column(sa.Column('archiefactiedatum', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('archiefstatus', sa.Enum('nog_te_archiveren', 'gearchiveerd', name='archiefstatus', native_enum=False, create_constraint=True, length=40), server_default='nog_te_archiveren', nullable=False))
        batch_op.create_index('ix_cases_archiefactiedatum', ['archiefactiedatum', 'id'], unique=False)
    op.execute(MY_CASES_INDEX)

    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_constraint('signal_status', type_='check')
        batch_op.create_check_constraint('signal_status', _in('status', (*SIGNAL_STATUSES, 'ingetrokken')))
        batch_op.add_column(sa.Column('closed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('archiefactiedatum', sa.Date(), nullable=True))
        batch_op.create_index('ix_signals_archiefactiedatum', ['archiefactiedatum', 'id'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':
        # AUTOINCREMENT: a destroyed case's, signal's or subject's id is never handed out again, so the audit
        # events that keep pointing at it can never be read as being about someone else.
        for table in ('subjects', 'signals', 'cases'):
            with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': True}):
                pass
        op.execute(MY_CASES_INDEX)
    if op.get_bind().dialect.name == 'postgresql':
        # casus_append_only() exists since 5ea10c4a1714 (the audit tables).
        for table in APPEND_ONLY_TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION casus_append_only()")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("UPDATE signals SET status = 'afgesloten' WHERE status = 'ingetrokken'")
    with op.batch_alter_table('signals', schema=None) as batch_op:
        batch_op.drop_constraint('signal_status', type_='check')
        batch_op.create_check_constraint('signal_status', _in('status', SIGNAL_STATUSES))
        batch_op.drop_index('ix_signals_archiefactiedatum')
        batch_op.drop_column('archiefactiedatum')
        batch_op.drop_column('closed_on')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_archiefactiedatum')
        batch_op.drop_constraint('archiefstatus', type_='check')
        batch_op.drop_constraint('archiefnominatie', type_='check')
        batch_op.drop_column('archiefstatus')
        batch_op.drop_column('archiefactiedatum')
        batch_op.drop_column('archiefnominatie')
    op.execute(MY_CASES_INDEX)

    op.execute("DELETE FROM approvals WHERE kind = 'destruction_list'")
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_constraint('approval_kind', type_='check')
        batch_op.create_check_constraint('approval_kind', _in('kind', APPROVAL_KINDS))
        batch_op.drop_constraint('case_named', type_='check')
        batch_op.drop_constraint('destruction_list_named', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_approvals_destruction_list_id_destruction_lists'), type_='foreignkey')
        batch_op.drop_index('ix_approvals_one_open_per_list', sqlite_where=sa.text("status = 'open' AND destruction_list_id IS NOT NULL"), postgresql_where=sa.text("status = 'open' AND destruction_list_id IS NOT NULL"))
        batch_op.alter_column('case_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('destruction_list_id')

    with op.batch_alter_table('destruction_list_items', schema=None) as batch_op:
        batch_op.drop_index('ix_destruction_list_items_signal')
        batch_op.drop_index('ix_destruction_list_items_list')
        batch_op.drop_index('ix_destruction_list_items_case')

    op.drop_table('destruction_list_items')
    with op.batch_alter_table('subject_restrictions', schema=None) as batch_op:
        batch_op.drop_index('ix_subject_restrictions_subject')

    op.drop_table('subject_restrictions')
    with op.batch_alter_table('subject_request_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_request_matches_subject_id'))
        batch_op.drop_index(batch_op.f('ix_subject_request_matches_request_id'))

    op.drop_table('subject_request_matches')
    op.drop_table('subject_request_items')
    with op.batch_alter_table('subject_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_subject_corrections_subject')

    op.drop_table('subject_corrections')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index('ix_legal_holds_case')

    op.drop_table('legal_holds')
    op.drop_table('destruction_declarations')
    with op.batch_alter_table('subject_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_subject_requests_status_deadline')

    op.drop_table('subject_requests')
    # Back to a category's retention_years: its term in whole years (1 to 20), else the old default of 5.
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_years', sa.Integer(), nullable=False, server_default='5'))
    op.execute("UPDATE categories SET retention_years = (SELECT CASE WHEN months < 12 THEN 1 WHEN months > 240 THEN 20 "
               "ELSE months / 12 END FROM retention_terms WHERE retention_terms.category_id = categories.id) "
               "WHERE id IN (SELECT category_id FROM retention_terms WHERE category_id IS NOT NULL)")
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.alter_column('retention_years', existing_type=sa.Integer(), server_default=None)
    op.drop_table('retention_terms')
    with op.batch_alter_table('destruction_lists', schema=None) as batch_op:
        batch_op.drop_index('ix_destruction_lists_team_status')

    op.drop_table('destruction_lists')
