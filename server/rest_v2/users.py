"""REST v2: Users and user groups."""
