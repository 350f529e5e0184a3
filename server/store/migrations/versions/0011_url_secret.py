"""url_secret: a random key per app for its public URL tokens (file downloads, web forms, tracking), so a
public address cannot be computed from the app's id and name

Revision ID: 0011
Revises: 0010
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('app', schema=None) as batch_op:
        batch_op.add_column(sa.Column('url_secret', sa.String(length=64), nullable=True))
    app = sa.table('app', sa.column('id', sa.Integer), sa.column('url_secret', sa.String))
    conn = op.get_bind()
    for (app_id,) in conn.execute(sa.select(app.c.id)).all():
        conn.execute(sa.update(app).where(app.c.id == app_id).values(url_secret=secrets.token_hex(32)))
    with op.batch_alter_table('app', schema=None) as batch_op:
        batch_op.alter_column('url_secret', existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('app', schema=None) as batch_op:
        batch_op.drop_column('url_secret')
