"""Session and trend charts: a real PNG with something drawn on it."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
from histories import day, fascia, history, session, store_with

from host_tools.plot import plot_session, plot_trend, rate_curve, stops


def assert_drawn(path: Path, min_size: int = 15_000) -> None:
    """A PNG of a sensible size whose pixels are far from blank."""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > min_size
    pixels = matplotlib.image.imread(str(path))[..., :3]
    assert pixels.shape[0] >= 400 and pixels.shape[1] >= 800
    non_white = (pixels < 0.9).any(axis=2).mean()
    assert 0.02 < non_white < 0.8  # (a trend of five items is mostly axes and white space)
    assert pixels.std() > 0.05


def test_session_plot(tmp_path: Path):
    record = session("jump_rope", day(0), minutes=2, stop_at_s=50)
    assert_drawn(plot_session(record, tmp_path / "s.png"))


def test_session_plot_from_progress_only(tmp_path: Path):
    record = session("walk", day(0), minutes=21, events=False)
    assert_drawn(plot_session(record, tmp_path / "w.png"))


def test_session_plot_unknown_start(tmp_path: Path):
    assert_drawn(plot_session(session("swing", None, minutes=5), tmp_path / "c.png"))


def test_rate_curve_and_stops():
    record = session("jump_rope", day(0), minutes=2, stop_at_s=50)
    times, rates = rate_curve(record)
    assert len(times) == len(rates) > 10
    assert 100 < sorted(rates)[len(rates) // 2] < 140  # 120 jumps a minute
    (gap,) = stops(record["events_ms"])
    assert gap[0] < 50_000 < gap[1] and gap[1] - gap[0] > 6000


def test_trend_plot(tmp_path: Path):
    sessions = history({day(k): 150 + 5 * k for k in range(0, 28, 2)})
    sessions += history({day(k): 300 for k in range(28, 40)})
    sessions += [session("walk", day(k), minutes=25, session_id=500 + k) for k in range(1, 40, 3)]
    sessions += [session("swing", day(k), minutes=6, session_id=600 + k) for k in range(2, 40, 4)]
    path = plot_trend(sessions, tmp_path / "t.png", day(39), weeks=6)
    assert_drawn(path, min_size=30_000)
    pixels = matplotlib.image.imread(str(path))[..., :3]
    assert pixels.shape[0] > pixels.shape[1] * 0.6  # four stacked panels


def test_trend_plot_with_no_sessions(tmp_path: Path):
    path = plot_trend([], tmp_path / "empty.png", day(0))
    assert path.stat().st_size > 10_000  # axes, titles and labels still drawn


def test_plot_command(tmp_path: Path, monkeypatch, capsys):
    db = store_with(tmp_path / "s.sqlite3", [session("jump_rope", day(0), minutes=1.5, session_id=3)])
    out = tmp_path / "one.png"
    assert fascia(monkeypatch, "plot", "1", "-o", str(out), "--db", str(db)) == 0
    assert_drawn(out)
    trend = tmp_path / "trend.png"
    assert (
        fascia(
            monkeypatch, "plot", "--trend", "--today", day(3).isoformat(), "-o", str(trend), "--db", str(db)
        )
        == 0
    )
    assert_drawn(trend)
    assert fascia(monkeypatch, "plot", "99", "-o", str(out), "--db", str(db)) == 2
    assert "no session with id 99" in capsys.readouterr().err
