"""Plain-Python protocol library for an OOTS Evidence Requester.

Nothing in this package imports Django: the portal passes configuration in as frozen dataclasses,
so the library can be reused by other tools (command lines, benchmarks, other back offices).
"""
