"""A level of assurance: one definition, shown by its translated label, sent as the EDM code list spells it,
asked of the eIDAS node by its URI."""

from django.template import Context, Template
from django.utils import translation

from accounts.eidas.loa import loa_from_uri
from accounts.models import LevelOfAssurance
from accounts.templatetags.loa import loa_label
from oots_client.edm import codelists


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


def test_each_level_is_written_in_a_request_as_the_edm_code_list_spells_it():
    assert {level.edm_code for level in LevelOfAssurance} == codelists.levels_of_assurance()


def test_each_level_is_asked_of_the_eidas_node_by_its_uri():
    assert LevelOfAssurance.SUBSTANTIAL.uri == "http://eidas.europa.eu/LoA/substantial"
    assert loa_from_uri(LevelOfAssurance.HIGH.uri) == "high"
