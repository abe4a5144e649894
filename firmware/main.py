"""Device entry point: build the board named in /board.py (written by `fascia flash`) and run the app.

The board comes first: its drivers allocate the biggest blocks (display frame buffers) while the
heap is still empty, before the app's modules are loaded around them."""

if __name__ == "__main__":
    import board  # type: ignore[import-not-found]  # /board.py: `from boards.<name> import make`

    hardware = board.make()

    from fascia.app.main import run

    run(hardware)
