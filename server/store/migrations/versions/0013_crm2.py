"""crm2: when lead sources, their categories and expenses were created and last changed (REST v2's
create_time, update_time), and when a note was pinned (REST v2's pinned_at)

Revision ID: 0013_crm2
Revises: 0013_automation
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_crm2'
down_revision = '0013_automation'
branch_labels = None
depends_on = None

STAMPED = ('lead_source', 'lead_source_category', 'lead_source_expense', 'lead_source_recurring_expense')


def upgrade() -> None:
    for table in STAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('date_created', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('last_updated', sa.DateTime(), nullable=True))
    with op.batch_alter_table('contact_action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact_action', schema=None) as batch_op:
        batch_op.drop_column('pinned_at')
    for table in reversed(STAMPED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('last_updated')
            batch_op.drop_column('date_created')
