from django.contrib import admin

from simulators.access_point.models import ApControl, ApMessage, ApNotification, ApSubmission


@admin.register(ApMessage)
class ApMessageAdmin(admin.ModelAdmin):
    list_display = ["message_id", "direction", "action", "status", "conversation_id", "created_at"]
    list_filter = ["direction", "status", "action"]
    search_fields = ["message_id", "conversation_id", "ref_to_message_id"]
    exclude = ["envelope"]


admin.site.register(ApSubmission)
admin.site.register(ApNotification)
admin.site.register(ApControl)
