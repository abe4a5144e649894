"""The device as standard clients see it: a BTHome v2 advertisement (fascia.spec.bthome) for Home
Assistant and the Cycling Speed and Cadence service (fascia.spec.csc) for watches and training
apps. Loaded only when config.json turns one of them on ("bthome": 1, "csc": 1); its `poll(now)`
runs from the app loop before fascia.app.ble's, so neither does anything in the IRQ handler.

BTHome: the scan response is a bytearray whose first bytes are the BTHome service data (the
name follows); it is rewritten in place and re-advertised when the count, the battery or
the running state changed, at most every bthome.MIN_INTERVAL_MS and only while no host is
connected (the device does not advertise then).
CSC: one measurement a second while a host is connected, and the first revolution after a quiet
one at once (a client's cadence starts from the first counted jump, not a second later). Counts
and event times go on across sessions: a new session (its detector starts again from 0) adds the
last one's to a base.
"""

import struct

from micropython import const

from fascia.spec import bthome, csc

_RUNNING = const(1)  # the app's state(): running


def bthome_response(name: str):
    """The scan response with BTHome: its service data first (rewritten in place, at offset 0), then
    the name, shortened (AD type 0x08) when both do not fit in 31 bytes."""
    raw = name.encode()
    room = 31 - bthome.AD_BYTES - 2
    if len(raw) > room:
        named = bytes((room + 1, 0x08)) + raw[:room]
    else:
        named = bytes((len(raw) + 1, 0x09)) + raw
    resp = bytearray(bthome.AD_BYTES) + named
    bthome.pack_into(resp, 0, 0, 0, 0)
    return resp


class StandardViews:
    """Hooks itself into `service` (a fascia.app.ble.BleService): its poll runs before the
    service's own, and with BTHome its scan response replaces the service's."""

    def __init__(self, service, csc_handles):
        self.svc = service
        config = service.app.settings
        self.bthome = config["bthome"]
        self.h_csc = 0  # CSC measurement handle, 0 when off
        if csc_handles is not None:
            self.h_csc = csc_handles[0]
            service.ble.gatts_write(csc_handles[1], struct.pack(csc.FEATURE_FMT, csc.FEATURE_CRANK))
        self._resp = None
        if self.bthome:
            self._resp = bthome_response(config["device_name"])
            service._adv = (service._adv[0], self._resp)
        self._adv_at = -bthome.MIN_INTERVAL_MS
        self._adv_count = -1
        self._adv_battery = -1
        self._adv_running = -1
        self._meas = bytearray(csc.MEASUREMENT_BYTES)
        self._next_csc = 0
        self._quiet = True  # the last measurement brought no new revolution: send the next one at once
        self._det = None  # the detector whose counts the CSC base does not hold yet
        self._count = 0  # its last count and event time seen
        self._event_ms = 0
        self._base_revs = 0
        self._base_ms = 0
        self._service_poll = service.poll
        service.poll = self.poll  # (an instance attribute: BleService itself needs no hook)

    def poll(self, now: int) -> int:
        svc = self.svc
        if self.bthome and svc.conn < 0 and now - self._adv_at >= bthome.MIN_INTERVAL_MS:
            self._advertise(now)
        due = now >= self._next_csc or (self._quiet and svc.app.counter().count != self._count)
        if self.h_csc and svc.conn >= 0 and due:
            self._next_csc = now + csc.NOTIFY_MS
            self._measure()
        due = self._service_poll(now)
        if self.h_csc and svc.conn >= 0:
            due = min(due, self._next_csc)
        return due

    def _advertise(self, now: int) -> None:
        app = self.svc.app
        running = 1 if app.state() == _RUNNING else 0
        count = app.counter().count
        if count == self._adv_count and app.battery() == self._adv_battery and running == self._adv_running:
            return
        self._adv_at = now
        self._adv_count = count
        self._adv_battery = app.battery()
        self._adv_running = running
        bthome.pack_into(self._resp, 0, app.battery(), running, count)
        self.svc._readvertise = True  # the service advertises the new payload in this very poll

    def _measure(self) -> None:
        det = self.svc.app.counter()
        if det is not self._det or det.count < self._count:  # a new session or activity: keep counting on
            self._base_revs = (self._base_revs + self._count) & 0xFFFF
            self._base_ms = (self._base_ms + self._event_ms) % csc.WRAP_MS
            self._count = 0
            self._event_ms = 0
            self._det = det
        self._quiet = det.count == self._count
        self._count = det.count
        self._event_ms = det.last_event_ms
        struct.pack_into(
            csc.MEASUREMENT_FMT,
            self._meas,
            0,
            csc.FLAG_CRANK,
            (self._base_revs + self._count) & 0xFFFF,
            csc.event_ticks(self._base_ms + self._event_ms),
        )
        svc = self.svc
        svc.ble.gatts_write(self.h_csc, self._meas)
        svc._notify(self.h_csc, self._meas)
