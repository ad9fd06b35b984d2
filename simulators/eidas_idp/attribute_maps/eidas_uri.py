"""pysaml2 attribute map: eIDAS friendly names <-> eIDAS attribute names (NameFormat URI).

The natural-person and legal-person attributes of the eIDAS SAML Attribute Profile (v1.2, and the optional
natural-person attributes of its later versions), and the representative's: the same names under
``…/representative/``, friendly names prefixed ``Representative`` (profile v1.2, section 2.8).
"""

_NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
_LEGAL = "http://eidas.europa.eu/attributes/legalperson/"

_NATURAL_NAMES = {
    "PersonIdentifier": "PersonIdentifier",
    "FamilyName": "CurrentFamilyName",
    "FirstName": "CurrentGivenName",
    "DateOfBirth": "DateOfBirth",
    "BirthName": "BirthName",
    "PlaceOfBirth": "PlaceOfBirth",
    "CurrentAddress": "CurrentAddress",
    "Gender": "Gender",
    "Nationality": "Nationality",
    "CountryOfBirth": "CountryOfBirth",
    "TownOfBirth": "TownOfBirth",
    "CountryOfResidence": "CountryOfResidence",
    "PhoneNumber": "PhoneNumber",
    "EmailAddress": "EmailAddress",
}
_LEGAL_NAMES = {
    "LegalPersonIdentifier": "LegalPersonIdentifier",
    "LegalName": "LegalName",
    "LegalAddress": "LegalPersonAddress",
    "VATRegistration": "VATRegistrationNumber",
    "TaxReference": "TaxReference",
    "D-2012-17-EUIdentifier": "D-2012-17-EUIdentifier",
    "LEI": "LEI",
    "EORI": "EORI",
    "SEED": "SEED",
    "SIC": "SIC",
}

_TO = {
    **{friendly: _NATURAL + name for friendly, name in _NATURAL_NAMES.items()},
    **{friendly: _LEGAL + name for friendly, name in _LEGAL_NAMES.items()},
    **{"Representative" + f: _NATURAL + "representative/" + n for f, n in _NATURAL_NAMES.items()},
    **{"Representative" + f: _LEGAL + "representative/" + n for f, n in _LEGAL_NAMES.items()},
}

MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "fro": {uri: friendly for friendly, uri in _TO.items()},
    "to": _TO,
}
