"""eIDAS levels of assurance at login: their URIs, their order, and the check a protected page makes.

The levels are those of ``accounts.models.LevelOfAssurance`` (``low``, ``substantial``, ``high``), so a
procedure's ``required_loa`` can be passed as is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import LevelOfAssurance

LOA_URIS = {level.value: level.uri for level in LevelOfAssurance}
_RANK = {level.value: rank for rank, level in enumerate(LevelOfAssurance, start=1)}
# The LoA obtained at this login, kept with the session (DESIGN.md §2 step 1): a new login at a
# lower level must not inherit a higher one recorded earlier on the user.
SESSION_LOA_KEY = "eidas_loa"


def loa_from_uri(uri: str) -> str | None:
    for name, known in LOA_URIS.items():
        if uri == known:
            return name
    return None


def loa_is_valid(level: str) -> bool:
    return level in _RANK


def loa_satisfies(obtained: str | None, required: str) -> bool:
    """Whether ``obtained`` is at least ``required`` (eIDAS comparison ``minimum``)."""
    if required not in _RANK:
        raise ValueError(f"unknown level of assurance {required!r}")
    return obtained in _RANK and _RANK[obtained] >= _RANK[required]


def session_loa(request: HttpRequest) -> str | None:
    if not request.user.is_authenticated:
        return None
    value = request.session.get(SESSION_LOA_KEY)
    return value if isinstance(value, str) and value in _RANK else None


def loa_check(request: HttpRequest, required: str) -> HttpResponse | None:
    """``None`` when the user's session reached ``required``; otherwise the response to send.

    Anonymous users go to the login page; logged-in users whose login was weaker (or who did not
    log in through eIDAS) get the step-up page, which explains and offers a new login at the
    required level. The journey code calls this wherever a procedure or a data service needs a LoA.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    obtained = session_loa(request)
    if loa_satisfies(obtained, required):
        return None
    return render(
        request,
        "accounts/step_up.html",
        {"required_loa": required, "obtained_loa": obtained, "next": request.get_full_path()},
        status=403,
    )


def require_loa(
    required: str | Callable[..., str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: ``@require_loa("high")``, or with a callable that gets the view's request
    and arguments and returns the level (e.g. the procedure's ``required_loa``)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            level = required(request, *args, **kwargs) if callable(required) else required
            refused = loa_check(request, level)
            return refused if refused is not None else view(request, *args, **kwargs)

        return wrapped

    return decorator
