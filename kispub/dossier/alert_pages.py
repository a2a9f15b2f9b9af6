"""What the alert pages show: the dossier and the list an alert is asked for."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import to_user_timezone

from kispub.core import clock
from kispub.dossier import queries
from kispub.dossier.links import dossier_path
from kispub.dossier.models import Dossier
from kispub.dossier.pages import filter_args, filter_label
from kispub.dossier.queries import Filters

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@dataclass(frozen=True)
class AlertPage:
    """The form "Ontvang e-mail bij nieuwe items" of a dossier's (filtered) list."""

    dossier: Dossier
    what: str  # "Alle items", "Artikelen over Participatie"
    list_url: str  # the page of that list, to go back to
    archived: bool  # an archive gets no new items: no form
    summary_hour: int  # when the summaries go out (site time zone)
    summary_day: str  # the weekly one's day, "maandag"


def alert_page(slug: str, filters: Filters) -> AlertPage | None:
    """The form's page for a public dossier; None: no such dossier."""
    now = clock.now()
    dossier = queries.dossier_by_slug(slug, now)
    if dossier is None:
        return None
    return AlertPage(
        dossier=dossier,
        what=filter_label(filters),
        list_url=dossier_path(dossier.slug, **filter_args(filters)),
        archived=dossier.is_archived(to_user_timezone(now).date()),
        summary_hour=int(current_app.config["DOSSIER_ALERT_HOUR"]),
        summary_day=WEEKDAYS[int(current_app.config["DOSSIER_ALERT_WEEKDAY"]) % 7],
    )
