"""round_robins: the account's named round robins (CRM > Settings > Round Robins, seed 001), shared by every
campaign item that names one

Revision ID: 0020_round_robins
Revises: 0019_call_tables
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_round_robins'
down_revision = '0019_call_tables'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('round_robin_rule',
                    sa.Column('app_id', sa.Integer(), nullable=False),
                    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('name', sa.String(length=100), nullable=False),
                    sa.Column('users', sa.JSON(), nullable=False),
                    sa.Column('next_index', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('app_id', 'id', name=op.f('pk_round_robin_rule')))
    op.create_index('uq_round_robin_rule_name', 'round_robin_rule', ['app_id', 'name'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_round_robin_rule_name', table_name='round_robin_rule')
    op.drop_table('round_robin_rule')
