"""job.last_updated: Job.LastUpdated (added to the real Job table in 2016); existing orders take their creation
time

Revision ID: 0015_job_last_updated
Revises: 0015_utm
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_job_last_updated'
down_revision = '0015_utm'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('job') as batch:
        batch.add_column(sa.Column('last_updated', sa.DateTime(), nullable=True))
    op.execute("UPDATE job SET last_updated = date_created")


def downgrade() -> None:
    with op.batch_alter_table('job') as batch:
        batch.drop_column('last_updated')
