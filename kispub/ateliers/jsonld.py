"""schema.org Event data for an atelier page (JSON-LD), as search engines read it."""

from __future__ import annotations

from typing import Any

from flask import current_app

from kispub.ateliers.calendar.feeds import event_description
from kispub.ateliers.models import Atelier, AtelierStatus
from kispub.ateliers.seats import registration_closes_at
from kispub.core.localtime import amsterdam_iso
from kispub.core.urls import absolute_url, base_url

SCHEMA = "https://schema.org/"
EVENT_STATUS = {
    AtelierStatus.SCHEDULED: "EventScheduled",
    AtelierStatus.POSTPONED: "EventPostponed",
    AtelierStatus.CANCELLED: "EventCancelled",
}


def event_jsonld(atelier: Atelier, places: int | None) -> dict[str, Any]:
    """The atelier as a schema.org Event; the meeting link is never part of it."""
    page = absolute_url("ateliers.show", slug=atelier.slug)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": page,
        "url": page,
        "name": atelier.title,
        "description": event_description(atelier),
        "startDate": amsterdam_iso(atelier.starts_at),
        "endDate": amsterdam_iso(atelier.ends_at),
        "eventStatus": SCHEMA + EVENT_STATUS[atelier.status],
        "eventAttendanceMode": SCHEMA + _attendance_mode(atelier),
        "location": _locations(atelier, page),
        "organizer": _organizer(),
        "inLanguage": "nl",
        "isAccessibleForFree": True,
        "offers": _offer(atelier, places),
    }
    if atelier.capacity is not None:
        data["maximumAttendeeCapacity"] = atelier.capacity
        data["remainingAttendeeCapacity"] = places
    if atelier.speakers:
        data["performer"] = [_person(p.name, p.affiliation) for p in atelier.speakers]
    if atelier.themes:
        data["keywords"] = ", ".join(theme.name for theme in atelier.themes)
    return data


def _attendance_mode(atelier: Atelier) -> str:
    if atelier.online and atelier.has_venue:
        return "MixedEventAttendanceMode"
    return "OnlineEventAttendanceMode" if atelier.online else "OfflineEventAttendanceMode"


def _locations(atelier: Atelier, page: str) -> list[dict[str, Any]]:
    locations: list[dict[str, Any]] = []
    if atelier.has_venue:
        place: dict[str, Any] = {"@type": "Place", "name": atelier.venue_name or ""}
        if atelier.venue_address:
            place["address"] = {"@type": "PostalAddress", "streetAddress": atelier.venue_address}
        locations.append(place)
    if atelier.online:
        # The page, not the meeting link: that one is for registered attendees only.
        locations.append({"@type": "VirtualLocation", "url": page})
    return locations


def _organizer() -> dict[str, Any]:
    return {"@type": "Organization", "name": current_app.config["SITE_NAME"], "url": base_url()}


def _offer(atelier: Atelier, places: int | None) -> dict[str, Any]:
    return {
        "@type": "Offer",
        "url": absolute_url("ateliers.register", slug=atelier.slug),
        "price": 0,
        "priceCurrency": "EUR",
        "availability": SCHEMA + ("SoldOut" if places == 0 else "InStock"),
        "validThrough": amsterdam_iso(registration_closes_at(atelier)),
    }


def _person(name: str, affiliation: str) -> dict[str, Any]:
    person: dict[str, Any] = {"@type": "Person", "name": name}
    if affiliation:
        person["affiliation"] = {"@type": "Organization", "name": affiliation}
    return person
