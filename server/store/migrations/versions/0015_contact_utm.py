"""contact_utm: a contact's UTM parameters (REST v1 POST /contacts/{id}/utm, REST v2's utm_parameters)

Revision ID: 0015_utm
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_utm'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_utm',
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('keap_source_id', sa.String(length=255), nullable=False),
    sa.Column('utm_source', sa.String(length=255), nullable=True),
    sa.Column('utm_medium', sa.String(length=255), nullable=True),
    sa.Column('utm_term', sa.String(length=255), nullable=True),
    sa.Column('utm_campaign', sa.String(length=255), nullable=True),
    sa.Column('utm_content', sa.String(length=255), nullable=True),
    sa.Column('date_created', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('app_id', 'id', name=op.f('pk_contact_utm'))
    )
    op.create_index('ix_contact_utm_contact', 'contact_utm', ['app_id', 'contact_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_contact_utm_contact', table_name='contact_utm')
    op.drop_table('contact_utm')
