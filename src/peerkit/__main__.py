"""`python -m peerkit`, and the console script `peerkit`.

Nothing is imported at the top: a Ctrl-C while peerkit is still loading (the command line's
libraries take a tenth of a second) ends as it does anywhere else, with one line and 130.
"""


def main() -> None:
    try:
        from peerkit.commands._root import run
    except KeyboardInterrupt:
        from peerkit.errors import interrupted

        interrupted()
    run()


if __name__ == "__main__":  # pragma: no cover
    main()
