"""The start page: what is new for a researcher's desks, what an officer follows."""
