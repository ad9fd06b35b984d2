"""Typed errors of ``oots_client.edm``: each says what is wrong and where.

All are :class:`~oots_client.errors.PermanentError`: a malformed or hostile message stays so on every retry.
"""

from __future__ import annotations

from oots_client.errors import PermanentError


class EdmError(PermanentError):
    """Base class: a message could not be read, built or validated. ``where`` is an XPath-like location."""

    def __init__(self, what: str, where: str = "/") -> None:
        super().__init__(f"{what} (at {where})")
        self.what = what
        self.where = where


class UnsafeXmlError(EdmError):
    """The input uses a forbidden construct (DOCTYPE, entity declarations) or exceeds a limit."""


class XmlSyntaxError(EdmError):
    """The input is not well-formed XML (truncated, broken encoding, nesting too deep)."""


class NotEdmMessageError(EdmError):
    """Well-formed XML that is not an EDM evidence request, response or error response."""


class InvalidMessageError(EdmError):
    """An EDM message that lacks something mandatory or carries a value of the wrong form."""


class UnsupportedVersionError(EdmError):
    """An EDM version (``SpecificationIdentifier``) this package cannot build."""


class BuildError(EdmError):
    """The model given to a builder cannot be expressed as a valid message of the requested version."""


class XmlCharacterError(BuildError, ValueError):
    """A value holds a character XML 1.0 cannot carry (a control character, U+FFFE/U+FFFF, a lone surrogate).

    Also a :class:`ValueError`, which is what lxml raised for such values when the builders used it.
    """
