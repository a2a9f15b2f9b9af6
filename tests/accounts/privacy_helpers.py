"""Builders for the AVG tests: a member with data in every section, exports, their ZIPs."""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.test import TestResponse

from kispub.accounts.models import DataExport, User
from kispub.ateliers.models import Atelier
from kispub.community.models import (
    EmailMode,
    FieldRole,
    Member,
    Notification,
    NotificationKind,
    ThemeWatch,
    Thread,
    ThreadWatch,
    WatchLevel,
    WatchReason,
)
from kispub.community.services.posting import edit_post, reply
from kispub.community.services.profiles import ProfileChange, save_profile
from kispub.core.database import write_transaction
from kispub.extensions import db
from tests.ateliers.helpers import make_atelier, register
from tests.community.discussion_helpers import make_thread, post_numbered, theme

LINK = re.compile(r"https?://\S+/account/gegevens/\S+")


def photo() -> bytes:
    """A small JPEG, as a member uploads one."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 110, 160)).save(out, "JPEG")
    return out.getvalue()


@dataclass(frozen=True)
class Story:
    """Two members whose data interleave: what each wrote, got and registered for."""

    thread: Thread
    atelier: Atelier


def give_data(member: User, other: User, *, marker: str, other_marker: str) -> Story:
    """Fill every section for ``member`` (texts with ``marker``) and for ``other`` too."""
    place = theme()
    save_profile(
        member.id,
        ProfileChange(
            name=member.name,
            organisation=member.organisation or "",
            field_role=FieldRole.BELEIDSMAKER,
            bio=f"Introductie {marker}",
            theme_ids=(place.id,),
            avatar=photo(),
        ),
    )
    thread = make_thread(member, title=f"Onderwerp {marker}", in_theme=place)
    reply(other, thread.id, f"Antwoord van de ander {other_marker}")
    own = reply(member, thread.id, f"Eerste tekst {marker}")
    edit_post(member, own.id, f"Tweede tekst {marker}")
    notify(member, other, thread, 2, f"Melding voor mij {marker}")
    notify(other, member, thread, 3, f"Melding voor de ander {other_marker}")
    with write_transaction() as session:
        session.get(Member, member.id).email_mode = EmailMode.IMMEDIATE  # type: ignore[union-attr]
        session.add(ThemeWatch(user_id=member.id, theme_id=place.id, level=WatchLevel.WATCHING))
        session.merge(  # posting already watches the thread for its author (reason POSTED)
            ThreadWatch(
                user_id=member.id,
                thread_id=thread.id,
                level=WatchLevel.MUTED,
                reason=WatchReason.CHOSEN,
                mail_stopped=True,
            )
        )
        session.add(ThemeWatch(user_id=other.id, theme_id=place.id, level=WatchLevel.MUTED))
    atelier = make_atelier(title=f"Atelier {marker}")
    register(atelier, member.email.upper(), name=member.name, organisation="Mijn organisatie")
    register(atelier, other.email, name=other.name, organisation=f"Organisatie {other_marker}")
    return Story(thread, atelier)


def notify(user: User, actor: User, thread: Thread, number: int, message: str) -> Notification:
    """A notification as the notifications work stores them (a snapshot of who and where)."""
    post = post_numbered(thread.id, number)
    with write_transaction() as session:
        notification = Notification(
            user_id=user.id,
            kind=NotificationKind.REPLY,
            actor_id=actor.id,
            actor_name=actor.name,
            thread_id=thread.id,
            thread_title=thread.title,
            post_id=post.id,
            post_number=number,
            message=message,
        )
        session.add(notification)
    return notification


def nonce() -> str:
    return secrets.token_urlsafe(24)


def request_export(client: FlaskClient, form_nonce: str | None = None) -> Any:
    """Ask for an export from the account page's form (jobs run at once in tests)."""
    return client.post("/account/gegevens", data={"nonce": form_nonce or nonce()})


def link_in(outbox: Callable[[], list[EmailMessage]]) -> str:
    """The download link in the latest export mail."""
    mails = [m for m in outbox() if "gegevens" in str(m["Subject"])]
    assert mails, "no export mail"
    body = mails[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(body)
    assert found, body
    return found[0]


def download(client: FlaskClient, path: str) -> TestResponse:
    """GET a download, its body read and its file closed."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def path_of(link: str) -> str:
    """The path of an absolute link, for the test client."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def open_zip(data: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    """The archive and every JSON file in it, loaded."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    loaded = {
        name.removesuffix(".json"): json.loads(archive.read(name).decode("utf-8"))
        for name in archive.namelist()
        if name.endswith(".json")
    }
    return archive, loaded


def exports_of(user: User) -> list[DataExport]:
    db.session.expire_all()
    return list(db.session.scalars(select(DataExport).where(DataExport.user_id == user.id)))
