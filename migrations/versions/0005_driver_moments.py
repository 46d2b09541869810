"""key-driver moments: cross-products of complete cases per group, built at close

Revision ID: 7c3e5a91d2f4
Revises: 4a1d7c2e9b30
Create Date: 2026-12-08 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '7c3e5a91d2f4'
down_revision = '4a1d7c2e9b30'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('moment',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('dimension', sa.String(length=100), nullable=False),
    sa.Column('grp', sa.String(length=100), nullable=False),
    sa.Column('model', sa.String(length=40), nullable=False),
    sa.Column('variables', JSON, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('sums', JSON, nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], ),
    sa.PrimaryKeyConstraint('wave_id', 'dimension', 'grp', 'model')
    )


def downgrade():
    op.drop_table('moment')
