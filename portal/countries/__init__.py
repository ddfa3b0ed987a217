"""Country pages: briefings, documents by topic, active groups, volume and key sources."""
