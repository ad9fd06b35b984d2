"""Login pages. Citizens never type a password here: they authenticate with eIDAS."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from accounts.eidas.loa import SESSION_LOA_KEY, loa_is_valid, session_loa
from accounts.forms import DevLoginForm
from accounts.models import EidasIdentity
from accounts.services import dev_personas, user_log_in_as_dev_persona


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def login_choice(request: HttpRequest) -> HttpResponse:
    """The page every "log in" link leads to: the ways to authenticate that this portal offers."""
    loa = request.GET.get("loa", "")
    return render(
        request,
        "accounts/login.html",
        {
            "next": _safe_next(request),
            "dev_login": settings.OOTS_DEV_LOGIN,
            "eidas_login": settings.EIDAS_ENABLED,
            "eidas_test_idp": settings.EIDAS_USE_TEST_IDP,
            "loa": loa if loa_is_valid(loa) else "",
        },
    )


# What "My identity" lists, in this order (each only when the node gave it), then the addresses.
_IDENTITY_FIELDS = (
    "person_identifier",
    "given_name",
    "family_name",
    "date_of_birth",
    "birth_name",
    "place_of_birth",
    "gender",
    "nationality",
    "country_of_birth",
    "town_of_birth",
    "country_of_residence",
    "phone_number",
    "email_address",
    "legal_name",
    "legal_person_identifier",
    "vat_registration",
    "tax_reference",
    "eu_identifier",
    "lei",
    "eori",
    "seed",
    "sic",
    "representative_person_identifier",
    "representative_given_name",
    "representative_family_name",
    "representative_date_of_birth",
    "representative_birth_name",
    "representative_place_of_birth",
    "representative_gender",
    "representative_nationality",
    "representative_country_of_birth",
    "representative_town_of_birth",
    "representative_country_of_residence",
    "representative_phone_number",
    "representative_email_address",
)


def _identity_rows(identity: EidasIdentity) -> list[tuple[str, str, str]]:
    """(field, label, value) of every attribute the node gave, dates in the reader's language."""
    rows = []
    for name in _IDENTITY_FIELDS:
        value = getattr(identity, name)
        if value:
            label = capfirst(str(EidasIdentity._meta.get_field(name).verbose_name))
            rows.append((name, label, date_format(value) if isinstance(value, datetime.date) else str(value)))
    for address in identity.addresses.all():
        rows.append((f"{address.role}_address", capfirst(address.get_role_display()), str(address)))
    return rows


@login_required
def identity(request: HttpRequest) -> HttpResponse:
    """The eIDAS identity of the user's last login, and the LoA of the current session."""
    record = EidasIdentity.objects.filter(user=request.user).prefetch_related("addresses").first()
    return render(
        request,
        "accounts/identity.html",
        {
            "identity": record,
            "rows": _identity_rows(record) if record is not None else [],
            "session_loa": session_loa(request),
        },
    )


def dev_login(request: HttpRequest) -> HttpResponse:
    # Settings refuse OOTS_DEV_LOGIN without DEBUG; checked again here so that this view can
    # never hand out an identity in production even if it were routed by mistake.
    if not (settings.OOTS_DEV_LOGIN and settings.DEBUG):
        raise Http404
    form = DevLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        persona = dev_personas()[form.cleaned_data["persona"]]
        user, loa = user_log_in_as_dev_persona(persona=persona)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_LOA_KEY] = loa  # as an eIDAS login at that level would
        return HttpResponseRedirect(_safe_next(request))
    return render(request, "accounts/dev_login.html", {"form": form, "next": _safe_next(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return HttpResponseRedirect(resolve_url(settings.LOGOUT_REDIRECT_URL))
