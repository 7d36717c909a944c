"""taolun: a platform that runs an organisation-wide reform campaign."""
