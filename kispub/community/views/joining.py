"""The public joining pages: ask to join, accept an invitation, confirm an address.

These are the only community pages outsiders reach (``join_bp``). They never show whether
an address has an account. Every POST is throttled per IP address, and the ones that
send mail also per e-mail address, so nobody floods a mailbox through them (a personal
invitation, which has no address field and mails nothing, per invitation instead).
"""

from __future__ import annotations

import hashlib

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response

from kispub.accounts.models import User
from kispub.accounts.services import normalise_email
from kispub.accounts.sessions import start_session
from kispub.community.forms.joining import (
    AcceptForm,
    AcceptLinkForm,
    AcceptPersonalForm,
    ConfirmAddressForm,
    RequestForm,
)
from kispub.community.models import InvitationKind, MemberStatus
from kispub.community.services import invitations, joining
from kispub.community.services.invitations import Acceptance, LinkRefused
from kispub.community.services.joining import AlreadyConfirmed, JoinRequest
from kispub.community.services.rules import JoiningError
from kispub.community.views import join_bp
from kispub.core.nonce import submit_once
from kispub.extensions import limiter


def _join_limit() -> str:
    return current_app.config["COMMUNITY_JOIN_RATE_LIMIT"]


def _mail_limit() -> str:
    return current_app.config["COMMUNITY_JOIN_MAIL_RATE_LIMIT"]


def _submitted_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254] or "-"


def _invitation_key() -> str:
    """The address a shared link's form mails; a personal invitation (no address field,
    and its one use mails nothing) counts on its own, by the hash of its token."""
    email = _submitted_email()
    if email != "-":
        return email
    token = str((request.view_args or {}).get("token", ""))
    return "invitation:" + hashlib.sha256(token.encode()).hexdigest()


def _mailed(response: Response) -> bool:
    """A submission that went through (and so may have sent mail) redirects."""
    return response.status_code == 302


@join_bp.route("/", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
@limiter.limit(_mail_limit, methods=["POST"], key_func=_submitted_email, deduct_when=_mailed)
def request_membership() -> ResponseReturnValue:
    """Ask to join; the answer is the same whether the address has an account or not."""
    if current_user.is_authenticated:
        return redirect(url_for("community.index"))  # members go in; others see why not
    form = RequestForm()
    if form.validate_on_submit():
        data = form.to_request()
        outcome = submit_once(form.nonce.data, lambda: _request(data))
        return redirect(outcome.result_url)
    return render_template("community/join/request.html", form=form)


def _request(data: JoinRequest) -> str:
    joining.request_membership(data)
    return url_for("community_join.check_mail")


@join_bp.get("/controleer-uw-e-mail")
def check_mail() -> str:
    """After asking to join or accepting a shared link: look in your mailbox."""
    return render_template("community/join/check_mail.html")


@join_bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
@limiter.limit(_mail_limit, methods=["POST"], key_func=_invitation_key, deduct_when=_mailed)
def accept_invitation(token: str) -> ResponseReturnValue:
    """Accept an invitation: a personal one makes a member at once (with the password
    chosen here), a shared one mails a link to confirm the address first."""
    try:
        invitation = invitations.invitation_for_token(token)
    except LinkRefused as error:
        return _refused(error)
    personal = invitation.kind is InvitationKind.SINGLE
    form: AcceptForm
    if personal:
        prefill = {"name": invitation.name, "organisation": invitation.organisation}
        form = AcceptPersonalForm(data=prefill)
    else:
        form = AcceptLinkForm()
    if form.validate_on_submit():
        acceptance = form.to_acceptance()
        accepted: list[User] = []
        try:
            outcome = submit_once(form.nonce.data, lambda: _accept(token, acceptance, accepted))
        except LinkRefused as error:
            return _refused(error)
        except JoiningError as error:
            _show_error(form, error)
        else:
            if accepted:
                start_session(accepted[0], remember=False)
            return redirect(outcome.result_url)
    return render_template(
        "community/join/accept.html", form=form, invitation=invitation, personal=personal
    )


def _accept(token: str, acceptance: Acceptance, accepted: list[User]) -> str:
    user = invitations.accept_invitation(token, acceptance)
    if user is None:
        return url_for("community_join.check_mail")
    accepted.append(user)
    return url_for("community.index")


def _refused(error: LinkRefused) -> ResponseReturnValue:
    page = render_template("community/join/link_refused.html", message=str(error))
    return page, error.status


def _show_error(form: AcceptForm, error: JoiningError) -> None:
    field = form[error.field] if error.field and error.field in form else form.name
    field.errors = [*field.errors, str(error)]


@join_bp.route("/bevestigen/<token>", methods=["GET", "POST"])
@limiter.limit(_join_limit, methods=["POST"])
def verify(token: str) -> ResponseReturnValue:
    """Confirm an address with the mailed link and choose the password (a GET asks, a POST
    confirms: link scanners confirm nothing); then the person is logged in."""
    form = ConfirmAddressForm()
    try:
        if form.validate_on_submit():
            member = joining.verify_address(token, form.password.data)
            start_session(member.user, remember=False)
            if member.is_approved:
                return redirect(url_for("community.index"))
            return redirect(url_for("community_join.received"))
        member = joining.member_for_token(token)
    except AlreadyConfirmed as done:  # a second click, or the link opened again later
        return redirect(_outcome_url(done.status))
    except JoiningError as error:
        page = render_template("community/join/link_refused.html", message=str(error))
        return page, 400
    return render_template("community/join/verify.html", form=form, email=member.user.email)


def _outcome_url(status: MemberStatus) -> str:
    if status is MemberStatus.APPROVED:
        return url_for("community_join.welcome")
    return url_for("community_join.received")


@join_bp.get("/welkom")
def welcome() -> str:
    """The address was confirmed (earlier) and the membership is approved: go in."""
    return render_template("community/join/welcome.html")


@join_bp.get("/aanvraag-ontvangen")
def received() -> str:
    """The address is confirmed; a moderator decides (or decided) on the request."""
    return render_template("community/join/received.html")
