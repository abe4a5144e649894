"""Bluetooth bonds kept on the device's flash, so a paired host stays paired across reboots.

MicroPython's `bluetooth` stack does not store bonds itself: it asks the application for its
secrets (_IRQ_GET_SECRET) and hands it new ones to keep (_IRQ_SET_SECRET); fascia.app.ble answers
both from here. The stack's values are opaque bytes; their keys are the peer's address (7 bytes:
address type + address, as NimBLE keys them), so one host's secrets share its key.

File `bonds`: one secret per line, "type key_hex value_hex", rewritten whole to a temporary file
and renamed (a power cut keeps the old bonds or the new ones). A damaged line is skipped: that
host pairs again, the device still boots. A factory reset deletes the file. The menu that
forgets a host is fascia.app.bondsmenu, loaded only while it is open.
"""

import os
from binascii import hexlify, unhexlify

from micropython import const

BONDS_FILE = "bonds"
SEC_PEER = const(2)  # the peer's long-term keys (NimBLE's BLE_STORE_OBJ_TYPE_PEER_SEC): one per bonded host
MAX_BONDS = const(4)  # hosts; pairing a fifth is refused until one is forgotten from the device's menu
_MAX_FILE = const(16384)  # bigger is damage: a bond's secrets take under 2 kB


class Bonds:
    def __init__(self, path: str):
        self.path = path
        self.secrets = []  # [sec_type, key bytes, value bytes]
        try:
            if os.stat(path)[6] > _MAX_FILE:  # (asked first: a read of the limit is a block that big)
                return
            with open(path, "rb") as f:
                raw = f.read()
        except OSError:
            return
        for line in raw.split(b"\n"):
            parts = line.split(b" ")
            try:
                if len(parts) == 3:
                    self.secrets.append([int(parts[0]), unhexlify(parts[1]), unhexlify(parts[2])])
            except ValueError:
                pass  # damaged: that host pairs again

    def get(self, sec_type: int, index: int, key):
        """The stack's _IRQ_GET_SECRET: the value for `key`, or (key None) the index-th of the type."""
        n = 0
        for t, k, v in self.secrets:
            if t == sec_type:
                if key is None:
                    if n == index:
                        return v
                    n += 1
                elif k == key:
                    return v
        return None

    def set(self, sec_type: int, key, value) -> bool:
        """The stack's _IRQ_SET_SECRET (value None deletes); False when full or the flash refused."""
        key = bytes(key)
        for i, (t, k, _) in enumerate(self.secrets):
            if t == sec_type and k == key:
                if value is None:
                    self.secrets.pop(i)
                else:
                    self.secrets[i][2] = bytes(value)
                return self._save()
        if value is None:
            return True
        if sec_type == SEC_PEER and key not in self.hosts() and len(self.hosts()) >= MAX_BONDS:
            return False
        self.secrets.append([sec_type, key, bytes(value)])
        return self._save()

    def hosts(self) -> list:
        """The bonded hosts' keys (address type + address), oldest first."""
        return [k for t, k, _ in self.secrets if t == SEC_PEER]

    def forget(self, key) -> None:
        """Drop every secret of one host: it must pair again (with a new passkey)."""
        self.secrets = [s for s in self.secrets if s[1] != key]
        self._save()

    def clear(self) -> None:
        self.secrets = []
        try:
            os.remove(self.path)
        except OSError:
            pass

    def _save(self) -> bool:
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "wb") as f:
                for t, k, v in self.secrets:
                    f.write(b"%d %s %s\n" % (t, hexlify(k), hexlify(v)))
            os.rename(tmp, self.path)
        except OSError:
            return False
        return True
