"""What owners translate (django-modeltranslation): one column per language of ``OOTS_LANGUAGES``.

``procedure.name`` reads the active language's column and falls back to the first language's
(``MODELTRANSLATION_FALLBACK_LANGUAGES``), so pages, the admin and the receipt show the citizen's language
without asking for it. docs/authoring.md says what owners translate and how; ADR 0011 why this way.
"""

from modeltranslation.translator import TranslationOptions, register

from procedures.models import FormField, Procedure, Requirement


@register(Procedure)
class ProcedureTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Requirement)
class RequirementTranslation(TranslationOptions):
    # Filled from the Evidence Broker in every language it gives (procedures.common_services).
    fields = ("name", "description")


@register(FormField)
class FormFieldTranslation(TranslationOptions):
    # ``choices``: the labels per language; the keys are the same in each (procedures.choices).
    fields = ("label", "help_text", "choices")
