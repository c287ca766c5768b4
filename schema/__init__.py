"""GraphQL layer: types, inputs, errors and permissions; schema.py assembles the one schema."""
