"""kennisateliers: ateliers, speakers and hosts, themes, registrations, personal feeds

Revision ID: 0004ateliers
Revises: 0003podcast
Create Date: 2026-11-29 16:25:56.917947

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004ateliers'
down_revision = '0003podcast'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('atelier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('venue_name', sa.String(length=200), nullable=True),
    sa.Column('venue_address', sa.String(length=300), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_deadline_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.Enum('scheduled', 'postponed', 'cancelled', name='atelierstatus', native_enum=False, length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_atelier')),
    sa.UniqueConstraint('slug', name=op.f('uq_atelier_slug'))
    )
    with op.batch_alter_table('atelier', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_atelier_ends_at'), ['ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_atelier_starts_at'), ['starts_at'], unique=False)

    op.create_table('atelier_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_atelier_feed_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_atelier_feed')),
    sa.UniqueConstraint('user_id', name=op.f('uq_atelier_feed_user_id'))
    )
    op.create_table('atelier_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('atelier_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('speaker', 'host', name='personrole', native_enum=False, length=20), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('affiliation', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['atelier_id'], ['atelier.id'], name=op.f('fk_atelier_person_atelier_id_atelier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_atelier_person'))
    )
    with op.batch_alter_table('atelier_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_atelier_person_atelier_id'), ['atelier_id'], unique=False)

    op.create_table('atelier_registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('atelier_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=True),
    sa.Column('status', sa.Enum('registered', 'waitlisted', name='registrationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('promoted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['atelier_id'], ['atelier.id'], name=op.f('fk_atelier_registration_atelier_id_atelier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_atelier_registration_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_atelier_registration')),
    sa.UniqueConstraint('atelier_id', 'email', name=op.f('uq_atelier_registration_atelier_id'))
    )
    with op.batch_alter_table('atelier_registration', schema=None) as batch_op:
        batch_op.create_index('ix_atelier_registration_queue', ['atelier_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_atelier_registration_user_id'), ['user_id'], unique=False)

    op.create_table('atelier_theme',
    sa.Column('atelier_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['atelier_id'], ['atelier.id'], name=op.f('fk_atelier_theme_atelier_id_atelier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_atelier_theme_theme_id_theme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('atelier_id', 'theme_id', name=op.f('pk_atelier_theme'))
    )


def downgrade():
    op.drop_table('atelier_theme')
    with op.batch_alter_table('atelier_registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_atelier_registration_user_id'))
        batch_op.drop_index('ix_atelier_registration_queue')

    op.drop_table('atelier_registration')
    with op.batch_alter_table('atelier_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_atelier_person_atelier_id'))

    op.drop_table('atelier_person')
    op.drop_table('atelier_feed')
    with op.batch_alter_table('atelier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_atelier_starts_at'))
        batch_op.drop_index(batch_op.f('ix_atelier_ends_at'))

    op.drop_table('atelier')
