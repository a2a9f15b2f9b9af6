"""podcast series, episodes and download counting

Revision ID: 0003podcast
Revises: 0002links
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003podcast'
down_revision = '0002links'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('podcast_listener_salt',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_podcast_listener_salt'))
    )
    op.create_table('podcast_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('owner_name', sa.String(length=120), nullable=False),
    sa.Column('owner_email', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('subcategory', sa.String(length=60), nullable=True),
    sa.Column('explicit', sa.Boolean(), nullable=False),
    sa.Column('copyright', sa.String(length=200), nullable=True),
    sa.Column('cover_key', sa.String(length=200), nullable=True),
    sa.Column('podcast_guid', sa.String(length=36), nullable=False),
    sa.Column('new_feed_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_podcast_series')),
    sa.UniqueConstraint('podcast_guid', name=op.f('uq_podcast_series_podcast_guid')),
    sa.UniqueConstraint('slug', name=op.f('uq_podcast_series_slug'))
    )
    op.create_table('podcast_episode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=64), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('season', sa.Integer(), nullable=True),
    sa.Column('episode_type', sa.Enum('full', 'trailer', 'bonus', name='episodetype', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', name='episodestatus', native_enum=False, length=20), nullable=False),
    sa.Column('publish_at', sa.DateTime(), nullable=True),
    sa.Column('show_notes', sa.Text(), nullable=False),
    sa.Column('explicit', sa.Boolean(), nullable=False),
    sa.Column('cover_key', sa.String(length=200), nullable=True),
    sa.Column('audio_key', sa.String(length=200), nullable=False),
    sa.Column('audio_mime', sa.String(length=30), nullable=False),
    sa.Column('audio_size', sa.BigInteger(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('audio_offset', sa.Integer(), nullable=False),
    sa.Column('bytes_per_second', sa.Double(), nullable=False),
    sa.Column('chapters', sa.JSON(), nullable=False),
    sa.Column('transcript_key', sa.String(length=200), nullable=True),
    sa.Column('transcript_type', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['podcast_series.id'], name=op.f('fk_podcast_episode_series_id_podcast_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_podcast_episode')),
    sa.UniqueConstraint('guid', name=op.f('uq_podcast_episode_guid')),
    sa.UniqueConstraint('series_id', 'slug', name=op.f('uq_podcast_episode_series_id'))
    )
    with op.batch_alter_table('podcast_episode', schema=None) as batch_op:
        batch_op.create_index('ix_podcast_episode_listing', ['series_id', 'status', 'publish_at'], unique=False)

    op.create_table('podcast_download',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('listener', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ranges', sa.String(length=2000), nullable=False),
    sa.Column('counted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['podcast_episode.id'], name=op.f('fk_podcast_download_episode_id_podcast_episode'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_podcast_download'))
    )
    with op.batch_alter_table('podcast_download', schema=None) as batch_op:
        batch_op.create_index('ix_podcast_download_counted', ['episode_id', 'counted_at'], unique=False)
        batch_op.create_index('ix_podcast_download_window', ['episode_id', 'listener', 'started_at'], unique=False)

    op.create_table('podcast_episode_theme',
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['podcast_episode.id'], name=op.f('fk_podcast_episode_theme_episode_id_podcast_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_podcast_episode_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('episode_id', 'theme_id', name=op.f('pk_podcast_episode_theme'))
    )
    op.create_table('podcast_guest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['episode_id'], ['podcast_episode.id'], name=op.f('fk_podcast_guest_episode_id_podcast_episode'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_podcast_guest'))
    )


def downgrade():
    op.drop_table('podcast_guest')
    op.drop_table('podcast_episode_theme')
    with op.batch_alter_table('podcast_download', schema=None) as batch_op:
        batch_op.drop_index('ix_podcast_download_window')
        batch_op.drop_index('ix_podcast_download_counted')

    op.drop_table('podcast_download')
    with op.batch_alter_table('podcast_episode', schema=None) as batch_op:
        batch_op.drop_index('ix_podcast_episode_listing')

    op.drop_table('podcast_episode')
    op.drop_table('podcast_series')
    op.drop_table('podcast_listener_salt')
