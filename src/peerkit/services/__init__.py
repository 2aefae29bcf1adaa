"""The domain: plain functions over a database session. No typer, rich or prompts here."""

# Every write session records its changes in the change log: the listener is registered when
# the domain is first imported, before any service can write.
from peerkit.services.common import changelog as _changelog  # noqa: F401
