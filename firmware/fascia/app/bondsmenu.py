"""The bonds menu (hold A when ready; fascia.app.main): every bonded host, one forgotten at a time.

Loaded only while the menu is open (fascia.app.main imports it and unloads it after): the bond
store (fascia.app.bonds) is in the heap whenever the radio is on, the menu's code is not.
"""

from binascii import hexlify


def label(key) -> str:
    """A host's address as the menu shows it (12 hex digits, most significant first)."""
    return hexlify(bytes(reversed(bytes(key[1:7])))).decode()


def menu(app, pick: int = 0) -> None:
    """Every bonded host, the `pick`-th marked: A forgets it (after a yes), B marks the next one and,
    past the last, leaves. Built on the app's questions (`ask`), so the app keeps no menu state."""
    hosts = app.ble.bonds.hosts()
    if not hosts:
        app.ask("BONDS 0", ("No bonded host.",), None)
        return
    lines = [(">" if i == pick else " ") + label(k) for i, k in enumerate(hosts)]
    key = hosts[pick]

    def answer(forget: bool) -> None:
        if forget:
            app.ask("FORGET HOST?", (label(key), "A: yes  B: no"), lambda yes: yes and app.ble.forget(key))
        elif pick + 1 < len(hosts):
            menu(app, pick + 1)

    app.ask("BONDS %d" % len(hosts), lines + ["A forget  B next"], answer)
