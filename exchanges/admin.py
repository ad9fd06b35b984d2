"""Exchanges in the admin: read-only, for procedure owners and operators. The citizen's evidence is shown
with the application (``procedures.admin``); files are downloaded through a view that checks the admin's
permission to view evidence. Operators find refused and parked answers in the incoming messages and the
exchange log (filter by state, outcome or reason)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from exchanges.admin_links import download_name, file_links_html
from exchanges.models import (
    Evidence,
    EvidenceRequest,
    ExchangeLog,
    ExplicitRequest,
    IncomingMessage,
    IncomingState,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    # The rows of an application belong to the authority of its procedure; staff see those of their
    # authorities as case workers, never a draft's (authorities.admin_site reads these; lookups by name only,
    # the engine imports nothing above it).
    authority_path = "evidence_request__application__procedure__authority"
    authority_roles = ("case_worker",)
    hidden_from_staff = {"evidence_request__application__status": "draft"}

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
    authority_path = "application__procedure__authority"
    hidden_from_staff = {"application__status": "draft"}
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
        "refused_messages",
    ]
    readonly_fields = fields

    @admin.display(description=_("evidence"))
    def evidence_files(self, obj: EvidenceRequest) -> str:
        return evidence_links(list(obj.evidences.all()))

    @admin.display(description=_("refused or parked answers"))
    def refused_messages(self, obj: EvidenceRequest) -> str:
        count = obj.incoming.filter(state__in=[IncomingState.REFUSED, IncomingState.PARKED]).count()
        if not count:
            return "—"
        query = urlencode({"evidence_request__id__exact": obj.pk})
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:exchanges_incomingmessage_changelist"),
            query,
            ngettext("%(count)d message", "%(count)d messages", count) % {"count": count},
        )

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
        evidence = get_object_or_404(
            Evidence, pk=evidence_id, evidence_request__in=self.get_queryset(request)
        )
        if not evidence.file:
            raise Http404
        return FileResponse(
            evidence.file.open("rb"),
            content_type=evidence.media_type or "application/octet-stream",
            as_attachment=True,
            filename=download_name(evidence.title, evidence.media_type),
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


@admin.register(IncomingMessage)
class IncomingMessageAdmin(ReadOnlyAdmin):
    """Every message the access point held for the portal: applied, parked, refused (with the reason)."""

    list_display = ["ebms_message_id", "state", "reason", "from_party", "evidence_request", "created_at"]
    list_filter = ["state", "reason", "action"]
    search_fields = ["ebms_message_id", "conversation_id", "request_id", "evidence_request__public_id"]
    list_select_related = ["evidence_request"]
    fields = [
        "ebms_message_id",
        "state",
        "reason",
        "detail",
        "evidence_request",
        "conversation_id",
        "request_id",
        "action",
        "from_party",
        "original_sender",
        "attempts",
        "downloaded",
        "created_at",
        "processed_at",
    ]
    readonly_fields = fields


@admin.register(ExchangeLog)
class ExchangeLogAdmin(ReadOnlyAdmin):
    """The exchange log (IR 2022/1463 art. 17): every message in and out, every state change."""

    list_display = ["sequence", "created_at", "direction", "event", "outcome", "reason", "evidence_request"]
    list_filter = ["direction", "event", "outcome", "reason"]
    search_fields = [
        "ebms_message_id",
        "conversation_id",
        "request_id",
        "exchange_public_id",
        "subject_reference",
    ]
    list_select_related = ["evidence_request"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "evidence_request",
        "direction",
        "event",
        "outcome",
        "reason",
        "detail",
        "validation_findings",
        "ebms_message_id",
        "conversation_id",
        "request_id",
        "payload_sha256",
        "payload_size",
        "exchange_public_id",
        "subject_reference",
        "facts",
        "sequence",
        "previous_hash",
        "entry_hash",
    ]
    readonly_fields = fields

    @admin.display(description=_("validation findings"))
    def validation_findings(self, obj: ExchangeLog) -> str:
        if not obj.findings:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}, {}): {} — {}</li>",
                (
                    tuple(f.get(key) for key in ("rule_id", "severity", "source", "message", "location"))
                    for f in obj.findings
                ),
            ),
        )


@admin.register(ExplicitRequest)
class ExplicitRequestAdmin(ReadOnlyAdmin):
    """The explicit requests with what the citizen saw (docs/audit.md); they outlive the exchanges."""

    list_display = ["given_at", "evidence_type_title", "provider_name", "language", "preview_decision"]
    list_filter = ["language", "preview_possible", "preview_decision", "provider_country"]
    search_fields = ["exchange_public_id", "conversation_id", "subject_reference"]
    date_hierarchy = "given_at"
    fields = [f.name for f in ExplicitRequest._meta.get_fields() if f.concrete and f.name != "id"]
    readonly_fields = fields
