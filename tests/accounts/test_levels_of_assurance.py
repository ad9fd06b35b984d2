from django.template import Context, Template
from django.utils import translation

from accounts.templatetags.loa import loa_label


def test_a_level_of_assurance_is_shown_by_its_translated_label():
    assert loa_label("substantial") == "Substantial"
    with translation.override("fr"):
        assert loa_label("high") == "Élevé"
    with translation.override("de"):
        assert Template("{% load loa %}{{ level|loa_label }}").render(Context({"level": "low"})) == "Niedrig"


def test_an_unknown_or_missing_level_is_left_as_it_is():
    assert loa_label("http://eidas.europa.eu/LoA/high") == "http://eidas.europa.eu/LoA/high"
    assert loa_label(None) == ""
    assert Template('{% load loa %}{{ v|loa_label|default:"none" }}').render(Context({"v": ""})) == "none"
