"""The Access-point simulator (see DESIGN.md §5)."""
