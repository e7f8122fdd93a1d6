"""The labeling config carries the whole schema, with the control names convert.py reads, and a
real Label Studio server accepts it."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kotechnews import schema
from kotechnews.labelstudio import convert
from kotechnews.labelstudio.config import label_config

CLAIM_CONTROLS = {
    *convert.CLAIM_TEXT_FIELDS,
    *convert.CLAIM_CHOICE_FIELDS,
    convert.APPROXIMATE_CHOICE,
}


def _controls(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("name"): el for el in root.iter() if el.get("toName") == convert.TEXT}


def test_config_lists_every_schema_label_relation_and_choice():
    root = ET.fromstring(label_config())
    controls = _controls(root)
    labels = controls[convert.SPAN_CONTROL]
    assert labels.tag == "Labels"
    assert [label.get("value") for label in labels] == schema.SPAN_LABEL_NAMES
    hints = {label.get("value"): label.get("hint") for label in labels}
    for label in schema.ENTITY_TYPES:
        assert label.ko in hints[label.name] and label.en in hints[label.name]
    relations = [r.get("value") for r in root.iter("Relation")]
    assert relations == schema.RELATION_TYPE_NAMES + schema.CLAIM_LINK_NAMES
    for name, choices in schema.CLAIM_CHOICES.items():
        assert controls[name].tag == "Choices"
        assert [c.get("value") for c in controls[name]] == schema.names(choices)
    assert [c.get("value") for c in controls[convert.APPROXIMATE_CHOICE]] == [
        convert.APPROXIMATE_CHOICE
    ]
    for name in (*convert.CLAIM_TEXT_FIELDS, convert.CANONICAL_ID):
        assert controls[name].tag == "TextArea"
    text = next(root.iter("Text"))
    assert (text.get("name"), text.get("value"), text.get("granularity")) == (
        "text",
        "$text",
        "symbol",
    )


def test_attribute_controls_are_per_region_and_shown_for_their_labels():
    controls = _controls(ET.fromstring(label_config()))
    for name in (*CLAIM_CONTROLS, convert.CANONICAL_ID):
        control = controls[name]
        assert control.get("perRegion") == "true"
        assert control.get("visibleWhen") == "region-selected"
        assert control.get("whenTagName") == convert.SPAN_CONTROL
    for name in CLAIM_CONTROLS:
        assert controls[name].get("whenLabelValue") == schema.QUANTITY.name
    assert (
        controls[convert.CANONICAL_ID].get("whenLabelValue").split(",") == schema.ENTITY_TYPE_NAMES
    )


@pytest.mark.labelstudio
def test_server_accepts_the_config(ls_client, ls_project):
    project = ls_client.get_project(ls_project)
    parsed = project["parsed_label_config"]
    assert parsed[convert.SPAN_CONTROL]["type"] == "Labels"
    assert parsed[convert.SPAN_CONTROL]["labels"] == schema.SPAN_LABEL_NAMES
    for name, choices in schema.CLAIM_CHOICES.items():
        assert parsed[name]["labels"] == schema.names(choices)
    for name in (*convert.CLAIM_TEXT_FIELDS, convert.CANONICAL_ID):
        assert parsed[name]["type"] == "TextArea"
    # Relations are not controls in the parsed config; the stored config keeps them all.
    stored = ET.fromstring(project["label_config"])
    assert [r.get("value") for r in stored.iter("Relation")] == (
        schema.RELATION_TYPE_NAMES + schema.CLAIM_LINK_NAMES
    )
