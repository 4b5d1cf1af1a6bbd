"""Running the app as several replicas behind a proxy (see README, Teacher's guide)."""
