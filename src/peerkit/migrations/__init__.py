"""Alembic environment and versions, run programmatically by :mod:`peerkit.db`.

``HEAD`` lets peerkit tell whether a database is current without importing
Alembic (a test checks that it equals the head of the version scripts).
"""

HEAD = "0018"
