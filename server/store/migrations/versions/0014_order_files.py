"""order_files: files of the file box attached to an order (REST v2's orders/{id}:attachFile and :detachFile)

Revision ID: 0014
Revises: 0013_affiliates
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013_affiliates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_file',
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('file_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('attached_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('app_id', 'order_id', 'file_id', name=op.f('pk_order_file'))
    )


def downgrade() -> None:
    op.drop_table('order_file')
