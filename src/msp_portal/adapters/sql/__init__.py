"""SQL storage on SQLAlchemy 2 Core: SQLite by default, PostgreSQL for several instances."""
