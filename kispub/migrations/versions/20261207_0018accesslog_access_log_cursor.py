"""access log cursor: where the download counting stopped reading the access log; listener
windows indexed by listener first, as the ingest looks a batch's listeners up

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
    with op.batch_alter_table('podcast_download', schema=None) as batch_op:
        batch_op.drop_index('ix_podcast_download_window')
        batch_op.create_index('ix_podcast_download_window', ['listener', 'started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('podcast_download', schema=None) as batch_op:
        batch_op.drop_index('ix_podcast_download_window')
        batch_op.create_index('ix_podcast_download_window', ['episode_id', 'listener', 'started_at'], unique=False)
    op.drop_table('access_log_cursor')
