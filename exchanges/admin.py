"""Exchanges in the admin: read-only, for procedure owners and operators. The citizen's evidence is shown
with the application (``procedures.admin``); files are downloaded through a view that checks the admin's
permission to view evidence."""

from __future__ import annotations

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _

from exchanges.admin_links import file_links_html
from exchanges.models import Evidence, EvidenceRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def evidence_links(evidences: list[Evidence]) -> str:
    return file_links_html(
        (reverse("admin:exchanges_evidence_file", args=[e.pk]), e.title, e.media_type, e.size)
        for e in evidences
    )


@admin.register(EvidenceRequest)
class EvidenceRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "evidence_type_title",
        "provider_name",
        "provider_country",
        "state",
        "explicit_request_at",
        "created_at",
    ]
    list_filter = ["state", "provider_country", "edm_version"]
    search_fields = ["public_id", "conversation_id", "provider_name", "application__reference"]
    list_select_related = ["application"]
    fields = [
        "public_id",
        "application",
        "requirement",
        "state",
        "evidence_type_title",
        "provider_name",
        "provider_country",
        "edm_version",
        "conversation_id",
        "explicit_request_at",
        "preview_location",
        "error_code",
        "error_message",
        "created_at",
        "completed_at",
        "evidence_files",
    ]
    readonly_fields = fields

    @admin.display(description=_("evidence"))
    def evidence_files(self, obj: EvidenceRequest) -> str:
        return evidence_links(list(obj.evidences.all()))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "evidence/<int:evidence_id>/file/",
                self.admin_site.admin_view(self.download_evidence),
                name="exchanges_evidence_file",
            ),
            *super().get_urls(),
        ]

    def download_evidence(self, request: HttpRequest, evidence_id: int) -> FileResponse:
        if not request.user.has_perm("exchanges.view_evidence"):
            raise Http404
        evidence = get_object_or_404(Evidence, pk=evidence_id)
        if not evidence.file:
            raise Http404
        return FileResponse(
            evidence.file.open("rb"),
            content_type=evidence.media_type or "application/octet-stream",
            as_attachment=True,
            filename=f"evidence-{evidence.pk}",
        )


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "media_type", "evidence_request", "received_at"]
    fields = [
        "title",
        "identifier",
        "media_type",
        "conforms_to",
        "size",
        "sha256",
        "evidence_request",
        "received_at",
    ]
    readonly_fields = fields


class EvidenceRequestInline(admin.TabularInline):
    """The application's exchanges and their evidence, in the application's admin page."""

    model = EvidenceRequest
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "evidence_type_title",
        "provider_name",
        "provider_country",
        "state",
        "explicit_request_at",
        "evidence_files",
    ]
    readonly_fields = fields
    verbose_name_plural = _("evidence requested through OOTS")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm("exchanges.view_evidencerequest")

    @admin.display(description=_("evidence"))
    def evidence_files(self, obj: EvidenceRequest) -> str:
        return evidence_links(list(obj.evidences.all()))
