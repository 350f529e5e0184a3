"""REST v2: Campaigns and their goals and sequences."""
