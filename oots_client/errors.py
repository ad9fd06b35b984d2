"""The error hierarchy shared by every part of ``oots_client``.

Callers (Celery tasks above all) need one question answered about any failure: is it worth trying
again? ``TransientError`` says yes (a timeout, a 503, a broken connection); ``PermanentError`` says no
(a malformed message, a rule violation, a refusal by the counterparty).
"""

from __future__ import annotations


class OotsError(Exception):
    """Base class of every error raised by ``oots_client``."""


class TransientError(OotsError):
    """A failure that may go away if the same operation is tried again later."""


class PermanentError(OotsError):
    """A failure that will recur on every retry: the input or the counterparty's answer is wrong."""
