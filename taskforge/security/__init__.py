"""Security building blocks: password hashing, signed tokens, login rate limiting and roles."""
