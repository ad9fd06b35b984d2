"""Django's admin app whose default site limits staff to their authorities (``authorities.admin_site``).

Its own module for the reason ``accounts.admin_app`` gives: the site imports models.
"""

from accounts.admin_app import StaffAdminConfig


class AuthorityAdminConfig(StaffAdminConfig):
    default_site = "authorities.admin_site.AuthorityAdminSite"
