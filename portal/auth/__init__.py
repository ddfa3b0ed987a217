"""Log-in, log-out and role checks."""
