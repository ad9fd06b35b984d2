"""The test runners: ``manage.py oots_journey`` (the citizen's journey over HTTP, through the very pages a
citizen uses) and ``manage.py oots_exchange`` (one exchange through the real engine). They play the tester's
part against a running portal with its simulators, so they are installed with the simulators only
(``OOTS_SIMULATORS``) and never imported by the portal."""
