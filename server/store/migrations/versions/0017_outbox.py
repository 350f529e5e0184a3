"""outbox: hook deliveries are claimed with a lease like campaign HTTP posts (server.domain.outbox)

Revision ID: 0017_outbox
Revises: 0016_migration
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_outbox'
down_revision = '0016_migration'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hook_delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.Float(), nullable=True))


def downgrade() -> None:
    # a delivery being sent goes back to the queue: the old code knows no "sending"
    op.execute("UPDATE hook_delivery SET status = 'pending', lease_until = NULL WHERE status = 'sending'")
    with op.batch_alter_table('hook_delivery', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
