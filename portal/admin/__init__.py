"""Administration: sources with their assessment and health, users."""
