"""Request handling shared by every app: request guards, upload limits, private caching."""
