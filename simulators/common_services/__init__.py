"""The Common Services simulator (see DESIGN.md §5)."""
