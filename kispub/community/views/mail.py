"""E-mail settings (members) and the stop links in community mail (public, by signed token).

The stop links (``mail_bp``) follow RFC 8058 and what mail scanners do: a GET only shows a
confirmation page with a button and changes nothing (scanners open every link); the POST
acts. The one-click POST a mail program sends for ``List-Unsubscribe-Post`` comes without
session or CSRF token, so these two views are exempt from CSRF — and from nothing else:
the token, signed with SECRET_KEY, names the member and what to stop (a forged or altered
one gets 400), the rate limit, the security headers and ``private, no-store`` all apply.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from kispub.community.access import current_member
from kispub.community.email_pages import email_settings_page
from kispub.community.forms.mail import EmailSettingsForm, ResumeThreadForm
from kispub.community.services import email_settings
from kispub.community.services.email_settings import LinkRefused
from kispub.community.views import bp, mail_bp
from kispub.extensions import csrf, limiter


@bp.route("/instellingen", methods=["GET", "POST"], endpoint="email_settings")
def email_settings_view() -> str | Response:
    """How often the member gets e-mail, and the threads whose mail they stopped."""
    member = current_member()
    form = EmailSettingsForm(data={"email_mode": member.email_mode.value})
    if form.validate_on_submit():
        email_settings.set_email_mode(member.user_id, form.mode)
        flash(_("Uw e-mailinstellingen zijn opgeslagen."), "success")
        return redirect(url_for("community.email_settings"))
    page = email_settings_page(member)
    return render_template(
        "community/email_settings.html", form=form, page=page, resume_form=ResumeThreadForm()
    )


@bp.post("/instellingen/onderwerp/<int:thread_id>/hervatten")
def resume_thread_mail(thread_id: int) -> Response:
    """Let mail about a thread come again."""
    if ResumeThreadForm().validate_on_submit():
        email_settings.set_thread_mail(current_member().user_id, thread_id, stopped=False)
        flash(_("U krijgt weer e-mail over dit onderwerp."), "success")
    else:
        flash(_("Het formulier is verlopen. Probeer het opnieuw."), "error")
    return redirect(url_for("community.email_settings"))


def _stop_limit() -> str:
    return current_app.config["COMMUNITY_UNSUBSCRIBE_RATE_LIMIT"]


@mail_bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit(_stop_limit)
@csrf.exempt  # RFC 8058 one-click: no session, no CSRF token; the signed token is the proof
def unsubscribe(token: str) -> ResponseReturnValue:
    """Stop all community mail (e-mail mode NEVER): GET asks, POST does it."""
    try:
        if request.method == "POST":
            email_settings.unsubscribe(token)
            return _answer("done", "all")
        email_settings.read_stop_link(token, thread=False)
    except LinkRefused:
        return _answer("refused", "all", 400)
    return _answer("confirm", "all")


@mail_bp.route("/onderwerp/<token>", methods=["GET", "POST"])
@limiter.limit(_stop_limit)
@csrf.exempt  # the same pattern as above: the signed token names member and thread
def stop_thread(token: str) -> ResponseReturnValue:
    """Stop mail about one thread: GET asks, POST does it."""
    try:
        if request.method == "POST":
            email_settings.stop_thread_by_link(token)
            return _answer("done", "thread")
        email_settings.read_stop_link(token, thread=True)
    except LinkRefused:
        return _answer("refused", "thread", 400)
    return _answer("confirm", "thread")


def _answer(state: str, scope: str, status: int = 200) -> tuple[str, int]:
    page = render_template("community/unsubscribe.html", state=state, scope=scope)
    return page, status
