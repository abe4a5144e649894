# Driver for test_bonds.py: the device's bond store (fascia.app.bonds) in DIR (argv[1]), and the
# factory reset clearing it. One JSON line per step.
import json
import os
import sys

from fascia.app import blerequests
from fascia.app.bonds import MAX_BONDS, SEC_PEER, Bonds
from fascia.app.bondsmenu import label
from fascia.app.logstore import LogStore

root = sys.argv[1]
path = root + "/bonds"


def host(n):
    return bytes((1, n, 0, 0, 0, 0, 0xC0))


b = Bonds(path)
kept = [b.set(SEC_PEER, host(n), b"keys%d" % n) for n in range(1, MAX_BONDS + 2)]  # one too many
b.set(1, host(1), b"ours")  # another secret type of host 1
print(json.dumps([kept, [label(k) for k in b.hosts()]]))

b = Bonds(path)  # a reboot: read back from flash
print(
    json.dumps(
        [b.get(SEC_PEER, 0, host(2)).decode(), b.get(SEC_PEER, 1, None).decode(), b.get(1, 0, None).decode()]
    )
)
b.forget(host(1))
print(json.dumps([len(Bonds(path).hosts()), Bonds(path).get(1, 0, None)]))

with open(path, "ab") as f:  # damage: a torn line, bad hex, garbage bytes
    f.write(b"2 0102\n2 zz 00\n\xff\xfe\x00\n2 01030000")
print(json.dumps([label(k) for k in Bonds(path).hosts()]))


class Svc:  # what blerequests uses of the BleService
    def __init__(self, app):
        self.app, self.bonds, self.secure, self.conn = app, Bonds(path), True, -1


class App:  # the part of the app's host interface (fascia.app.main) a factory reset uses
    def __init__(self):
        self.store = LogStore(root + "/log")
        self.settings_forgotten = False

    def log(self):
        return self.store

    def forget_settings(self):
        self.settings_forgotten = True


class Board:
    def path(self, name):
        return root + "/" + name


app = App()
app.board = Board()
svc = Svc(app)
blerequests._factory_reset(svc)
print(json.dumps([svc.bonds.hosts(), svc.secure, "bonds" in os.listdir(root), Bonds(path).hosts()]))
assert app.settings_forgotten
