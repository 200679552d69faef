"""collections get their own draft/published state; featured is opt-in

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False,
                                      server_default='draft'))
    # Until now a featured collection was the one curators meant reps to see, so that is the
    # one that stays visible; the others become drafts their curators can publish.
    op.execute("UPDATE collection SET status = 'published' WHERE featured")
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.alter_column('status', server_default=None)
        batch_op.create_check_constraint(op.f('ck_collection_status'), "status IN ('draft', 'published')")


def downgrade():
    with op.batch_alter_table('collection', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_collection_status'), type_='check')
        batch_op.drop_column('status')
