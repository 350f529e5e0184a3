"""queryidx: a tag's contacts in contact order from one index (ContactGroupAssign by GroupId, ordered by
ContactId, reads the first rows of the index instead of sorting every contact with the tag)

Revision ID: 0015_queryidx
Revises: 0015_clockauth
"""
from alembic import op

revision = '0015_queryidx'
down_revision = '0015_clockauth'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tag_assignment_tag_contact', 'tag_assignment', ['app_id', 'tag_id', 'contact_id'],
                    unique=False)
    op.drop_index('ix_tag_assignment_tag', table_name='tag_assignment')


def downgrade() -> None:
    op.create_index('ix_tag_assignment_tag', 'tag_assignment', ['app_id', 'tag_id'], unique=False)
    op.drop_index('ix_tag_assignment_tag_contact', table_name='tag_assignment')
