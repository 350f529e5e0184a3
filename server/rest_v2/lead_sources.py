"""REST v2: Lead sources, their categories, expenses and recurring expenses."""
