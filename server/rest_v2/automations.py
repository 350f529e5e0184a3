"""REST v2: Automations (Campaign Builder campaigns), automation categories, goals and integrations."""
