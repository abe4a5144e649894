# Driver for test_progress.py: daily totals and the 10x10 streak, persisted to a file (argv[1]).
import json
import sys

from fascia.app.progress import DailyProgress

path = sys.argv[1]
p = DailyProgress(path)
for day, jumps in ((100, 12), (101, 5), (101, 6), (102, 30), (103, 9)):
    p.add(day, jumps)
p.save()
q = DailyProgress(path)
print(json.dumps([q.today(101), q.streak(102), q.streak(103), q.streak(104)]))
for day in range(104, 114):
    q.add(day, 10)
q.save()
r = DailyProgress(path)
print(json.dumps([r.streak(113), len(r.days), min(r.days)]))
with open(path, "w") as f:
    f.write("{garbage")
print(json.dumps(len(DailyProgress(path).days)))
