"""Entity pages: aliases, identifiers, timelines, co-mentions; adding aliases and merging duplicates."""
