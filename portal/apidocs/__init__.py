"""The API reference page: Swagger UI, served from the installed ``swagger-ui-bundle`` package (no
CDN), reading the same OpenAPI document the API itself serves. Does not describe the API itself
(see :mod:`portal.api.openapi`)."""
