"""The retrieval lab: the corpus loader, the TF-IDF retriever, recall at k and the "I don't know" trade-off.

Recall is cross-checked against independent implementations (scikit-learn's top-k accuracy and a
hand-written loop over scikit-learn's own TF-IDF and cosine similarity), and a tiny corpus written
here has answers worked out by hand.
"""

import math

import numpy as np
import pytest
import yaml

from aipm_course.retrieval import (
    AbstentionTradeoff,
    Corpus,
    CorpusError,
    Document,
    Hit,
    LabelledQuestion,
    Retriever,
    abstention_tradeoff,
    load_corpus,
    recall_at_k,
    recall_by_k,
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def retriever(corpus):
    return Retriever(corpus)


# --------------------------------------------------------------------------------------------
# The kit's corpus
# --------------------------------------------------------------------------------------------


def test_kit_corpus_is_big_enough_and_consistent(corpus):
    assert isinstance(corpus, Corpus)
    assert corpus.company == "Brightwater Software"
    assert len(corpus.documents) >= 30
    assert len(corpus.questions) >= 40
    assert len(corpus.unanswerable) >= 1 and len(corpus.answerable) >= 30
    assert len(corpus.answerable) + len(corpus.unanswerable) == len(corpus.questions)
    doc_ids = [d.id for d in corpus.documents]
    assert len(set(doc_ids)) == len(doc_ids)
    question_ids = [q.id for q in corpus.questions]
    assert len(set(question_ids)) == len(question_ids)
    for q in corpus.questions:
        assert q.text.strip()
        for doc_id in q.relevant:
            assert doc_id in doc_ids, f"{q.id} names {doc_id!r}"
            assert corpus.document(doc_id).id == doc_id
    for d in corpus.documents:
        assert d.title.strip() and d.text.strip() and d.words > 20


def test_the_superseded_document_points_at_an_existing_current_one(corpus):
    superseded = [d for d in corpus.documents if d.superseded_by]
    assert len(superseded) >= 1
    for old in superseded:
        newer = corpus.document(old.superseded_by)
        assert newer.superseded_by is None and newer.id != old.id
        assert old not in corpus.current() and newer in corpus.current()
    assert len(corpus.current()) == len(corpus.documents) - len(superseded)
    assert "documents" in repr(corpus) and str(len(corpus.unanswerable)) in repr(corpus)


def test_document_lookup_of_an_unknown_id(corpus):
    with pytest.raises(ValueError, match="no document with id 'nope'"):
        corpus.document("nope")


# --------------------------------------------------------------------------------------------
# Malformed files: CorpusError names the file and the entry or field
# --------------------------------------------------------------------------------------------

GOOD_DOCS = {
    "company": "Test Co",
    "documents": [
        {"id": "alpha", "title": "Alpha policy", "text": "alpha rules for everyone"},
        {"id": "beta", "title": "Beta policy", "text": "beta rules for nobody"},
    ],
}
GOOD_QUESTIONS = {"questions": [{"id": "q1", "text": "What are the alpha rules?", "relevant": ["alpha"]}]}


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
    return path


def _load(tmp_path, docs=GOOD_DOCS, questions=GOOD_QUESTIONS):
    return load_corpus(_write(tmp_path, "docs.yaml", docs), _write(tmp_path, "questions.yaml", questions))


def _entry(**changes):
    return {"documents": [GOOD_DOCS["documents"][0], {**GOOD_DOCS["documents"][1], **changes}]}


def test_own_files_load(tmp_path):
    corpus = _load(tmp_path)
    assert [d.id for d in corpus.documents] == ["alpha", "beta"]
    assert corpus.questions == (LabelledQuestion("q1", "What are the alpha rules?", ("alpha",)),)


def test_not_yaml_names_the_file(tmp_path):
    path = _write(tmp_path, "broken.yaml", "documents: [oops\n  - id: a\n")
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert str(path) in str(info.value) and "not valid YAML" in str(info.value)


@pytest.mark.parametrize("content", ["company: X\n", "documents: []\n", "documents: just text\n", "- a\n- b\n", ""])
def test_missing_documents_list(tmp_path, content):
    path = _write(tmp_path, "docs.yaml", content)
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert str(path) in str(info.value) and "`documents:`" in str(info.value)


@pytest.mark.parametrize("field", ["text", "title", "id"])
def test_an_entry_with_an_empty_field(tmp_path, field):
    path = _write(tmp_path, "docs.yaml", _entry(**{field: "  "}))
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    message = str(info.value)
    assert str(path) in message and "entry 2" in message and f"`{field}`" in message


def test_an_entry_without_text(tmp_path):
    beta = dict(GOOD_DOCS["documents"][1])
    del beta["text"]
    path = _write(tmp_path, "docs.yaml", {"documents": [GOOD_DOCS["documents"][0], beta]})
    with pytest.raises(CorpusError, match=r"entry 2: `text` must be non-empty text, got None"):
        load_corpus(path)


def test_an_entry_that_is_not_a_mapping(tmp_path):
    path = _write(tmp_path, "docs.yaml", {"documents": [GOOD_DOCS["documents"][0], "just a string"]})
    with pytest.raises(CorpusError, match="entry 2: expected id, title and text"):
        load_corpus(path)


def test_duplicate_document_id(tmp_path):
    path = _write(tmp_path, "docs.yaml", _entry(id="alpha"))
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert str(path) in str(info.value) and "'alpha' is used twice" in str(info.value)


def test_superseded_by_an_unknown_document(tmp_path):
    path = _write(tmp_path, "docs.yaml", _entry(superseded_by="gamma"))
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert str(path) in str(info.value) and "'beta' is superseded by 'gamma'" in str(info.value)


def test_a_question_naming_an_unknown_document(tmp_path):
    questions = {"questions": [GOOD_QUESTIONS["questions"][0], {"id": "q2", "text": "Gamma?", "relevant": ["alpha", "gamma"]}]}
    docs = _write(tmp_path, "docs.yaml", GOOD_DOCS)
    qs = _write(tmp_path, "qs.yaml", questions)
    with pytest.raises(CorpusError) as info:
        load_corpus(docs, qs)
    message = str(info.value)
    assert str(qs) in message and "entry 2" in message and "'gamma'" in message and "`relevant`" in message


@pytest.mark.parametrize("relevant", ["alpha", {"id": "alpha"}, [1, 2], 7])
def test_relevant_must_be_a_list_of_ids(tmp_path, relevant):
    docs = _write(tmp_path, "docs.yaml", GOOD_DOCS)
    qs = _write(tmp_path, "qs.yaml", {"questions": [{"id": "q1", "text": "Alpha?", "relevant": relevant}]})
    with pytest.raises(CorpusError) as info:
        load_corpus(docs, qs)
    message = str(info.value)
    assert str(qs) in message and "entry 1" in message and "`relevant` must be a list" in message


def test_a_question_with_empty_text_and_an_empty_questions_file(tmp_path):
    docs = _write(tmp_path, "docs.yaml", GOOD_DOCS)
    qs = _write(tmp_path, "qs.yaml", {"questions": [{"id": "q1", "text": "", "relevant": []}]})
    with pytest.raises(CorpusError, match=r"entry 1: `text` must be non-empty text"):
        load_corpus(docs, qs)
    empty = _write(tmp_path, "empty.yaml", {"questions": []})
    with pytest.raises(CorpusError, match="`questions:`"):
        load_corpus(docs, empty)


def test_unanswerable_questions_may_leave_relevant_empty_or_out(tmp_path):
    questions = {"questions": [{"id": "q1", "text": "Parking?"}, {"id": "q2", "text": "Lunch?", "relevant": None}, {"id": "q3", "text": "Gym?", "relevant": []}]}
    corpus = _load(tmp_path, questions=questions)
    assert all(q.relevant == () and not q.answerable for q in corpus.questions)


def test_a_missing_file(tmp_path):
    missing = tmp_path / "nowhere" / "policies.yaml"
    with pytest.raises(CorpusError) as info:
        load_corpus(missing)
    assert "cannot read" in str(info.value) and str(missing) in str(info.value)
    docs = _write(tmp_path, "docs.yaml", GOOD_DOCS)
    with pytest.raises(CorpusError, match="cannot read .*questions.yaml"):
        load_corpus(docs, tmp_path / "questions.yaml")


def test_a_file_that_is_not_utf8_is_a_corpus_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("documents:\n  - id: cafe\n    title: Caf\xe9\n    text: caf\xe9 rules\n".encode("latin-1"))
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    assert str(path) in str(info.value)


# --------------------------------------------------------------------------------------------
# Recall at k on the kit's corpus, against independent implementations
# --------------------------------------------------------------------------------------------


def _sklearn_similarities(documents, texts):
    """TF-IDF and cosine similarity straight from scikit-learn, fitted as the lesson describes."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    matrix = vectorizer.fit_transform([d.title + ". " + d.text for d in documents])
    return cosine_similarity(vectorizer.transform(texts), matrix)


def _own_recall(ids, scores, questions, k):
    """Recall at k by counting, for each relevant document, how many documents rank above it
    (a higher score, or the same score earlier in the corpus: the documented tie rule)."""
    found = []
    for row, q in zip(scores, questions):
        if not q.relevant:
            continue
        hits = 0
        for doc_id in q.relevant:
            if doc_id not in ids:
                continue
            j = ids.index(doc_id)
            above = sum(1 for i, s in enumerate(row) if s > row[j] or (s == row[j] and i < j))
            hits += above < k
        found.append(hits / len(q.relevant))
    return sum(found) / len(found)


def test_similarities_match_scikit_learn(corpus, retriever):
    texts = [q.text for q in corpus.questions]
    ours = retriever.similarities(texts)
    assert ours.shape == (len(corpus.questions), len(corpus.documents))
    np.testing.assert_allclose(ours, _sklearn_similarities(corpus.documents, texts), rtol=0, atol=1e-12)
    assert ours.min() >= 0 and ours.max() <= 1 + 1e-12
    np.testing.assert_allclose(retriever.similarities(texts[0]), ours[:1], atol=1e-15)


def test_recall_is_computed_not_hard_coded(corpus, retriever):
    n = len(corpus.documents)
    by_k = recall_by_k(retriever, corpus, ks=range(1, n + 1))
    assert by_k[1] < by_k[5]
    values = list(by_k.values())
    assert all(a <= b for a, b in zip(values, values[1:]))
    assert values[-1] == 1.0 and 0 < values[0] < 1
    assert recall_at_k(retriever, corpus, n) == 1.0
    assert recall_by_k(retriever, corpus) == {k: by_k[k] for k in (1, 2, 3, 5, 10)}
    # other settings give other recall: nothing is cached across retrievers
    no_titles = Retriever(corpus, use_titles=False)
    assert any(recall_at_k(no_titles, corpus, k) != by_k[k] for k in (1, 2, 3))


def test_recall_matches_sklearn_top_k_accuracy_for_single_answer_questions(corpus, retriever):
    from sklearn.metrics import top_k_accuracy_score

    single = [q for q in corpus.questions if len(q.relevant) == 1]
    scores = retriever.similarities([q.text for q in single])
    truth = np.array([retriever.ids.index(q.relevant[0]) for q in single])
    # Ties are broken differently (sklearn puts later columns first): keep only the questions whose
    # relevant document's score is shared with no other document, so its rank is unambiguous.
    rel = scores[np.arange(len(single)), truth]
    unique = np.array([np.sum(np.abs(row - s) <= 1e-12) == 1 for row, s in zip(scores, rel)])
    assert unique.sum() >= 0.8 * len(single)
    kept = [q for q, keep in zip(single, unique) if keep]
    n = len(corpus.documents)
    for k in (1, 2, 3, 5, 10, 20):
        expected = top_k_accuracy_score(truth[unique], scores[unique], k=k, labels=range(n))
        assert recall_at_k(retriever, kept, k) == pytest.approx(expected, abs=1e-12), k


def test_recall_matches_an_own_loop_over_sklearn_tfidf(corpus, retriever):
    texts = [q.text for q in corpus.questions]
    independent = _sklearn_similarities(corpus.documents, texts)
    assert np.max(np.abs(independent - retriever.similarities(texts))) <= 1e-12
    # rank on scikit-learn's scores: equal ones (the zeros) are exactly equal in both, and no two
    # different scores are within 1e-12 of each other, so the ranks cannot differ by rounding
    scores = independent
    for row in scores:
        assert np.all(np.diff(np.unique(row)) > 1e-11)
    ids = [d.id for d in corpus.documents]
    multi = [q for q in corpus.questions if len(q.relevant) > 1]
    assert multi, "the corpus should have a question with two relevant documents"
    for k in range(1, len(ids) + 1):
        assert recall_at_k(retriever, corpus, k) == pytest.approx(_own_recall(ids, scores, corpus.questions, k), abs=1e-12), k
        assert recall_at_k(retriever, multi, k) == pytest.approx(_own_recall(ids, scores[[corpus.questions.index(q) for q in multi]], multi, k), abs=1e-12)


def test_recall_needs_answerable_questions(corpus, retriever):
    with pytest.raises(ValueError, match="at least one question"):
        recall_at_k(retriever, corpus.unanswerable, 1)
    with pytest.raises(ValueError, match="questions must be"):
        recall_at_k(retriever, [], 1)
    with pytest.raises(ValueError, match="questions must be"):
        recall_at_k(retriever, ["What is the refund policy?"], 1)


# --------------------------------------------------------------------------------------------
# A tiny corpus worked out by hand
# --------------------------------------------------------------------------------------------
# Four documents of four distinct words each (title + text), no word shared between documents:
# every term has the same idf and appears once, so every document vector has four entries of 0.5.
# A question with m distinct words has entries 1/sqrt(m); sharing s words with a document gives a
# cosine of s * 0.5 / sqrt(m).

TINY_DOCS = (
    Document("refunds", "Refunds", "money returned promptly."),
    Document("holidays", "Holidays", "vacation leave calendar."),
    Document("passwords", "Passwords", "reset locked account."),
    Document("laptops", "Laptops", "hardware repair shipping."),
)
TINY_QUESTIONS = (
    # shares money, returned with refunds: 2 * 0.5 / sqrt(2) = 0.7071; right at k = 1
    LabelledQuestion("qa", "money returned?", ("refunds",)),
    # shares vacation, calendar with holidays (0.5774) and reset with passwords (0.2887): right only at k = 2
    LabelledQuestion("qb", "reset vacation calendar", ("passwords",)),
    # shares nothing with anything: every score 0, the top document (the first) is wrong
    LabelledQuestion("qc", "parking rules", ()),
    # laptops, hardware with laptops (0.5774), reset with passwords (0.2887): half at k = 1, all at k = 2
    LabelledQuestion("qd", "laptops hardware reset", ("laptops", "passwords")),
)


@pytest.fixture(scope="module")
def tiny():
    return Retriever(TINY_DOCS)


def test_tiny_corpus_scores_by_hand(tiny):
    s = tiny.similarities([q.text for q in TINY_QUESTIONS])
    expected = np.array([
        [1 / math.sqrt(2), 0, 0, 0],
        [0, 1 / math.sqrt(3), 0.5 / math.sqrt(3), 0],
        [0, 0, 0, 0],
        [0, 0, 0.5 / math.sqrt(3), 1 / math.sqrt(3)],
    ])
    np.testing.assert_allclose(s, expected, atol=1e-12)
    assert [h.doc_id for h in tiny.search("reset vacation calendar", k=2)] == ["holidays", "passwords"]
    assert tiny.search("money returned?", k=1)[0].doc_id == "refunds"


def test_tiny_corpus_recall_by_hand(tiny):
    # recall@1: qa 1, qb 0, qd 1/2 -> 1/2 ; recall@2: all found -> 1 ; qc is left out
    assert recall_at_k(tiny, TINY_QUESTIONS, 1) == pytest.approx(0.5)
    assert recall_at_k(tiny, TINY_QUESTIONS, 2) == pytest.approx(1.0)
    assert recall_at_k(tiny, TINY_QUESTIONS[:2], 1) == pytest.approx(0.5)
    assert recall_at_k(tiny, TINY_QUESTIONS[3:], 1) == pytest.approx(0.5)
    assert recall_by_k(tiny, TINY_QUESTIONS, (1, 2, 3, 4)) == {1: 0.5, 2: 1.0, 3: 1.0, 4: 1.0}


def test_ties_keep_the_corpus_order(tiny):
    hits = tiny.search("parking rules", k=4)
    assert [h.doc_id for h in hits] == [d.id for d in TINY_DOCS]
    assert all(h.score == 0 for h in hits)
    # laptops (0.577) first, then passwords (0.289), then the zero scores in corpus order
    assert [h.doc_id for h in tiny.search("laptops hardware reset", k=4)] == ["laptops", "passwords", "refunds", "holidays"]


def test_tiny_abstention_by_hand(tiny):
    t = abstention_tradeoff(tiny, TINY_QUESTIONS, thresholds=[0, 0.3, 0.6, 0.8])
    assert isinstance(t, AbstentionTradeoff) and t.n_questions == 4
    # top documents: qa refunds 0.707 right, qb holidays 0.577 wrong, qc refunds 0 wrong, qd laptops 0.577 right
    assert t.at(0) == {"answered_right": 0.5, "wrong": 0.5, "declined_answerable": 0.0, "declined_rightly": 0.0}
    assert t.at(0.3) == {"answered_right": 0.5, "wrong": 0.25, "declined_answerable": 0.0, "declined_rightly": 0.25}
    assert t.at(0.6) == {"answered_right": 0.25, "wrong": 0.0, "declined_answerable": 0.25, "declined_rightly": 0.5}
    assert t.at(0.8) == {"answered_right": 0.0, "wrong": 0.0, "declined_answerable": 0.5, "declined_rightly": 0.5}
    assert t.lowest_threshold_for(0.5) == 0
    assert t.lowest_threshold_for(0.3) == 0.3
    assert t.lowest_threshold_for(0.25) == 0.3
    assert t.lowest_threshold_for(0.2) == 0.6
    assert t.lowest_threshold_for(0) == 0.6
    # where no threshold computed gets the wrong answers down far enough
    short = abstention_tradeoff(tiny, TINY_QUESTIONS, thresholds=[0, 0.3])
    assert short.lowest_threshold_for(0) is None
    assert short.lowest_threshold_for(0.2) is None
    assert short.lowest_threshold_for(0.25) == 0.3


def test_lowest_threshold_for_does_not_depend_on_the_order_of_thresholds(tiny):
    t = abstention_tradeoff(tiny, TINY_QUESTIONS, thresholds=[0.8, 0.6, 0.3, 0])
    assert t.at(0.3)["wrong"] == 0.25  # the shares themselves follow each threshold
    assert t.lowest_threshold_for(0.25) == 0.3


# --------------------------------------------------------------------------------------------
# Retriever options and search
# --------------------------------------------------------------------------------------------


def test_current_only_drops_the_superseded_document(corpus):
    full = Retriever(corpus)
    current = Retriever(corpus, current_only=True)
    old = [d.id for d in corpus.documents if d.superseded_by]
    assert len(current.documents) == len(corpus.documents) - len(old)
    assert not set(old) & set(current.ids) and set(old) <= set(full.ids)
    assert current.ids == [d.id for d in corpus.current()]
    assert current.settings["current_only"] is True
    for hit in current.search("daily meal allowance when I travel for work", k=len(current.documents)):
        assert hit.doc_id not in old
    # a relevant document left out of the index counts as not found
    only_old = [LabelledQuestion("x", "travel rules in 2024", (old[0],))]
    assert recall_at_k(current, only_old, len(current.documents)) == 0.0
    assert recall_at_k(full, only_old, len(full.documents)) == 1.0


def test_other_settings_build(corpus):
    pairs = Retriever(corpus, ngram_range=(1, 2), stop_words=None)
    assert len(pairs.vectorizer.vocabulary_) > len(Retriever(corpus).vectorizer.vocabulary_)
    assert any(" " in term for term in pairs.vectorizer.vocabulary_)
    assert "terms" in repr(pairs) and "(1, 2)" in repr(pairs)


@pytest.mark.parametrize("ngram_range", [(2, 1), (0, 1), [1, 2], (1,), (1, 2, 3), (1.0, 2), (True, 2), "1,2", None])
def test_bad_ngram_range(corpus, ngram_range):
    with pytest.raises(ValueError, match="ngram_range must be"):
        Retriever(corpus, ngram_range=ngram_range)


@pytest.mark.parametrize("stop_words", ["french", "English", ["the"], True])
def test_bad_stop_words(corpus, stop_words):
    with pytest.raises(ValueError, match="stop_words must be 'english' or None"):
        Retriever(corpus, stop_words=stop_words)


@pytest.mark.parametrize("documents", [[], ["just text"], (Document("a", "A", "alpha"), "b")])
def test_bad_documents(documents):
    with pytest.raises(ValueError, match="documents must be"):
        Retriever(documents)


def test_search_returns_k_hits_best_first(corpus, retriever):
    for query, k in (("How do I get a refund for my annual plan?", 5), ("password reset", 1), ("zzzz qqqq", 3)):
        hits = retriever.search(query, k=k)
        assert len(hits) == k and all(isinstance(h, Hit) for h in hits)
        assert [h.rank for h in hits] == list(range(1, k + 1))
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        assert all(0 <= s <= 1 for s in scores)
        row = retriever.similarities(query)[0]
        assert scores[0] == pytest.approx(row.max())
        for h in hits:
            assert h.title == corpus.document(h.doc_id).title and h.score == pytest.approx(row[retriever.ids.index(h.doc_id)])
    top = retriever.search("How do I request a refund for my annual plan?", k=3)
    assert top[0].doc_id == "refunds-standard"
    assert "refunds-standard" in str(top[0]) and str(top[0]).startswith("1. ")
    assert len(retriever.search("refund", k=np.int64(2))) == 2
    assert len(retriever.search("refund", k=len(corpus.documents))) == len(corpus.documents)


@pytest.mark.parametrize("k", [0, -1, 36, 1000, 1.5, 2.0, True, False, "3", None])
def test_bad_k(corpus, retriever, k):
    if k == 36:
        k = len(corpus.documents) + 1
    with pytest.raises(ValueError, match=r"k must be a whole number from 1 to \d+ .*got") as info:
        retriever.search("refund", k=k)
    assert repr(k) in str(info.value)
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k(retriever, corpus, k)


def test_queries_must_be_text(retriever):
    with pytest.raises(ValueError, match="queries must be text, got 3"):
        retriever.similarities(["refund", 3])


# --------------------------------------------------------------------------------------------
# The "I don't know" trade-off on the kit's corpus
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tradeoff(corpus, retriever):
    return abstention_tradeoff(retriever, corpus)


def test_the_four_shares_add_up_to_one(tradeoff, corpus):
    total = tradeoff.answered_right + tradeoff.wrong + tradeoff.declined_answerable + tradeoff.declined_rightly
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    assert tradeoff.n_questions == len(corpus.questions)
    np.testing.assert_allclose(tradeoff.thresholds, np.round(np.arange(0, 0.61, 0.01), 2))
    for name in ("answered_right", "wrong", "declined_answerable", "declined_rightly"):
        counts = getattr(tradeoff, name) * tradeoff.n_questions
        np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)


def test_wrong_falls_and_declines_rise_with_the_threshold(tradeoff):
    declined = tradeoff.declined_answerable + tradeoff.declined_rightly
    assert np.all(np.diff(tradeoff.wrong) <= 1e-12)
    assert np.all(np.diff(tradeoff.answered_right) <= 1e-12)
    assert np.all(np.diff(declined) >= -1e-12)
    assert tradeoff.wrong[0] > tradeoff.wrong[-1]


def test_threshold_zero_declines_nothing_and_above_the_top_score_declines_everything(corpus, retriever, tradeoff):
    zero = tradeoff.at(0)
    assert zero["declined_answerable"] == 0 and zero["declined_rightly"] == 0
    # at 0 everything is answered: right is recall at 1 over all questions, unanswerable ones are wrong
    scores = retriever.similarities([q.text for q in corpus.questions])
    top_right = [retriever.ids[int(np.argmax(row))] in q.relevant for row, q in zip(scores, corpus.questions)]
    assert zero["answered_right"] == pytest.approx(sum(top_right) / len(corpus.questions))
    above = round(float(scores.max()) + 0.005, 4)
    t = abstention_tradeoff(retriever, corpus, thresholds=[0.0, above, 1.0])
    for threshold in (above, 1.0):
        shares = t.at(threshold)
        assert shares["answered_right"] == 0 and shares["wrong"] == 0
        assert shares["declined_answerable"] + shares["declined_rightly"] == pytest.approx(1.0)
        assert shares["declined_answerable"] == pytest.approx(zero["answered_right"])


def test_tradeoff_matches_an_own_count(corpus, retriever, tradeoff):
    texts = [q.text for q in corpus.questions]
    scores = _sklearn_similarities(corpus.documents, texts)
    ids = [d.id for d in corpus.documents]
    for i, threshold in enumerate(tradeoff.thresholds):
        counts = {"answered_right": 0, "wrong": 0, "declined_answerable": 0, "declined_rightly": 0}
        for row, q in zip(scores, corpus.questions):
            best = max(range(len(ids)), key=lambda j: (row[j], -j))  # highest score, first on a tie
            right = ids[best] in q.relevant
            if row[best] >= threshold - 1e-12:
                counts["answered_right" if right else "wrong"] += 1
            else:
                counts["declined_answerable" if right else "declined_rightly"] += 1
        shares = tradeoff.at(float(threshold))
        for name, count in counts.items():
            assert shares[name] == pytest.approx(count / len(corpus.questions)), (threshold, name)


def test_lowest_threshold_for_by_scanning(tradeoff):
    for limit in (0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0):
        mine = None
        for threshold, wrong in sorted(zip(tradeoff.thresholds, tradeoff.wrong)):
            if wrong <= limit + 1e-12:
                mine = float(threshold)
                break
        assert tradeoff.lowest_threshold_for(limit) == mine, limit
    assert tradeoff.lowest_threshold_for(1.0) == 0.0


def test_lowest_threshold_for_is_none_when_no_threshold_gets_there(corpus, retriever):
    low = abstention_tradeoff(retriever, corpus, thresholds=[0.0, 0.05, 0.1])
    assert min(low.wrong) > 0
    assert low.lowest_threshold_for(0) is None
    assert low.lowest_threshold_for(float(min(low.wrong)) - 0.01) is None
    first_lowest = float(low.thresholds[list(low.wrong).index(min(low.wrong))])
    assert low.lowest_threshold_for(float(min(low.wrong))) == first_lowest


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.1", None, True, float("nan")])
def test_lowest_threshold_for_rejects_bad_limits(tradeoff, bad):
    with pytest.raises(ValueError, match="max_wrong must be a share"):
        tradeoff.lowest_threshold_for(bad)


def test_at_a_threshold_not_computed(tradeoff):
    with pytest.raises(ValueError, match="not one of the thresholds computed"):
        tradeoff.at(0.005)
    with pytest.raises(ValueError, match="0.75"):
        tradeoff.at(0.75)
    assert tradeoff.at(0.1 + 1e-12) == tradeoff.at(0.1)


@pytest.mark.parametrize("thresholds", [[], [-0.1, 0.2], [0.5, 1.5], [float("nan")], [[0.1, 0.2]]])
def test_bad_thresholds(corpus, retriever, thresholds):
    with pytest.raises(ValueError, match="thresholds must be"):
        abstention_tradeoff(retriever, corpus, thresholds=thresholds)
