"""What grading produces: one result per learner and question, one per file, and the run's findings.

These plain records pass between the parts of grading: running the notebooks (``run``), judging the
recorded answers again (``rejudge``), the roster (``roster``) and the reports (``report``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

# The outcome of one question for one learner, as reports show it.
CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"  # the placeholder ___ was still there
NOT_REACHED = "not reached"  # the check cell never ran (the notebook stopped before it, or it is missing)
ERROR = "error"  # the check cell, or a cell before it in the same question, raised an exception
UNVERIFIED = "unverified"  # the notebook showed an outcome grading could not confirm; never counted as correct
MISSING = "missing"  # a module the roster assigns, with no notebook handed in
OUTCOMES = (CORRECT, INCORRECT, NOT_ATTEMPTED, NOT_REACHED, ERROR, UNVERIFIED, MISSING)

# How a recorded answer was judged again, outside the learner's kernel.
AGREES = "re-judged: agrees"
DIFFERS = "re-judged: differs"  # the notebook showed another outcome: flagged
REASSIGNED = "re-judged against the assignment"  # the notebook used other parameters than the roster's: not flagged
NOT_REJUDGED = "not re-judged"  # followed by ": <reason>"


@dataclasses.dataclass(frozen=True)
class QuestionResult:
    """One question for one learner: the outcome counted, and what the learner is told."""

    learner: str
    module: str
    question: str
    title: str
    outcome: str  # one of OUTCOMES
    message: str  # the feedback the answer earns, or what went wrong ("NameError on line 3 of cell 12")
    details: tuple[str, ...] = ()
    hint: str = ""  # the first hint, to send with the feedback when the answer is not correct
    seed: str = ""  # the seed and scenario the answer was judged against
    scenario: str = ""
    file: str = ""  # the notebook, relative to the submissions folder ("" when missing)
    verification: str = ""  # AGREES, DIFFERS ..., NOT_REJUDGED ...; "" when there was no check to verify
    shown: str = ""  # the outcome the notebook itself showed, when it differs from ``outcome``
    slip: str = ""  # the feedback with the learner's own numbers taken out, to group the same mistake
    team: str = ""

    @property
    def flagged(self) -> bool:
        return self.verification.startswith(DIFFERS) or self.outcome == UNVERIFIED


@dataclasses.dataclass(frozen=True)
class FileResult:
    """One notebook handed in: how its run went."""

    learner: str
    file: str
    module: str
    status: str  # "ran", or what stopped it ("timed out in cell 14", "the kernel died", "not a notebook: ...")
    seconds: float = 0.0
    seed: str = ""  # the parameters the notebook ran with
    scenario: str = ""
    errors: tuple[str, ...] = ()  # each cell that raised, e.g. "cell 12, line 3: NameError: name 'x' is not defined"
    flags: tuple[str, ...] = ()  # what the instructor should look at (assignment differs, forged checks, ...)


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something about the folder as a whole: a learner or module missing, a duplicate, a file not graded."""

    kind: str  # "missing learner", "missing module", "duplicate", "not a notebook", "link", "not on the roster", "assignment differs"
    learner: str
    detail: str
    file: str = ""


@dataclasses.dataclass
class GradeRun:
    """Everything a grading run found, as the reports need it."""

    results: list[QuestionResult]
    files: list[FileResult]
    findings: list[Finding]
    isolation: str  # "sandbox (bubblewrap: no network, ...)" or "no sandbox: ..."
    seconds: float = 0.0
    roster: list[dict[str, Any]] | None = None  # the roster's rows, when one was given
    learners: list[str] = dataclasses.field(default_factory=list)  # every learner, in report order
    modules: list[str] = dataclasses.field(default_factory=list)  # every module graded, in order
