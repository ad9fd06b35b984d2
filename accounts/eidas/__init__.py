"""The eIDAS login: a SAML 2.0 service provider for a national eIDAS node, built on django-allauth's
SAML provider and python3-saml.

Small modules with one purpose each: ``attributes`` (eIDAS attribute names and the identity they
map to), ``loa`` (levels of assurance and the step-up check), ``config`` (python3-saml settings from
Django settings, IdP metadata, SP keys), ``authn_request`` (the signed AuthnRequest with the eIDAS
extensions), ``response`` (every check on a response), ``replay`` (assertion ids already used),
``metadata`` (the SP's signed metadata), ``provider``/``adapter``/``views``/``urls`` (the allauth glue).
"""
