"""Text that looks like markup in an atelier: iCalendar, the page's JSON-LD and the page
itself give back what the editor wrote, escaped once by each writer."""

from __future__ import annotations

import json

from flask.testing import FlaskClient
from icalendar import Calendar

from tests.ateliers.helpers import make_atelier

TITLE = "Taal & werk <b>vet</b> \"double\" and 'single'"
NOTES = "Integratie & Samenleving <b>vet</b> <script>alert(1)</script> \"double\" and 'single'"


def test_calendars_and_json_ld_read_the_text_as_written(app, client: FlaskClient) -> None:
    atelier = make_atelier(title=TITLE, description=NOTES)

    for path in (f"/kennisateliers/{atelier.slug}.ics", "/kennisateliers.ics"):
        [event] = Calendar.from_ical(client.get(path).data).walk("VEVENT")
        assert str(event["SUMMARY"]) == TITLE
        assert str(event["DESCRIPTION"]) == NOTES

    source = client.get(f"/kennisateliers/{atelier.slug}").get_data(as_text=True)
    assert "&amp;amp;" not in source and "<b>vet" not in source and "<script>alert" not in source
    script = source.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in script and "&amp;" not in script  # tojson's \u003c guards, not entities
    data = json.loads(script)
    assert data["name"] == TITLE and data["description"] == NOTES
