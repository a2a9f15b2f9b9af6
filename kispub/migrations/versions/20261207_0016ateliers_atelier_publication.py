"""atelier publication: draft, scheduled or published; waiting-list position

Revision ID: 0016ateliers
Revises: 0015dossier
Create Date: 2026-12-07 17:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016ateliers'
down_revision = '0015dossier'
branch_labels = None
depends_on = None


def upgrade():
    # Ateliers made before this migration were public from the moment they were created:
    # they stay published, from their created_at on. New ones start as drafts (the model's
    # default), so the server default goes again once the rows are filled in.
    op.add_column('atelier', sa.Column('publication', sa.Enum('draft', 'published', name='atelierpublication', native_enum=False, length=20), server_default='published', nullable=False))
    op.add_column('atelier', sa.Column('publish_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE atelier SET publish_at = created_at")
    with op.batch_alter_table('atelier', schema=None) as batch_op:
        batch_op.alter_column('publication', server_default=None)

    op.add_column('atelier_registration', sa.Column('queued_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('atelier_registration', 'queued_at')
    with op.batch_alter_table('atelier', schema=None) as batch_op:
        batch_op.drop_column('publish_at')
        batch_op.drop_column('publication')
