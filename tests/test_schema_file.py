"""schema.graphql is the published contract: it must match the code's schema."""

from schema.schema import SCHEMA_FILE, schema_sdl


def test_checked_in_schema_matches_code():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_sdl(), (
        "schema.graphql is stale: run `python manage.py export-schema` and commit it"
    )
