"""Name screening: what the collected sources say about a person, across spellings."""
