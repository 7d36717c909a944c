"""Pages for study."""
