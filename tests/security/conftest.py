"""The eIDAS SP's fixtures (a portal trusting the forge IdP of ``tests/accounts/forge.py``), for the
security tests of the assertion consumer."""

from tests.accounts.conftest import forge_idp, forged_sp, portal_client  # noqa: F401
