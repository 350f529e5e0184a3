"""automation: what REST v2 keeps of a pipeline stage beyond DataService's Stage fields (its win probability,
checklist items, and when it was created and last changed); automation categories and the campaigns filed
under them; WordPress opt-in options

Revision ID: 0013_automation
Revises: 0013_customfields
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_automation'
down_revision = '0013_customfields'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('probability', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checklist', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('date_created', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_updated', sa.DateTime(), nullable=True))
    op.create_table('automation_category',
                    sa.Column('app_id', sa.Integer(), nullable=False),
                    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('name', sa.String(length=100), nullable=False),
                    sa.PrimaryKeyConstraint('app_id', 'id'))
    op.create_table('campaign_category',
                    sa.Column('app_id', sa.Integer(), nullable=False),
                    sa.Column('campaign_id', sa.Integer(), nullable=False),
                    sa.Column('category_id', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('app_id', 'campaign_id', 'category_id'))
    op.create_index('ix_campaign_category_category', 'campaign_category', ['app_id', 'category_id'])
    op.create_table('wordpress_optin',
                    sa.Column('app_id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=64), nullable=False),
                    sa.Column('name', sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint('app_id', 'key'))


def downgrade() -> None:
    op.drop_table('wordpress_optin')
    op.drop_index('ix_campaign_category_category', table_name='campaign_category')
    op.drop_table('campaign_category')
    op.drop_table('automation_category')
    with op.batch_alter_table('stage', schema=None) as batch_op:
        for column in ('last_updated', 'date_created', 'checklist', 'probability'):
            batch_op.drop_column(column)
