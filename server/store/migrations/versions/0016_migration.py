"""migration: legacy_call, the migration report's persistent count of XML-RPC and legacy-key calls per app

Revision ID: 0016_migration
Revises: 0015_queryidx
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_migration'
down_revision = '0015_queryidx'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('legacy_call',
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('protocol', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=200), nullable=False),
    sa.Column('credential_kind', sa.String(length=16), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('calls', sa.BigInteger(), nullable=False),
    sa.Column('first_seen', sa.Float(), nullable=False),
    sa.Column('last_seen', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('app_id', 'protocol', 'method', 'credential_kind', 'credential_id',
                            name=op.f('pk_legacy_call'))
    )


def downgrade() -> None:
    op.drop_table('legacy_call')
