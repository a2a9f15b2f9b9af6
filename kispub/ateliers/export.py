"""The attendee list as CSV for editors, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from kispub.ateliers.queries import attendees
from kispub.core.localtime import to_amsterdam

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def attendees_csv(atelier_id: int) -> str:
    """The attendee list as CSV for a spreadsheet, with formula-like cells neutralised."""
    out = io.StringIO()
    out.write("\ufeff")  # lets Excel read UTF-8
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Naam", "E-mailadres", "Organisatie", "Status", "Aangemeld op"])
    for registration in attendees(atelier_id):
        row = [
            registration.name,
            registration.email,
            registration.organisation or "",
            registration.status.label,
            f"{to_amsterdam(registration.created_at):%Y-%m-%d %H:%M}",
        ]
        writer.writerow([neutralise_cell(cell) for cell in row])
    return out.getvalue()


def neutralise_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
