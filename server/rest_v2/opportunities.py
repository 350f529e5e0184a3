"""REST v2: Opportunities and pipeline stages."""
