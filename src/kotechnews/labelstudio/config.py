"""Label Studio labeling config and server settings.

The labeling config is generated from ``kotechnews.schema`` with the control names that
``convert.py`` reads, so the schema stays the single source of truth. Server settings come from
the environment only (``LABEL_STUDIO_URL``, ``LABEL_STUDIO_API_KEY``): the key is never written
to disk or printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from kotechnews import schema
from kotechnews.errors import KoTechNewsError
from kotechnews.labelstudio import convert

URL_VARIABLE = "LABEL_STUDIO_URL"
API_KEY_VARIABLE = "LABEL_STUDIO_API_KEY"
DEFAULT_PROJECT_TITLE = "KoTechNews"

# Per-region TextAreas: the entity canonical ID and the claim text/number attributes.
CLAIM_TEXT_CONTROLS = convert.CLAIM_TEXT_FIELDS
CLAIM_CHOICE_CONTROLS = convert.CLAIM_CHOICE_FIELDS
CLAIM_FIELDS_BY_NAME = {f.name: f for f in schema.CLAIM_FIELDS}


class ConfigError(KoTechNewsError, ValueError):
    """Missing or malformed server settings."""


@dataclass(frozen=True)
class ServerSettings:
    url: str
    api_key: str = field(repr=False)  # never shown in logs or tracebacks


def server_settings(environ: Mapping[str, str] | None = None) -> ServerSettings:
    """Server URL and API key from the environment; a missing variable is a ConfigError."""
    environ = os.environ if environ is None else environ
    missing = [
        name for name in (URL_VARIABLE, API_KEY_VARIABLE) if not environ.get(name, "").strip()
    ]
    if missing:
        raise ConfigError(
            f"missing environment variable{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
            f"set {URL_VARIABLE} (e.g. http://127.0.0.1:8080) and {API_KEY_VARIABLE} "
            "(Label Studio > Account & Settings > Access Token)"
        )
    url = environ[URL_VARIABLE].strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"{URL_VARIABLE}={url!r} is not an http(s) URL")
    return ServerSettings(url=url, api_key=environ[API_KEY_VARIABLE].strip())


def _hint(label) -> str:
    return f"{label.ko} / {label.en}"


def _attrs(**attrs: str) -> str:
    return " ".join(f"{name}={quoteattr(value)}" for name, value in attrs.items())


def _when_selected(label_values: list[str]) -> dict[str, str]:
    """Show a control only while a region with one of these labels is selected."""
    return {
        "visibleWhen": "region-selected",
        "whenTagName": convert.SPAN_CONTROL,
        "whenLabelValue": ",".join(label_values),
    }


def _per_region(name: str, label_values: list[str]) -> dict[str, str]:
    return {
        "name": name,
        "toName": convert.TEXT,
        "perRegion": "true",
        **_when_selected(label_values),
    }


def _textarea(name: str, label_values: list[str]) -> str:
    return (
        f"    <TextArea {_attrs(**_per_region(name, label_values), placeholder=name)}"
        ' maxSubmissions="1" editable="true" rows="1"/>'
    )


def _header(text: str) -> str:
    return f'    <Header {_attrs(value=text)} size="6"/>'


def label_config() -> str:
    """The labeling config XML for the KoTechNews project."""
    entities = schema.ENTITY_TYPE_NAMES
    quantity = [schema.QUANTITY.name]
    # pre-wrap keeps the article's line breaks visible; offsets count them either way.
    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        f"  <Labels {_attrs(name=convert.SPAN_CONTROL, toName=convert.TEXT)}>",
    ]
    for label in (*schema.ENTITY_TYPES, schema.QUANTITY):
        lines.append(f"    <Label {_attrs(value=label.name, hint=_hint(label))}/>")
    lines += [
        "  </Labels>",
        f'  <Text {_attrs(name=convert.TEXT, value="$" + convert.TEXT)} granularity="symbol"/>',
        "  <Relations>",
    ]
    for relation in (*schema.RELATION_TYPES, *schema.CLAIM_LINKS):
        lines.append(f"    <Relation {_attrs(value=relation.name, hint=_hint(relation))}/>")
    lines.append("  </Relations>")

    lines.append(f"  <View {_attrs(**_when_selected(entities))}>")
    lines.append(_header("canonical_id: 개체 ID / canonical entity ID"))
    lines.append(_textarea(convert.CANONICAL_ID, entities))
    lines.append("  </View>")

    lines.append(f"  <View {_attrs(**_when_selected(quantity))}>")
    for name in CLAIM_CHOICE_CONTROLS:
        lines.append(_header(f"{name}: {_hint(CLAIM_FIELDS_BY_NAME[name])}"))
        lines.append(f'    <Choices {_attrs(**_per_region(name, quantity))} showInline="true">')
        for choice in schema.CLAIM_CHOICES[name]:
            lines.append(f"      <Choice {_attrs(value=choice.name, hint=_hint(choice))}/>")
        lines.append("    </Choices>")
    approximate = CLAIM_FIELDS_BY_NAME[convert.APPROXIMATE_CHOICE]
    lines.append(_header(f"{approximate.name}: {_hint(approximate)}"))
    lines.append(
        f"    <Choices {_attrs(**_per_region(convert.APPROXIMATE_CHOICE, quantity))}"
        ' choice="multiple">'
    )
    lines.append(
        f"      <Choice {_attrs(value=convert.APPROXIMATE_CHOICE, hint=_hint(approximate))}/>"
    )
    lines.append("    </Choices>")
    for name in CLAIM_TEXT_CONTROLS:
        lines.append(_header(f"{name}: {_hint(CLAIM_FIELDS_BY_NAME[name])}"))
        lines.append(_textarea(name, quantity))
    lines += ["  </View>", "</View>"]
    return "\n".join(lines) + "\n"
