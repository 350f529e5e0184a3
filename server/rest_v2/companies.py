"""REST v2: Companies (the Company family)."""
