"""Start-up and seeding: the schema, the default app and its legacy key (bootstrap), and an app's data from
sandbox_data/ (seed, with its commerce and services parts)."""
