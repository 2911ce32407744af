"""Gazetteer: sources, build, schema, store and edits (the data half of toponyms)."""
