"""Django's admin app with the portal's default site (``accounts.admin_app.StaffAdminConfig``).

Its own module: ``accounts.apps`` may declare one app config only, and ``accounts.admin_site`` imports
models, which cannot happen while apps are being loaded.
"""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, whose default site asks staff for a second factor when the settings say so."""

    default_site = "accounts.admin_site.StaffAdminSite"
