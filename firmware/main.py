"""Device entry point: build the board named in /board.py (written by `fascia flash`) and run the app."""

if __name__ == "__main__":
    import board  # type: ignore[import-not-found]  # /board.py: `from boards.<name> import make`

    from fascia.app.main import run

    run(board.make())
