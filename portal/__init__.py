"""The Django project of oots-portal: settings, URL configuration and the Celery app."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
