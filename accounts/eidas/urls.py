"""allauth's SAML paths for the eIDAS SP (``/accounts/saml/eidas/…``), with our own login, ACS and
metadata views. allauth's ACS view is not used: it parked whatever was posted in a new session
(``accounts.eidas.pending`` says why and what replaces it).

Mounted by ``portal.urls`` without a namespace, because allauth reverses these names bare."""

from django.urls import include, path, re_path

from accounts.eidas import views

urlpatterns = [
    re_path(
        r"^saml/(?P<organization_slug>[^/]+)/",
        include(
            [
                path("acs/", views.acs, name="saml_acs"),
                path("metadata/", views.metadata, name="saml_metadata"),
                path("login/", views.login, name="saml_login"),
            ]
        ),
    )
]
