"""customfields: the display order of custom-field tabs and headers (REST v2's ``order``)

Revision ID: 0013_customfields
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_customfields'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('custom_field_tab', 'custom_field_group'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('sort_order', sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in ('custom_field_group', 'custom_field_tab'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('sort_order')
