"""Style sheets of the dark and light themes (data files)."""
