"""The device's Bluetooth bonds on flash (fascia.app.bonds): kept across reboots, at most
MAX_BONDS hosts, forgotten one by one, cleared by a factory reset; a damaged file never stops it."""

from fascia.app.bonds import MAX_BONDS


def test_bonds_are_kept_limited_forgotten_and_reset(dual, tmp_path):
    stored, read_back, forgotten, damaged, reset = dual("bonds_driver", str(tmp_path))
    kept, labels = stored
    assert kept == [True] * MAX_BONDS + [False]  # a fifth host is refused, not an old one dropped
    assert labels == [f"c000000000{n:02x}" for n in range(1, MAX_BONDS + 1)]
    assert read_back == ["keys2", "keys2", "ours"]
    assert forgotten == [MAX_BONDS - 1, None]  # every secret of the forgotten host is gone
    assert damaged == [f"c000000000{n:02x}" for n in range(2, MAX_BONDS + 1)]
    assert reset == [[], False, False, []]
