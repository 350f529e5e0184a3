"""snapshots: saved states of apps (POST /sandbox/apps/<app>/snapshots)

Revision ID: 0015_snapshots
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_snapshots'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_snapshot',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('holder_app_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('app_time', sa.Float(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_snapshot')),
    sa.UniqueConstraint('app_id', 'name', name=op.f('uq_app_snapshot_app_id_name'))
    )


def downgrade() -> None:
    op.drop_table('app_snapshot')
