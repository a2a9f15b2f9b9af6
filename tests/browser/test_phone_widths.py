"""Every page type fits a phone: at 320 and 390 px wide nothing scrolls sideways, the targets
of the header, menus, breadcrumbs, buttons and form controls are at least 24 by 24 px (WCAG 2.2,
2.5.8) and axe-core finds nothing at 320 px.

The demo content is loaded once for the module (it takes seconds) and served by one server;
each role keeps one logged-in browser tab, and each page is opened once and then resized.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from kispub import create_app
from kispub.accounts.models import Role, User
from kispub.ateliers.models import Atelier, AtelierPublication
from kispub.ateliers.tokens import make_registration_token
from kispub.community.models import Member, MemberStatus
from kispub.community.models.discussion import Post, Thread
from kispub.content import demo_files, load_content
from kispub.core.preview import preview_token
from kispub.dossier.models import Dossier, DossierGroup, DossierItem
from kispub.extensions import db
from kispub.podcast.models import Episode, Series
from tests.ateliers.helpers import make_atelier, register, soon
from tests.browser.conftest import assert_accessible, log_in
from tests.community.helpers import make_person
from tests.conftest import POSTGRES, _base_config, postgres_schema_url, worker_schema
from tests.factories import make_user

WIDTHS = (320, 390)
DESKTOP = 1280  # checked for sideways scrolling too, so the phone rules break no wide page
TARGET = 24  # px, WCAG 2.2 success criterion 2.5.8 (minimum target size)

# How wide the page is, and when it is too wide, which elements stick out furthest: the
# innermost ones (their children fit) that no scrolling box clips, and boxes whose own content
# (a long word) overflows them.
OVERFLOW = """() => {
  const limit = window.innerWidth, root = document.documentElement;
  if (root.scrollWidth <= limit) return null;
  const scrolls = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map(c => '.' + c).join('')
    + ' "' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
  const all = [...document.body.querySelectorAll('*')].filter(el => !scrolls(el));
  const wide = new Set(all.filter(el => el.getBoundingClientRect().right > limit + 0.5));
  const out = [...wide].filter(el => ![...el.children].some(c => wide.has(c)))
    .map(el => [el.getBoundingClientRect().right, name(el)]);
  const crammed = all.filter(el => getComputedStyle(el).overflowX === 'visible'
    && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
    .map(el => [el.getBoundingClientRect().left + el.scrollWidth, name(el) + ' (content)']);
  const worst = [...out, ...crammed].sort((a, b) => b[0] - a[0]).slice(0, 4);
  return {width: root.scrollWidth, worst: worst.map(([r, n]) => n + ' to ' + Math.round(r))};
}"""

# Targets smaller than 24 by 24 px among the controls; a link in running text is exempt, so
# links count only in the site header, menus (breadcrumbs too), tag lists and as buttons.
SMALL_TARGETS = """(minimum) => {
  const targets = '.site-header a, .site-header button, nav a, .tag-list a, a.button, '
    + 'button, input:not([type=hidden]), select, textarea, summary';
  const small = [];
  for (const el of document.querySelectorAll(targets)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || el.closest('.visually-hidden') || el.classList.contains('skip-link')) {
      continue;
    }
    if (box.width < minimum - 0.01 || box.height < minimum - 0.01) {
      const text = (el.textContent || el.name || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} "${text}" ${Math.round(box.width * 10) / 10}`
        + `×${Math.round(box.height * 10) / 10}`);
    }
  }
  return small;
}"""


@dataclass
class Site:
    """The served demo site: its address, the people who log in, and the ids pages need."""

    app: Flask
    base_url: str
    users: dict[str, User] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)


def _config(tmp: Path) -> dict[str, Any]:
    if POSTGRES:  # a schema of its own: other tests truncate theirs
        url = postgres_schema_url(worker_schema("kispub_phone"))
    else:
        url = f"sqlite:///{tmp / 'kispub.sqlite3'}"
    return {**_base_config(url, tmp), "RATELIMIT_ENABLED": False}


def _first(model: Any) -> Any:
    return db.session.scalars(select(model).order_by(model.id)).first()


def _known_ids() -> dict[str, Any]:
    """The ids and slugs of demo content that the page paths below need."""
    series = db.session.scalars(select(Series).where(Series.slug == "denkers-en-doeners")).one()
    episode = _first(Episode)
    dossier = db.session.scalars(select(Dossier).where(Dossier.slug == "coronadossier")).one()
    item = db.session.scalars(
        select(DossierItem).where(DossierItem.slug == "tussen-verveling-en-vereenzaming")
    ).one()
    thread = _first(Thread)
    post = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.id)
    ).first()
    return {
        "series": series.slug,
        "series_id": series.id,
        "episode": episode.slug,
        "episode_series": episode.series.slug,
        "episode_id": episode.id,
        "dossier_id": dossier.id,
        "group_id": _first(DossierGroup).id,
        "item": item.slug,
        "item_id": item.id,
        "thread_id": thread.id,
        "post_id": post.id,
        "theme": "nieuwe-migratie",
        "episode_preview": preview_token("episode", episode.id),
        "handle": db.session.scalars(select(Member.handle).order_by(Member.user_id)).first(),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo content plus an atelier open for registration, served on a free port."""
    tmp = tmp_path_factory.mktemp("phone")
    app = create_app(_config(tmp))
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
    app.config["PREFERRED_URL_SCHEME"] = "http"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        db.create_all()
        for path in demo_files():
            load_content(path)
        atelier = make_atelier(
            title="Discriminatie op de arbeidsmarkt: wat werkt in de arbeidsbemiddeling?",
            starts_at=soon(days=40),
        )
        registration = register(atelier, name="Annemarie van Heuvelstad-Oosterhout")
        draft = make_atelier(
            title="Een kennisatelier in voorbereiding", publication=AtelierPublication.DRAFT
        )
        pending = make_person(
            MemberStatus.PENDING,
            name="Wilhelmina Oosterhuis-van Beekhuizen",
            organisation="Vluchtelingenwerk Midden-Nederland, Maatschappelijke Begeleiding",
        )
        users = {
            "member": make_user(name="Bram Visser"),
            "editor": make_user(role=Role.EDITOR, name="Els Redacteur"),
            "admin": make_user(role=Role.ADMIN, name="Anna Beheerder"),
        }
        ids = {
            **_known_ids(),
            "atelier": atelier.slug,
            "atelier_id": atelier.id,
            "registration_token": make_registration_token(
                registration.id, atelier.id, registration.email
            ),
            "past_atelier": db.session.scalars(
                select(Atelier.slug).where(Atelier.starts_at < soon(days=0))
            ).first(),
            "registration_id": registration.id,
            "atelier_preview": preview_token("atelier", draft.id),
            "member_id": users["member"].id,
            "editor_id": users["editor"].id,
            "pending_id": pending.id,
        }
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield Site(app, app.config["BASE_URL"], users, ids)
        server.shutdown()
        thread.join(timeout=5)
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Tab:
    """One role's logged-in browser tab and the console errors it has seen."""

    page: Any
    errors: list[str] = field(default_factory=list)


def _note_error(tab: Tab, msg: Any) -> None:
    """Keep console errors (Chromium reports CSP violations there), except the one an error
    page causes on purpose: its own status."""
    own_status = msg.text.startswith("Failed to load resource") and msg.location["url"] == (
        tab.page.url
    )
    if msg.type == "error" and not own_status:
        tab.errors.append(f"{msg.text} ({msg.location['url']})")


@pytest.fixture(scope="module")
def tabs(site: Site, browser: Any) -> Iterator[Callable[[str], Tab]]:
    """One browser context per role, made on first use, in the run's one Chromium."""
    made: dict[str, Tab] = {}

    def tab_for(role: str) -> Tab:
        if role not in made:
            context = browser.new_context(base_url=site.base_url, locale="nl-NL")
            tab = Tab(context.new_page())
            tab.page.on("console", lambda msg: _note_error(tab, msg))
            tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
            if role != "anonymous":
                log_in(tab.page, site.users[role])
            made[role] = tab
        return made[role]

    yield tab_for
    for tab in made.values():
        tab.page.context.close()


PUBLIC = [
    "/",
    "/themas/",
    "/themas/{theme}",
    "/podcast/",
    "/podcast/{series}/",
    "/podcast/{episode_series}/{episode}",
    "/kennisateliers/",
    "/kennisateliers/{atelier}",
    "/kennisateliers/{past_atelier}",
    "/kennisateliers/{atelier}/aanmelden",
    "/kennisateliers/aanmelding/{registration_token}",
    "/coronadossier",
    "/coronadossier?thema=sociale-stabiliteit&type=publicatie",
    "/dossiers/",
    "/dossiers/coronadossier/{item}",
    "/dossiers/coronadossier/inclusieve-communicatie-tijdens-de-coronacrisis",
    "/dossiers/coronadossier/e-mail",
    "/inloggen",
    "/wachtwoord-vergeten",
    "/community/lid-worden/",
    "/podcast/voorbeeld/{episode_preview}",
    "/kennisateliers/voorbeeld/{atelier_preview}",
    "/bestaat-niet",
]
MEMBER = [
    "/community/",
    "/community/thema/{theme}",
    "/community/onderwerp/{thread_id}",
    "/community/thema/{theme}/nieuw",
    "/community/bericht/{post_id}/melden",
    "/community/leden",
    "/community/leden/{handle}",
    "/community/profiel",
    "/community/meldingen",
    "/community/zoeken?q=inburgering",
    "/community/instellingen",
    "/account",
    "/account/verwijderen",
    "/kennisateliers/mijn",
]
EDITOR = [
    "/beheer/",
    "/beheer/podcast/",
    "/beheer/podcast/aflevering/{episode_id}/verwijderen",
    "/beheer/podcast/nieuw",
    "/beheer/podcast/aflevering/{episode_id}",
    "/beheer/podcast/serie/{series_id}",
    "/beheer/podcast/serie/nieuw",
    "/beheer/ateliers/",
    "/beheer/ateliers/nieuw",
    "/beheer/ateliers/{atelier_id}/bewerken",
    "/beheer/ateliers/{atelier_id}/deelnemers",
    "/beheer/ateliers/{atelier_id}/annuleren",
    "/beheer/ateliers/{atelier_id}/plaatsen?aantal=1",
    "/beheer/ateliers/{atelier_id}/deelnemers/toevoegen",
    "/beheer/ateliers/{atelier_id}/deelnemers/{registration_id}/verwijderen",
    "/beheer/ateliers/{atelier_id}/deelnemers/bericht",
    "/beheer/dossiers/",
    "/beheer/dossiers/{dossier_id}",
    "/beheer/dossiers/nieuw",
    "/beheer/dossiers/{dossier_id}/bewerken",
    "/beheer/dossiers/{dossier_id}/voorbeeld",
    "/beheer/dossiers/{dossier_id}/items/nieuw",
    "/beheer/dossiers/{dossier_id}/items/nieuw?soort=publicatie",
    "/beheer/dossiers/groepen/{group_id}/bewerken",
    "/beheer/dossiers/{dossier_id}/afbeelding",
    "/beheer/dossiers/items/{item_id}/bewerken",
    "/beheer/dossiers/items/{item_id}/bestand",
    "/account/tweede-stap",
]
ADMIN = [
    "/beheer/community/",
    "/beheer/community/aanvragen",
    "/beheer/community/aanvragen/{pending_id}",
    "/beheer/community/uitnodigingen",
    "/beheer/community/uitnodigingen/bestand",
    "/beheer/community/logboek",
    "/beheer/community/meldingen-van-leden",
    "/beheer/community/ter-goedkeuring",
    "/beheer/community/leden",
    "/beheer/community/leden/{member_id}",
    "/beheer/community/onderwerp/{thread_id}",
    "/beheer/community/moderatielog",
    "/beheer/community/domeinen",
    "/beheer/",
    "/beheer/gebruikers",
    "/beheer/gebruikers/{member_id}/rol",
    "/beheer/gebruikers/{member_id}/schorsen",
    "/beheer/gebruikers/{member_id}/uitnodiging",
    "/beheer/gebruikers/{member_id}/verwijderen",
    "/beheer/gebruikers/{editor_id}/tweede-stap",
    "/beheer/outbox",
]
PAGES = [
    *(("anonymous", path) for path in PUBLIC),
    *(("member", path) for path in MEMBER),
    *(("editor", path) for path in EDITOR),
    *(("admin", path) for path in ADMIN),
]


def problems_at(page: Any, width: int) -> list[str]:
    """What is wrong with the open page at this width: sideways scrolling, small targets."""
    page.set_viewport_size({"width": width, "height": 800})
    found = []
    overflow = page.evaluate(OVERFLOW)
    if overflow is not None:
        found.append(f"{width} px: {overflow['width']} px wide; widest: {overflow['worst']}")
    small = page.evaluate(SMALL_TARGETS, TARGET) if width in WIDTHS else []
    if small:
        found.append(f"{width} px: targets under {TARGET} px: {small}")
    return found


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_the_page_fits_a_phone(
    site: Site, tabs: Callable[[str], Tab], role: str, path: str
) -> None:
    tab = tabs(role)
    tab.errors.clear()
    url = path.format(**site.ids)
    tab.page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    response = tab.page.goto(url)
    assert response is not None and response.status == (404 if "bestaat" in url else 200), url
    assert_accessible(tab.page)  # at the narrowest width
    problems = [problem for width in (*WIDTHS, DESKTOP) for problem in problems_at(tab.page, width)]
    assert problems == [], f"{role} {url}:\n" + "\n".join(problems)
    assert tab.errors == [], f"console errors (CSP violations show here): {tab.errors}"
