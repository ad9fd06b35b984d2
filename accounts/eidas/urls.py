"""allauth's SAML paths for the eIDAS SP (``/accounts/saml/eidas/…``), with our login, finish and
metadata views; allauth's ACS view is kept (it parks the IdP's cross-site POST for ``finish``).

Mounted by ``portal.urls`` without a namespace, because allauth reverses these names bare."""

from allauth.socialaccount.providers.saml import views as allauth_views
from django.urls import include, path, re_path

from accounts.eidas import views

urlpatterns = [
    re_path(
        r"^saml/(?P<organization_slug>[^/]+)/",
        include(
            [
                path("acs/", allauth_views.acs, name="saml_acs"),
                path("acs/finish/", views.finish_acs, name="saml_finish_acs"),
                path("metadata/", views.metadata, name="saml_metadata"),
                path("login/", views.login, name="saml_login"),
            ]
        ),
    )
]
