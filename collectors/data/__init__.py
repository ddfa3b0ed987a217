"""Data files shipped with the collectors (the default source catalogue)."""
