"""The sandbox's own: the control plane (control/), start-up and seeding (seeding/), the per-app behaviour options,
the card-entry page, the API coverage document and the local TLS certificate."""
