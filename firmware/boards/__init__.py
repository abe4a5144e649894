"""Board profiles: each builds a `fascia.app.board.Board` from the pins of one hardware build.

`fascia flash --board NAME` writes /board.py on the device (`from boards.NAME import make`), which
/main.py calls. Pins and wiring are documented in hardware/README.md.
"""
