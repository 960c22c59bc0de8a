"""Personal access tokens to the API: each user's own page, and the administrator's list."""
