"""staff side: session versions and unit scope on users, audit log, headcounts

Revision ID: 17e56c046159
Revises: b5c79b82dc16
Create Date: 2026-11-26 08:20:47.697029

Reviewed by hand. The audit log holds staff actions only; headcounts are workforce sizes
per wave, unit and group (no respondent data). Existing users start at session_version 0.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '17e56c046159'
down_revision = 'b5c79b82dc16'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_email', sa.String(length=254), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('detail', JSON, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('headcount',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('breakdown', sa.String(length=40), nullable=False),
    sa.Column('group_code', sa.String(length=60), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 0', name=op.f('ck_headcount_count_not_negative')),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_headcount_wave_id_wave')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_headcount')),
    sa.UniqueConstraint('wave_id', 'unit', 'breakdown', 'group_code', name=op.f('uq_headcount_wave_id'))
    )
    with op.batch_alter_table('headcount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_headcount_wave_id'), ['wave_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('unit_scope', JSON, nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('unit_scope')
        batch_op.drop_column('session_version')

    with op.batch_alter_table('headcount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_headcount_wave_id'))
    op.drop_table('headcount')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))
    op.drop_table('audit_event')
