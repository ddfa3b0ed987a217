"""JSON API under /api/v1, with bearer-token authentication and an OpenAPI description."""
