"""The device as standard clients see it (fascia.app.blestandard): BTHome v2 in the scan response,
decoded by `bthome-ble` (the library Home Assistant uses), and the Cycling Speed and Cadence
service read by `pycycling`'s decoder, on the unchanged firmware over the virtual radio."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import pytest
from bumble.core import AdvertisingData

from fascia.spec import bthome, csc

BTHOME_UUID = "0000fcd2-0000-1000-8000-00805f9b34fb"
NAMES = ("fascia", "rope", "a twenty char name!!")


def _ad_structures(payload: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i < len(payload):
        n = payload[i]
        out.append((payload[i + 1], payload[i + 2 : i + 1 + n]))
        i += 1 + n
    assert i == len(payload), "AD structures fill the payload exactly"
    return out


def _service_info(service_data: bytes, name: str):
    """What Home Assistant's Bluetooth stack hands an integration for this service data."""
    from bleak.backends.device import BLEDevice
    from habluetooth import BluetoothServiceInfoBleak

    address = "F0:FA:5C:00:00:01"
    return BluetoothServiceInfoBleak(
        name=name,
        address=address,
        rssi=-60,
        manufacturer_data={},
        service_data={BTHOME_UUID: service_data},
        service_uuids=[BTHOME_UUID],
        source="local",
        device=BLEDevice(address, name, None),
        advertisement=None,
        connectable=True,
        time=0.0,
        tx_power=None,
    )


def _decode_bthome(info) -> dict:
    """bthome-ble's reading of an advertisement: {key: value} as Home Assistant gets it."""
    from bthome_ble import BTHomeBluetoothDeviceData

    parser = BTHomeBluetoothDeviceData()
    assert parser.supported(info)
    update = parser.update(info)
    values = {key.key: v.native_value for key, v in update.entity_values.items()}
    values.update({key.key: v.native_value for key, v in update.binary_entity_values.items()})
    return values


def test_bthome_payloads_fit_and_decode_on_both_runtimes(dual):
    """Names that fit beside it stay complete; a longer one is shortened, never the BTHome data."""
    *payloads, ticks = dual("standard_views", *NAMES)
    for name, adv_hex, resp_hex in payloads:
        adv, resp = bytes.fromhex(adv_hex), bytes.fromhex(resp_hex)
        assert len(adv) <= 31 and len(resp) <= 31
        structures = dict(_ad_structures(resp))
        assert structures[0x16][:2] == bthome.UUID16.to_bytes(2, "little")
        shown = structures.get(0x09, structures.get(0x08))
        assert shown is not None and name.encode().startswith(shown)
        values = _decode_bthome(_service_info(structures[0x16][2:], name))
        assert values["battery"] == 87 and values["count"] == 123456 and values["moving"] is True
        assert AdvertisingData.from_bytes(adv).get(AdvertisingData.Type.FLAGS) is not None
    assert ticks == [0, 1024, 65534, 0, 1024 * 40 % 65536, 0]


SESSION_SEED = 7  # one set of 32 jumps at a steady ~135/min, no trips (so cadence = the counter's rate)
TRACE_START_MS = 4000  # the rope starts then (virtual ms after boot): the session starts over BLE before


@pytest.fixture(scope="module")
def views_session(tmp_path_factory):
    """One simulated device with BTHome and CSC on: a session started and stopped over BLE while a
    standard CSC client (pycycling) listens, then an active scan as Home Assistant does. The device
    runs at twice real time (its clock, the counts and the event times are all virtual)."""
    from bleak import BleakScanner
    from pycycling.cycling_speed_cadence_service import CyclingSpeedCadenceService

    from host_tools.gen import jumprope
    from host_tools.sim.ble_device import BackgroundDevice

    tmp = tmp_path_factory.mktemp("views")
    trace, _truth = jumprope.generate("basic", SESSION_SEED, 400, tmp / "rope", duration_s=24)
    dev = BackgroundDevice(
        tmp / "flash",
        trace,
        config={"bthome": 1, "csc": 1},
        extra={"trace_start_ms": TRACE_START_MS},
        speed=2,
    )

    async def session():
        measurements = []
        async with dev.client() as fascia:
            cscs = CyclingSpeedCadenceService(fascia.client)
            feature = await cscs.get_csc_feature()
            cscs.set_csc_measurement_handler(measurements.append)
            await cscs.enable_csc_measurement_notifications()
            await fascia.start()
            await dev.until(TRACE_START_MS + 17000)
            await fascia.stop()
            await asyncio.sleep(1.5)
            live = await fascia.live()
            sid = (await fascia.list_sessions())[-1].session_id
        await asyncio.sleep(bthome.MIN_INTERVAL_MS / 1000 + 0.5)
        seen = {}

        def heard(device, adv):
            seen[device.address] = (device, adv)

        scanner = BleakScanner(heard, backend=dev.backend.scanner)
        await scanner.start()
        await asyncio.sleep(1.0)
        await scanner.stop()
        # Bumble's virtual controller answers a scan request with the advertising data again, so
        # the scan response is read where the device's BLE stack holds it (what a real radio sends)
        adv_set = dev.bridge.device.legacy_advertising_set
        return feature, measurements, live, sid, seen, bytes(adv_set.scan_response_data)

    try:
        feature, measurements, live, sid, seen, scan_response = dev.run(session())
    finally:
        dev.close()
    from fascia.spec import logread

    log = logread.parse_session(next((tmp / "flash" / "log").glob(f"{sid:05d}.fs[ls]")).read_bytes())
    return {
        "trace": trace,
        "feature": feature,
        "measurements": measurements,
        "live": live,
        "log": log,
        "seen": seen,
        "scan_response": scan_response,
        "address": dev.bridge.address,
    }


def test_csc_client_reads_counts_as_crank_revolutions_and_the_rate_as_cadence(views_session):
    from host_tools.count import count_file

    feature = views_session["feature"]
    assert feature.crank_rev_supported and not feature.wheel_rev_supported
    ms = views_session["measurements"]
    assert len(ms) >= 15, "one measurement a second"
    revs = [m.cumulative_crank_revs for m in ms]
    ticks = [m.last_crank_event_time for m in ms]
    # as a watch does: revolutions and event time between consecutive measurements (both wrap at 16 bits)
    steps = [
        ((r1 - r0) & 0xFFFF, (t1 - t0) & 0xFFFF)
        for r0, r1, t0, t1 in zip(revs, revs[1:], ticks, ticks[1:], strict=False)
    ]
    moving = [i for i, (dr, _dt) in enumerate(steps) if dr]
    total = sum(dr for dr, _dt in steps)
    assert total == views_session["log"]["count"] >= 25
    # as a client averages cadence: from the first measurement with revolutions to the last
    during = steps[moving[0] + 1 : moving[-1] + 1]
    cadence = sum(dr for dr, _ in during) * 60 * csc.TICKS_PER_S / sum(dt for _, dt in during)
    counted = count_file(views_session["trace"], "jump_rope")
    # `fascia count`'s rate over the same stretch: its events from the client's first revolutions on
    # (the counter confirms a set's first jump with the second, so a client starts from there)
    first = revs[moving[0] + 1] - revs[0]  # this session's revolutions at that measurement
    events = counted["events_ms"][first - 1 :]
    rate_same_stretch = (len(events) - 1) * 60000 / (events[-1] - events[0])
    assert abs(cadence - rate_same_stretch) <= 1, (cadence, rate_same_stretch)
    # and the whole session's rate (which has the slower first jump in it)
    assert abs(cadence - counted["jump_rate"]) <= 2.5, (cadence, counted["jump_rate"])


def test_bthome_advertisement_decodes_to_the_last_sessions_count(views_session):
    from bleak.backends.scanner import AdvertisementData
    from habluetooth import BluetoothServiceInfoBleak

    from host_tools.ble.bumble_backend import _advertisement_data

    device, adv = views_session["seen"][views_session["address"]]
    assert adv.local_name == "fascia" and "fa5c0001-5e1f-4d6a-8b7c-666173636961" in adv.service_uuids
    response = AdvertisingData.from_bytes(views_session["scan_response"])
    assert len(views_session["scan_response"]) <= 31
    # the advertisement as a scanner merges it with its scan response (bleak, then Home Assistant)
    heard = _advertisement_data(cast(Any, SimpleNamespace(data=response, rssi=-60)))
    merged = AdvertisementData(**{**adv._asdict(), "service_data": heard.service_data})
    info = BluetoothServiceInfoBleak.from_device_and_advertisement_data(device, merged, "hci0", 0.0, True)
    values = _decode_bthome(info)
    live = views_session["live"]
    assert values["count"] == views_session["log"]["count"] == live.count
    assert values["battery"] == live.battery
    assert values["moving"] is False
