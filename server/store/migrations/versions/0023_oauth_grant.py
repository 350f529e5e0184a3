"""oauth_grant: the grant (code exchange) each OAuth token belongs to, shared along its refresh chain

Revision ID: 0023_oauth_grant
Revises: 0022_client_throttle
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_oauth_grant'
down_revision = '0022_client_throttle'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('oauth_token') as batch:
        batch.add_column(sa.Column('grant_id', sa.String(length=32), nullable=True))
        batch.create_index(batch.f('ix_oauth_token_grant_id'), ['grant_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('oauth_token') as batch:
        batch.drop_index(batch.f('ix_oauth_token_grant_id'))
        batch.drop_column('grant_id')
