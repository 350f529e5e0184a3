"""user_merge: a user's company, country, faxes, third phone and website, merged by ~Owner.*~ and
~LoggedInUser.*~ (server.domain.mail.merge_fields); the DataService User table does not show them

Revision ID: 0018_user_merge
Revises: 0017_origin
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_user_merge'
down_revision = '0017_origin'
branch_labels = None
depends_on = None

COLUMNS = ("company", "country", "fax1", "fax1_type", "fax2", "fax2_type", "phone3", "phone3_ext", "phone3_type",
           "website")


def upgrade() -> None:
    with op.batch_alter_table('user') as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
