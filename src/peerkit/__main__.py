"""`python -m peerkit`, and the console script `peerkit`.

Nothing but peerkit.loading is imported at the top: a Ctrl-C while peerkit is still loading
(the command line's libraries take a tenth of a second) ends as it does anywhere else, with one
line and 130. The cycle collector is paused while peerkit loads (see peerkit.loading).
"""

from peerkit import loading


def main() -> None:
    loading.pause()
    try:
        from peerkit.commands._root import run
    except KeyboardInterrupt:
        from peerkit.errors import interrupted

        interrupted()
    try:
        run()
    finally:
        loading.finished()


if __name__ == "__main__":  # pragma: no cover
    main()
