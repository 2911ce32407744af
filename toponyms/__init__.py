"""toponyms: multilingual place-name reconciliation."""
