"""snapshots: saved states of apps (POST /sandbox/apps/<app>/snapshots), and the app's epoch (drawn again when
its rows are replaced wholesale: the key of what is remembered of them by id)

Revision ID: 0015_snapshots
Revises: 0015_faults
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_snapshots'
down_revision = '0015_faults'
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
    op.add_column('app', sa.Column('epoch', sa.String(length=32), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app') as batch:
        batch.drop_column('epoch')
    op.drop_table('app_snapshot')
