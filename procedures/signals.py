"""What procedures announce to the apps above them (``registrations``), which procedures never imports."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by ``procedures.services.application_submit`` inside the submission's transaction, with
# ``application`` (the submitted row, locked): a receiver's rows commit or roll back with the submission, and
# work it queues with ``transaction.on_commit`` starts only once the submission is committed.
application_submitted = Signal()
