"""Deterministic synthetic data sets for the lessons; nothing is downloaded (lesson 02 onwards).

Each scenario holds true labels, a model's scores, what each kind of error costs, the daily
volume and the review team's capacity. Same seed, same data.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from . import validation

__all__ = ["Scenario", "card_fraud", "medical_screening", "content_moderation", "urgent_tickets", "SCENARIO_NAMES", "load_scenario", "moderation_calibration"]


@dataclasses.dataclass(frozen=True, eq=False)
class Scenario:
    """A labelled data set with a model's scores and the costs of each kind of error."""

    key: str
    title: str
    description: str
    y_true: np.ndarray
    scores: np.ndarray
    cost_fp: float
    cost_fn: float
    cost_unit: str
    cases_per_day: int
    review_capacity_per_day: int
    segments: np.ndarray | None = None
    amounts: np.ndarray | None = None
    cost_tp: float = 0.0
    cost_tn: float = 0.0
    # the words for this product: what arrives, what the model raises, and who reads it
    case_word: str = "cases"
    flag_word: str = "alerts"
    reviewer_word: str = "reviewers"

    @property
    def size(self) -> int:
        return int(len(self.y_true))

    @property
    def positives(self) -> int:
        return int(self.y_true.sum())

    @property
    def prevalence(self) -> float:
        return self.positives / self.size

    def summary(self) -> str:
        return (
            f"{self.title}: {self.size:,} {self.case_word}, {self.positives:,} positive (prevalence {self.prevalence:.2%}); "
            f"a false alarm costs {self.cost_fp:g} {self.cost_unit}, a miss {self.cost_fn:g} {self.cost_unit}; "
            f"{self.cases_per_day:,} {self.case_word} a day, {self.reviewer_word} can handle {self.review_capacity_per_day:,} {self.flag_word} a day."
        )

    def __repr__(self) -> str:
        return f"Scenario({self.summary()})"


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Freeze cached arrays, so one caller cannot change the data another caller gets."""
    for array in arrays:
        array.flags.writeable = False
    return arrays


def _check_size(n, low: int, high: int) -> int:
    """Return n checked as a whole number of cases from low to high."""
    return validation.count("n", n, minimum=low, maximum=high, allowed=f"a whole number from {low:,} to {high:,}")


MAX_SEED = 2**32 - 1  # scikit-learn's random_state takes no more; one range for every scenario


def _check_seed(seed) -> int:
    """Return seed checked as a whole number from 0 to MAX_SEED (the usual message below 0)."""
    seed = validation.seed("seed", seed)
    if seed > MAX_SEED:
        raise validation.fail("seed", seed, f"a whole number from 0 to {MAX_SEED:,}")
    return seed


@functools.lru_cache(maxsize=8)
def _card_fraud_data(seed: int, n: int):
    rng = np.random.default_rng(seed)
    # A simulated model: each payment has a hidden risk x; its chance of being fraud is
    # sigmoid(-10.3 + 2.6x), and the model's score for established customers is exactly that
    # chance, so those scores are calibrated by construction (about 0.1% fraud overall).
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(-10.3 + 2.6 * x)))
    y = (rng.random(n) < p).astype(np.int8)
    segments = rng.choice(np.array(["new customer", "established", "business"]), size=n, p=[0.2, 0.65, 0.15])
    logit = np.log(p / (1 - p))
    # The model knows one segment less well (which one depends on the seed; new customers for
    # seed 0): its scores are blurred and pulled down, so one threshold serves it worse.
    weak = segments == ["new customer", "business", "established"][seed % 3]
    logit[weak] = 0.6 * logit[weak] - 3.2 + rng.normal(0, 0.8, size=int(weak.sum()))
    scores = 1 / (1 + np.exp(-logit))
    amounts = np.round(rng.lognormal(3.6, 1.0, size=n) * np.where(y == 1, 3.0, 1.0), 2)
    return _read_only(y, scores, segments, amounts)


def card_fraud(seed: int = 0, n: int = 100_000) -> Scenario:
    """Card payments with about 0.1% fraud and a simulated model's scores (lesson 02)."""
    seed = _check_seed(seed)
    n = _check_size(n, 1_000, 2_000_000)
    y, scores, segments, amounts = _card_fraud_data(seed, n)
    return Scenario(
        "card_fraud",
        "Card fraud",
        "Card payments; a model scores each one, and flagged payments are held for an analyst to review.",
        y, scores, cost_fp=5.0, cost_fn=500.0, cost_unit="USD",
        cases_per_day=100_000, review_capacity_per_day=400, segments=segments, amounts=amounts,
        case_word="payments", flag_word="alerts", reviewer_word="analysts",
    )


@functools.lru_cache(maxsize=8)
def _medical_data(seed: int):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import GaussianNB

    data = load_breast_cancer()
    y = (data.target == 0).astype(np.int8)  # 1 = malignant, the case to catch
    X_train, X_test, y_train, y_test = train_test_split(data.data, y, test_size=0.4, stratify=y, random_state=seed)
    model = GaussianNB().fit(X_train, y_train)
    return _read_only(y_test, model.predict_proba(X_test)[:, 1])


def medical_screening(seed: int = 0) -> Scenario:
    """Breast-tumour measurements (scikit-learn's bundled set), scored by naive Bayes (lesson 02).

    The set is a diagnostic one: 37% of its tumours are malignant, far more than in a screening
    population. Its naive Bayes scores are badly calibrated, which lesson 02 uses.
    """
    y, scores = _medical_data(_check_seed(seed))
    return Scenario(
        "medical_screening",
        "Tumour diagnosis (37% malignant)",
        (
            "Tumour measurements from a diagnostic data set, where 37% of tumours are malignant (a screening "
            "population has far fewer). Flagged cases get a biopsy. 1 unit = the cost of one unneeded biopsy; "
            "a missed malignant tumour is set at 50 units, a judgement to debate, not a fact."
        ),
        y, scores, cost_fp=1.0, cost_fn=50.0, cost_unit="units",
        cases_per_day=200, review_capacity_per_day=120,
        case_word="patients", flag_word="biopsies", reviewer_word="pathologists",
    )


@functools.lru_cache(maxsize=8)
def _moderation_data(seed: int, n: int):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.02).astype(np.int8)
    scores = np.where(y == 1, rng.beta(5, 2, size=n), rng.beta(1.2, 9, size=n))
    segments = rng.choice(np.array(["English", "Spanish", "other languages"]), size=n, p=[0.6, 0.25, 0.15])
    other = segments == "other languages"
    scores[other] = np.clip(scores[other] * 0.75 + rng.normal(0, 0.05, size=other.sum()), 0, 1)
    return _read_only(y, scores, segments)


def content_moderation(seed: int = 0, n: int = 50_000) -> Scenario:
    """Posts screened for harmful content, about 2% harmful (lesson 02)."""
    seed = _check_seed(seed)
    n = _check_size(n, 1_000, 2_000_000)
    y, scores, segments = _moderation_data(seed, n)
    return Scenario(
        "content_moderation",
        "Content moderation",
        "Posts on a social app; flagged posts are hidden until a moderator checks them.",
        y, scores, cost_fp=0.5, cost_fn=20.0, cost_unit="USD",
        cases_per_day=1_000_000, review_capacity_per_day=30_000, segments=segments,
        case_word="posts", flag_word="flags", reviewer_word="moderators",
    )


@functools.lru_cache(maxsize=8)
def _urgent_data(seed: int, n: int):
    rng = np.random.default_rng(seed + 7_000)
    # Each ticket has a hidden urgency x; its chance of being urgent is sigmoid(-3.6 + 1.9x), and the
    # copilot's score is that chance: calibrated by construction, about 8% urgent overall.
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(-3.6 + 1.9 * x)))
    y = (rng.random(n) < p).astype(np.int8)
    segments = rng.choice(np.array(["email", "chat", "phone transcript"]), size=n, p=[0.5, 0.35, 0.15])
    return _read_only(y, np.round(p, 4), segments)


def urgent_tickets(seed: int = 0, n: int = 20_000) -> Scenario:
    """Support tickets a triage copilot scores for urgency, about 8% urgent (lesson 07, the capstone)."""
    seed = _check_seed(seed)
    n = _check_size(n, 1_000, 2_000_000)
    y, scores, segments = _urgent_data(seed, n)
    return Scenario(
        "urgent_tickets",
        "Urgent support tickets",
        (
            "Tickets to a software company's support desk. The copilot flags the ones it thinks are urgent (an outage, "
            "a security problem, a customer about to leave) for a senior agent within the hour. A false flag costs a "
            "senior agent's look; a missed urgent ticket costs a service credit and some churn risk."
        ),
        y, scores, cost_fp=4.0, cost_fn=120.0, cost_unit="USD",
        cases_per_day=6_000, review_capacity_per_day=700, segments=segments,
        case_word="tickets", flag_word="flags", reviewer_word="senior agents",
    )


SCENARIO_NAMES = {"card_fraud": card_fraud, "medical_screening": medical_screening, "content_moderation": content_moderation, "urgent_tickets": urgent_tickets}


def load_scenario(name: str, seed: int = 0) -> Scenario:
    """Return a scenario by name: card_fraud, medical_screening, content_moderation or urgent_tickets."""
    if not isinstance(name, str) or name not in SCENARIO_NAMES:
        raise validation.fail("name", name, "one of " + ", ".join(map(repr, SCENARIO_NAMES)))
    return SCENARIO_NAMES[name](seed=seed)


def moderation_calibration(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (labels, raw scores, recalibrated scores) for half of the moderation posts (lesson 02).

    The raw scores are not probabilities: far fewer than half of the posts scored 0.5 are harmful.
    An isotonic regression (the method behind scikit-learn's CalibratedClassifierCV) is fitted on
    the other half of the posts and maps each raw score to the share of harmful posts seen at it.
    """
    from sklearn.isotonic import IsotonicRegression

    scenario = content_moderation(seed)
    rng = np.random.default_rng(_check_seed(seed) + 1)
    order = rng.permutation(scenario.size)
    fit, test = order[: scenario.size // 2], order[scenario.size // 2 :]
    mapping = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(scenario.scores[fit], scenario.y_true[fit])
    return scenario.y_true[test], scenario.scores[test], mapping.predict(scenario.scores[test])


# --------------------------------------------------------------------------------------------
# Lesson 03: predictions with a confidence, and whether each was right
# --------------------------------------------------------------------------------------------

TICKET_CATEGORIES = (
    "billing", "refund", "delivery", "returns", "account access", "password reset",
    "product question", "complaint", "cancellation", "technical fault", "legal", "other",
)


@dataclasses.dataclass(frozen=True, eq=False)
class ConfidenceScenario:
    """Predictions with the model's confidence, the true answers, and what errors and reviews cost."""

    key: str
    title: str
    description: str
    y_true: np.ndarray
    y_pred: np.ndarray
    confidence: np.ndarray
    cases_per_day: int
    suggested_budget: float
    cost_error_served: float
    cost_error_caveat: float
    cost_per_review: float
    minutes_per_review: float

    @property
    def correct(self) -> np.ndarray:
        return self.y_true == self.y_pred

    @property
    def size(self) -> int:
        return int(len(self.y_true))

    @property
    def error_rate(self) -> float:
        return float(1 - self.correct.mean())

    def summary(self) -> str:
        return (
            f"{self.title}: {self.size:,} labelled cases, overall error rate {self.error_rate:.1%}; "
            f"{self.cases_per_day:,} cases a day; an error served costs ${self.cost_error_served:g}, "
            f"with a caveat ${self.cost_error_caveat:g}; a human review costs ${self.cost_per_review:g} "
            f"({self.minutes_per_review:g} minutes)."
        )

    def __repr__(self) -> str:
        return f"ConfidenceScenario({self.summary()})"


@functools.lru_cache(maxsize=8)
def _ticket_data(seed: int, n: int):
    rng = np.random.default_rng(seed)
    weights = np.array([18, 12, 14, 9, 7, 8, 10, 6, 5, 6, 1, 4], dtype=float)
    y_true = rng.choice(len(TICKET_CATEGORIES), size=n, p=weights / weights.sum())
    # Confidence is roughly calibrated: a ticket answered with confidence c is right about c of the time.
    confidence = np.clip(rng.beta(9, 1.2, size=n), 0.05, 0.999)
    right = rng.random(n) < confidence
    wrong_pick = (y_true + rng.integers(1, len(TICKET_CATEGORIES), size=n)) % len(TICKET_CATEGORIES)
    y_pred = np.where(right, y_true, wrong_pick)
    return _read_only(y_true, y_pred, np.round(confidence, 3))


def support_tickets(seed: int = 0, n: int = 4_000) -> ConfidenceScenario:
    """Support tickets routed into 12 categories, with the model's confidence (lesson 03)."""
    seed = _check_seed(seed)
    n = _check_size(n, 100, 1_000_000)
    y_true, y_pred, confidence = _ticket_data(seed, n)
    return ConfidenceScenario(
        "support_tickets",
        "Support ticket routing",
        "Tickets routed to one of 12 queues. A wrong queue costs a re-route and a slower answer; a human triager can route a ticket in about 2 minutes.",
        y_true, y_pred, confidence, cases_per_day=6_000, suggested_budget=0.05,
        cost_error_served=4.0, cost_error_caveat=1.5, cost_per_review=1.2, minutes_per_review=2.0,
    )


@functools.lru_cache(maxsize=8)
def _recommendation_data(seed: int, n: int):
    rng = np.random.default_rng(seed + 1000)
    confidence = np.clip(rng.beta(4, 1.2, size=n), 0.05, 0.999)
    relevant = rng.random(n) < np.clip(confidence + 0.05, 0, 1)
    y_true = relevant.astype(np.int8)
    y_pred = np.ones(n, dtype=np.int8)  # every recommendation claims to be relevant
    return _read_only(y_true, y_pred, np.round(confidence, 3))


def recommendations(seed: int = 0, n: int = 5_000) -> ConfidenceScenario:
    """Product recommendations, where up to 10% irrelevant items is acceptable (lesson 03)."""
    seed = _check_seed(seed)
    n = _check_size(n, 100, 1_000_000)
    y_true, y_pred, confidence = _recommendation_data(seed, n)
    return ConfidenceScenario(
        "recommendations",
        "Product recommendations",
        "Items shown on a shop's home page. An irrelevant item costs a little attention; nobody reviews recommendations by hand, so the fallback is a list of best-sellers.",
        y_true, y_pred, confidence, cases_per_day=200_000, suggested_budget=0.10,
        cost_error_served=0.02, cost_error_caveat=0.01, cost_per_review=0.0, minutes_per_review=0.0,
    )


CONFIDENCE_SCENARIOS = {"support_tickets": support_tickets, "recommendations": recommendations}
