"""Evidence exchanges: the EvidenceRequest state machine, the Celery engine, the BackendService endpoint."""
