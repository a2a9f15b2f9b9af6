"""podcast episode numbers unique per season of a series

Revision ID: 0017podcast
Revises: 0015dossier
Create Date: 2026-12-07 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017podcast'
down_revision = '0016ateliers'
branch_labels = None
depends_on = None

WITH_SEASON = 'season IS NOT NULL AND number IS NOT NULL'
WITHOUT_SEASON = 'season IS NULL AND number IS NOT NULL'


DUPLICATES = sa.text(
    'SELECT series_id, season, number FROM podcast_episode WHERE number IS NOT NULL '
    'GROUP BY series_id, season, number HAVING COUNT(*) > 1'
)


def upgrade():
    # Duplicates made before the rule would fail the index with a bare database error: name
    # them instead, so that an editor can renumber them and the upgrade be run again.
    duplicates = op.get_bind().execute(DUPLICATES).fetchall()
    if duplicates:
        listed = ', '.join(f'serie {s}, seizoen {season or "-"}, nummer {n}' for s, season, n in duplicates)
        raise RuntimeError(f'Afleveringen met hetzelfde nummer; hernummer ze eerst: {listed}')
    # Two partial indexes: NULL never equals NULL in a unique index, so episodes without a
    # season need their own.
    with op.batch_alter_table('podcast_episode', schema=None) as batch_op:
        batch_op.create_index(
            'uq_podcast_episode_season_number', ['series_id', 'season', 'number'], unique=True,
            sqlite_where=sa.text(WITH_SEASON), postgresql_where=sa.text(WITH_SEASON),
        )
        batch_op.create_index(
            'uq_podcast_episode_number', ['series_id', 'number'], unique=True,
            sqlite_where=sa.text(WITHOUT_SEASON), postgresql_where=sa.text(WITHOUT_SEASON),
        )


def downgrade():
    with op.batch_alter_table('podcast_episode', schema=None) as batch_op:
        batch_op.drop_index('uq_podcast_episode_number')
        batch_op.drop_index('uq_podcast_episode_season_number')
