"""The load client's own rules: loopback targets only, and the percentiles its reports use."""

from __future__ import annotations

import pytest

from bench.ws_load import _ws_url, latency_summary, percentile


def test_the_load_client_refuses_anything_but_loopback():
    assert _ws_url("http://127.0.0.1:8680") == (
        "ws://127.0.0.1:8680/_stcore/stream",
        "http://127.0.0.1:8680",
    )
    with pytest.raises(ValueError, match="loopback only"):
        _ws_url("http://example.org:8680")


def test_percentiles_are_nearest_rank_of_the_sorted_values():
    values = [float(v) for v in range(1, 21)]  # 1..20
    assert percentile(values, 0.5) == 10.0  # rank int(0.5 * 19) = 9
    assert percentile(values, 0.95) == 19.0  # rank int(0.95 * 19) = 18
    assert percentile([], 0.5) is None


def test_a_latency_summary_sorts_first_and_counts_every_run():
    summary = latency_summary([3.0, 1.0, 2.0, 10.0])
    assert summary == {"runs": 4, "p50_s": 2.0, "p95_s": 3.0}
    assert latency_summary([]) == {"runs": 0, "p50_s": None, "p95_s": None}
