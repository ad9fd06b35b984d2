"""The procedure owner's admin: procedures, their forms and requirements; applications read-only."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.csp import CSP
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from authorities.models import Role
from authorities.scope import authorities_of
from exchanges.admin import EvidenceRequestInline
from exchanges.admin_links import file_links_html
from oots_client.common_services import CommonServicesError
from oots_client.common_services import Requirement as EbRequirement
from oots_client.errors import OotsError
from procedures.answers import answer_display
from procedures.casework_admin import CaseworkAdminMixin
from procedures.common_services import common_services_client, requirements_import, requirements_remove
from procedures.downloads import file_response
from procedures.form_builder import FormFieldInline, key_changes, preview_response, preview_rows
from procedures.form_changes import answers_key_rename
from procedures.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    FormField,
    Procedure,
    Requirement,
)


class RequirementInline(TranslationTabularInline):
    model = Requirement
    extra = 0
    fields = ["order", "identifier", "name", "allow_upload"]


@admin.register(Procedure)
class ProcedureAdmin(TranslationAdmin):
    list_display = ["code", "name", "life_event", "country", "possibility_for_preview", "published"]
    list_display_links = ["code", "name"]
    list_filter = ["published", "life_event", "country"]
    search_fields = ["code", "name"]
    inlines = [FormFieldInline, RequirementInline]
    actions = ["publish", "unpublish"]
    # Owners configure their authorities' procedures; case workers see them (authorities.admin_site).
    authority_path = "authority"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "description",
                    "life_event",
                    "form_position",
                    "published",
                    "sort_order",
                ]
            },
        ),
        (
            _("Evidence Requester"),
            {
                "fields": [
                    "country",
                    "possibility_for_preview",
                    "required_loa",
                    "authority",
                ]
            },
        ),
    ]

    class Media:
        # The form builder (procedures/form_builder.py): no CDN, no inline script (the CSP refuses them).
        js = ["js/form_builder.js"]
        css = {"all": ["css/form_builder.css"]}

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        # The builder's summary lines show the label in the language the others fall back to.
        context["form_builder_default_language"] = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
        return super().render_change_form(request, context, *args, **kwargs)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is FormField:
            # Inside the admin's transaction: the answers move with the key, or neither happens.
            for old, new in key_changes(formset):
                answers_key_rename(procedure=form.instance, old=old, new=new)
        super().save_formset(request, form, formset, change)

    def has_change_permission(self, request: HttpRequest, obj: Procedure | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        if request.user.is_superuser:
            return True
        owned = authorities_of(request.user, roles=[Role.OWNER])
        return owned.exists() if obj is None else owned.filter(pk=obj.authority_id).exists()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "authority":
            kwargs["queryset"] = authorities_of(request.user, roles=[Role.OWNER])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Procedure | None = None) -> list[str]:
        # The code identifies the procedure on the wire (the EDM Procedure slot): fixed once created.
        readonly = ["code"] if obj is not None else []
        if not request.user.has_perm("procedures.publish_procedure"):
            readonly.append("published")
        return readonly

    def _set_published(self, request: HttpRequest, queryset: QuerySet[Procedure], published: bool) -> None:
        # Only the procedures of the authorities the user owns (a case worker elsewhere sees others).
        owned = authorities_of(request.user, roles=[Role.OWNER])
        count = queryset.filter(authority__in=owned).update(published=published)
        message = (
            ngettext("%(count)d procedure published.", "%(count)d procedures published.", count)
            if published
            else ngettext("%(count)d procedure unpublished.", "%(count)d procedures unpublished.", count)
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected procedures"), permissions=["publish"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        self._set_published(request, queryset, True)

    @admin.action(description=_("Unpublish the selected procedures"), permissions=["publish"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Procedure]) -> None:
        self._set_published(request, queryset, False)

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("procedures.publish_procedure")

    # --- requirements from the Evidence Broker (issue 4) ----------------------------------------------------
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:procedure_id>/form-preview/",
                self.admin_site.admin_view(self.form_preview),
                name="procedures_procedure_form_preview",
            ),
            path(
                "<int:procedure_id>/requirements-from-eb/",
                self.admin_site.admin_view(self.pull_requirements),
                name="procedures_procedure_pull_requirements",
            ),
            *super().get_urls(),
        ]

    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp_override({**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}))
    def form_preview(self, request: HttpRequest, procedure_id: int) -> HttpResponse:
        """The form as the citizen will see it, shown in a frame of the procedure's page: the saved fields
        (GET), or the page's unsaved state (POST of the change form, from the preview button)."""
        procedure = self.get_object(request, str(procedure_id))
        if procedure is None or not self.has_view_permission(request, procedure):
            raise Http404
        formset = None
        if request.method == "POST":
            inline = FormFieldInline(self.model, self.admin_site)
            formset_class = inline.get_formset(request, procedure)
            formset = formset_class(request.POST, request.FILES, instance=procedure, prefix="form_fields")
        rows, left_out = preview_rows(formset, procedure)
        language = request.POST.get("preview_language") or request.GET.get("language") or ""
        return preview_response(request, procedure, rows, left_out, language or request.LANGUAGE_CODE)

    def pull_requirements(self, request: HttpRequest, procedure_id: int) -> HttpResponse:
        """The EB's requirements for this procedure; the chosen ones become the procedure's requirements."""
        procedure = get_object_or_404(self.get_queryset(request), pk=procedure_id)
        if not self.has_change_permission(request, procedure):
            raise PermissionDenied
        found: tuple[EbRequirement, ...] = ()
        error = ""
        try:
            found = common_services_client().requirements(
                procedure=procedure.code, country=procedure.country, refresh=request.GET.get("refresh") == "1"
            )
        except CommonServicesError as exc:
            error = _("The Evidence Broker answered %(code)s: %(message)s") % {
                "code": exc.code,
                "message": exc.message,
            }
        except OotsError as exc:
            error = _("The Evidence Broker cannot be used now: %(reason)s") % {"reason": exc}
        lang = (request.LANGUAGE_CODE or "en").upper()
        present = set(procedure.requirements.values_list("identifier", flat=True))
        if request.method == "POST" and not error:
            wanted = set(request.POST.getlist("requirement"))
            # Unticked: the requirements the EB lists that the procedure has and the owner no longer wants.
            unticked = procedure.requirements.filter(
                identifier__in={r.identifier for r in found} - wanted
            ).order_by("order")
            if unticked and request.POST.get("confirm") != "1":
                return TemplateResponse(
                    request,
                    "admin/procedures/procedure/remove_requirements.html",
                    {
                        **self.admin_site.each_context(request),
                        "opts": self.model._meta,
                        "procedure": procedure,
                        "removed": list(unticked),
                        "wanted": sorted(wanted),
                        "title": _("Remove requirements?"),
                    },
                )
            created, updated = requirements_import(
                procedure=procedure, chosen=[r for r in found if r.identifier in wanted], lang=lang
            )
            removed = requirements_remove(procedure=procedure, identifiers=[r.identifier for r in unticked])
            self.message_user(
                request,
                ngettext(
                    "%(created)d requirement added, %(updated)d updated from the Evidence Broker.",
                    "%(created)d requirements added, %(updated)d updated from the Evidence Broker.",
                    created,
                )
                % {"created": created, "updated": updated},
                messages.SUCCESS,
            )
            if removed:
                self.message_user(
                    request,
                    ngettext("%(count)d requirement removed.", "%(count)d requirements removed.", removed)
                    % {"count": removed},
                    messages.SUCCESS,
                )
            return redirect("admin:procedures_procedure_change", procedure.pk)
        rows = [
            {"identifier": r.identifier, "name": r.name(lang), "present": r.identifier in present}
            for r in found
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "procedure": procedure,
            "rows": rows,
            "error": error,
            "title": _("Requirements from the Evidence Broker"),
        }
        return TemplateResponse(request, "admin/procedures/procedure/pull_requirements.html", context)


@admin.register(Application)
class ApplicationAdmin(CaseworkAdminMixin, admin.ModelAdmin):
    """Applications are the citizens' records: owners read them, nobody edits them here."""

    list_display = ["short_reference", "procedure", "applicant", "case_status", "submitted_at", "updated_at"]
    list_filter = ["status", "procedure"]
    search_fields = ["reference", "user__username", "user__last_name", "procedure__code"]
    date_hierarchy = "updated_at"
    readonly_fields = [
        "reference",
        "procedure",
        "applicant",
        "status",
        "created_at",
        "submitted_at",
        "answers",
        "uploaded_files",
    ]
    fields = readonly_fields
    list_select_related = ["procedure", "user", "user__eidas_identity"]
    inlines = [EvidenceRequestInline]
    # Case workers handle their authorities' applications; nobody on the staff sees a draft.
    authority_path = "procedure__authority"
    authority_roles = (Role.CASE_WORKER,)
    hidden_from_staff = {"status": ApplicationStatus.DRAFT}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        return False

    @admin.display(description=_("answers"))
    def answers(self, obj: Application) -> str:
        rows = {row.key: row for row in obj.procedure.form_fields.all()}
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                # "_journey" is the journey's bookkeeping (procedures/journey.py), not an answer
                (
                    (
                        (rows[k].label, answer_display(rows[k], v))
                        if k in rows
                        else (k, "—" if v is None else v)
                    )
                    for k, v in obj.data.items()
                    if not k.startswith("_")
                ),
            ),
        )

    @admin.display(description=_("uploaded files"))
    def uploaded_files(self, obj: Application) -> str:
        return file_links_html(
            (
                reverse("admin:procedures_application_file", args=[f.pk]),
                f.original_name,
                f.content_type,
                f.size,
            )
            for f in obj.files.all()
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "file/<int:file_id>/",
                self.admin_site.admin_view(self.download_file),
                name="procedures_application_file",
            ),
            *super().get_urls(),
        ]

    def download_file(self, request: HttpRequest, file_id: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise Http404
        stored = get_object_or_404(ApplicationFile, pk=file_id, application__in=self.get_queryset(request))
        return file_response(
            stored.file.open("rb"), name=stored.original_name, declared_type=stored.content_type
        )
