"""Bulk invitations from a CSV file: read and check every row, show the report, then invite
the good rows in one transaction.

The file has a header row naming the columns ``name``, ``email`` and (optionally)
``organisation`` (Dutch names work too), is UTF-8 with or without a byte-order mark (what
Excel writes as "CSV UTF-8"), separated by ``;`` (Excel in Dutch) or ``,``. The preview
signs the good rows into the confirm form, so the file is uploaded once; confirming checks
them again (an address may have been taken meanwhile) and invites them all or, on any
error, none.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer

from kispub.accounts.models import User
from kispub.accounts.services import NAME_MAX, ORGANISATION_MAX
from kispub.community.services.invitations import (
    PersonalInvitation,
    addresses_in_use,
    create_personal_invitation,
)
from kispub.community.services.rules import (
    JoiningError,
    require_staff,
    valid_address,
)
from kispub.core.database import write_transaction
from kispub.core.text import clean_line
from kispub.core.tokens import timed_serializer

BULK_SALT = "kispub-community-bulk"
PREVIEW_MAX_AGE = 3600  # seconds between the preview and the confirmation
COLUMNS = {
    "name": "name",
    "naam": "name",
    "email": "email",
    "e-mail": "email",
    "e-mailadres": "email",
    "emailadres": "email",
    "organisation": "organisation",
    "organization": "organisation",
    "organisatie": "organisation",
}


class BulkFileError(JoiningError):
    """The file as a whole cannot be read (too large, not CSV, no header)."""


@dataclass(frozen=True)
class BulkRow:
    """One row of the file, with what is wrong with it (None: it will be invited)."""

    line: int
    name: str
    email: str
    organisation: str
    problem: str | None = None


@dataclass(frozen=True)
class BulkPreview:
    """Every row with its verdict, and the signed good rows for the confirm form."""

    rows: tuple[BulkRow, ...]
    token: str

    @property
    def good(self) -> tuple[BulkRow, ...]:
        return tuple(row for row in self.rows if row.problem is None)

    @property
    def bad(self) -> tuple[BulkRow, ...]:
        return tuple(row for row in self.rows if row.problem is not None)


@dataclass(frozen=True)
class BulkResult:
    """What confirming did: how many were invited, and rows that turned bad since."""

    invited: int
    skipped: tuple[BulkRow, ...]


def preview_file(inviter: User, stream: IO[bytes], note: str = "") -> BulkPreview:
    """Read an uploaded file and check every row; raises ``BulkFileError`` for a bad file."""
    require_staff(inviter)
    limit = int(current_app.config["COMMUNITY_BULK_MAX_BYTES"])
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise BulkFileError(
            _(
                "Het bestand is groter dan %(kb)d kB. Splits het in kleinere bestanden.",
                kb=limit // 1024,
            )
        )
    rows = check_rows(parse_csv(raw, int(current_app.config["COMMUNITY_BULK_MAX_ROWS"])))
    good = [[row.line, row.name, row.email, row.organisation] for row in rows if not row.problem]
    token = _serializer().dumps({"by": inviter.id, "note": note.strip()[:200], "rows": good})
    return BulkPreview(tuple(rows), token)


def invite_rows(inviter: User, token: str) -> BulkResult:
    """Invite the previewed good rows, each with a personal mailed link, in one transaction.

    A row that went bad since the preview is skipped and reported; any error rolls back
    every invitation and mail, so a file is never half imported.
    """
    require_staff(inviter)
    note, rows = _read_token(inviter, token)
    with write_transaction():
        checked = check_rows(rows)
        good = [row for row in checked if row.problem is None]
        for row in good:
            person = PersonalInvitation(row.email, row.name, row.organisation, note)
            create_personal_invitation(inviter, person)
    return BulkResult(len(good), tuple(row for row in checked if row.problem is not None))


def _serializer() -> URLSafeTimedSerializer:
    return timed_serializer(BULK_SALT)


def _read_token(inviter: User, token: str) -> tuple[str, list[BulkRow]]:
    expired = _("De voorvertoning is verlopen of ongeldig. Upload het bestand opnieuw.")
    try:
        data = _serializer().loads(token, max_age=PREVIEW_MAX_AGE)
    except BadData as error:
        raise JoiningError(expired) from error
    if not isinstance(data, dict) or data.get("by") != inviter.id:
        raise JoiningError(expired)  # signed for another staff member: theirs to confirm
    rows = [
        BulkRow(int(line), name, email, organisation)
        for line, name, email, organisation in data["rows"]
    ]
    return str(data.get("note", "")), rows


def parse_csv(raw: bytes, max_rows: int) -> list[BulkRow]:
    """The rows of a CSV file as written (unchecked); raises ``BulkFileError``."""
    text = _decode(raw)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        columns = _columns(next(reader, []))
        rows: list[BulkRow] = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # blank lines, often at the end
            if len(rows) == max_rows:
                raise BulkFileError(
                    _("Het bestand heeft meer dan %(n)d rijen. Splits het.", n=max_rows)
                )
            cells = {
                field: clean_line(record[index]) if index < len(record) else ""
                for field, index in columns.items()
            }
            rows.append(
                BulkRow(
                    reader.line_num, cells["name"], cells["email"], cells.get("organisation", "")
                )
            )
    except csv.Error as error:
        raise BulkFileError(
            _("Regel %(line)d is geen geldige CSV.", line=reader.line_num)
        ) from error
    if not rows:
        raise BulkFileError(_("Het bestand heeft geen rijen onder de kopregel."))
    return rows


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise BulkFileError(_("Het bestand is leeg."))
    not_csv = _(
        "Dit is geen CSV-bestand in UTF-8. Sla het op als \"CSV UTF-8 (door komma's "
        'gescheiden)" en probeer het opnieuw.'
    )
    if b"\x00" in raw:  # a spreadsheet, an image, UTF-16: no text file this site reads
        raise BulkFileError(not_csv)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BulkFileError(not_csv) from error


def _columns(header: Sequence[str]) -> dict[str, int]:
    """Which column holds what, from the header row; name and email are required."""
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        field = COLUMNS.get(title.strip().lower())
        if field and field not in columns:
            columns[field] = index
    if "name" not in columns or "email" not in columns:
        raise BulkFileError(
            _(
                "De eerste regel moet de kolommen noemen: name, email en organisation "
                "(of naam, e-mail en organisatie)."
            )
        )
    return columns


def check_rows(rows: Sequence[BulkRow]) -> list[BulkRow]:
    """Every row with its verdict: the first problem found, or None for a row to invite."""
    addresses = [address for row in rows if (address := valid_address(row.email))]
    in_use = addresses_in_use(addresses)
    first_line: dict[str, int] = {}
    checked = []
    for row in rows:
        email = valid_address(row.email)
        problem = _row_problem(row, email, in_use, first_line)
        if problem is None and email is not None:
            first_line[email] = row.line
            row = replace(row, email=email)
        checked.append(replace(row, problem=problem))
    return checked


def _row_problem(
    row: BulkRow, email: str | None, in_use: dict[str, str], first_line: dict[str, int]
) -> str | None:
    if not row.name:
        return _("De naam ontbreekt.")
    if len(row.name) > NAME_MAX:
        return _("De naam is langer dan %(n)d tekens.", n=NAME_MAX)
    if len(row.organisation) > ORGANISATION_MAX:
        return _("De organisatie is langer dan %(n)d tekens.", n=ORGANISATION_MAX)
    if not row.email:
        return _("Het e-mailadres ontbreekt.")
    if email is None:
        return _("Dit is geen geldig e-mailadres.")
    if email in first_line:
        return _("Dit adres staat ook op regel %(line)d.", line=first_line[email])
    return in_use.get(email)
