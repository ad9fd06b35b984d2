"""The eIDAS test IdP (see DESIGN.md §5)."""
