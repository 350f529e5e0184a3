"""faults: fault-injection rules per app (server.faults) and the app's count of them

Revision ID: 0015_faults
Revises: 0015_email
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_faults'
down_revision = '0015_email'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fault_rule',
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rule', sa.JSON(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('injected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('app_id', 'id', name=op.f('pk_fault_rule'))
    )
    with op.batch_alter_table('app') as batch:
        batch.add_column(sa.Column('faults_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('app') as batch:
        batch.drop_column('faults_version')
    op.drop_table('fault_rule')
