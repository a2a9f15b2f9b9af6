"""A community full of hostile input: every payload as a thread title, a post, a reply and
in profile fields. Shared by the HTML test and the browser test."""

from __future__ import annotations

from dataclasses import dataclass

from kispub.accounts.models import User
from kispub.community.models import FieldRole
from kispub.community.services.posting import NewThread, edit_post, reply, start_thread
from kispub.community.services.profiles import ProfileChange, save_profile
from tests.community.discussion_helpers import theme
from tests.community.helpers import make_member
from tests.community.xss import PAYLOADS


@dataclass(frozen=True)
class Hostile:
    """Where the payloads ended up."""

    author: User
    reader: User
    thread_ids: list[int]
    edited_post_id: int


def hostile_community() -> Hostile:
    """Store every payload in a title, an opening post, a reply, an edit and a profile."""
    author = make_member(name="Eva Aanvaller")
    reader = make_member(name="Lars Lezer")
    where = theme()
    thread_ids = []
    for payload in PAYLOADS:
        thread = start_thread(author, NewThread(where.id, payload[:150], f"xss {payload}"))
        reply(reader, thread.id, f"@eva-aanvaller xss {payload}\n\n> {payload}", limits=False)
        thread_ids.append(thread.id)
    edited = reply(author, thread_ids[0], "eerst onschuldig", limits=False)
    edit_post(author, edited.id, "\n\n".join(PAYLOADS[:10]))
    profile = ProfileChange(
        name=PAYLOADS[0][:120],
        organisation=PAYLOADS[1][:160],
        field_role=FieldRole.PROFESSIONAL,
        bio="\n\n".join(PAYLOADS),
        theme_ids=(where.id,),
    )
    save_profile(author.id, profile)
    return Hostile(author, reader, thread_ids, edited.id)
