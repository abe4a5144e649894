"""The device's block path (`fascia.detect.feed_block`, one call per FIFO read) counts exactly as
feeding the samples one by one, for every counter, on CPython and on MicroPython."""

import pytest

from conftest import run_driver
from host_tools.gen import clubbell, jumprope, walk

# (activity, a generated trace with events in it: long enough for a walk's confirmation and a whole set)
TRACES = {
    "jump_rope": lambda stem: jumprope.generate("basic", 11, 200.0, stem, duration_s=25.0),
    "swing": lambda stem: clubbell.generate("light", 11, 100.0, stem),
    "walk": lambda stem: walk.generate("brisk", 11, 25.0, stem, duration_s=40.0),
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    folder = tmp_path_factory.mktemp("block_traces")
    return {activity: make(folder / activity)[0] for activity, make in TRACES.items()}


@pytest.mark.parametrize("activity", sorted(TRACES))
def test_feed_block_counts_as_feed(traces, activity):
    runs = {rt: run_driver(rt, "feed_block_driver", str(traces[activity]), activity) for rt in RUNTIMES}
    for runtime, (one_by_one, *in_blocks) in runs.items():
        assert one_by_one["count"] > 0, (runtime, "no events: the comparison would prove nothing")
        assert in_blocks == [one_by_one, one_by_one], runtime
    assert runs["cpython"] == runs["micropython"]


RUNTIMES = ("cpython", "micropython")
