"""`python -m peerkit`."""

from peerkit.commands._root import run

if __name__ == "__main__":  # pragma: no cover
    run()
