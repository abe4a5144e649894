"""Daily goal and the 10-jumps-a-day-for-10-days challenge, persisted on the device's flash."""


def test_daily_progress_and_challenge(dual, tmp_path):
    first, second, damaged = dual("progress_driver", str(tmp_path / "days.json"))
    today_101, streak_102, streak_103, streak_104 = first
    assert today_101 == 11  # two sessions on one day add up
    assert streak_102 == 3  # days 100, 101, 102 each >= 10 jumps
    assert streak_103 == 3  # day 103 still open (9 jumps): the streak stands
    assert streak_104 == 0  # day 103 ended with 9: broken
    streak, kept, oldest = second
    assert streak == 10  # the challenge is done (plan's CHALLENGE_DAYS)
    assert kept == 14 and oldest == 100
    assert damaged == 0  # a damaged file is replaced, never fatal
