"""peerkit: a command-line organiser for peer-support communities."""

__version__ = "0.1.0"
