"""REST v2: Reports and running them."""
