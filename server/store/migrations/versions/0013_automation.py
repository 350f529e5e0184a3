"""automation: what REST v2 keeps of a pipeline stage beyond DataService's Stage fields (its win probability,
checklist items, and when it was created and last changed)

Revision ID: 0013_automation
Revises: 0013_customfields
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_automation'
down_revision = '0013_customfields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('probability', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('date_created', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_updated', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        for column in ('last_updated', 'date_created', 'checklist', 'probability'):
            batch_op.drop_column(column)
