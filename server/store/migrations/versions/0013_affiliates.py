"""affiliates: a commission program's rates, by default and per product or subscription plan, and the size
of a program resource's page (REST v2)

Revision ID: 0013_affiliates
Revises: 0013_products
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_affiliates'
down_revision = '0013_products'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('affiliate_program_commission',
    sa.Column('app_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('payout_type', sa.String(length=16), nullable=False),
    sa.Column('rates', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('app_id', 'id', name=op.f('pk_affiliate_program_commission'))
    )
    with op.batch_alter_table('affiliate_program_commission', schema=None) as batch_op:
        batch_op.create_index('ix_affiliate_program_commission_program', ['app_id', 'program_id'], unique=False)
    with op.batch_alter_table('aff_resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_width', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_height', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('aff_resource', schema=None) as batch_op:
        batch_op.drop_column('page_height')
        batch_op.drop_column('page_width')
    with op.batch_alter_table('affiliate_program_commission', schema=None) as batch_op:
        batch_op.drop_index('ix_affiliate_program_commission_program')
    op.drop_table('affiliate_program_commission')
