"""REST v2: Web forms: the list and a form's HTML."""
