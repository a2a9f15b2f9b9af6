"""The community's part of a member's data export (AVG), and its erasure hook's registration.

Each section holds the member's own data only: their profile (and photo), their posts with
earlier versions, the notifications they received, their preferences and watch levels, and
the history of their membership. Other members appear only as the notifications showed them
(an actor's name, a thread's title), never with anything of their own.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from kispub.accounts.models import User
from kispub.accounts.privacy import (
    Exported,
    ExportFile,
    register_erasure_hook,
    register_export_section,
)
from kispub.community.joining_queries import event_label
from kispub.community.models import (
    Member,
    MembershipEvent,
    ModerationLogEntry,
    Notification,
    Post,
    PostRevision,
    ThemeWatch,
    Thread,
    ThreadWatch,
)
from kispub.community.services.erasure import erase_member
from kispub.core.storage import StorageError, get_storage, parse_key
from kispub.extensions import db
from kispub.themes.models import Theme

PHOTO = "bestanden/profielfoto"


def init_app(app: Flask) -> None:
    """Register the community's export sections and its erasure hook."""
    sections = (
        (
            "profiel",
            profile_section,
            _l(
                "Uw profiel in de community: gebruikersnaam, rol in het "
                "veld, introductie, thema's, hoe en wanneer u lid werd, en uw profielfoto."
            ),
        ),
        (
            "berichten",
            posts_section,
            _l(
                "Uw berichten in de community, met het onderwerp waarin "
                "ze staan en eerdere versies van berichten die u bewerkte."
            ),
        ),
        (
            "meldingen",
            notifications_section,
            _l(
                "De meldingen die u kreeg: reacties, "
                "vermeldingen, nieuwe berichten in wat u volgt, besluiten van moderatoren."
            ),
        ),
        (
            "voorkeuren",
            preferences_section,
            _l(
                "Uw keuzes: hoe vaak u e-mail wilt, en welke "
                "thema's en onderwerpen u volgt, meeleest of negeert."
            ),
        ),
        (
            "lidmaatschap",
            membership_section,
            _l(
                "De geschiedenis van uw lidmaatschap: aanvraag, "
                "bevestiging, goedkeuring en andere stappen."
            ),
        ),
    )
    for name, provider, description in sections:
        register_export_section(app, name, provider, description)
    _register_moderation_section(app)
    register_erasure_hook(app, erase_member)


def _member(user: User) -> Member | None:
    return db.session.get(Member, user.id)


def profile_section(user: User) -> Exported | None:
    """The membership row and profile; the photo goes in the ZIP as a file."""
    member = _member(user)
    if member is None:
        return None
    files: tuple[ExportFile, ...] = ()
    photo = None
    if member.avatar_key:
        try:
            photo = PHOTO + parse_key(member.avatar_key).extension
            files = (ExportFile(photo, get_storage().path(member.avatar_key)),)
        except StorageError:
            photo = None
    data = {
        "gebruikersnaam": member.handle,
        "status": member.status.label,
        "lid_geworden_via": member.joined_via.value,
        "rol_in_het_veld": member.field_role.label if member.field_role else None,
        "introductie": member.bio,
        "motivatie_bij_aanvraag": member.motivation,
        "themas": [theme.name for theme in member.themes],
        "profielfoto": photo,
        "aangemaakt_op": member.created_at,
        "e-mailadres_bevestigd_op": member.verified_at,
        "goedgekeurd_op": member.approved_at,
        "toelichting_bij_besluit": member.decision_message,
    }
    return Exported(data, files)


def posts_section(user: User) -> list[dict[str, Any]]:
    """Every post the member wrote (deleted and hidden ones too), oldest first, with versions."""
    statement = (
        select(Post, Thread.title)
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id == user.id)
        .order_by(Post.created_at, Post.id)
    )
    rows = db.session.execute(statement).all()
    revisions = _revisions([post.id for post, _title in rows])
    return [
        {
            "onderwerp": title,
            "onderwerp_id": post.thread_id,
            "nummer": post.number,
            "geplaatst_op": post.created_at,
            "bewerkt_op": post.edited_at,
            "verwijderd_op": post.deleted_at,
            "verborgen_door_moderator_op": post.hidden_at,
            "tekst": post.body,
            "eerdere_versies": revisions.get(post.id, []),
        }
        for post, title in rows
    ]


def _revisions(post_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not post_ids:
        return found
    statement = (
        select(PostRevision)
        .where(PostRevision.post_id.in_(post_ids))
        .order_by(PostRevision.replaced_at, PostRevision.id)
    )
    for revision in db.session.scalars(statement):
        found.setdefault(revision.post_id, []).append(
            {
                "tekst": revision.body,
                "geschreven_op": revision.created_at,
                "vervangen_op": revision.replaced_at,
            }
        )
    return found


def notifications_section(user: User) -> list[dict[str, Any]]:
    """The notifications the member received, oldest first, as they were shown."""
    statement = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    )
    return [
        {
            "soort": notification.kind.value,
            "van": notification.actor_name,
            "onderwerp": notification.thread_title,
            "onderwerp_id": notification.thread_id,
            "bericht_nummer": notification.post_number,
            "tekst": notification.message,
            "gemaakt_op": notification.created_at,
            "gelezen_op": notification.read_at,
            "gemaild_op": notification.emailed_at,
        }
        for notification in db.session.scalars(statement)
    ]


def preferences_section(user: User) -> dict[str, Any] | None:
    """E-mail preference and the watch level per theme and per thread."""
    member = _member(user)
    if member is None:
        return None
    themes = db.session.execute(
        select(ThemeWatch, Theme.name)
        .join(Theme, Theme.id == ThemeWatch.theme_id)
        .where(ThemeWatch.user_id == user.id)
        .order_by(Theme.position, Theme.name)
    ).all()
    threads = db.session.execute(
        select(ThreadWatch, Thread.title)
        .join(Thread, Thread.id == ThreadWatch.thread_id)
        .where(ThreadWatch.user_id == user.id)
        .order_by(ThreadWatch.thread_id)
    ).all()
    return {
        "e-mail": member.email_mode.label,
        "themas": [
            {"thema": name, "niveau": watch.level.label, "gewijzigd_op": watch.updated_at}
            for watch, name in themes
        ],
        "onderwerpen": [
            {
                "onderwerp": title,
                "onderwerp_id": watch.thread_id,
                "niveau": watch.level.label if watch.level else _("zoals het thema"),
                "reden": watch.reason.value if watch.reason else None,
                "e-mail_gestopt": watch.mail_stopped,
                "gewijzigd_op": watch.updated_at,
            }
            for watch, title in threads
        ],
    }


def membership_section(user: User) -> list[dict[str, Any]]:
    """The steps of the membership, oldest first (who took a step is not named)."""
    statement = (
        select(MembershipEvent)
        .where(MembershipEvent.user_id == user.id)
        .order_by(MembershipEvent.created_at, MembershipEvent.id)
    )
    return [
        {
            "stap": event_label(event.action),
            "actie": event.action,
            "door_uzelf": event.actor_id in (None, user.id),
            "toelichting": event.note,
            "op": event.created_at,
        }
        for event in db.session.scalars(statement)
    ]


# --- moderation decisions -------------------------------------------------------------------
def _register_moderation_section(app: Flask) -> None:
    register_export_section(
        app,
        "moderatie",
        moderation_section,
        _l("Besluiten van moderatoren over u of uw berichten, met de reden."),
    )


def moderation_section(user: User) -> list[dict[str, Any]]:
    """The moderation log's entries about the member (the moderator is not named)."""
    statement = (
        select(ModerationLogEntry)
        .where(ModerationLogEntry.subject_id == user.id)
        .order_by(ModerationLogEntry.created_at, ModerationLogEntry.id)
    )
    return [
        {
            "actie": entry.action.value,
            "betreft": entry.target_kind.value,
            "omschrijving": entry.target_label,
            "reden": entry.reason,
            "op": entry.created_at,
        }
        for entry in db.session.scalars(statement)
    ]
