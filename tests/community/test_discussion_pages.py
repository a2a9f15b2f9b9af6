"""The discussion's pages and forms, as members use them: without JavaScript, with one
request per action, accessible (headings, unique link texts, errors tied to fields)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from kispub.accounts.models import Role
from kispub.community.models import Post, Thread
from kispub.community.services.posting import delete_post
from kispub.extensions import db
from tests.community.discussion_helpers import (
    client_for,
    make_thread,
    nonce,
    post_numbered,
    theme,
)
from tests.community.helpers import DEFAULT_PASSWORD, make_member
from tests.second_factor import log_in


def body(answer: Any) -> str:
    text: str = answer.get_data(as_text=True)
    return text


def posts_in(thread_id: int) -> list[tuple[int, str]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Post.number, Post.body).where(Post.thread_id == thread_id).order_by(Post.number)
    )
    return [(number, text) for number, text in rows]


def test_a_member_starts_a_thread_and_lands_on_it(app: Flask) -> None:
    member = make_member()
    participatie = theme()
    client = client_for(app, member)
    form = {
        "title": "Buurtgesprekken",
        "body": "Hoe **organiseert** u ze?",
        "nonce": nonce(),
        "is_question": "y",
    }

    answer = client.post(f"/community/thema/{participatie.slug}/nieuw", data=form)

    thread = db.session.scalars(select(Thread)).one()
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}"
    assert (thread.title, thread.is_question, thread.theme_id) == (
        "Buurtgesprekken",
        True,
        participatie.id,
    )
    page = body(client.get(answer.headers["Location"]))
    assert "<h1>Buurtgesprekken</h1>" in page
    assert "<strong>organiseert</strong>" in page


def test_form_errors_are_linked_to_their_fields(app: Flask) -> None:
    client = client_for(app, make_member())
    answer = client.post(
        f"/community/thema/{theme().slug}/nieuw",
        data={"title": "ab", "body": "  ", "nonce": nonce()},
    )
    page = body(answer)
    assert answer.status_code == 200
    assert '<a href="#body">' in page
    assert re.search(
        r'<textarea[^>]*aria-describedby="body-hint body-error"[^>]*aria-invalid="true"', page
    )
    assert 'id="body-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Thread)) == 0
    # The service's own checks land on their field too.
    answer = client.post(
        f"/community/thema/{theme().slug}/nieuw",
        data={"title": "ab", "body": "Tekst", "nonce": nonce()},
    )
    assert '<a href="#title">Titel: Geef een titel van minstens 3 tekens.</a>' in body(answer)


def test_a_double_submitted_reply_is_one_post(app: Flask) -> None:
    member = make_member()
    thread = make_thread(member)
    client = client_for(app, member)
    form = {"body": "Eén keer, ook na twee klikken.", "nonce": nonce()}

    first = client.post(f"/community/onderwerp/{thread.id}/reageren", data=form)
    second = client.post(f"/community/onderwerp/{thread.id}/reageren", data=form)

    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert first.headers["Location"] == f"/community/onderwerp/{thread.id}#bericht-2"
    assert posts_in(thread.id)[1:] == [(2, "Eén keer, ook na twee klikken.")]


def test_a_refused_reply_shows_the_form_again_with_the_text(app: Flask) -> None:
    member = make_member()
    thread = make_thread(member)
    client = client_for(app, member)
    text = "https://a.example https://b.example https://c.example"
    answer = client.post(
        f"/community/onderwerp/{thread.id}/reageren", data={"body": text, "nonce": nonce()}
    )
    page = body(answer)
    assert answer.status_code == 400
    assert "hoogstens 2 links" in page and text in page
    assert len(posts_in(thread.id)) == 1


def test_quoting_fills_the_reply_form_without_javascript(app: Flask) -> None:
    fatima = make_member(name="Fatima El_Amrani")
    joost = make_member(name="Joost")
    thread = make_thread(fatima, posts=3, repliers=[fatima, joost])
    client = client_for(app, joost)

    page = body(client.get(f"/community/onderwerp/{thread.id}"))
    assert f'href="/community/onderwerp/{thread.id}?citeer=2#reageren">Citeer bericht 2</a>' in page
    page = body(client.get(f"/community/onderwerp/{thread.id}?citeer=2"))

    quotation = (
        "&gt; **Fatima El\\_Amrani** schreef in bericht 2:\n&gt;\n&gt; Reactie nummer 2.\n\n"
    )
    assert quotation in page
    assert 'name="reply_to" type="hidden" value="2"' in page
    assert "Reageren op bericht 2" in page
    quoted = "> **Fatima El\\_Amrani** schreef in bericht 2:\n>\n> Reactie nummer 2.\n\n"
    form = {
        "body": quoted + "Mee eens.",
        "reply_to": "2",
        "nonce": nonce(),
    }
    client.post(f"/community/onderwerp/{thread.id}/reageren", data=form)
    post = post_numbered(thread.id, 4)
    assert post.reply_to_number == 2
    assert "<blockquote>" in post.html and "Fatima El_Amrani" in post.html


def test_every_post_is_an_article_with_a_heading_and_unique_link_texts(app: Flask) -> None:
    asker, other = make_member(name="Amina Yilmaz"), make_member(name="Bram Visser")
    thread = make_thread(asker, posts=4, repliers=[asker, other], question=True)
    page = body(client_for(app, asker).get(f"/community/onderwerp/{thread.id}"))

    assert page.count("<article") == 4
    headings = re.findall(r'<h2 id="bericht-(\d+)-kop">(.*?)</h2>', page, re.S)
    assert [n for n, _ in headings] == ["1", "2", "3", "4"]
    assert "Bericht 3 van Bram Visser" in headings[2][1]
    links = re.findall(r"<a [^>]*>([^<]+)</a>", page)
    for n in (2, 3):
        for text in (f"Reageer op bericht {n}", f"Citeer bericht {n}", f"Link naar bericht {n}"):
            assert links.count(text) == 1
    assert links.count("Bewerk bericht 4") == 1 and "Bewerk bericht 3" not in links
    assert "Kies bericht 3 als antwoord" in page and "Kies bericht 1 als antwoord" not in page
    assert '<nav aria-label="Community"' in page
    assert (
        'href="/community/leden">Leden</a>' in page
        and 'href="/community/zoeken">Zoeken</a>' in page
    )


def test_unread_posts_say_so_in_their_heading_and_a_link_leads_to_the_first(app: Flask) -> None:
    author, reader = make_member(), make_member()
    thread = make_thread(author, posts=3)
    client = client_for(app, reader)
    page = body(client.get(f"/community/onderwerp/{thread.id}"))
    assert page.count("(ongelezen)</span></h2>") == 3
    assert '<a href="#bericht-1">Ga naar het eerste ongelezen bericht</a>' in page
    # Seen now: on the next visit nothing is unread, and no link to it.
    page = body(client.get(f"/community/onderwerp/{thread.id}"))
    assert "ongelezen" not in page


def test_long_threads_are_paged_and_out_of_range_pages_are_404(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=45)
    client = client_for(app, author)

    third = body(client.get(f"/community/onderwerp/{thread.id}?pagina=3"))
    assert re.findall(r'id="bericht-(\d+)"', third) == [str(n) for n in range(41, 46)]
    assert f'<a href="/community/onderwerp/{thread.id}?pagina=2" rel="prev">' in third
    assert f'href="/community/onderwerp/{thread.id}?pagina=3" aria-current="page"' in third
    for bad in ("4", "0", "-1", str(2**40)):
        assert client.get(f"/community/onderwerp/{thread.id}?pagina={bad}").status_code == 404
    assert client.get(f"/community/onderwerp/{thread.id + 1}").status_code == 404
    assert client.get("/community/thema/participatie?pagina=2").status_code == 404
    assert client.get("/community/thema/bestaat-niet").status_code == 404


def test_a_permalink_lands_on_the_page_that_holds_the_post(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=45)
    client = client_for(app, author)
    for number, target in [(1, ""), (20, ""), (21, "?pagina=2"), (45, "?pagina=3")]:
        post = post_numbered(thread.id, number)
        answer = client.get(f"/community/bericht/{post.id}")
        location = f"/community/onderwerp/{thread.id}{target}#bericht-{number}"
        assert answer.headers["Location"] == location
        assert f'id="bericht-{number}"' in body(client.get(location))
    assert client.get(f"/community/bericht/{post.id + 1000}").status_code == 404


def test_an_edited_post_is_marked_and_its_revisions_are_on_their_page(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=2)
    second = post_numbered(thread.id, 2)
    client = client_for(app, author)

    form = body(client.get(f"/community/bericht/{second.id}/bewerken"))
    assert "Reactie nummer 2." in form and 'name="title"' not in form
    answer = client.post(f"/community/bericht/{second.id}/bewerken", data={"body": "Verbeterd."})
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}#bericht-2"

    page = body(client.get(f"/community/onderwerp/{thread.id}"))
    assert (
        f'<a href="/community/bericht/{second.id}/versies">bewerkt'
        '<span class="visually-hidden"> (eerdere versies van bericht 2)</span></a>'
    ) in page
    revisions = body(client.get(f"/community/bericht/{second.id}/versies"))
    assert "Verbeterd." in revisions and "Reactie nummer 2." in revisions


def test_the_first_post_edits_the_title_too(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author)
    first = post_numbered(thread.id, 1)
    client = client_for(app, author)
    assert 'name="title"' in body(client.get(f"/community/bericht/{first.id}/bewerken"))
    client.post(
        f"/community/bericht/{first.id}/bewerken", data={"title": "Nieuwe titel", "body": "Tekst"}
    )
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).title == "Nieuwe titel"  # type: ignore[union-attr]


def test_others_cannot_open_the_edit_or_delete_pages(app: Flask) -> None:
    author, other = make_member(), make_member()
    post = post_numbered(make_thread(author).id, 1)
    client = client_for(app, other)
    assert client.get(f"/community/bericht/{post.id}/bewerken").status_code == 404
    assert (
        client.post(f"/community/bericht/{post.id}/bewerken", data={"body": "x"}).status_code == 404
    )
    assert client.get(f"/community/bericht/{post.id}/verwijderen").status_code == 404
    assert client.post(f"/community/bericht/{post.id}/verwijderen").status_code == 404
    assert post_numbered(post.thread_id, 1).is_visible


def test_a_moderator_may_edit_any_post(app: Flask) -> None:
    post = post_numbered(make_thread(make_member()).id, 1)
    client = client_for(app, make_member(role=Role.MODERATOR))
    answer = client.post(
        f"/community/bericht/{post.id}/bewerken",
        data={"title": "Titel", "body": "Aangepast", "reason": "Taalfout"},
    )
    assert answer.status_code == 302
    assert post_numbered(post.thread_id, 1).body == "Aangepast"


def test_deleting_asks_first_and_leaves_the_post_in_place(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author, posts=3)
    second = post_numbered(thread.id, 2)
    client = client_for(app, author)

    confirm = body(client.get(f"/community/bericht/{second.id}/verwijderen"))
    assert "Ja, verwijder bericht 2" in confirm
    answer = client.post(f"/community/bericht/{second.id}/verwijderen")
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}#bericht-2"

    page = body(client.get(f"/community/onderwerp/{thread.id}"))
    assert "Verwijderd door de auteur." in page
    assert "Reactie nummer 2." not in page
    assert re.findall(r'id="bericht-(\d+)"', page) == ["1", "2", "3"]
    assert "Citeer bericht 2" not in page
    assert client.get(f"/community/onderwerp/{thread.id}?citeer=2").status_code == 200
    assert "Reactie nummer 2" not in body(client.get(f"/community/onderwerp/{thread.id}?citeer=2"))
    assert client.get(f"/community/bericht/{second.id}/versies").status_code == 404


def test_the_asker_accepts_an_answer_with_a_button(app: Flask) -> None:
    asker, helper = make_member(), make_member()
    thread = make_thread(asker, posts=3, repliers=[helper], question=True)
    asker_client = client_for(app, asker)
    answer = asker_client.post(f"/community/onderwerp/{thread.id}/antwoord", data={"number": "3"})
    assert answer.headers["Location"] == f"/community/onderwerp/{thread.id}#bericht-3"
    page = body(asker_client.get(f"/community/onderwerp/{thread.id}"))
    assert "(geaccepteerd antwoord)" in page
    assert "Bericht 3 is niet langer het antwoord" in page
    assert "het antwoord in bericht 3" in page

    helper_client = client_for(app, helper)
    helper_client.post(f"/community/onderwerp/{thread.id}/antwoord", data={"number": "2"})
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).accepted_number == 3  # type: ignore[union-attr]
    asker_client.post(f"/community/onderwerp/{thread.id}/antwoord", data={"number": ""})
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).accepted_number is None  # type: ignore[union-attr]


def test_posting_is_limited_per_member_not_per_address(
    app_config: dict[str, Any], make_app: Any
) -> None:
    app = make_app(COMMUNITY_POST_RATE_LIMIT="3 per minute")
    with app.app_context():
        eager, other = make_member(), make_member()
        thread = make_thread(eager)
        client, other_client = client_for(app, eager), client_for(app, other)
        url = f"/community/onderwerp/{thread.id}/reageren"
        # A refused form does not count; three stored posts do.
        assert client.post(url, data={"body": "", "nonce": nonce()}).status_code == 400
        statuses = [
            client.post(url, data={"body": f"Nummer {n}", "nonce": nonce()}).status_code
            for n in range(4)
        ]
        assert statuses == [302, 302, 302, 429]
        # A new thread shares the allowance.
        new = client.post(
            f"/community/thema/{theme().slug}/nieuw",
            data={"title": "Nog een", "body": "Tekst", "nonce": nonce()},
        )
        assert new.status_code == 429
        # Another member from the same address posts as usual.
        assert other_client.post(url, data={"body": "Ik ook", "nonce": nonce()}).status_code == 302
        assert len(posts_in(thread.id)) == 5


def test_links_in_posts_send_no_referrer_and_pages_are_private(app: Flask) -> None:
    author = make_member()
    thread = make_thread(author)
    client = client_for(app, author)
    clock_ok = client.post(
        f"/community/onderwerp/{thread.id}/reageren",
        data={"body": "Zie [de gids](https://example.org/gids).", "nonce": nonce()},
    )
    assert clock_ok.status_code == 302
    answer = client.get(f"/community/onderwerp/{thread.id}")
    assert 'href="https://example.org/gids" rel="noopener noreferrer nofollow"' in body(answer)
    assert answer.headers["Referrer-Policy"] in {
        "strict-origin-when-cross-origin",
        "same-origin",
        "no-referrer",
    }
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert "img-src 'self'" in answer.headers["Content-Security-Policy"]


def test_stored_markup_is_inert_in_titles_and_posts(app: Flask) -> None:
    author = make_member()
    title = '<script>alert("titel")</script>'
    client = client_for(app, author)
    client.post(
        f"/community/thema/{theme().slug}/nieuw",
        data={
            "title": title,
            "body": "<img src=x onerror=alert(1)> [x](javascript:alert(2))",
            "nonce": nonce(),
        },
    )
    thread = db.session.scalars(select(Thread)).one()
    page = body(client.get(f"/community/onderwerp/{thread.id}"))
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert re.search(r"<img[^>]*onerror", page) is None and 'href="javascript:' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    listing = body(client.get(f"/community/thema/{theme().slug}"))
    assert "<script>alert" not in listing


def test_a_deleted_post_can_be_neither_edited_nor_deleted_again_through_the_pages(
    app: Flask,
) -> None:
    author = make_member()
    post = post_numbered(make_thread(author, posts=2).id, 2)
    delete_post(author, post.id)
    client = client_for(app, author)
    assert client.get(f"/community/bericht/{post.id}/bewerken").status_code == 404
    assert "al verwijderd" in body(client.get(f"/community/bericht/{post.id}/verwijderen"))
    assert client.post(f"/community/bericht/{post.id}/verwijderen").status_code == 302


def test_every_discussion_form_needs_its_csrf_token(make_app: Any) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        author = make_member()
        thread = make_thread(author, posts=2, question=True)
        second = post_numbered(thread.id, 2)
        client = client_for_csrf(app, author)
        forged = [
            (
                "/community/thema/participatie/nieuw",
                {"title": "Titel", "body": "x", "nonce": nonce()},
            ),
            (f"/community/onderwerp/{thread.id}/reageren", {"body": "x", "nonce": nonce()}),
            (f"/community/bericht/{second.id}/bewerken", {"body": "x"}),
            (f"/community/bericht/{second.id}/verwijderen", {}),
            (f"/community/onderwerp/{thread.id}/antwoord", {"number": "2"}),
            ("/community/thema/participatie/gelezen", {}),
        ]
        for url, form in forged:
            assert client.post(url, data=form).status_code == 400, url
        assert posts_in(thread.id) == [
            (1, "Wie heeft ervaring met taalcafés?"),
            (2, "Reactie nummer 2."),
        ]
        # With the token from the page, the reply goes through.
        page = body(client.get(f"/community/onderwerp/{thread.id}"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert token is not None
        form = {"body": "Met token", "nonce": nonce(), "csrf_token": token[1]}
        assert (
            client.post(f"/community/onderwerp/{thread.id}/reageren", data=form).status_code == 302
        )


def client_for_csrf(app: Flask, user: Any) -> Any:
    """Log in through the form, token included, on an app with CSRF protection on."""
    client = app.test_client()
    client.environ_base["HTTP_REFERER"] = "https://localhost/"  # as a browser sends over https
    login = body(client.get("/inloggen"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)
    assert token is not None
    answer = log_in(client, user, DEFAULT_PASSWORD, csrf_token=token[1])  # staff: 2nd step too
    assert answer.status_code == 302
    return client
