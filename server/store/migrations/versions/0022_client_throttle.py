"""client_throttle: an OAuth client's own gateway limits (seed 003: the throttle modified per developer app)

Revision ID: 0022_client_throttle
Revises: 0021_attachments
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_client_throttle'
down_revision = '0021_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('oauth_client') as batch:
        batch.add_column(sa.Column('throttle', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('oauth_client') as batch:
        batch.drop_column('throttle')
