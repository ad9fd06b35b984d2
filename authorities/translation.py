"""The authority's name per language (django-modeltranslation, as ``procedures.translation``): citizens read
it on the confirmation page and the receipt in their language; the EDM request names the requester in the
first language (``procedures.request_content``)."""

from modeltranslation.translator import TranslationOptions, register

from authorities.models import Authority


@register(Authority)
class AuthorityTranslation(TranslationOptions):
    fields = ("name",)
