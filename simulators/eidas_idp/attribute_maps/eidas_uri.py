"""pysaml2 attribute map: eIDAS friendly names <-> eIDAS attribute names (NameFormat URI)."""

_NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
_LEGAL = "http://eidas.europa.eu/attributes/legalperson/"

_TO = {
    "PersonIdentifier": _NATURAL + "PersonIdentifier",
    "FamilyName": _NATURAL + "CurrentFamilyName",
    "FirstName": _NATURAL + "CurrentGivenName",
    "DateOfBirth": _NATURAL + "DateOfBirth",
    "BirthName": _NATURAL + "BirthName",
    "PlaceOfBirth": _NATURAL + "PlaceOfBirth",
    "CurrentAddress": _NATURAL + "CurrentAddress",
    "Gender": _NATURAL + "Gender",
    "LegalPersonIdentifier": _LEGAL + "LegalPersonIdentifier",
    "LegalName": _LEGAL + "LegalName",
}

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "fro": {uri: friendly for friendly, uri in _TO.items()},
    "to": _TO,
}
