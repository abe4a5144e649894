"""Benchmarks (`make bench`): they print figures and write them to out/bench/*.json.

They never fail on a figure: targets are read by people, not asserted.
"""
