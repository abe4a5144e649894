"""Hardware drivers against bus-level models (host_tools/sim/mpylib), on CPython and MicroPython.

The models speak the chips' bus protocols (I2C register auto-increment, FIFO count registers,
SSD1306 control bytes, ST7789 DC/CS framing), so these runs exercise the real driver code paths.
"""

import pytest

from host_tools.gen import jumprope


def by_name(lines):
    named = {}
    for name, value in lines:
        named.setdefault(name, []).append(value)
    return named


@pytest.mark.parametrize("chip", ["mpu6886", "mpu6050"])
def test_mpu_fifo_driver(dual, chip):
    r = by_name(dual("drv_mpu", chip, sim=True))
    found, expected = ("0x68", "0x19") if chip == "mpu6886" else ("0x19", "0x68")
    assert r["whoami"] == [f"{chip.upper()} not found at I2C 0x68: WHO_AM_I is {found}, expected {expected}"]
    assert r["absent"] == [True]
    for odr, period_us, model_period_us, n_read, n_made, err_mg, steps, overflow in r["odr"]:
        # the rate the driver sets is the rate the model runs at (400 Hz rounds up to 500 Hz)
        expected = 1000 * (1000 // odr)
        assert period_us == model_period_us == expected
        assert steps == [expected // 1000]
        # 1 s of samples, every one read back in mg within 1 LSB (0.49 mg), clipped at +-16 g
        assert n_read == n_made == 1_000_000 // expected
        assert err_mg <= 1
        assert overflow is False
    for first, n, lost, again, model_overflowed, n_after in r["overflow"]:
        # 300 ms at 1 kHz does not fit the 1 KB FIFO: reported once, the FIFO restarts cleanly
        assert (lost, again, model_overflowed) == (True, False, True)
        assert n == (0 if first == "read_fifo" else -1)
        assert n_after == 20
    # the sensor stops answering at 500 ms: an OSError(ETIMEDOUT) reaches the caller
    assert r["stops"] == [[500, True, 90]]
    # stuck from 300 ms at 100 Hz: 29 distinct samples, then one value repeated
    assert r["stuck"] == [[100, 29, 1, True]]


def test_displays_show_the_framebuffer(dual):
    r = by_name(dual("drv_display", sim=True))
    on, mode, seg_remap, com_flip, mux, blank = r["oled_init"][0]
    assert (on, mode, seg_remap, com_flip, mux, blank) == (True, 0, True, True, 63, True)
    same, lit, text_px, text_shown = r["oled_frame"][0]
    assert same and lit > text_px > 100 and text_shown == text_px
    assert r["oled_state"] == [[0x40, True, False]]
    for rotation, (rot, w, h, bad, lit, buf_len, state) in enumerate(r["tft"]):
        assert rot == rotation
        assert (w, h) == ((135, 240) if rotation == 0 else (240, 135))
        assert bad == 0 and lit > 500
        assert buf_len <= 4080  # 1-bit surface instead of a 64,800-byte RGB565 frame
        assert state == [True, False, 0x55, True, (0x00, 0x60)[rotation]]
    assert r["tft_cs"] == [True]


@pytest.mark.parametrize(("board", "seconds"), [("devkit", 12), ("m5stickc", 12)])
def test_the_panel_shows_the_session_at_every_look(dual, board, seconds, tmp_path):
    """The app redraws only when what it shows changes and the drivers send only the part of the
    frame that changed: at each of its looks (10 a second) the panel, decoded from the bus by its
    model, must show exactly the screen drawn afresh from the session's state then."""
    stem = tmp_path / "rope"
    trace = jumprope.generate("basic", 7, 1000.0, stem, duration_s=float(seconds))[0]
    flash = tmp_path / "flash"
    flash.mkdir()
    r = by_name(dual("app_screen", board, str(trace), str(seconds), str(flash), sim=True))
    [[looks, stale_looks, frames, counts_seen, count, final_stale]] = r["session"]
    assert stale_looks == 0 and final_stale == 0  # (the summary after the stop too)
    assert looks >= 9 * seconds  # about 10 looks a second while training
    assert count > 0 and counts_seen >= 2  # the count changed on screen
    assert frames < looks / 2  # a frame only when something shown changed (the clock: once a second)


def test_buttons_and_battery(dual):
    r = by_name(dual("drv_inputs", sim=True))
    press, long = 1, 2
    # bounce ignored, 10 ms glitch ignored, long press once with no press on release, 40 ms tap counts
    assert r["buttons"] == [[[330, press], [1800, long], [3070, press]]]
    assert r["buttons_wrap"] == [[[170, long]]]
    assert r["battery"] == [
        [2150000, 4300, 100],
        [2100000, 4200, 100],
        [2000000, 4000, 78],
        [1925000, 3850, 52],
        [1900000, 3800, 42],
        [1800000, 3600, 5],
        [1600000, 3200, 0],
    ]
    assert abs(r["battery_noisy"][0] - 3800) <= 10
    curve = r["curve"][0]
    assert curve == sorted(curve) and curve[0] == 0 and curve[-1] == 100
