"""THE table of activities and the figures their counters report: one place, read by the device
(counter, sensor rate, energy, screens, log codes, the Bluetooth live figure) and by the host
(`count`, `show`, `stats`, `plot`, `export`, `plan`, through host_tools.vocabulary). A new activity
or figure is one line here; tests/test_activities.py checks that every figure a counter reports is
in the table and that the table holds nothing no counter reports.

The tables are text on purpose: on the device one string costs less RAM than a hundred small
objects, and no interned names (qstrs). A row is split only when asked for. In both tables "_"
stands for a space and "-" for nothing.

ACTIVITIES columns: name; log code (the session log's HEADER, the Bluetooth LIVE packet; never
reused); screen title; unit of the count; counter module in fascia.detect and its class; MET x10
(energy: Compendium of Physical Activities: rope jumping 11.8, club swings ~8.0, brisk walking 5.0,
hatha yoga 2.5, dancing ~5.0); sensor rate, Hz (the MPU's rates are 1 kHz / n: 500 is the nearest
to the 400 a rope needs); then the figures the counter reports, in the order the summary screen
and `show` list them; the first is the one the Bluetooth LIVE packet carries.

FIGURES columns: log code (the extras block of fascia.spec.log; append only: 3 reps, 4 steps,
5 tempo_x10, 8 active_ms, 9 rounds are reserved, never written); name; unit ("-" a number, "ms" and
"s" durations shown as 1.4 s and 12:30, "min", "/min", "%", "tempo" a code shown by its name in
TEMPO_NAMES); short label; aggregation over sessions: sum, max, mean (weighted by each session's
count, or its time where the count is time), last (the latest session's: a tempo class is never
averaged; `stats` keeps light-fast and heavy-slow sessions apart).
"""

ACTIVITIES = """\
jump_rope 1 JUMP_ROPE  jumps    jump  JumpDetector  118 500 trips double_unders max_streak jump_rate
swing 2 CLUBBELL reps swing SwingDetector 80 100 tempo mean_period_ms reps_swing reps_cast reps_snatch
walk      3 POWER_WALK steps    step  StepDetector   50 100 cadence_spm walking_s brisk_minutes arm_swing
yoga      4 YOGA       s_active move  MoveDetector   25 100 active_pct
dance     5 DANCE      s_active move  MoveDetector   50 100 active_pct
"""

FIGURES = """\
0 trips - trips sum
1 double_unders - double-unders sum
2 max_streak - best_streak max
6 mean_period_ms ms rep mean
7 cadence_spm /min cadence mean
10 jump_rate /min pace mean
11 tempo tempo tempo last
12 walking_s s walking sum
13 gaps - data_gaps sum
14 brisk_minutes min brisk sum
15 arm_swing - arm_swing mean
16 reps_swing - swings sum
17 reps_cast - casts sum
18 reps_snatch - snatches sum
19 active_pct % active mean
"""
# (one space between columns: on the device every byte of this text is RAM)
TEMPO_NAMES = ("unknown", "light-fast", "heavy-slow")  # the swing counter's tempo codes 0, 1, 2


def _text(x: str) -> str:
    return "" if x == "-" else x.replace("_", " ")


def _find(text: str, i: int, name: str):
    """The split row of table `text` whose column `i` is `name`, or None."""
    for x in text.split("\n"):
        x = x.split()
        if x and x[i] == name:
            return x
    return None


NAMES = tuple(x.split()[0] for x in ACTIVITIES.split("\n") if x)  # in table order (one copy on the device)


def activity(name: str) -> tuple:
    """(name, code, title, unit, counter module, class, MET x10, sensor Hz, live figure, figures)
    where the live figure is the first of the figures."""
    r = _find(ACTIVITIES, 0, name)
    if r is None:
        raise ValueError("unknown activity %r" % name)
    return (
        r[0],
        int(r[1]),
        _text(r[2]),
        _text(r[3]),
        r[4],
        r[5],
        int(r[6]),
        int(r[7]),
        r[8],
        tuple(r[8:]),
    )


def figure(name: str):
    """(name, unit, label, aggregation, log code) of a figure, or None if the table lacks it."""
    r = _find(FIGURES, 1, name)
    return None if r is None else (r[1], _text(r[2]), _text(r[3]), r[4], int(r[0]))


def figure_text(name: str, value: int) -> str:
    """'trips 3', 'rep 1.4 s', 'light-fast', 'cadence 128/min': a figure as the device and `show`
    print it."""
    row = figure(name) or (name, "", name)
    unit = row[1]
    if unit == "tempo" and 0 <= value < len(TEMPO_NAMES):
        return TEMPO_NAMES[value]
    if unit == "ms":
        return "%s %d.%d s" % (row[2], value // 1000, value % 1000 // 100)
    if unit == "s":
        return "%s %d:%02d" % (row[2], value // 60, value % 60)
    return "%s %d%s" % (row[2], value, " " + unit if unit[:1].isalpha() else unit)
