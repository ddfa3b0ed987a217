"""The search page: query box, facets, results."""
