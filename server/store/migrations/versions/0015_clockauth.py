"""clock_advance: clock advances asked for through the control API or the CLI, their progress and summary

Revision ID: 0015_clockauth
Revises: 0015_snapshots
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_clockauth'
down_revision = '0015_snapshots'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_advance',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('running_app_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('start_at', sa.Float(), nullable=False),
    sa.Column('target_at', sa.Float(), nullable=False),
    sa.Column('reached_at', sa.Float(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('lease_until', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_advance')),
    sa.UniqueConstraint('running_app_id', name=op.f('uq_clock_advance_running_app_id'))
    )
    op.create_index(op.f('ix_clock_advance_app_id'), 'clock_advance', ['app_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_clock_advance_app_id'), table_name='clock_advance')
    op.drop_table('clock_advance')
