"""The synthetic trace set of lesson 08: the bundled file, the generator, the loader and the support score.

Rates are counted here from the trace fields with plain loops (not with the TraceSet's own helpers),
and the support score is checked against values worked out by hand.
"""

import collections
import json
import re
import time
from importlib import resources

import numpy as np
import pytest

from aipm_course import traces as T
from aipm_course.retrieval import load_corpus
from aipm_course.validation import AipmError


@pytest.fixture(scope="module")
def ts():
    return T.load_traces()


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def rates(traces, judge):
    """TPR and TNR of a judge against the human labels (pass is the positive class), by counting."""
    tp = fn = fp = tn = 0
    for t in traces:
        verdict = getattr(t, f"judge_{judge}")
        if t.human_label == "pass":
            tp, fn = tp + (verdict == "pass"), fn + (verdict == "fail")
        else:
            fp, tn = fp + (verdict == "pass"), tn + (verdict == "fail")
    return tp / (tp + fn), tn / (tn + fp)


def agreement(traces):
    """Share of claims where the support score at the threshold agrees with the human claim label."""
    hits = total = 0
    for t in traces:
        passages = traces.passages(t)
        for c in t.claims:
            hits += (T.support_score(c.text, passages) >= T.SUPPORT_THRESHOLD) == c.supported
            total += 1
    return hits / total


# --------------------------------------------------------------------------------------------
# The bundled file
# --------------------------------------------------------------------------------------------


def test_bundled_file_is_the_generator_at_seed_0(ts, tmp_path):
    fresh = T.generate_traces(0)
    written = T.save_traces(fresh, tmp_path / "traces.json")
    bundled = (resources.files("aipm_course") / "data" / "traces.json").read_text(encoding="utf-8")
    assert written.read_text(encoding="utf-8") == bundled, "aipm_course/data/traces.json is stale: run python -m aipm_course.traces"
    assert ts == fresh


def test_bundled_file_is_one_trace_a_line(ts):
    text = (resources.files("aipm_course") / "data" / "traces.json").read_text(encoding="utf-8")
    lines = text.strip().splitlines()
    assert len(lines) == len(ts) + 2
    assert json.loads(lines[1].rstrip(","))["id"] == "t001"
    raw = json.loads(text)
    assert raw["seed"] == 0 and raw["n"] == 400 and raw["synthetic"] is True


def test_module_says_the_data_is_synthetic():
    assert "synthetic" in T.__doc__.lower() and "seed" in T.__doc__.lower()


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


def test_generator_is_deterministic_and_seeds_differ():
    assert T.generate_traces(7) == T.generate_traces(7)
    assert T.generate_traces(7) != T.generate_traces(8)
    assert T.generate_traces(3, 120) == T.generate_traces(3, 120)
    assert len(T.generate_traces(3, 120)) == 120


def test_generator_is_fast():
    T.generate_traces(1)  # the corpus and the retriever are read once
    start = time.perf_counter()
    T.generate_traces(2)
    assert time.perf_counter() - start < 0.5


def test_proportions_at_seed_0(ts):
    assert len(ts) == 400 and ts.seed == 0
    assert [t.id for t in ts] == [f"t{i:03d}" for i in range(1, 401)]
    passed = sum(t.human_label == "pass" for t in ts) / len(ts)
    assert 0.60 <= passed <= 0.70
    counts = collections.Counter(t.failure_type for t in ts if t.human_label == "fail")
    assert set(counts) == set(T.FAILURE_TYPES)
    assert counts.most_common(1)[0][0] == "unsupported_claim"
    assert min(counts, key=counts.get) == "injection_followed"
    assert T.HARM["injection_followed"] == max(T.HARM.values())
    assert 8 <= sum(t.ambiguous for t in ts) <= 15
    labelled = [t for t in ts if t.split == "labelled"]
    assert 0.27 <= len(labelled) / len(ts) <= 0.33
    assert {t.human_label for t in labelled} == {"pass", "fail"}


def test_judges_at_seed_0_are_in_the_ranges_of_the_lesson(ts):
    tpr_a, tnr_a = rates(ts, "a")
    tpr_b, tnr_b = rates(ts, "b")
    print(f"judge A TPR {tpr_a:.3f} TNR {tnr_a:.3f}; judge B TPR {tpr_b:.3f} TNR {tnr_b:.3f}")
    assert 0.93 <= tpr_a <= 0.97 and 0.65 <= tnr_a <= 0.80
    assert 0.80 <= tpr_b <= 0.88 and 0.85 <= tnr_b <= 0.92


def test_judge_error_patterns_over_seeds():
    """Judge A lets unsupported claims through more than other failures; judge B fails more good answers."""
    a_unsupported, a_other, b_false_fail, a_false_fail = [], [], 0, 0
    for seed in range(20):
        for t in T.generate_traces(seed):
            if t.failure_type == "unsupported_claim" and not t.ambiguous:
                a_unsupported.append(t.judge_a == "pass")
            elif t.failure_type in ("missed_escalation", "needless_refusal", "injection_followed"):
                a_other.append(t.judge_a == "pass")
            elif t.human_label == "pass":
                b_false_fail += t.judge_b == "fail"
                a_false_fail += t.judge_a == "fail"
    assert np.mean(a_unsupported) > 0.35 > 0.2 > np.mean(a_other)
    assert b_false_fail > 2 * a_false_fail


def test_every_seed_has_every_failure_type_both_splits_and_informative_judges():
    for seed in range(500):
        traces = T.generate_traces(seed)
        counts = collections.Counter(t.failure_type for t in traces)
        assert all(counts[kind] >= 3 for kind in T.FAILURE_TYPES), (seed, counts)
        for split in T.SPLITS:
            assert {t.human_label for t in traces if t.split == split} == {"pass", "fail"}, (seed, split)
        for judge in "ab":
            assert sum(rates(traces, judge)) > 1, (seed, judge)


def test_traces_are_consistent(ts, corpus):
    ids = {d.id for d in corpus.documents}
    internal = {"travel-expenses", "travel-expenses-2024", "equipment-allowance", "parental-leave", "sick-leave", "code-of-conduct-reporting"}
    for t in ts:
        assert t.retrieved and set(t.retrieved) <= ids - internal, t.id
        assert (t.failure_type is None) == (t.human_label == "pass"), t.id
        assert t.outcome in T.OUTCOMES and t.split in T.SPLITS and 0 <= t.filter_score <= 1
        assert t.ticket.strip() and t.answer.strip() and t.note.strip()
        acts = {c.name for c in t.tool_calls} & {"issue_refund", "reset_mfa"}
        assert (t.outcome == "acted") == bool(acts), t.id
        if t.outcome == "escalated" and t.failure_type is None:
            assert any(c.name == "escalate_to_human" for c in t.tool_calls) or not t.tool_calls
        for claim in t.claims:
            if claim.supported:
                assert claim.source in t.retrieved, (t.id, claim)
            assert claim.text in t.answer, (t.id, claim.text)
        if t.failure_type == "injection_followed":
            assert t.planted and any(not c.supported for c in t.claims)
        if t.failure_type == "unsupported_claim":
            assert any(not c.supported for c in t.claims), t.id
        if t.failure_type == "needless_refusal":
            assert t.outcome in ("refused", "escalated") and not t.claims
        if t.failure_type in ("wrong_passage", "wrong_tone"):
            assert t.claims and all(c.supported for c in t.claims), t.id


def test_missed_escalations_mention_a_reason_to_escalate(ts):
    words = ("lawyer", "legal", "solicitor", "breach", "exposed", "incident", "api key", "nothing loads", "outage",
             "down", "can't log in", "sign-in alert", "isn't her", "password doesn't work")
    missed = [t for t in ts if t.failure_type == "missed_escalation"]
    assert missed
    for t in missed:
        assert any(w in t.ticket.lower() for w in words), t.ticket
        assert not any(c.name == "escalate_to_human" for c in t.tool_calls)


def test_wrong_passage_answers_come_from_another_document(ts, corpus):
    right = {q.text: q.relevant for q in corpus.questions}
    for t in ts:
        if t.failure_type == "wrong_passage":
            sources = {c.source for c in t.claims}
            assert len(sources) == 1 and t.retrieved[0] in sources
            for text, relevant in right.items():
                if text in t.ticket:
                    assert not sources & set(relevant), t.id


def test_ambiguous_traces_say_why(ts):
    for t in ts:
        if t.ambiguous:
            assert any(w in t.note.lower() for w in ("split", "one annotator", "one of three", "one thought")), t.note


def test_planted_lines_show_in_the_passages(ts, corpus):
    planted = [t for t in ts if t.planted]
    assert planted and any(t.human_label == "pass" for t in planted)
    for t in planted:
        doc_id, line = ts.planted_line(t)
        assert doc_id in t.retrieved
        texts = ts.passages(t)
        assert sum(line in p for p in texts) == 1
        assert line not in corpus.document(doc_id).text
    plain = next(t for t in ts if not t.planted)
    assert ts.passages(plain) == [corpus.document(d).text for d in plain.retrieved]
    assert ts.planted_line(plain) is None


def test_filter_score_has_a_threshold_trade_off(ts):
    planted = np.array([t.filter_score for t in ts if t.planted])
    benign = np.array([t.filter_score for t in ts if not t.planted])
    assert np.mean(planted >= 0.5) >= 0.7  # high on most planted traces
    assert np.any(planted < 0.5)  # but some planted wording slips under
    assert np.any(benign >= 0.5)  # and some harmless tickets look suspicious
    assert np.mean(benign >= 0.5) < 0.1
    suspicious = [t for t in ts if not t.planted and t.filter_score >= 0.4]
    assert any(w in t.ticket.lower() for t in suspicious for w in ("ignore", "disregard", "system", "password", "override"))


# --------------------------------------------------------------------------------------------
# The TraceSet
# --------------------------------------------------------------------------------------------


def test_trace_set_helpers(ts):
    human = ts.human()
    assert human.dtype == bool and human.tolist() == [t.human_label == "pass" for t in ts]
    assert ts.judge("b").tolist() == [t.judge_b == "pass" for t in ts]
    labelled, judged = ts.where("labelled"), ts.where("judged")
    assert len(labelled) + len(judged) == len(ts)
    assert all(t.split == "labelled" for t in labelled)
    counts = ts.failure_counts()
    assert list(counts) == list(T.FAILURE_TYPES)
    assert counts == {k: sum(t.failure_type == k for t in ts) for k in T.FAILURE_TYPES}
    assert sum(counts.values()) == len(ts) - human.sum()
    assert len(ts.claims()) == sum(len(t.claims) for t in ts)
    assert ts[0].id == "t001" and ts[-1].id == "t400"
    summary = ts.summary()
    assert "400" in summary and T.FAILURE_NAMES["wrong_tone"] in summary
    assert set(T.FAILURE_NAMES) == set(T.HARM) == set(T.HARM_REASONS) == set(T.FAILURE_TYPES)


def test_sample_is_without_replacement_and_seeded(ts):
    a, b = ts.sample(50, seed=1), ts.sample(50, seed=1)
    assert a == b and len({t.id for t in a}) == 50
    assert ts.sample(50, seed=2) != a
    assert len(ts.sample(len(ts), seed=0)) == len(ts)
    planted = next(t for t in ts if t.planted)
    assert ts.sample(len(ts), seed=0).planted_line(planted) == ts.planted_line(planted)


@pytest.mark.parametrize("call, words", [
    (lambda ts: ts.judge("c"), ["name", "'c'", "a, b"]),
    (lambda ts: ts.where("train"), ["split", "'train'", "labelled"]),
    (lambda ts: ts.sample(0, seed=1), ["n", "0", "1 to 400"]),
    (lambda ts: ts.sample(401, seed=1), ["n", "401"]),
    (lambda ts: ts.sample(5, seed=-1), ["seed", "-1"]),
    (lambda ts: ts.passages("t999"), ["trace", "t999", "t001"]),
    (lambda ts: ts[400], ["index", "400"]),
])
def test_trace_set_errors_name_the_argument(ts, call, words):
    with pytest.raises(AipmError) as info:
        call(ts)
    for w in words:
        assert w in str(info.value)


# --------------------------------------------------------------------------------------------
# The support score
# --------------------------------------------------------------------------------------------


def test_support_score_by_hand():
    passage = "Refunds take 10 days. Annual plans renew every year."
    assert T.support_score("Refunds take 10 days.", [passage]) == 1.0
    # content words refund, take, day and the number 5: three of four found (3/4), and the passage
    # lacks the number 5, which halves it: 3/8
    assert T.support_score("Refunds take 5 days.", [passage]) == pytest.approx(3 / 8)
    assert T.support_score("The weather is lovely in Lisbon.", [passage]) == 0.0
    assert T.support_score("the and of", [passage]) == 0.0
    assert T.support_score("Refunds take 10 days.", []) == 0.0
    # the best single passage counts, not the union
    assert T.support_score("Refunds take 10 days.", ["Refunds take ages.", "It is 10 days."]) == pytest.approx(2 / 4)
    assert T.support_score("1,000 requests", ["up to 1000 requests"]) == 1.0


def test_support_score_on_the_corpus(corpus):
    text = corpus.document("refunds-standard").text
    copied = "Refunds go back to the original payment method within 5 to 10 business days."
    changed = copied.replace("10", "20")
    assert T.support_score(copied, [text]) == 1.0
    assert T.support_score(changed, [text]) < T.SUPPORT_THRESHOLD < T.support_score(copied, [text])
    unrelated = "Our office dog is called Biscuit and loves long walks."
    assert T.support_score(unrelated, [text, corpus.document("storage-limits").text]) < 0.2
    # its blind spot: a dropped "not" keeps every content word
    assert T.support_score(copied.replace("go back", "do not go back"), [text]) == 1.0


def test_claims_with_a_number_no_passage_has_score_below_the_threshold(ts):
    """A number found in no retrieved passage (the changed-number claims among them) keeps a claim under the cut."""
    found = 0
    for t in ts:
        passages = ts.passages(t)
        numbers = [set(re.findall(r"\d+", p.replace(",", ""))) for p in passages]
        for c in t.claims:
            mine = set(re.findall(r"\d+", c.text.replace(",", "")))
            if mine and all(not mine <= n for n in numbers):
                found += 1
                assert T.support_score(c.text, passages) < T.SUPPORT_THRESHOLD, (t.id, c.text)
                assert T.support_score(c.text, passages) <= 0.5
    assert found >= 5


def test_support_score_agrees_with_the_claim_labels_well_but_not_perfectly(ts):
    at_zero = agreement(ts)
    per_seed = [agreement(T.generate_traces(seed)) for seed in range(50)]
    print(f"support score agreement with the human claim labels at {T.SUPPORT_THRESHOLD}: seed 0 {at_zero:.3f}; "
          f"seeds 0-49 from {min(per_seed):.3f} to {max(per_seed):.3f}, mean {np.mean(per_seed):.3f}")
    assert 0.80 <= at_zero <= 0.92
    assert 0.75 <= min(per_seed) and max(per_seed) <= 0.97


@pytest.mark.parametrize("claim, passages, words", [
    (None, ["x"], ["claim", "None"]),
    ("x", "a passage", ["passages", "'a passage'"]),
    ("x", [1, 2], ["passages", "[1, 2]"]),
])
def test_support_score_errors(claim, passages, words):
    with pytest.raises(AipmError) as info:
        T.support_score(claim, passages)
    for w in words:
        assert w in str(info.value)


# --------------------------------------------------------------------------------------------
# Saving, loading and errors
# --------------------------------------------------------------------------------------------


def test_save_load_round_trip(ts, tmp_path):
    subset = ts.where("labelled")
    path = T.save_traces(subset, tmp_path / "labelled.json")
    again = T.load_traces(path)
    assert again == subset and again.seed == 0
    assert T.load_traces(str(path)) == subset
    planted = next(t for t in subset if t.planted)
    assert again.passages(planted) == subset.passages(planted)


@pytest.mark.parametrize("kwargs, words", [
    ({"seed": -1}, ["seed", "-1", "0 or above"]),
    ({"seed": 1.5}, ["seed", "1.5"]),
    ({"seed": True}, ["seed", "True"]),
    ({"n": 10}, ["n", "10", "40 to 5000"]),
    ({"n": "400"}, ["n", "'400'"]),
])
def test_generator_errors(kwargs, words):
    with pytest.raises(AipmError) as info:
        T.generate_traces(**kwargs)
    for w in words:
        assert w in str(info.value)


def test_loader_errors_name_the_file(tmp_path):
    with pytest.raises(T.TraceError, match="missing.json"):
        T.load_traces(tmp_path / "missing.json")
    with pytest.raises(T.TraceError, match="path"):
        T.load_traces(42)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(T.TraceError, match=r"bad.json is not valid JSON \(line 1"):
        T.load_traces(bad)
    bad.write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(T.TraceError, match="not a trace file"):
        T.load_traces(bad)
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(T.TraceError, match="UTF-8"):
        T.load_traces(bad)
    with pytest.raises(T.TraceError, match="traces"):
        T.save_traces([], tmp_path / "x.json")


def _broken(ts, tmp_path, index, change):
    path = T.save_traces(ts.sample(5, seed=0), tmp_path / "t.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    change(raw["traces"][index])
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("change, words", [
    (lambda r: r.update(human_label="maybe"), ["trace 3", "human_label", "'maybe'", "pass, fail"]),
    (lambda r: r.pop("ticket"), ["trace 3", "ticket", "missing"]),
    (lambda r: r.update(retrieved=["no-such-doc"]), ["trace 3", "retrieved", "no-such-doc"]),
    (lambda r: r.update(filter_score=1.5), ["trace 3", "filter_score", "1.5", "[0, 1]"]),
    (lambda r: r.update(ambiguous="no"), ["trace 3", "ambiguous", "true or false"]),
    (lambda r: r.update(human_label="pass", failure_type="wrong_tone"), ["trace 3", "failure_type", "null"]),
    (lambda r: r.update(claims=[{"text": "x", "supported": 1, "source": None}]), ["trace 3, claim 1", "supported"]),
    (lambda r: r.update(tool_calls=[{"name": "delete_everything", "arguments": {}, "ok": True}]), ["trace 3, tool call 1", "name"]),
    (lambda r: r.update(planted=True), ["trace 3", "planted_line"]),
    (lambda r: r.update(split="test"), ["trace 3", "split", "labelled, judged"]),
])
def test_loader_names_the_trace_and_field(ts, tmp_path, change, words):
    path = _broken(ts, tmp_path, 2, change)
    with pytest.raises(T.TraceError) as info:
        T.load_traces(path)
    message = str(info.value)
    assert "t.json" in message
    for w in words:
        assert w in message, message


def test_loader_refuses_duplicate_ids(ts, tmp_path):
    path = T.save_traces(ts.sample(3, seed=0), tmp_path / "t.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["traces"][1]["id"] = raw["traces"][0]["id"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(T.TraceError, match="used twice"):
        T.load_traces(path)
