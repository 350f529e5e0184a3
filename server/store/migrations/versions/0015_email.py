"""email: delivery outcomes on outbox messages, and broadcasts (issue 20)

Revision ID: 0015_email
Revises: 0015_job_last_updated
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_email'
down_revision = '0015_job_last_updated'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message') as batch:
        batch.add_column(sa.Column('delivery', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('delivery_date', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
    op.create_table('broadcast',
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('send_at', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('app_id', 'id', name=op.f('pk_broadcast'))
    )
    op.create_index('ix_broadcast_due', 'broadcast', ['status', 'app_id', 'send_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_broadcast_due', table_name='broadcast')
    op.drop_table('broadcast')
    with op.batch_alter_table('message') as batch:
        batch.drop_column('broadcast_id')
        batch.drop_column('delivery_date')
        batch.drop_column('delivery')
