"""aipm_course.scenarios: deterministic, documented and offline data sets for lesson 02."""

import socket

import numpy as np
import pytest
import sklearn.datasets
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score

from aipm_course import scenarios
from aipm_course.scenarios import SCENARIO_NAMES, Scenario, card_fraud, content_moderation, load_scenario, medical_screening

NAMES = ["card_fraud", "medical_screening", "content_moderation", "urgent_tickets"]
DOCUMENTED_SEGMENTS = {
    "card_fraud": {"new customer", "established", "business"},
    "medical_screening": None,
    "content_moderation": {"English", "Spanish", "other languages"},
    "urgent_tickets": {"email", "chat", "phone transcript"},
}


def clear_scenario_caches():
    """Forget every cached data set, so the next call builds it again from the seed."""
    for obj in vars(scenarios).values():
        if callable(getattr(obj, "cache_clear", None)):
            obj.cache_clear()


def arrays(scenario):
    return {
        name: np.array(getattr(scenario, name), copy=True)
        for name in ("y_true", "scores", "segments", "amounts")
        if getattr(scenario, name) is not None
    }


# --------------------------------------------------------------------------------------------
# Shape of every scenario
# --------------------------------------------------------------------------------------------


def test_the_three_scenarios_are_registered():
    assert set(SCENARIO_NAMES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_scenario_holds_labels_scores_and_costs(name):
    s = load_scenario(name)
    assert isinstance(s, Scenario) and s.key == name
    assert s.y_true.ndim == 1 and s.scores.shape == s.y_true.shape
    assert set(np.unique(s.y_true).tolist()) == {0, 1}
    assert np.all(np.isfinite(s.scores)) and s.scores.min() >= 0 and s.scores.max() <= 1
    assert s.size == len(s.y_true)
    assert s.positives == int(np.sum(s.y_true == 1))
    assert s.prevalence == pytest.approx(np.mean(s.y_true == 1))
    assert 0 < s.cost_fp < s.cost_fn  # a miss is the dearer error in all three
    assert 0 < s.review_capacity_per_day < s.cases_per_day
    assert s.title in s.summary() and f"{s.prevalence:.2%}" in s.summary()
    assert s.summary() in repr(s)


@pytest.mark.parametrize("name", NAMES)
def test_segments_are_present_where_documented(name):
    s = load_scenario(name)
    expected = DOCUMENTED_SEGMENTS[name]
    if expected is None:
        assert s.segments is None
    else:
        assert s.segments.shape == s.y_true.shape
        assert set(np.unique(s.segments).tolist()) == expected
    if s.amounts is not None:
        assert s.amounts.shape == s.y_true.shape and np.all(s.amounts > 0)


# --------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data_even_when_rebuilt(name):
    first = arrays(load_scenario(name, seed=2))
    clear_scenario_caches()
    rebuilt = arrays(load_scenario(name, seed=2))
    assert first.keys() == rebuilt.keys()
    for key in first:
        np.testing.assert_array_equal(first[key], rebuilt[key], err_msg=key)


@pytest.mark.parametrize("name", NAMES)
def test_another_seed_gives_other_data(name):
    a, b = load_scenario(name, seed=0), load_scenario(name, seed=1)
    assert not np.array_equal(a.scores, b.scores)


def test_changing_a_returned_array_does_not_change_the_next_call():
    first = card_fraud(seed=3, n=1_000)  # a size no other test uses
    original = first.scores.copy()
    try:
        first.scores[:] = 0.5
    except ValueError:  # read-only arrays would be a fix as good as copies
        return
    try:
        np.testing.assert_array_equal(card_fraud(seed=3, n=1_000).scores, original)
    finally:
        first.scores[:] = original


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_bad_seeds_are_refused(name, seed):
    with pytest.raises(ValueError, match="seed"):
        load_scenario(name, seed=seed)


def test_numpy_whole_numbers_are_good_seeds():
    np.testing.assert_array_equal(card_fraud(seed=np.int64(1)).scores, card_fraud(seed=1).scores)


@pytest.mark.parametrize("name", ["fraud", "", "CARD_FRAUD", "card fraud"])
def test_unknown_scenario_names_are_refused(name):
    with pytest.raises(ValueError, match="card_fraud") as info:
        load_scenario(name)
    assert repr(name) in str(info.value)


@pytest.mark.parametrize("n", [999, 2_000_001, 1_500.0, True, "5000"])
@pytest.mark.parametrize("make", [card_fraud, content_moderation])
def test_bad_sizes_are_refused(make, n):
    with pytest.raises(ValueError, match="n must"):
        make(n=n)


def test_load_scenario_passes_the_seed_on():
    np.testing.assert_array_equal(load_scenario("card_fraud", seed=1).scores, card_fraud(seed=1).scores)
    np.testing.assert_array_equal(load_scenario("medical_screening", seed=1).y_true, medical_screening(seed=1).y_true)


# --------------------------------------------------------------------------------------------
# What each scenario promises
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_card_fraud_is_rare(seed):
    s = card_fraud(seed)
    assert s.size == 100_000
    assert 0.0005 < s.prevalence < 0.002
    shares = {name: np.mean(s.segments == name) for name in DOCUMENTED_SEGMENTS["card_fraud"]}
    assert shares == pytest.approx({"new customer": 0.2, "established": 0.65, "business": 0.15}, abs=0.01)


def test_card_fraud_scores_are_calibrated_except_for_the_seeds_weak_segment():
    # A calibrated score is the chance of fraud, so a group's scores add up to about its frauds.
    # One segment per seed (new customers for seed 0) has its scores pulled down.
    weak_by_seed = ["new customer", "business", "established"]
    calibrated = {"frauds": 0, "expected": 0.0}
    weak = {"frauds": 0, "expected": 0.0}
    for seed in range(6):
        s = card_fraud(seed)
        for name in DOCUMENTED_SEGMENTS["card_fraud"]:
            mask = s.segments == name
            bucket = weak if name == weak_by_seed[seed % 3] else calibrated
            bucket["frauds"] += int(s.y_true[mask].sum())
            bucket["expected"] += float(s.scores[mask].sum())
    assert abs(calibrated["frauds"] - calibrated["expected"]) < 4 * np.sqrt(calibrated["expected"])
    assert weak["expected"] < 0.7 * weak["frauds"]


def test_card_fraud_size_can_change():
    s = card_fraud(seed=0, n=5_000)
    assert s.size == 5_000 and s.segments.shape == (5_000,) and s.amounts.shape == (5_000,)


def test_medical_screening_is_the_stratified_test_part_of_the_bundled_set():
    data = load_breast_cancer()
    assert list(data.target_names) == ["malignant", "benign"]  # sklearn's target 0 is malignant
    malignant_rows = int(np.sum(data.target == 0))
    assert (len(data.target), malignant_rows) == (569, 212)
    for seed in range(3):
        s = medical_screening(seed)
        assert s.size == 228  # 40% of 569, rounded up
        # y = 1 means malignant: 40% of the 212 malignant rows, not 40% of the 357 benign ones
        assert abs(s.positives - 0.4 * malignant_rows) <= 1
        assert s.prevalence == pytest.approx(212 / 569, abs=0.01)
        assert s.segments is None and s.amounts is None
        assert roc_auc_score(s.y_true, s.scores) > 0.9  # high scores mean malignant


@pytest.mark.parametrize("seed", range(3))
def test_content_moderation_is_about_two_percent_harmful(seed):
    s = content_moderation(seed)
    assert s.size == 50_000
    assert s.prevalence == pytest.approx(0.02, abs=0.003)
    english, other = s.segments == "English", s.segments == "other languages"
    harmful = s.y_true == 1
    # the model scores harmful posts in other languages lower than harmful English posts
    assert s.scores[other & harmful].mean() < s.scores[english & harmful].mean()
    assert roc_auc_score(s.y_true, s.scores) > 0.8


# --------------------------------------------------------------------------------------------
# Offline
# --------------------------------------------------------------------------------------------


def test_nothing_is_downloaded(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a scenario tried to download data")

    fetchers = [name for name in dir(sklearn.datasets) if name.startswith("fetch_")]
    assert fetchers  # the check below means something
    for name in fetchers:
        monkeypatch.setattr(sklearn.datasets, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    clear_scenario_caches()
    for name in NAMES:
        assert load_scenario(name, seed=4).size > 0


def test_the_module_never_names_a_fetch_function():
    with open(scenarios.__file__, encoding="utf-8") as handle:
        assert "fetch_" not in handle.read()


def test_each_scenario_speaks_of_its_own_product():
    from aipm_course import scenarios as sc

    tickets = sc.urgent_tickets(0)
    assert "6,000 tickets a day, senior agents can handle 700 flags a day" in tickets.summary()
    fraud = sc.card_fraud(0)
    assert "analysts can handle 400 alerts a day" in fraud.summary()
    moderation = sc.content_moderation(0)
    assert "1,000,000 posts a day, moderators can handle 30,000 flags a day" in moderation.summary()
    assert "pathologists can handle 120 biopsies a day" in sc.medical_screening(0).summary()
