"""REST v2: Settings, the business profile, locales and the OAuth userinfo."""
