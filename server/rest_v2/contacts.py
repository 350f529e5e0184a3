"""REST v2: Contacts (the Contact family), referrals and lead scores."""
