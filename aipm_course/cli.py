"""The ``aipm`` command: set up, check, reset and track the workbook (lesson 00)."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors say how to get help."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nRun `{self.prog} --help` for help.\n")


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import format_findings, run_checks

    findings = run_checks(kernel=not args.quick)
    print(format_findings(findings))
    return EXIT_OK if all(f.ok for f in findings) else EXIT_FAILED


def _cmd_start(args: argparse.Namespace) -> int:
    from .workspace import start

    print(start(work=args.work_dir))
    print("Open the notebooks in that folder to do the exercises; your copies are never overwritten.")
    return EXIT_OK


def _cmd_lab(args: argparse.Namespace) -> int:
    from .lab import run_lab

    return run_lab(args.jupyter_args)


def _cmd_reset(args: argparse.Namespace) -> int:
    from .workspace import reset

    print(reset(args.module, work=args.work_dir))
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    from .exercise_builder import build_exercises
    from .workspace import kit_root

    root = kit_root() if args.solutions is None or args.out is None else None
    solutions = args.solutions or root / "solutions"
    out = args.out or root / "exercises"
    report = build_exercises(solutions, out, check=args.check, force=args.force)
    if args.check:
        if report.stale:
            for path in report.stale:
                print(f"out of date: {path}")
            print("Run `aipm build-exercises` to regenerate them from solutions/.")
            return EXIT_FAILED
        print(f"All {len(report.unchanged)} exercise notebooks match their solutions.")
        return EXIT_OK
    for path in report.backups:
        print(f"backed up {path}")
    for path in report.written:
        print(f"wrote     {path}")
    for path in report.unchanged:
        print(f"unchanged {path}")
    return EXIT_OK


def _cmd_progress(args: argparse.Namespace) -> int:
    import json

    from .workspace import ProgressStore, progress_rows

    store = ProgressStore()
    rows = progress_rows(store)
    if args.json:
        print(json.dumps(rows, indent=1))
        return EXIT_OK
    print(f"Progress record: {store.path}")
    print(f"{'module':<28}{'questions':>10}{'attempted':>11}{'passed':>8}")
    for row in rows:
        title = f"{row['module']} {row['title']}"
        print(f"{title:<28}{row['questions']:>10}{row['attempted']:>11}{row['passed']:>8}")
    totals = [sum(r[key] for r in rows) for key in ("questions", "attempted", "passed")]
    print(f"{'total':<28}{totals[0]:>10}{totals[1]:>11}{totals[2]:>8}")
    return EXIT_OK


def _cmd_workshop_prepare(args: argparse.Namespace) -> int:
    from .workshop import check_handout_folder, prepare, prepare_handout

    if args.out is None and args.handout is None:
        raise ValueError("workshop prepare needs --out FOLDER (the teams' exercises), --handout FOLDER (lessons and exercises for learners, no solutions), or both; got neither")
    modules = [m.strip() for m in args.modules.split(",")] if args.modules else None
    if args.handout is not None:
        check_handout_folder(args.handout)  # before anything is written
        out, handout = (None if args.out is None else args.out.resolve()), args.handout.resolve()
        if out is not None and (out == handout or out in handout.parents or handout in out.parents):
            raise ValueError(f"--handout must be a folder apart from --out, got {str(args.handout)!r} with --out {str(args.out)!r}")
    if args.out is not None:
        teams = prepare(args.scenario, args.teams, args.out, modules=modules, first_seed=args.first_seed)
        for team in teams:
            print(f"{team.folder}: seed {team.seed}, scenario {team.scenario}, {len(team.notebooks)} notebook(s)")
        print(f"Wrote {args.out}/teams.csv. Hand each team its folder; collect the notebooks into one folder per team to grade.")
    if args.handout is not None:
        teams = prepare_handout(args.scenario, args.teams, args.handout, modules=modules, first_seed=args.first_seed)
        for team in teams:
            print(f"{team.folder}: seed {team.seed}, scenario {team.scenario}, lessons and {len(team.notebooks)} exercise(s), no solutions")
        print(f"Wrote the hand-out in {args.handout} (and {args.handout}/teams.csv): ready for nbgitpuller or a shared drive.")
    return EXIT_OK


def _cmd_workshop_scenarios(args: argparse.Namespace) -> int:
    from .parameters import scenarios

    for item in scenarios().values():
        print(item)
        if item.story:
            print(f"    {item.story}")
    return EXIT_OK


# --- the class as a whole: `aipm class status`, `aipm collect` ------------------------------------------


def _cmd_class_status(args: argparse.Namespace) -> int:
    from .classroom import class_status, write_html

    status = class_status(args.folders, modules=args.module, roster=args.roster, work_subdir=args.work_subdir)
    print(status)
    if args.html is not None:
        print(f"Wrote {write_html(status, args.html)}")
    return EXIT_OK


def _cmd_collect(args: argparse.Namespace) -> int:
    from .classroom import collect

    report = collect(args.homes, args.out, work_subdir=args.work_subdir)
    print(report)
    return EXIT_OK if report.copied else EXIT_FAILED


def _cmd_grade(args: argparse.Namespace) -> int:
    from .grading import grade

    report = grade(args.submissions, args.out, jobs=args.jobs, timeout=args.timeout, roster=args.roster, sandbox=args.sandbox)
    print(report)
    return EXIT_OK


def _cmd_portfolio(args: argparse.Namespace) -> int:
    from .portfolio import build_portfolio

    print(build_portfolio(work=args.work_dir, title=args.title, author=args.author))
    return EXIT_OK


def _cmd_practice(args: argparse.Namespace) -> int:
    from .practice import TerminalPractice

    terminal = TerminalPractice.for_work_dir(args.work_dir)
    if args.history:
        return terminal.history()
    if args.mock:
        return terminal.mock(seed=args.seed, scenario=args.scenario, minutes=args.minutes, kinds=args.kinds)
    return terminal.session(minutes=args.minutes, kinds=args.kinds, seed=args.seed, scenario=args.scenario)


def _show_warning(message, category, *rest) -> None:
    """Print the kit's warnings for the learner; libraries' deprecation notices are not for them."""
    if issubclass(category, (DeprecationWarning, PendingDeprecationWarning, FutureWarning)):
        return
    print(f"aipm: warning: {message}", file=sys.stderr)


def _command(commands, name: str, purpose: str) -> argparse.ArgumentParser:
    """Add a subcommand whose purpose shows in `aipm --help` and in `aipm NAME --help`."""
    return commands.add_parser(name, help=purpose, description=purpose[0].upper() + purpose[1:] + ".")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aipm",
        description="The AI PM Workbook's command: set up your work folder, check your environment, "
        "reset an exercise, see your progress.",
    )
    parser.add_argument("--version", action="version", version=f"aipm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    lab = _command(commands, "lab", "open the workbook in JupyterLab on the start notebook")
    lab.usage = "aipm lab [-h] [JUPYTERLAB OPTIONS ...]"
    lab.epilog = "Any other options go to JupyterLab unchanged, e.g. `aipm lab --no-browser --port 8890`."
    lab.set_defaults(run=_cmd_lab)

    doctor = _command(commands, "doctor", "check Python, packages, the Jupyter kernel and widgets")
    doctor.add_argument("--quick", action="store_true", help="skip the kernel check (which starts Python)")
    doctor.set_defaults(run=_cmd_doctor)

    work_help = "the learner's work folder (default: my_work/ in the kit, or $AIPM_WORK_DIR)"
    start = _command(commands, "start", "copy the exercises into your work folder (never overwrites)")
    start.add_argument("--work-dir", type=Path, default=None, help=work_help)
    start.set_defaults(run=_cmd_start)

    reset = _command(commands, "reset", "restore one exercise, keeping a backup of your copy")
    reset.add_argument("module", metavar="NN", help="the module number, e.g. 00 or 03")
    reset.add_argument("--work-dir", type=Path, default=None, help=work_help)
    reset.set_defaults(run=_cmd_reset)

    build = _command(commands, "build-exercises", "generate exercises/ from solutions/ (for authors)")
    build.add_argument("--solutions", type=Path, default=None, help="folder of solution notebooks (default: solutions/)")
    build.add_argument("--out", type=Path, default=None, help="folder to write exercises to (default: exercises/)")
    build.add_argument("--check", action="store_true", help="write nothing; fail if exercises/ is out of date")
    build.add_argument(
        "--force",
        action="store_true",
        help="also write into a learner's work folder or a folder whose notebooks differ (refused otherwise), "
        "first copying each notebook replaced into backups/ there with a timestamp",
    )
    build.set_defaults(run=_cmd_build)

    progress = _command(commands, "progress", "show questions attempted and passed per module")
    progress.add_argument("--json", action="store_true", help="print the table as JSON")
    progress.set_defaults(run=_cmd_progress)

    workshop = _command(commands, "workshop", "prepare a workshop: one parameterised copy of the exercises per team")
    workshop_commands = workshop.add_subparsers(dest="workshop_command", metavar="ACTION", parser_class=_Parser)
    prep = _command(workshop_commands, "prepare", "write each team's exercises with its own seed and the scenario")
    prep.add_argument("--scenario", default="default", help="a scenario name (see `aipm workshop scenarios`)")
    prep.add_argument("--teams", type=int, required=True, help="how many teams")
    prep.add_argument("--out", type=Path, default=None, help="an empty folder to write team-01/, team-02/, ... and teams.csv to")
    prep.add_argument("--handout", type=Path, default=None,
                      help="a new or empty folder for learners: per team the lessons, its exercises and a README, no solutions")
    prep.add_argument("--modules", default=None, help="only these modules, e.g. 02,03 (default: all)")
    prep.add_argument("--first-seed", type=int, default=1, help="team 1's seed; team N gets first-seed + N - 1 (default 1)")
    prep.set_defaults(run=_cmd_workshop_prepare)
    listing = _command(workshop_commands, "scenarios", "list the scenarios a workshop can use")
    listing.set_defaults(run=_cmd_workshop_scenarios)

    # The class as a whole: where the room is, and collecting notebooks from learners' homes.
    klass = _command(commands, "class", "see where the class is, from the learners' progress files (read only)")
    class_commands = klass.add_subparsers(dest="class_command", metavar="ACTION", parser_class=_Parser)
    status = _command(class_commands, "status", "per question who passed, who is stuck and who has not started; per learner a row")
    status.add_argument("folders", nargs="+", type=Path, metavar="WORK_FOLDER",
                        help="learners' work folders, e.g. /home/*/aipm-work (each has .aipm/progress.json; only read)")
    status.add_argument("--module", action="append", default=None, metavar="NN",
                        help="only this module's questions, e.g. 02; repeat it or give 02,03 (default: every module in use)")
    status.add_argument("--html", type=Path, default=None, metavar="FILE", help="also write the report as one HTML page")
    status.add_argument("--roster", type=Path, default=None, metavar="FILE",
                        help="the roster CSV of `aipm grade --roster`: flag learners on other numbers than assigned, and those with no folder")
    status.add_argument("--work-subdir", default=None, metavar="PATH",
                        help="the work folder's path inside a home (e.g. aipm-handout/team-02/my_work): learners are named by the home above it")
    status.set_defaults(run=_cmd_class_status)
    collect = _command(commands, "collect", "copy each learner's exercise notebooks from their home into SUBMISSIONS/<learner>/")
    collect.add_argument("homes", nargs="+", type=Path, metavar="HOME", help="learners' home folders, e.g. /home/* (only read)")
    collect.add_argument("--out", type=Path, required=True, metavar="SUBMISSIONS", help="a folder outside every home for SUBMISSIONS/<learner>/ (made if needed; "
                         "refused if it already has a folder for one of these learners)")
    collect.add_argument("--work-subdir", default="aipm-work", metavar="PATH",
                         help="where in each home the notebooks are (default aipm-work); aipm-work, my_work and the home itself are collected too")
    collect.set_defaults(run=_cmd_collect)

    grade = _command(commands, "grade", "run submitted notebooks, judge every recorded answer again and write the reports")
    grade.add_argument("submissions", type=Path, help="the folder of submitted notebooks, one sub-folder per learner (only read, never written)")
    grade.add_argument("--out", type=Path, required=True, help="the folder for grades.csv, gradebook.csv, summary.html and feedback/")
    grade.add_argument("--roster", type=Path, default=None,
                       help="a CSV of learners (columns learner and optionally team, seed, scenario, modules): "
                       "who is missing, and answers judged against each learner's assigned seed and scenario")
    isolation = grade.add_mutually_exclusive_group()
    isolation.add_argument("--sandbox", dest="sandbox", action="store_const", const="on", default="auto",
                           help="run each notebook in a bubblewrap sandbox, and refuse to grade without one "
                           "(default: the sandbox whenever bubblewrap is installed)")
    isolation.add_argument("--no-sandbox", dest="sandbox", action="store_const", const="off",
                           help="run notebooks with your own permissions (only on a machine where their code can do no harm)")
    grade.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: the number of CPU cores)")
    grade.add_argument("--timeout", type=float, default=300, help="seconds a cell may run before it is stopped (default 300)")
    grade.set_defaults(run=_cmd_grade)

    portfolio = _command(commands, "portfolio", "gather your saved memos into one Markdown and HTML document, listing what is missing")
    portfolio.add_argument("--work-dir", type=Path, default=None, help=work_help)
    portfolio.add_argument("--title", default="AI product portfolio", help="the document's title")
    portfolio.add_argument("--author", default="", help="your name, shown under the title")
    portfolio.set_defaults(run=_cmd_portfolio)

    from .practice import HELP_EPILOG, HelpFormatter

    practice = _command(commands, "practice", "practise timed drills in the terminal, the kinds you need most first, with a log that remembers")
    practice.formatter_class = HelpFormatter  # one line per rule, and the kinds' ids listed when the help is shown
    practice.epilog = HELP_EPILOG
    practice.add_argument("--minutes", type=float, default=None,
                          help="how long the session may take, in minutes (default 10, at most 120); with --mock, the interview's length (default 30)")
    practice.add_argument("--kinds", default=None, metavar="A,B",
                          help="only these kinds, separated by commas, e.g. blast_radius,cost_per_query (default: all; the ids are listed below)")
    practice.add_argument("--seed", type=int, default=None, help="draw the numbers from this seed (default: from the clock)")
    practice.add_argument("--scenario", default="default", metavar="NAME", help="a workshop scenario's numbers (see `aipm workshop scenarios`)")
    practice_mode = practice.add_mutually_exclusive_group()
    practice_mode.add_argument("--history", action="store_true", help="show your record per kind over sessions, and when each is due")
    practice_mode.add_argument("--mock", action="store_true", help="a 30-minute mock interview: three drills, two open questions, then a report "
                               "(--minutes changes its length; --kinds cannot be used with it)")
    practice.add_argument("--work-dir", type=Path, default=None, help=work_help)
    practice.set_defaults(run=_cmd_practice)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"] and not {"-h", "--help"} & set(argv[1:]):
        # Everything after `lab` belongs to JupyterLab, in its own order.
        args = parser.parse_args(["lab"])
        args.jupyter_args = argv[1:]
    else:
        args = parser.parse_args(argv)
        args.jupyter_args = []
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from .workspace import KitError

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        # ExerciseBuildError is a ValueError; importing it here would slow every command down.
        except (KitError, ValueError, OSError) as exc:
            print(f"aipm: error: {exc}", file=sys.stderr)
            return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
