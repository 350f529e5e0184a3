"""REST v2: Files: upload, content (``:data``) and associations."""
