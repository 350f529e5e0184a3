"""products: what REST v2's products, options, interests and discounts keep beyond the API tables (a product's
out-of-stock flag and delivery description, a plan's display order, a text option's error message, an
interest's unit price) and the criteria of discounts

Revision ID: 0013_products
Revises: 0013_crm2
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_products'
down_revision = '0013_crm2'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('product', sa.Column('out_of_stock_enabled', sa.Boolean(), nullable=True)),
    ('product', sa.Column('delivery_description', sa.Text(), nullable=True)),
    ('subscription_plan', sa.Column('display_order', sa.Integer(), nullable=True)),
    ('product_option', sa.Column('error_message', sa.Text(), nullable=True)),
    ('product_interest', sa.Column('price', sa.Float(), nullable=True)),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(column)
    op.create_table(
        'discount_criterion',
        sa.Column('app_id', sa.Integer(), nullable=False),
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('discount_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=24), nullable=False),
        sa.Column('code', sa.Text(), nullable=True),
        sa.Column('range_start', sa.DateTime(), nullable=True),
        sa.Column('range_end', sa.DateTime(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=True),
        sa.Column('quantity_min', sa.Integer(), nullable=True),
        sa.Column('quantity_max', sa.Integer(), nullable=True),
        sa.Column('plan_id', sa.Integer(), nullable=True),
        sa.Column('quantity', sa.Integer(), nullable=True),
        sa.Column('total_amount', sa.Float(), nullable=True),
        sa.Column('operator', sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint('app_id', 'id', name=op.f('pk_discount_criterion')),
    )
    with op.batch_alter_table('discount_criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discount_criterion_app_id_discount_id'), ['app_id', 'discount_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('discount_criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discount_criterion_app_id_discount_id'))
    op.drop_table('discount_criterion')
    for table, column in reversed(_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column.name)
