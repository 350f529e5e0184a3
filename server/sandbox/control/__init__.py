"""The control plane: the sandbox's own JSON endpoints under /sandbox/, one blueprint per area (apps and
the clock, campaigns, credentials, REST hooks, vendor keys), never on the real API's paths."""
