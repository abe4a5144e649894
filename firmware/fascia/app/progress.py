"""Daily jump totals kept on the device: today's goal and the "10 jumps a day, 10 days in a row" challenge.

A tiny JSON file (`days.json`: {"days": [[day, jumps], ...]}) holds the last 16 days, so the
device can show progress without reading its whole log (which sync empties). A day is the local
date as days since 1970 from the RTC; before the host first sets the clock the RTC counts from
its reset value, which still gives consecutive days.
"""

from micropython import const

CHALLENGE_JUMPS = const(10)  # a challenge day needs this many jumps
CHALLENGE_DAYS = const(10)  # ... this many days in a row
_KEEP = const(16)


class DailyProgress:
    def __init__(self, path: str = "days.json"):
        self.path = path
        self.days = {}  # day -> jumps
        self._load()

    def _load(self) -> None:
        import json

        try:
            with open(self.path) as f:
                rows = json.load(f)["days"]
            for day, jumps in rows:
                if type(day) is int and type(jumps) is int and jumps >= 0:
                    self.days[day] = jumps
        except (OSError, ValueError, KeyError, TypeError, RuntimeError, MemoryError):
            self.days = {}  # missing or damaged (bad bytes, too deep): start again, never refuse to run

    def save(self) -> None:
        import json

        keep = sorted(self.days)[-_KEEP:]
        self.days = {d: self.days[d] for d in keep}
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"days": [[d, self.days[d]] for d in keep]}, f)
        import os

        os.rename(tmp, self.path)  # atomic on littlefs and POSIX: never a half-written file

    def add(self, day: int, jumps: int) -> None:
        self.days[day] = self.days.get(day, 0) + jumps

    def today(self, day: int) -> int:
        return self.days.get(day, 0)

    def streak(self, day: int) -> int:
        """Consecutive challenge days ending today (or yesterday, while today is still open)."""
        d = day if self.days.get(day, 0) >= CHALLENGE_JUMPS else day - 1
        n = 0
        while self.days.get(d, 0) >= CHALLENGE_JUMPS:
            n += 1
            d -= 1
        return n
