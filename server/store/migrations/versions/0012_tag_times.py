"""tag_times: when a tag or tag category was created and last changed (REST v2's create_time, update_time)

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('tag', 'tag_category'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('date_created', sa.DateTime(), nullable=True))
            batch_op.add_column(sa.Column('last_updated', sa.DateTime(), nullable=True))


def downgrade() -> None:
    for table in ('tag_category', 'tag'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('last_updated')
            batch_op.drop_column('date_created')
