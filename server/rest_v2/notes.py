"""REST v2: Notes (the Note family)."""
