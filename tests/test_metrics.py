"""Control, Scaling and Performance on examples computed by hand; the paired bootstrap's interval."""

import pytest

from s1kit.metrics import Run, control, paired_bootstrap, performance, scaling


def test_three_measures_on_a_hand_computed_example():
    runs = [Run(100, 0.30, 0, 128), Run(200, 0.40, 0, 256), Run(400, 0.50, 0, 256)]
    assert control(runs) == pytest.approx(2 / 3)  # the 400-token run broke its 256 budget
    # slopes: (0.40-0.30)/100 = 1e-3, (0.50-0.30)/300 = 6.667e-4, (0.50-0.40)/200 = 5e-4
    assert scaling(runs) == pytest.approx((1e-3 + 0.2 / 300 + 5e-4) / 3)
    assert performance(runs) == 0.50
    assert scaling([Run(10, 0.5), Run(20, 0.3)]) == pytest.approx(-0.02)  # falling accuracy: negative scaling


def test_measures_refuse_what_they_cannot_measure():
    with pytest.raises(ValueError, match="two runs with different"):
        scaling([Run(10, 0.5), Run(10, 0.6)])
    with pytest.raises(ValueError):
        control([])


def test_paired_bootstrap():
    a = [True] * 50 + [False] * 50
    b = [True] * 80 + [False] * 20  # b right wherever a is, and on 30 more
    delta, low, high = paired_bootstrap(a, b, samples=1000, seed=1)
    assert delta == pytest.approx(0.30) and 0.2 < low < 0.3 < high < 0.4
    same = paired_bootstrap(a, a)
    assert same == (0.0, 0.0, 0.0)
    assert paired_bootstrap(a, b, seed=1) == paired_bootstrap(a, b, seed=1)
    with pytest.raises(ValueError, match="equally long"):
        paired_bootstrap(a, b[:10])
