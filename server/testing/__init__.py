"""The sandbox for tests, from any test runner (the pytest plugin, infusionsoft_sandbox, wraps it in fixtures):

- ``server.testing.local``: a sandbox started in this process on a free loopback port (SQLite in a folder, or a
  database URL), stopped when the tests are done.
- ``server.testing.client``: the control API as Python: ``Sandbox`` (one server, by URL) makes a fresh app per
  test, a ``KeapApp`` with its credentials (legacy key, Personal Access Token, OAuth token) and the helpers a
  test needs: move its clock, read its outbox, change its options, reset it.

Both speak HTTP only, so a test drives the sandbox exactly as an integration does.
"""
