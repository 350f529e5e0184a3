"""call_tables: the migration report's counts per DataService table (legacy_call.table_name, in the key), so that
the report says which tables DataService.query, load, add … still touch

Revision ID: 0019_call_tables
Revises: 0018_user_merge
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_call_tables'
down_revision = '0018_user_merge'
branch_labels = None
depends_on = None

KEY = ['app_id', 'protocol', 'method', 'credential_kind', 'credential_id']


def upgrade() -> None:
    with op.batch_alter_table('legacy_call') as batch:
        batch.add_column(sa.Column('table_name', sa.String(length=64), nullable=False, server_default=''))
        batch.drop_constraint('pk_legacy_call', type_='primary')
        batch.create_primary_key('pk_legacy_call', [*KEY, 'table_name'])


def downgrade() -> None:
    _fold_tables(op.get_bind())
    with op.batch_alter_table('legacy_call') as batch:
        batch.drop_constraint('pk_legacy_call', type_='primary')
        batch.create_primary_key('pk_legacy_call', KEY)
        batch.drop_column('table_name')


def _fold_tables(conn) -> None:
    """Add each method's counts on its tables to its row without a table (a few hundred rows at most)."""
    t = sa.table('legacy_call', *(sa.column(c) for c in [*KEY, 'table_name', 'calls', 'first_seen', 'last_seen']))
    folded: dict[tuple, list] = {}
    for r in conn.execute(sa.select(t).where(t.c.table_name != '')):
        key = tuple(getattr(r, c) for c in KEY)
        found = folded.setdefault(key, [0, r.first_seen, r.last_seen])
        found[0] += r.calls
        found[1], found[2] = min(found[1], r.first_seen), max(found[2], r.last_seen)
    conn.execute(sa.delete(t).where(t.c.table_name != ''))
    for key, (calls, first, last) in folded.items():
        where = sa.and_(*(t.c[c] == v for c, v in zip(KEY, key)), t.c.table_name == '')
        row = conn.execute(sa.select(t).where(where)).first()
        if row is None:
            conn.execute(sa.insert(t).values(**dict(zip(KEY, key)), table_name='', calls=calls, first_seen=first,
                                             last_seen=last))
        else:
            conn.execute(sa.update(t).where(where).values(calls=row.calls + calls,
                                                          first_seen=min(row.first_seen, first),
                                                          last_seen=max(row.last_seen, last)))
