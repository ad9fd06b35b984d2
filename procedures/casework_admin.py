"""The case worker's side of the application admin: the application page (identity, evidence under its
requirement, case history and the form to change the case status), evidence downloads named after their
title, and the export. Mixed into ``procedures.admin.ApplicationAdmin``; every object is loaded through
that admin's queryset, which ``authorities.admin_site`` limits to the user's authorities."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from authorities.models import Role
from authorities.scope import scope_to_authorities
from exchanges.models import Evidence
from procedures.casework import applicant_identity, case_status_label, evidence_by_requirement
from procedures.casework_export import export_csv, export_json
from procedures.casework_forms import ApplicationExportForm, CaseStatusForm, ExportFormat
from procedures.casework_services import case_status_set
from procedures.downloads import content_disposition, file_response
from procedures.models import Application, ApplicationStatus, Notification, Procedure


class CaseworkAdminMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    change_form_template = "admin/procedures/application/casework_change_form.html"
    change_list_template = "admin/procedures/application/casework_change_list.html"

    @admin.display(description=_("case status"))
    def case_status(self, obj: Application) -> str:
        return case_status_label(obj)

    @admin.display(description=_("applicant"))
    def applicant(self, obj: Application) -> str:
        identity = getattr(obj.user, "eidas_identity", None)
        if identity is None:
            return obj.user.get_full_name() or "—"
        names = " ".join(part for part in (identity.given_name, identity.family_name) if part)
        return identity.legal_name or names or identity.person_identifier

    def may_set_case_status(self, request: HttpRequest) -> bool:
        return request.user.has_perm("procedures.add_casestatuschange")

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        application = self.get_object(request, object_id)
        if application is None:
            raise Http404
        context = {
            **(extra_context or {}),
            "identity": applicant_identity(application),
            "evidence_groups": evidence_by_requirement(application),
            "case_history": list(application.case_history.select_related("changed_by")),
            "current_case_status": case_status_label(application),
            "case_form": CaseStatusForm() if self.may_set_case_status(request) else None,
        }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:application_id>/case-status/",
                self.admin_site.admin_view(self.set_case_status),
                name="procedures_application_case_status",
            ),
            path(
                "evidence/<int:evidence_id>/",
                self.admin_site.admin_view(self.download_evidence),
                name="procedures_application_evidence",
            ),
            path("export/", self.admin_site.admin_view(self.export), name="procedures_application_export"),
            *super().get_urls(),
        ]

    def set_case_status(self, request: HttpRequest, application_id: int) -> HttpResponse:
        application = get_object_or_404(self.get_queryset(request), pk=application_id)
        if request.method != "POST":
            return redirect("admin:procedures_application_change", application.pk)
        if not self.may_set_case_status(request):
            raise PermissionDenied
        form = CaseStatusForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return redirect("admin:procedures_application_change", application.pk)
        case_status_set(
            application=application,
            status=form.cleaned_data["status"],
            message=form.cleaned_data["message"],
            by=request.user,
        )
        self.message_user(request, _("The case status is saved; the applicant is told."), messages.SUCCESS)
        return redirect("admin:procedures_application_change", application.pk)

    def download_evidence(self, request: HttpRequest, evidence_id: int) -> FileResponse:
        if not self.has_view_permission(request) or not request.user.has_perm("exchanges.view_evidence"):
            raise Http404
        evidence = get_object_or_404(
            Evidence, pk=evidence_id, evidence_request__application__in=self.get_queryset(request)
        )
        if not evidence.file:
            raise Http404
        return file_response(
            evidence.file.open("rb"),
            name=evidence.title,
            declared_type=evidence.media_type,
            fallback="evidence",
        )

    def _export_procedures(self, request: HttpRequest) -> QuerySet[Procedure]:
        return scope_to_authorities(
            request.user, Procedure.objects.all(), authority_path="authority", roles=[Role.CASE_WORKER]
        )

    def export(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        procedures = self._export_procedures(request)
        wanted = request.GET.get("procedure")
        if wanted and not procedures.filter(pk=wanted if wanted.isdigit() else 0).exists():
            raise Http404  # another authority's procedure: as if it did not exist
        form = ApplicationExportForm(request.GET or None, procedures=procedures)
        if form.is_bound and form.is_valid():
            applications = self.get_queryset(request).order_by("submitted_at", "pk")
            data = form.cleaned_data
            if data["procedure"] is not None:
                applications = applications.filter(procedure=data["procedure"])
            zone = timezone.get_current_timezone()
            if data["submitted_from"]:
                start = dt.datetime.combine(data["submitted_from"], dt.time.min, tzinfo=zone)
                applications = applications.filter(submitted_at__gte=start)
            if data["submitted_to"]:
                end = dt.datetime.combine(
                    data["submitted_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone
                )
                applications = applications.filter(submitted_at__lt=end)
            stamp = timezone.localdate().isoformat()
            if data["format"] == ExportFormat.JSON:
                response = HttpResponse(export_json(applications), content_type="application/json")
                response["Content-Disposition"] = content_disposition(f"applications-{stamp}.json")
            else:
                response = HttpResponse(export_csv(applications), content_type="text/csv; charset=utf-8")
                response["Content-Disposition"] = content_disposition(f"applications-{stamp}.csv")
            response["Cache-Control"] = "private, no-store"
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Export applications"),
        }
        return TemplateResponse(request, "admin/procedures/application/export.html", context)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The emails to applicants: whether each was sent, and the last SMTP error of one that was not."""

    list_display = ["created_at", "kind", "application", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["application__procedure"]
    fields = ["application", "kind", "email", "language", "created_at", "sent_at", "attempts", "last_error"]
    readonly_fields = fields
    # Of the applications case workers handle (authorities.admin_site); a draft's evidence emails too are not
    # shown to staff, as the draft is not.
    authority_path = "application__procedure__authority"
    authority_roles = (Role.CASE_WORKER,)
    hidden_from_staff = {"application__status": ApplicationStatus.DRAFT}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False
