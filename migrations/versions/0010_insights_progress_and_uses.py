"""insights: deals' progress through the stages and per (deal, asset, version, stage) uses, so the
asset page and the filtered dashboards read small kept tables instead of the raw history and
usage; filled here from what the database already holds

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('insights_deal_path',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('furthest_open', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_insights_deal_path_deal_id_deal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deal_id', name=op.f('pk_insights_deal_path'))
    )
    op.create_table('insights_stage_entry',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('advanced', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_insights_stage_entry_deal_id_deal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['pipeline_stage.id'], name=op.f('fk_insights_stage_entry_stage_id_pipeline_stage')),
    sa.PrimaryKeyConstraint('deal_id', 'stage_id', name=op.f('pk_insights_stage_entry'))
    )
    with op.batch_alter_table('insights_stage_entry', schema=None) as batch_op:
        batch_op.create_index('ix_insights_stage_entry_stage_advanced', ['stage_id', 'advanced'], unique=False)

    op.create_table('insights_influence_use',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_insights_influence_use_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deal.id'], name=op.f('fk_insights_influence_use_deal_id_deal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['pipeline_stage.id'], name=op.f('fk_insights_influence_use_stage_id_pipeline_stage')),
    sa.ForeignKeyConstraint(['version_id'], ['asset_version.id'], name=op.f('fk_insights_influence_use_version_id_asset_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deal_id', 'asset_id', 'version_id', 'stage_id', name=op.f('pk_insights_influence_use'))
    )
    with op.batch_alter_table('insights_influence_use', schema=None) as batch_op:
        batch_op.create_index('ix_insights_influence_use_asset_stage', ['asset_id', 'stage_id'], unique=False)
        batch_op.create_index('ix_insights_influence_use_stage_asset', ['stage_id', 'asset_id', 'deal_id'], unique=False)

    # Covering indexes for the filtered dashboards and an asset's page; the stage-at-use filter
    # reads insights_influence_use now, not usage_event.
    with op.batch_alter_table('insights_influence', schema=None) as batch_op:
        batch_op.drop_index('ix_insights_influence_asset_outcome')
        batch_op.create_index('ix_insights_influence_asset_totals', ['asset_id', 'currency', 'close_date', 'owner_id', 'outcome', 'amount', 'first_touch', 'last_touch', 'linear', 'position_based', 'stages'], unique=False)
    with op.batch_alter_table('usage_event', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_event_stage_asset_deal')
        batch_op.drop_index('ix_usage_event_asset_deal')
        batch_op.create_index('ix_usage_event_asset_deal_use', ['asset_id', 'deal_id', 'occurred_at', 'user_id', 'deal_status'], unique=False)

    _backfill()


def _backfill():
    """The same rules as app.insights.progress and app.insights.rollup, frozen here as SQL."""
    if op.get_bind().dialect.name == 'postgresql':
        gap = "EXTRACT(EPOCH FROM later.changed_at - first.entered_at) / 86400.0"
    else:
        gap = "julianday(later.changed_at) - julianday(first.entered_at)"
    op.execute("""
        INSERT INTO insights_deal_path (deal_id, furthest_open)
        SELECT c.deal_id, MAX(CASE WHEN s.outcome = 'open' THEN s.position END)
        FROM deal_stage_change c JOIN pipeline_stage s ON s.id = c.stage_id
        GROUP BY c.deal_id""")
    op.execute(f"""
        INSERT INTO insights_stage_entry (deal_id, stage_id, entered_at, advanced)
        SELECT first.deal_id, first.stage_id, first.entered_at, EXISTS (
            SELECT 1 FROM deal_stage_change later
            JOIN pipeline_stage later_stage ON later_stage.id = later.stage_id
            WHERE later.deal_id = first.deal_id AND later.changed_at > first.entered_at
              AND {gap} <= 30
              AND (later.status = 'won'
                   OR (later.status = 'open' AND later_stage.position > first.position)))
        FROM (SELECT c.deal_id, c.stage_id, s.position, MIN(c.changed_at) AS entered_at
              FROM deal_stage_change c JOIN pipeline_stage s ON s.id = c.stage_id
              WHERE s.outcome = 'open'
              GROUP BY c.deal_id, c.stage_id, s.position) first""")
    # Uses that count (app.deals.influence): on an open deal, or recorded while the deal was
    # open and before it closed.
    op.execute("""
        INSERT INTO insights_influence_use (deal_id, asset_id, version_id, stage_id,
                                            first_used_at)
        SELECT u.deal_id, u.asset_id, u.version_id, u.deal_stage_id, MIN(u.occurred_at)
        FROM usage_event u JOIN deal d ON d.id = u.deal_id
        WHERE d.status = 'open' OR (u.deal_status = 'open' AND u.occurred_at < d.closed_at)
        GROUP BY u.deal_id, u.asset_id, u.version_id, u.deal_stage_id""")


def downgrade():
    with op.batch_alter_table('usage_event', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_event_asset_deal_use')
        batch_op.create_index('ix_usage_event_asset_deal', ['asset_id', 'deal_id'], unique=False)
        batch_op.create_index('ix_usage_event_stage_asset_deal', ['deal_stage_id', 'asset_id', 'deal_id'], unique=False)
    with op.batch_alter_table('insights_influence', schema=None) as batch_op:
        batch_op.drop_index('ix_insights_influence_asset_totals')
        batch_op.create_index('ix_insights_influence_asset_outcome', ['asset_id', 'outcome'], unique=False)

    with op.batch_alter_table('insights_influence_use', schema=None) as batch_op:
        batch_op.drop_index('ix_insights_influence_use_stage_asset')
        batch_op.drop_index('ix_insights_influence_use_asset_stage')

    op.drop_table('insights_influence_use')
    with op.batch_alter_table('insights_stage_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_insights_stage_entry_stage_advanced')

    op.drop_table('insights_stage_entry')
    op.drop_table('insights_deal_path')
