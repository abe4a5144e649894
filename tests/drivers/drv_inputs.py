# Driver for test_drivers.py: debounced buttons on a scripted pin, battery from a simulated ADC.
import json

from sim_board import VirtualClock
from sim_pins import SimADC, SimPin

from fascia.drivers import buttons
from fascia.drivers.battery import Battery, percent


def out(name, value):
    print(json.dumps([name, value]))


clock = VirtualClock()
# active-low button: 1 = released. Bounces around each edge, a 10 ms glitch, a short and a long press.
script = [
    (100, 0), (103, 1), (106, 0),  # press with bounce
    (300, 1), (302, 0), (305, 1),  # release with bounce: PRESS
    (600, 0), (610, 1),  # 10 ms glitch: nothing
    (1000, 0),  # hold 1.5 s: LONG once, nothing on release
    (2500, 1),
    (3000, 0), (3040, 1),  # 40 ms tap: still a PRESS (debounce is 30 ms)
]  # fmt: skip
pin = SimPin(1, script=script, clock=clock.ms)
button = buttons.Button(pin, debounce_ms=30, long_ms=800)
events = []
for t in range(0, 3500, 5):
    clock.now = t
    ev = button.poll(t)
    if ev != buttons.NONE:
        events.append([t, ev])
out("buttons", events)

# ticks_ms wraps at 2**30: a press across the wrap still works
wrap = (1 << 30) - 50
pin = SimPin(1)
button = buttons.Button(pin, long_ms=800)
events = []
for i in range(300):
    t = (wrap + 5 * i) & ((1 << 30) - 1)
    pin.value(0 if 10 <= i < 200 else 1)
    ev = button.poll(t)
    if ev != buttons.NONE:
        events.append([i, ev])
out("buttons_wrap", events)

# battery: divider 2:1, ADC in microvolts
for uv in (2150000, 2100000, 2000000, 1925000, 1900000, 1800000, 1600000):
    bat = Battery(SimADC(uv), ratio=2)
    out("battery", [uv, bat.read_mv(), bat.percent()])
noise = [0]


def noisy():
    noise[0] += 1
    return 1900000 + (7919 * noise[0]) % 20001 - 10000


out("battery_noisy", Battery(SimADC(noisy), ratio=2, samples=16).read_mv())
out("curve", [percent(mv) for mv in range(3200, 4301, 50)])
