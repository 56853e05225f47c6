"""Alembic environment and revisions; they ship inside the package, no alembic.ini needed."""
