from django.contrib import admin

from simulators.evidence_provider.models import PreviewSession, ProviderRequest, ScenarioOverride


@admin.register(ProviderRequest)
class ProviderRequestAdmin(admin.ModelAdmin):
    list_display = ["request_id", "scenario", "scenario_source", "subject", "version", "received_at"]
    list_filter = ["scenario", "version"]
    exclude = ["regrep"]


admin.site.register(PreviewSession)
admin.site.register(ScenarioOverride)
