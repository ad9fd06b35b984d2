"""Removing stored files that no database row references (the daily sweeps of the exchanges and of the
access-point simulator). It lives with the engine, the lowest Django layer, so that both may use it.

A file is written before the transaction that records it commits; a worker killed in between leaves a file
that nothing references. Such files are removed once older than a grace period: a younger one may belong
to a transaction still running, and deleting it would leave a row without its file. A file whose age the
storage cannot tell is kept, for the same reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from django.core.files.storage import Storage


def stored_files(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder`` in ``storage``, recursively."""
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from stored_files(storage, f"{folder}/{directory}")


def orphaned_files_remove(
    *, storage: Storage, folder: str, referenced: Collection[str], older_than: dt.datetime
) -> list[str]:
    """Delete the files under ``folder`` that are not in ``referenced`` and were last modified before
    ``older_than``; return their names."""
    removed = []
    for name in stored_files(storage, folder):
        if name in referenced:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if modified < older_than:
            storage.delete(name)
            removed.append(name)
    return removed
