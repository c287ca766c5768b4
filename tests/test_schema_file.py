"""schema.graphql is the published contract: it matches the code, every element is described, and
code-like values are enums, not strings (schema/README.md)."""

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from schema.schema import SCHEMA_FILE, build_schema, schema_sdl
from settings import Settings

_BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
# A String field named like a code must be an enum. Exceptions are real free-form or external codes.
_CODE_LIKE = re.compile(r"(Code|Kind|Status|Action|Severity|Format|Grounds?|Role|Stage|Procedure|Channel|Type)$", re.I)
_FREE_TEXT_CODES = {
    "Document.verificationCode",  # a random token printed under a document's QR code, not an enumeration
    "AsicUnit.tnvedCode",  # a customs commodity code (10 digits of the TN VED EAEU), not ours
    "AsicApplicationLine.tnvedCode",
    "RegistryApplicationDetails.tnvedCode",
    "ApplyForAsicInclusionInput.tnvedCode",
    "AsicUnitLineInput.tnvedCode",
    "AsicRecordChangesInput.tnvedCode",
    # A digital asset's ticker (BTC, ETH, USDT...) in a pool's income report: an open set the
    # market defines, not a list the rules hold (003 pool item 8 names no assets).
    "IncomeReportLine.assetCode",
    "IncomeReportLineInput.assetCode",
    # The legal ground of a licence's suspension, resumption or revocation, stated by the officer
    # as text: the grounds are in laws outside the seeds (Law on digital assets art. 9, Law on
    # permits art. 45), not a list the rules hold (rules/license_life.py).
    "LicenseStatusEvent.ground",
    # The partners' event contract (rules/events.py): an open, versioned set of dotted names
    # (`license.suspended`), the same text in the query, the subscription and webhooks; new
    # types are added without breaking partners, who must ignore the ones they do not know.
    "PartnerEvent.type",
    "EventEntity.type",
    "SuspendLicenseInput.ground",
    "ResumeLicenseInput.ground",
    "RevokeLicenseInput.ground",
}


def _graphql_schema():
    return build_schema(Settings(database_url="sqlite://:memory:"))._schema


def _named(t):
    while isinstance(t, GraphQLNonNull | GraphQLList):
        t = t.of_type
    return t


def _own_types():
    for name, t in _graphql_schema().type_map.items():
        if name.startswith("__") or name in _BUILT_IN_SCALARS:
            continue
        yield name, t


def test_checked_in_schema_matches_code():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `python manage.py export-schema` and commit it"
    )


def test_every_element_of_the_schema_is_described():
    missing = []
    for name, t in _own_types():
        if not (t.description or "").strip():
            missing.append(name)
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in t.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not (arg.description or "").strip():
                        missing.append(f"{name}.{field_name}({arg_name})")
        elif isinstance(t, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, field in t.fields.items() if not (field.description or "").strip()]
        elif isinstance(t, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in t.values.items() if not (value.description or "").strip()]
    assert missing == [], f"{len(missing)} undocumented: {missing[:40]}"


def test_no_code_like_string_fields():
    offenders = []
    for name, t in _own_types():
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in t.fields.items():
                named = _named(field.type)
                if (
                    isinstance(named, GraphQLScalarType)
                    and named.name == "String"
                    and _CODE_LIKE.search(field_name)
                    and f"{name}.{field_name}" not in _FREE_TEXT_CODES
                ):
                    offenders.append(f"{name}.{field_name}")
    assert offenders == [], f"code-like String fields (use an enum): {offenders}"


def test_every_mutation_takes_one_input_and_returns_a_payload_with_errors():
    schema = _graphql_schema()
    wrong = []
    for name, field in schema.mutation_type.fields.items():
        payload = _named(field.type)
        errors = payload.fields.get("errors") if isinstance(payload, GraphQLObjectType) else None
        if list(field.args) != ["input"] or errors is None or not isinstance(_named(errors.type), GraphQLUnionType):
            wrong.append(name)
    assert wrong == []
