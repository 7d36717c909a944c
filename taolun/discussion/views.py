"""Pages for discussion."""
