"""The Evidence Provider simulator (see DESIGN.md §5)."""
