"""access log cursor: where the download counting stopped reading the access log

Revision ID: 0018accesslog
Revises: 0017podcast
Create Date: 2026-12-07 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018accesslog'
down_revision = '0017podcast'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_log_cursor',
    sa.Column('log', sa.String(length=500), nullable=False),
    sa.Column('inode', sa.BigInteger(), nullable=False),
    sa.Column('byte_offset', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('log', name=op.f('pk_access_log_cursor'))
    )


def downgrade():
    op.drop_table('access_log_cursor')
