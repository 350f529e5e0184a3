"""attachments: files attached to a captured message (a fulfillment list's CSV, seed 001)

Revision ID: 0021_attachments
Revises: 0020_round_robins
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_attachments'
down_revision = '0020_round_robins'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message') as batch:
        batch.add_column(sa.Column('attachments', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('message') as batch:
        batch.drop_column('attachments')
