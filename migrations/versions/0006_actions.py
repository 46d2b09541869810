"""actions ("you said, we did") and their append-only progress notes

Revision ID: 9b2f6d14e8a7
Revises: 7c3e5a91d2f4
Create Date: 2026-12-15 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '9b2f6d14e8a7'
down_revision = '7c3e5a91d2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('owner_role', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped',
                                name='actionstatus', native_enum=False, length=12),
              nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_wave_id'), ['wave_id'], unique=False)
    op.create_table('action_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_note_action_id'), ['action_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('action_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_note_action_id'))
    op.drop_table('action_note')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_wave_id'))
    op.drop_table('action')
