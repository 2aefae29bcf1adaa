"""The domain: plain functions over a database session. No typer, rich or prompts here."""
