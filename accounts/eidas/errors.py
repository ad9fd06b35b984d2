"""Why an eIDAS login was refused: one code per cause, with a message the citizen can act on.

The code is shown on the error page as a reference for the helpdesk and is what the tests assert;
the technical detail goes to the log only (a citizen never sees raw SAML).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

_AUTHENTICATION_FAILED = _(
    "The response from the eID service could not be trusted, so you have not been logged in. "
    "Please try again. If the problem persists, contact the authority running this portal."
)

MESSAGES = {
    "malformed": _AUTHENTICATION_FAILED,
    "doctype": _AUTHENTICATION_FAILED,
    "xml_comment": _AUTHENTICATION_FAILED,
    "unsigned": _AUTHENTICATION_FAILED,
    "signature_invalid": _AUTHENTICATION_FAILED,
    "signature_wrapping": _AUTHENTICATION_FAILED,
    "schema_invalid": _AUTHENTICATION_FAILED,
    "wrong_issuer": _AUTHENTICATION_FAILED,
    "wrong_audience": _AUTHENTICATION_FAILED,
    "wrong_recipient": _AUTHENTICATION_FAILED,
    "wrong_destination": _AUTHENTICATION_FAILED,
    "decryption_failed": _AUTHENTICATION_FAILED,
    "not_encrypted": _AUTHENTICATION_FAILED,
    "invalid": _AUTHENTICATION_FAILED,
    "expired": _(
        "The login took too long or your computer's clock is wrong, so the answer of the eID service "
        "has expired. Please log in again."
    ),
    "not_yet_valid": _(
        "The answer of the eID service is not valid yet (the clocks disagree). Please log in again "
        "in a minute."
    ),
    "replay": _(
        "This login answer has already been used. Please log in again; do not use the browser's "
        "back button during the login."
    ),
    "unsolicited": _(
        "This portal only accepts a login that was started here. Please start the login from this portal."
    ),
    "unknown_request": _(
        "This login answer does not belong to a login started in this browser, or the login has "
        "already been completed. Please log in again."
    ),
    "missing_attribute": _(
        "The eID service did not send all the identity data this portal needs (name, date of birth and "
        "identifier). Please log in again and agree to share them."
    ),
    "invalid_attribute": _("The eID service sent identity data in a form this portal cannot read."),
    "loa_too_low": _(
        "Your eID reached a lower level of assurance than this service requires. Please log in again "
        "with an eID means of the required level."
    ),
    "status_not_success": _(
        "The login was cancelled or failed at the eID service. You have not been logged in."
    ),
    "no_response": _("No login answer was received. Please log in again."),
    # Larger than any real eIDAS response (accounts.eidas.response.MAX_RESPONSE_BYTES): refused unread.
    "too_large": _AUTHENTICATION_FAILED,
    "rate_limited": _(
        "Too many logins were started from your network in a short time. Please wait a few minutes, "
        "then log in again."
    ),
    "unavailable": _(
        "The eIDAS login is temporarily unavailable. Please try again later or contact the authority "
        "running this portal."
    ),
}


# The HTTP status of the error page, where it is not 403.
STATUSES = {"unavailable": 503, "too_large": 413, "rate_limited": 429}


class EidasLoginError(Exception):
    """A refused login. ``code`` is one of ``MESSAGES``; ``detail`` is for the log only."""

    def __init__(self, code: str, detail: str = "") -> None:
        assert code in MESSAGES, code
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    @property
    def user_message(self) -> str:
        return str(MESSAGES[self.code])

    @property
    def http_status(self) -> int:
        return STATUSES.get(self.code, 403)


class EidasConfigurationError(EidasLoginError):
    """The SP cannot work (IdP metadata unreadable, key missing): an operator's problem."""

    def __init__(self, detail: str) -> None:
        super().__init__("unavailable", detail)
