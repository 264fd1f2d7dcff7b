"""A small retrieval lab: what the quality of retrieval-augmented generation depends on (lesson 04).

The kit ships the policies of a fictional company, Brightwater Software, and questions labelled with
the documents that answer them (some answered by none). A TF-IDF retriever (scikit-learn) finds
documents by their words; recall at k says how often the right ones are among the top k; a
similarity threshold turns weak matches into "I don't know". Everything runs offline.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import validation
from .validation import AipmError

__all__ = [
    "CorpusError",
    "Document",
    "LabelledQuestion",
    "Corpus",
    "load_corpus",
    "Hit",
    "Retriever",
    "recall_at_k",
    "recall_by_k",
    "AbstentionTradeoff",
    "abstention_tradeoff",
]


class CorpusError(AipmError):
    """A corpus or question file that cannot be used: the message names the file, entry and field."""


@dataclasses.dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    updated: str = ""
    superseded_by: str | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclasses.dataclass(frozen=True)
class LabelledQuestion:
    id: str
    text: str
    relevant: tuple[str, ...]
    answer: str = ""

    @property
    def answerable(self) -> bool:
        """True when some document in the corpus answers it."""
        return bool(self.relevant)


@dataclasses.dataclass(frozen=True)
class Corpus:
    company: str
    documents: tuple[Document, ...]
    questions: tuple[LabelledQuestion, ...]

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise validation.ArgumentError(f"no document with id {doc_id!r}; ids look like {self.documents[0].id!r}")

    @property
    def answerable(self) -> tuple[LabelledQuestion, ...]:
        return tuple(q for q in self.questions if q.answerable)

    @property
    def unanswerable(self) -> tuple[LabelledQuestion, ...]:
        return tuple(q for q in self.questions if not q.answerable)

    def current(self) -> tuple[Document, ...]:
        """The documents not replaced by a newer version."""
        return tuple(d for d in self.documents if not d.superseded_by)

    def __repr__(self) -> str:
        return (
            f"Corpus({self.company}: {len(self.documents)} documents, {len(self.questions)} questions, "
            f"{len(self.unanswerable)} of them not answered by any document)"
        )


def _read_yaml(path: str | Path | None, default: str, name: str) -> tuple[Any, str]:
    from .safe_yaml import MAX_BYTES, load_yaml

    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise validation.fail(name, path, "a YAML file path (a str or a Path), or None for the kit's file", CorpusError)
    where = str(path) if path is not None else f"the kit's {default}"
    try:
        if path is not None and os.path.getsize(path) > MAX_BYTES:  # refused unread, in load_yaml's words
            return load_yaml(Path(path), what=f"the {name} file", error=CorpusError), where
        text = Path(path).read_text(encoding="utf-8") if path is not None else (resources.files("aipm_course") / "data" / default).read_text(encoding="utf-8")
    except OSError as exc:
        raise CorpusError(f"cannot read {where} (the {name} file): {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{where} is not a UTF-8 text file; save it as UTF-8") from None
    # the kit's one YAML reader: size, alias and nesting limits, safe loading only
    return load_yaml(text, what=where, error=CorpusError), where


def _text_field(entry: Any, field: str, where: str, index: int, required: bool = True) -> str:
    value = entry.get(field) if isinstance(entry, dict) else None
    if value is None and not required:
        return ""
    if not (isinstance(value, str) or validation.is_number(value)) or not str(value).strip():
        raise CorpusError(f"{where}, entry {index + 1}: `{field}` must be non-empty text, got {validation.show(value)}")
    return str(value).strip()


def load_corpus(documents: str | Path | None = None, questions: str | Path | None = None) -> Corpus:
    """Return the policy corpus and its labelled questions, from the kit or your own YAML files."""
    raw_docs, where_docs = _read_yaml(documents, "policies.yaml", "documents")
    if not isinstance(raw_docs, dict) or not isinstance(raw_docs.get("documents"), list) or not raw_docs["documents"]:
        raise CorpusError(f"{where_docs} must have a non-empty list under `documents:`")
    docs = []
    for index, entry in enumerate(raw_docs["documents"]):
        if not isinstance(entry, dict):
            raise CorpusError(f"{where_docs}, entry {index + 1}: expected id, title and text, got {validation.show(entry)}")
        superseded = entry.get("superseded_by")
        docs.append(Document(
            id=_text_field(entry, "id", where_docs, index),
            title=_text_field(entry, "title", where_docs, index),
            text=_text_field(entry, "text", where_docs, index),
            updated=_text_field(entry, "updated", where_docs, index, required=False),
            superseded_by=str(superseded) if superseded else None,
        ))
    ids = [d.id for d in docs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise CorpusError(f"{where_docs}: the document id {validation.show(duplicates[0])} is used twice")
    for doc in docs:
        if doc.superseded_by and doc.superseded_by not in ids:
            raise CorpusError(f"{where_docs}: {validation.show(doc.id)} is superseded by {validation.show(doc.superseded_by)}, which is not a document id")

    raw_qs, where_qs = _read_yaml(questions, "policy_questions.yaml", "questions")
    if not isinstance(raw_qs, dict) or not isinstance(raw_qs.get("questions"), list) or not raw_qs["questions"]:
        raise CorpusError(f"{where_qs} must have a non-empty list under `questions:`")
    qs = []
    for index, entry in enumerate(raw_qs["questions"]):
        if not isinstance(entry, dict):
            raise CorpusError(f"{where_qs}, entry {index + 1}: expected id, text and relevant, got {validation.show(entry)}")
        relevant = entry.get("relevant", [])
        if relevant is None:
            relevant = []
        if not isinstance(relevant, list) or not all(isinstance(r, str) for r in relevant):
            raise CorpusError(f"{where_qs}, entry {index + 1}: `relevant` must be a list of document ids ([] if none answers it), got {validation.show(relevant)}")
        unknown = [r for r in relevant if r not in ids]
        if unknown:
            raise CorpusError(f"{where_qs}, entry {index + 1}: `relevant` names {validation.show(unknown[0])}, which is not a document id")
        qs.append(LabelledQuestion(
            id=_text_field(entry, "id", where_qs, index),
            text=_text_field(entry, "text", where_qs, index),
            relevant=tuple(relevant),
            answer=_text_field(entry, "answer", where_qs, index, required=False),
        ))
    return Corpus(str(raw_docs.get("company", "")), tuple(docs), tuple(qs))


@dataclasses.dataclass(frozen=True)
class Hit:
    rank: int
    doc_id: str
    title: str
    score: float

    def __str__(self) -> str:
        return f"{self.rank}. {self.title} [{self.doc_id}] similarity {self.score:.2f}"


class Retriever:
    """TF-IDF retrieval over documents: a document scores by the words it shares with the question,
    rare words counting more; the score is the cosine similarity, from 0 (nothing shared) to 1.

    ``current_only`` leaves out documents replaced by a newer version (source freshness);
    ``stop_words`` drops common English words; ``ngram_range=(1, 2)`` also matches word pairs.
    """

    def __init__(
        self,
        documents: Sequence[Document] | Corpus,
        *,
        current_only: bool = False,
        stop_words: str | None = "english",
        ngram_range: tuple[int, int] = (1, 1),
        use_titles: bool = True,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = tuple(documents.documents if isinstance(documents, Corpus) else documents)
        if not docs or not all(isinstance(d, Document) for d in docs):
            raise validation.ArgumentError("documents must be a Corpus or a non-empty list of Document")
        if current_only:
            docs = tuple(d for d in docs if not d.superseded_by)
        if stop_words not in ("english", None):
            raise validation.ArgumentError(f"stop_words must be 'english' or None, got {stop_words!r}")
        if (
            not isinstance(ngram_range, tuple) or len(ngram_range) != 2
            or not all(validation.is_whole(n) and n >= 1 for n in ngram_range)
            or ngram_range[0] > ngram_range[1]
        ):
            raise validation.ArgumentError(f"ngram_range must be two whole numbers (low, high) with 1 <= low <= high, got {ngram_range!r}")
        self.documents = docs
        self.ids = [d.id for d in docs]
        self.settings = {"current_only": current_only, "stop_words": stop_words, "ngram_range": ngram_range, "use_titles": use_titles}
        self.vectorizer = TfidfVectorizer(stop_words=stop_words, ngram_range=ngram_range, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform([(d.title + ". " if use_titles else "") + d.text for d in docs])

    def similarities(self, queries: Iterable[str] | str) -> np.ndarray:
        """Return the cosine similarity of each query to each document (queries × documents)."""
        texts = [queries] if isinstance(queries, str) else list(queries)
        bad = [q for q in texts if not isinstance(q, str)]
        if bad:
            raise validation.ArgumentError(f"queries must be text, got {bad[0]!r}")
        # TF-IDF rows are scaled to length 1, so the dot product is the cosine similarity.
        return (self.vectorizer.transform(texts) @ self.matrix.T).toarray()

    def search(self, query: str, k: int = 3) -> list[Hit]:
        """Return the k most similar documents, best first."""
        k = _check_k(k, len(self.documents))
        scores = self.similarities(query)[0]
        order = _ranking(scores[None, :])[0][:k]
        return [Hit(rank + 1, self.ids[i], self.documents[i].title, float(scores[i])) for rank, i in enumerate(order)]

    def __repr__(self) -> str:
        return f"Retriever({len(self.documents)} documents, {len(self.vectorizer.vocabulary_):,} terms, {self.settings})"


def _check_k(k: Any, n_documents: int) -> int:
    allowed = f"a whole number from 1 to {n_documents} (the number of documents)"
    return validation.count("k", k, minimum=1, maximum=n_documents, allowed=allowed)


def _ranking(scores: np.ndarray) -> np.ndarray:
    """Document indices per row, best first; ties keep the corpus order (a stable sort)."""
    return np.argsort(-scores, axis=1, kind="stable")


def _retriever(retriever: Any) -> "Retriever":
    if not isinstance(retriever, Retriever):
        raise validation.fail("retriever", retriever, "a Retriever, e.g. Retriever(load_corpus())")
    return retriever


def _questions(questions: Iterable[LabelledQuestion] | Corpus) -> tuple[LabelledQuestion, ...]:
    try:
        qs = tuple(questions.questions if isinstance(questions, Corpus) else questions)
    except TypeError:  # not iterable
        qs = ()
    if not qs or not all(isinstance(q, LabelledQuestion) for q in qs):
        raise validation.ArgumentError("questions must be a Corpus or a non-empty list of LabelledQuestion")
    return qs


def recall_at_k(retriever: Retriever, questions: Iterable[LabelledQuestion] | Corpus, k: int) -> float:
    """Return retrieval recall at k: the share of the relevant documents found among the top k,
    averaged over the questions that some document answers (lesson 04).

    With one relevant document per question, this is how often it is in the top k. A relevant
    document left out of the index (e.g. with ``current_only``) counts as not found.
    """
    retriever = _retriever(retriever)
    answerable = [q for q in _questions(questions) if q.answerable]
    if not answerable:
        raise validation.ArgumentError("questions must include at least one question that some document answers: recall at k needs one")
    k = _check_k(k, len(retriever.documents))
    top = _ranking(retriever.similarities([q.text for q in answerable]))[:, :k]
    found = []
    for question, row in zip(answerable, top):
        retrieved = {retriever.ids[i] for i in row}
        found.append(len(retrieved & set(question.relevant)) / len(question.relevant))
    return float(np.mean(found))


def recall_by_k(retriever: Retriever, questions: Iterable[LabelledQuestion] | Corpus, ks: Sequence[int] = (1, 2, 3, 5, 10)) -> dict[int, float]:
    """Return {k: recall at k} for several k."""
    retriever = _retriever(retriever)
    n = len(retriever.documents)
    allowed = f"a non-empty list of whole numbers from 1 to {n} (the number of documents)"
    if isinstance(ks, (str, bytes, Mapping)) or not isinstance(ks, Iterable):
        raise validation.fail("ks", ks, allowed)
    ks = list(ks)
    if not ks:
        raise validation.fail("ks", ks, allowed)
    for k in ks:
        validation.count("ks", k, minimum=1, maximum=n, allowed=f"whole numbers from 1 to {n} (the number of documents) in a list")
    return {int(k): recall_at_k(retriever, questions, k) for k in ks}


@dataclasses.dataclass(frozen=True)
class AbstentionTradeoff:
    """What happens at each similarity threshold when the system answers from its top document
    only if that document's similarity reaches the threshold, and says "I don't know" otherwise.

    Shares of all questions, per threshold (they add up to 1):
    ``answered_right`` (the top document answers it), ``wrong`` (answered from a document that does
    not answer it, including every answered question no document answers), ``declined_answerable``
    (declined although the top document would have answered it) and ``declined_rightly``.
    """

    thresholds: np.ndarray
    answered_right: np.ndarray
    wrong: np.ndarray
    declined_answerable: np.ndarray
    declined_rightly: np.ndarray
    n_questions: int

    def at(self, threshold: float) -> dict[str, float]:
        """Return the four shares at one threshold (computed, not interpolated)."""
        i = int(np.argmin(np.abs(self.thresholds - threshold)))
        if not math.isclose(float(self.thresholds[i]), threshold, abs_tol=1e-9):
            raise validation.ArgumentError(f"threshold {threshold!r} is not one of the thresholds computed; pass it in `thresholds=`")
        return {
            "answered_right": float(self.answered_right[i]),
            "wrong": float(self.wrong[i]),
            "declined_answerable": float(self.declined_answerable[i]),
            "declined_rightly": float(self.declined_rightly[i]),
        }

    def lowest_threshold_for(self, max_wrong: float) -> float | None:
        """Return the lowest threshold (answering the most) whose share of wrong answers is at most
        ``max_wrong``, or None when no threshold computed gets there."""
        max_wrong = validation.share("max_wrong", max_wrong)
        ok = self.thresholds[self.wrong <= max_wrong + 1e-12]
        return float(ok.min()) if len(ok) else None


def abstention_tradeoff(
    retriever: Retriever,
    questions: Iterable[LabelledQuestion] | Corpus,
    thresholds: Sequence[float] | np.ndarray | None = None,
) -> AbstentionTradeoff:
    """Return the trade-off between answering wrongly and declining, over similarity thresholds."""
    retriever = _retriever(retriever)
    qs = _questions(questions)
    if thresholds is None:
        thresholds = np.round(np.arange(0, 0.61, 0.01), 2)
    try:
        ts = np.asarray(thresholds, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise validation.fail("thresholds", thresholds, "a list of similarities from 0 to 1") from None
    if ts.ndim != 1 or not len(ts) or not np.all(np.isfinite(ts)) or np.any(ts < 0) or np.any(ts > 1):
        raise validation.ArgumentError(f"thresholds must be a list of similarities from 0 to 1, got {thresholds!r}")
    scores = retriever.similarities([q.text for q in qs])
    top = _ranking(scores)[:, 0]
    top_score = scores[np.arange(len(qs)), top]
    top_right = np.array([retriever.ids[i] in q.relevant for q, i in zip(qs, top)])
    answered = top_score[None, :] >= ts[:, None]  # thresholds × questions
    n = len(qs)
    return AbstentionTradeoff(
        thresholds=ts,
        answered_right=(answered & top_right).sum(axis=1) / n,
        wrong=(answered & ~top_right).sum(axis=1) / n,
        declined_answerable=(~answered & top_right).sum(axis=1) / n,
        declined_rightly=(~answered & ~top_right).sum(axis=1) / n,
        n_questions=n,
    )
