"""The moderators' pages under /beheer/community: requests, invitations, the log, and (for
admins) the trusted domains.

``require_staff`` runs before every view of the blueprint, so a page added later is closed
too: anonymous visitors log in first, members get 403, moderators, editors and admins come
in, and only admins reach the trusted domains.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.models import Role, User
from kispub.community import joining_queries as queries
from kispub.community.access import no_store
from kispub.community.forms.joining import (
    ActionForm,
    BulkConfirmForm,
    BulkUploadForm,
    DecisionForm,
    InviteLinkForm,
    PersonalInvitationForm,
    TrustedDomainForm,
)
from kispub.community.models import Invitation
from kispub.community.services import bulk, domains, invitations, joining
from kispub.community.services.invitations import InviteLink, PersonalInvitation
from kispub.community.services.rules import JoiningError
from kispub.core.forms import BaseForm
from kispub.core.nonce import submit_once
from kispub.extensions import login_manager

bp = Blueprint("community_admin", __name__, url_prefix="/beheer/community")
ADMIN_ONLY = {"community_admin.domains_page", "community_admin.remove_domain"}


@bp.before_request
def require_staff() -> ResponseReturnValue | None:
    """Moderators, editors and admins only; the trusted domains are for admins alone."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    needed = Role.ADMIN if request.endpoint in ADMIN_ONLY else Role.MODERATOR
    if not current_user.has_role(needed):
        abort(403)
    return None


bp.after_request(no_store)  # names, addresses and motivations: no cache keeps them


def _staff() -> User:
    user: User = current_user._get_current_object()
    return user


def _show_error(form: BaseForm, error: JoiningError, fallback: str) -> None:
    field = form[error.field] if error.field and error.field in form else form[fallback]
    field.errors = [*field.errors, str(error)]


# -- requests --------------------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    """The back office starts at the requests."""
    return redirect(url_for("community_admin.requests"))


@bp.get("/aanvragen")
def requests() -> str:
    """Requests waiting for a moderator, the longest-waiting first."""
    return render_template("community/admin/requests.html", rows=queries.pending_requests())


@bp.route("/aanvragen/<int:user_id>", methods=["GET", "POST"])
def request_detail(user_id: int) -> ResponseReturnValue:
    """One request: organisation, role, motivation, history; approve or decline it."""
    form = DecisionForm()
    if form.validate_on_submit():
        approved = bool(form.approve.data)
        try:
            joining.decide_request(_staff(), user_id, approved, form.message.data or "")
        except JoiningError as error:
            if error.field is None:  # decided already (another moderator, a double submit)
                flash(str(error), "info")
                return redirect(url_for("community_admin.request_detail", user_id=user_id))
            _show_error(form, error, "message")
        else:
            flash(_("Goedgekeurd.") if approved else _("Afgewezen."), "success")
            flash(_("De aanvrager heeft een e-mail gekregen."), "info")
            return redirect(url_for("community_admin.requests"))
    page = queries.request_page(user_id)
    if page is None:
        abort(404)
    return render_template("community/admin/request.html", page=page, form=form)


@bp.get("/logboek")
def log() -> str:
    """Every step of every membership and invitation, newest first."""
    return render_template("community/admin/log.html", events=queries.recent_events())


# -- invitations -----------------------------------------------------------------------------


def _invitations_page(
    person: PersonalInvitationForm | None = None, link: InviteLinkForm | None = None
) -> str:
    return render_template(
        "community/admin/invitations.html",
        rows=queries.invitations(),
        # The form not submitted is shown fresh (formdata=None: not filled from the other's POST).
        person_form=person or PersonalInvitationForm(prefix="persoon", formdata=None),
        link_form=link or InviteLinkForm(prefix="link", formdata=None),
        action_form=ActionForm(),
    )


@bp.get("/uitnodigingen")
def invitations_index() -> str:
    """Invitations, newest first, and the forms to make new ones."""
    return _invitations_page()


@bp.post("/uitnodigingen/persoonlijk")
def invite_person() -> ResponseReturnValue:
    """Mail one person a personal invitation; a double submit mails once."""
    form = PersonalInvitationForm(prefix="persoon")
    if form.validate_on_submit():
        person = form.to_invitation()
        try:
            outcome = submit_once(form.nonce.data, lambda: _invite(person))
        except JoiningError as error:
            _show_error(form, error, "email")
        else:
            if not outcome.duplicate:
                flash(_("Uitnodiging gemaild naar %(email)s.", email=person.email), "success")
            return redirect(outcome.result_url)
    return _invitations_page(person=form)


def _invite(person: PersonalInvitation) -> str:
    invitations.invite_person(_staff(), person)
    return url_for("community_admin.invitations_index")


@bp.post("/uitnodigingen/link")
def create_link() -> ResponseReturnValue:
    """Make a shared link and show it once (it is stored only as a hash)."""
    form = InviteLinkForm(prefix="link")
    if form.validate_on_submit():
        link = form.to_link()
        made: list[tuple[Invitation, str]] = []
        try:
            outcome = submit_once(form.nonce.data, lambda: _make_link(link, made))
        except JoiningError as error:
            _show_error(form, error, "domain")
        else:
            if outcome.duplicate:  # the link was shown to the first submit only
                flash(_("Deze link was al gemaakt; hij staat in de lijst."), "info")
                return redirect(outcome.result_url)
            invitation, url = made[0]
            return render_template(
                "community/admin/link_created.html", link=url, invitation=invitation
            )
    return _invitations_page(link=form)


def _make_link(link: InviteLink, made: list[tuple[Invitation, str]]) -> str:
    made.append(invitations.create_invite_link(_staff(), link))
    return url_for("community_admin.invitations_index")


@bp.post("/uitnodigingen/<int:invitation_id>/intrekken")
def revoke(invitation_id: int) -> Response:
    """Revoke an invitation: nobody else can use it."""
    if ActionForm().validate_on_submit():
        try:
            invitations.revoke_invitation(_staff(), invitation_id)
        except JoiningError as error:
            flash(str(error), "error")
        else:
            flash(_("De uitnodiging is ingetrokken."), "success")
    return redirect(url_for("community_admin.invitations_index"))


@bp.route("/uitnodigingen/bestand", methods=["GET", "POST"])
def bulk_upload() -> str:
    """Upload a CSV file and see, row by row, what confirming it would do."""
    form = BulkUploadForm()
    if form.validate_on_submit():
        try:
            preview = bulk.preview_file(_staff(), form.file.data.stream, form.note.data or "")
        except JoiningError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            confirm = BulkConfirmForm(formdata=None, rows=preview.token)
            return render_template(
                "community/admin/bulk_preview.html", preview=preview, form=confirm
            )
    return render_template("community/admin/bulk_upload.html", form=form)


@bp.post("/uitnodigingen/bestand/bevestigen")
def bulk_confirm() -> Response:
    """Invite every good row of the previewed file at once; a double submit invites once."""
    form = BulkConfirmForm()
    if not form.validate_on_submit():
        flash(_("De voorvertoning is verlopen of ongeldig. Upload het bestand opnieuw."), "error")
        return redirect(url_for("community_admin.bulk_upload"))
    result: list[bulk.BulkResult] = []
    try:
        outcome = submit_once(form.nonce.data, lambda: _invite_rows(form.rows.data, result))
    except JoiningError as error:
        flash(str(error), "error")
        return redirect(url_for("community_admin.bulk_upload"))
    if result:
        _flash_result(result[0])
    return redirect(outcome.result_url)


def _invite_rows(token: str, result: list[bulk.BulkResult]) -> str:
    result.append(bulk.invite_rows(_staff(), token))
    return url_for("community_admin.invitations_index")


def _flash_result(result: bulk.BulkResult) -> None:
    flash(
        ngettext("%(num)d uitnodiging gemaild.", "%(num)d uitnodigingen gemaild.", result.invited),
        "success",
    )
    for row in result.skipped:
        flash(
            _(
                "Regel %(line)d (%(email)s) overgeslagen: %(problem)s",
                line=row.line,
                email=row.email,
                problem=row.problem,
            ),
            "error",
        )


# -- trusted domains (admins) -----------------------------------------------------------------


@bp.route("/domeinen", methods=["GET", "POST"])
def domains_page() -> ResponseReturnValue:
    """The trusted domains; add one with a note."""
    form = TrustedDomainForm()
    if form.validate_on_submit():
        domain, note = form.domain.data, form.note.data or ""
        try:
            outcome = submit_once(form.nonce.data, lambda: _add_domain(domain, note))
        except JoiningError as error:
            _show_error(form, error, "domain")
        else:
            if not outcome.duplicate:
                flash(_("Het domein is toegevoegd."), "success")
            return redirect(outcome.result_url)
    return render_template(
        "community/admin/domains.html",
        rows=queries.trusted_domains(),
        form=form,
        action_form=ActionForm(),
    )


def _add_domain(domain: str, note: str) -> str:
    domains.add_trusted_domain(_staff(), domain, note)
    return url_for("community_admin.domains_page")


@bp.post("/domeinen/<int:domain_id>/verwijderen")
def remove_domain(domain_id: int) -> Response:
    """Stop trusting a domain."""
    if ActionForm().validate_on_submit():
        try:
            removed = domains.remove_trusted_domain(_staff(), domain_id)
        except JoiningError as error:
            flash(str(error), "error")
        else:
            flash(_("%(domain)s is verwijderd.", domain=removed), "success")
    return redirect(url_for("community_admin.domains_page"))
