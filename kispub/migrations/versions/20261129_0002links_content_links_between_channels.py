"""content links between channels

Revision ID: 0002links
Revises: 0001foundation
Create Date: 2026-11-29 16:14:39.245939

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002links'
down_revision = '0001foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=30), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_kind', sa.String(length=30), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_link')),
    sa.UniqueConstraint('source_kind', 'source_id', 'target_kind', 'target_id', name=op.f('uq_content_link_source_kind'))
    )
    with op.batch_alter_table('content_link', schema=None) as batch_op:
        batch_op.create_index('ix_content_link_target', ['target_kind', 'target_id'], unique=False)



def downgrade():
    with op.batch_alter_table('content_link', schema=None) as batch_op:
        batch_op.drop_index('ix_content_link_target')

    op.drop_table('content_link')
