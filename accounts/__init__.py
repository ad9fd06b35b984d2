"""Users of the portal: citizens (authenticated through eIDAS) and procedure owners (Django admin)."""
