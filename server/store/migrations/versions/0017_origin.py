"""origin: a contact's origin (IP address and date) and source type (REST v1 and v2 ``origin``, ``source_type``)

Revision ID: 0017_origin
Revises: 0016_migration
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_origin'
down_revision = '0017_outbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.add_column(sa.Column('origin_ip', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('origin_date', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('source_type', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contact') as batch:
        batch.drop_column('source_type')
        batch.drop_column('origin_date')
        batch.drop_column('origin_ip')
