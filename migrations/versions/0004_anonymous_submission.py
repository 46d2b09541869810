"""anonymous submission: answers without codes, batched spends, progress snapshots

Answers are stored at once in `response` and spends reach `invitation_code` later in
shuffled batches, so the holding table goes. Waves gain the count of codes issued after
opening and a banded progress snapshot for the response-rate monitor.

Revision ID: 4a1d7c2e9b30
Revises: f866c5d050a6
Create Date: 2026-12-01 16:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '4a1d7c2e9b30'
down_revision = 'f866c5d050a6'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('held_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_response_wave_id'))
    op.drop_table('held_response')
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('codes_issued_after_open', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('progress', JSON, nullable=True))
        batch_op.add_column(sa.Column('progress_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('wave', schema=None) as batch_op:
        batch_op.drop_column('progress_at')
        batch_op.drop_column('progress')
        batch_op.drop_column('codes_issued_after_open')
    op.create_table('held_response',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('comments', JSON, nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_held_response_wave_id_wave')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_held_response')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('held_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_response_wave_id'), ['wave_id'], unique=False)
