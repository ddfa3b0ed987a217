"""Document pages and their stored copies."""
