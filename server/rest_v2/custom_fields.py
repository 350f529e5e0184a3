"""REST v2: The custom-field models of every record type (``.../model``, ``.../model/customFields``)."""
