"""The guided app: one factory for the CLI and the tests; its stylesheet is app.tcss, and
screens/screens.tcss for the screens opened from Welcome (loaded when first opened).

``create_app()`` builds the app; ``run_app()`` runs it for the ``auditor`` command and
always returns an exit code: 0 after a normal quit, 2 if the app could not start or stopped
on an unexpected error (one line on stderr, never a traceback with the person's data in it).

The first screen must appear about as fast as a minimal Textual app's (benchmarks/startup.py),
so this module imports only what the Welcome screen needs: the other screens, the dialogs,
the profile parser, the history and the demo world load when they are first used (the demo
world in its worker thread, after the first frame), and tests/tui/test_startup_imports.py
keeps it so.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from auditor.files import default_profile_path
from auditor.heap import HeapSettler
from auditor.tui.runner import AuditRunner, RunnerType
from auditor.tui.screens.welcome import WelcomeScreen
from auditor.tui.session import Clock, Session, StateStore, default_store
from auditor.tui.text import one_line

if TYPE_CHECKING:
    from auditor.actions import ActionSet
    from auditor.profile import Profile
    from auditor.services import AuditOptions
    from auditor.tui.screens.answer import AskedQuestion
    from auditor.tui.screens.run import RunScreen

EXIT_OK = 0
EXIT_COULD_NOT_RUN = 2

SCREEN_NAMES = {
    "welcome": "Welcome",
    "profile": "Profile: who is audited",
    "run": "Run the audit",
    "results": "Results",
    "checklist": "Checklist",
    "twofa": "Two-factor wizard",
}


def _lazy(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen, imported the first time the mode is opened (fast first paint)."""

    def build() -> Screen[Any]:
        screen_type: type[Screen[Any]] = getattr(importlib.import_module(module), name)
        return screen_type()

    return build


SCREENS: dict[str, Callable[[], Screen[Any]]] = {
    "welcome": WelcomeScreen,
    "profile": _lazy("auditor.tui.screens.profile_form", "ProfileScreen"),
    "run": _lazy("auditor.tui.screens.run", "RunScreen"),
    "results": _lazy("auditor.tui.screens.results", "ResultsScreen"),
    "checklist": _lazy("auditor.tui.screens.checklist", "ChecklistScreen"),
    "twofa": _lazy("auditor.tui.screens.twofa", "TwoFactorScreen"),
}


def _modes_after(first: str) -> dict[str, str | Callable[[], Screen[Any]]]:
    """MODES without the first mode's screen: Textual builds a screen of MODES at start-up
    the slow way (mounted inside the app's own compose, the stylesheet parsed and applied
    once more), about 50 ms more before the first paint than the default screen
    (benchmarks/RESULTS-startup.md). The first mode's screen is the default screen instead,
    and the mode joins MODES once the app is mounted, so that switching back to it works."""
    return {mode: screen for mode, screen in SCREENS.items() if mode != first}


class CandidateAuditorApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "Candidate Auditor"
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = _modes_after("welcome")
    DEFAULT_MODE = "welcome"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+q", "quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("f1", "help", "Help", show=False),
    ]

    def __init__(
        self,
        session: Session,
        *,
        runner: RunnerType,
        demo_world_factory: Callable[[], Any] | None = None,
        options: AuditOptions | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.options = options  # how to reach the network and which services (not demo)
        self.runner = runner
        self.demo_world_factory = demo_world_factory
        self.demo_world: Any = None
        self.demo_failed: str | None = None
        self.crash: str | None = None
        self.run_screen: RunScreen | None = None
        self.came_from: dict[str, str] = {}  # mode -> the mode it was opened from
        self.startup_notes: list[str] = []  # about the options (a keyring it cannot ask)
        self.heap = HeapSettler()  # settled after each audit (the run screen), see auditor/heap.py
        # read before the first screen draws, so that it shows the profile it was given
        self.profile_problem = None if session.demo else load_profile_into(session)

    # -- start and stop ---------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return SCREENS[self.DEFAULT_MODE]()

    def on_mount(self) -> None:
        self.add_mode(self.DEFAULT_MODE, SCREENS[self.DEFAULT_MODE])
        # Once the first screen is drawn, move every object alive so far (the imports, the
        # widgets) out of the garbage collector's reach: a full collection during an audit
        # then walks only what came after, instead of stalling the screen for ~80 ms. Not
        # settle(): its collection would walk all ~80,000 of them with the screen up (30-45
        # ms of CPU) to find ~3,700 objects of start-up garbage, frozen here once instead.
        self.call_after_refresh(gc.freeze)
        for note in self.startup_notes:
            self.notify(one_line(note, limit=400), severity="warning", timeout=30, markup=False)
        problem = self.profile_problem
        if problem:
            self.show_error(problem)
        elif self.session.profile is None and self.session.profile_file is not None:
            self.go("profile")
            self.notify("This is the blank profile from 'auditor init': fill it in here and save.")
        if self.session.demo:
            # once the run screen is complete: the world's start (certificates, servers)
            # holds the interpreter for a few hundred ms, and the screen must not wait.
            # Textual draws the footer's keys one refresh after the first frame, hence two.
            self.call_after_refresh(self.call_after_refresh, self.start_demo_world)

    @work(thread=True, exclusive=True, exit_on_error=False, group="demo")
    def start_demo_world(self) -> None:
        """Start the fictional candidate's servers off the UI thread, then audit them."""
        assert self.demo_world_factory is not None
        world = self.demo_world_factory()
        self.demo_world = world
        self.call_from_thread(self._demo_ready, world.profile)

    def _demo_ready(self, profile: Profile) -> None:
        self.session.set_profile(profile)
        self.start_audit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "demo" and event.state is WorkerState.ERROR:
            self.demo_failed = one_line(event.worker.error or "unknown error")
            self.show_error(f"The demo could not start: {self.demo_failed}")

    def stop_demo_world(self) -> None:
        world, self.demo_world = self.demo_world, None
        if world is not None:
            try:
                world.stop_thread()
            except Exception:  # stopping must never turn a clean quit into a crash
                logging.getLogger(__name__).debug("demo world did not stop", exc_info=True)

    async def on_unmount(self) -> None:
        if self.run_screen is not None:
            await self.run_screen.shutdown()
        self.stop_demo_world()

    def audit_options(self) -> AuditOptions:
        if self.session.demo:
            if self.demo_world is None:
                raise RuntimeError("the demo world is still starting; try again in a moment")
            options: AuditOptions = self.demo_world.audit_options()
            return options
        if self.options is not None:
            return self.options
        from auditor.services import AuditOptions

        return AuditOptions()

    # -- navigation -------------------------------------------------------------------

    def go(self, mode: str) -> None:
        if self.screen.is_modal:
            self.pop_screen()
        if mode != self.current_mode:
            self.came_from[mode] = self.current_mode
        self.switch_mode(mode)

    def go_back(self, mode: str) -> None:
        """Esc on ``mode``: back to the screen it was opened from (Welcome at first)."""
        self.go(self.came_from.get(mode, "welcome"))

    def start_audit(self) -> None:
        """Run a new audit of the session's profile (asks for a profile when there is none)."""
        if self.session.profile is None:
            if self.session.demo:
                self.show_message("Please wait", "The demo is still starting.")
                return
            self.go("profile")
            self.notify("Fill in who is audited first, then save.", timeout=6)
            return
        self.go("run")
        screen = self.screen
        from auditor.tui.screens.run import RunScreen

        if isinstance(screen, RunScreen):
            screen.start()

    def enter_demo(self) -> None:
        """Switch this session to the fictional candidate (own profile and history untouched)."""
        if self.session.demo:
            self.start_audit()
            return
        if self.demo_world_factory is None:
            self.demo_world_factory = started_demo_world
        self.session.enter_demo()
        self.go("run")
        self.start_demo_world()

    # -- the profile file ---------------------------------------------------------------

    def ask_open_profile(self) -> None:
        """Ask for a profile file, then work on it (the form shows it)."""
        if self.session.demo:
            self.show_message(
                "This is the demo", "The demo audits a fictional candidate. Quit and run "
                "'auditor --profile FILE' to open your own profile."
            )  # fmt: skip
            return
        from auditor.tui.screens.dialogs import OpenProfileDialog

        self.push_screen(
            OpenProfileDialog(self.session.profile_path, default_profile_path()),
            self._open_chosen,
        )

    def _open_chosen(self, path: Path | None) -> None:
        if path is None:
            return
        if path.is_dir():
            self.show_error(f"{path} is a folder; give the profile file's name.")
            return
        session = self.session
        kept = (session.profile, session.profile_path, session.profile_file,
                session.profile_file_has_comments, session.report, session.state)  # fmt: skip
        session.open_profile_path(path)
        problem = load_profile_into(session)
        if problem:  # keep working on the file that was open before
            (session.profile, session.profile_path, session.profile_file,
             session.profile_file_has_comments, session.report, session.state) = kept  # fmt: skip
            session.changed()
            self.show_error(problem)
            return
        self.go("profile")
        if self.session.profile is None and path.exists():
            self.notify(f"{path} is the blank profile from 'auditor init': fill it in and save.")
        elif self.session.profile is None:
            self.notify(f"{path} does not exist yet: fill in the form and save to create it.")
        else:
            self.notify(f"Opened {path}.")

    def save_profile(
        self, profile: Profile, on_saved: Callable[[Path | None], None] | None = None
    ) -> None:
        """Save to the session's profile file (0600, atomic), asking first when that would
        replace a file changed since the app read it, or lose its comments."""
        path = self.session.profile_path
        if path is None:  # the demo: kept in memory only
            self.session.set_profile(profile)
            if on_saved is not None:
                on_saved(None)
            return
        question = self.session.overwrite_question()

        def write(yes: bool | None = True) -> None:
            if not yes:
                self.notify("Not saved: the file was left as it is.", severity="warning")
                return
            from auditor.profile import ProfileError, save_profile

            try:
                save_profile(profile, path)
                self.session.profile_read(path, path.read_text(encoding="utf-8"))
            except (ProfileError, OSError) as exc:
                self.show_error(exc)
                return
            self.session.set_profile(profile, path)
            if on_saved is not None:
                on_saved(path)

        if question is None:
            write()
            return
        from auditor.tui.screens.dialogs import ConfirmDialog

        self.push_screen(ConfirmDialog("Replace the file?", question, yes="Save"), write)

    def ask_answers(self, questions: list[AskedQuestion]) -> None:
        """Ask one of ``questions`` and save the answer, dated, to the profile file."""
        if not questions:
            self.notify("There is no question to answer here.")
            return
        if self.session.profile is None:
            self.show_error("There is no profile to save the answer in yet.")
            return
        from auditor.tui.screens.answer import AnswerDialog

        self.push_screen(AnswerDialog(questions), self._answered)

    def _answered(self, choice: tuple[str, str] | None) -> None:
        profile = self.session.profile
        if choice is None or profile is None:
            return
        key, text = choice
        from auditor.questions import with_answer

        try:
            updated = with_answer(profile, key, text, self.session.clock().date())
        except ValueError as exc:
            self.show_error(exc)
            return

        def saved(path: Path | None) -> None:
            where = f"saved in {path}" if path else "kept for this demo session"
            self.notify(f"Answer {where}. It counts from the next audit (n on Welcome).")

        self.save_profile(updated, saved)

    def export_report(self) -> None:
        """Ask for a format and a file, then write the report there (0600, atomic)."""
        report = self.session.report
        if report is None:
            self.show_message("Nothing to export", "Run an audit first.")
            return
        from auditor.tui.screens.dialogs import ExportDialog
        from auditor.tui.session import export_path

        directory = Path.cwd()
        default = export_path(directory, self.session.subject, "md")
        self.push_screen(ExportDialog(default, available_formats()), self._export_chosen)

    def _export_chosen(self, choice: tuple[str, Path] | None) -> None:
        if choice is None or self.session.report is None:
            return
        name, path = choice
        if path.is_dir():
            self.show_error(f"{path} is a folder: give the file's name too.")
            return
        profile = self.session.profile_path
        if profile is not None and path.exists() and path.resolve() == profile.resolve():
            self.show_error(f"{path} is your profile: choose another name for the report.")
            return
        if not path.exists():
            self._export(name, path)
            return

        def replace_it(yes: bool | None) -> None:
            if yes:
                self._export(name, path)
            else:
                self.notify("Not exported: the file was left as it is.", severity="warning")

        from auditor.tui.screens.dialogs import ConfirmDialog

        question = f"{path} already exists. Replace it with this report?"
        self.push_screen(ConfirmDialog("Replace the file?", question, yes="Replace"), replace_it)

    def _export(self, name: str, path: Path) -> None:
        """The report as ``auditor scan --format NAME`` writes it: the same writer, with the
        checklist (ticks and all), the score table and the changes since the last audit."""
        session = self.session
        report = session.report
        if report is None:
            return
        try:
            from auditor.files import write_private_text
            from reports.formats import render

            text = render(
                report, name, reveal=False, checklist=session.checklist(), changes=session.changes
            )
            written = write_private_text(path, text)
        except Exception as exc:
            self.show_error(f"Could not export to {path}: {one_line(exc)}")
            return
        self.show_message(
            "Exported",
            f"Saved to {written.resolve()} (only you can read it). Personal details are hidden.",
        )

    def show_error(self, error: BaseException | str) -> None:
        from auditor.tui.screens.dialogs import ErrorDialog

        self.push_screen(ErrorDialog(error))

    def show_message(self, title: str, message: str) -> None:
        from auditor.tui.screens.dialogs import MessageDialog

        self.push_screen(MessageDialog(title, message))

    def action_help(self) -> None:
        from auditor.tui.screens.help import HelpScreen

        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)
            return
        self.push_screen(HelpScreen(type(screen)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for mode, title in SCREEN_NAMES.items():
            yield SystemCommand(f"Go to: {title}", f"Open the {title} screen", self._goer(mode))
        yield SystemCommand("Start a new audit", "Audit the profile now", self.start_audit)
        yield SystemCommand(
            "Help for this screen", "Keys and what this screen does", self.action_help
        )

    def _goer(self, mode: str) -> Callable[[], None]:
        return lambda: self.go(mode)

    # -- errors -----------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An error nobody caught: under tests, fail loudly; for a person, quit with one
        line (run_app prints it) and no traceback full of their data on the screen."""
        if self.is_headless:
            super()._handle_exception(error)
            return
        self.crash = one_line(error) or type(error).__name__
        self._return_code = EXIT_COULD_NOT_RUN
        self.exit(EXIT_COULD_NOT_RUN, return_code=EXIT_COULD_NOT_RUN)


class DemoAuditorApp(CandidateAuditorApp):
    """``auditor demo``: it opens on the run screen itself (Welcome is not built first)."""

    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = _modes_after("run")
    DEFAULT_MODE = "run"


def available_formats() -> tuple[str, ...]:
    """The report formats whose writer is installed (HTML may still be on its way)."""
    import importlib.util

    from reports.formats import FORMATS

    found = []
    for name, module in FORMATS.items():
        try:
            if importlib.util.find_spec(module) is not None:
                found.append(name)
        except (ImportError, ValueError):
            continue
    return tuple(found)


def started_demo_world() -> Any:
    """``DemoWorld.run_in_thread()``, imported here, in the app's demo worker thread: the
    demo world loads its servers, dnspython and cryptography, which no screen waits for."""
    from auditor.demo.world import DemoWorld

    return DemoWorld.run_in_thread()


def _load_actions() -> ActionSet:
    from auditor.actions import load_actions

    return load_actions()


def create_app(
    *,
    demo: bool = False,
    profile_path: str | Path | None = None,
    clock: Clock | None = None,
    audit_runner: RunnerType | None = None,
    store: StateStore | None = None,
    actions: ActionSet | None = None,
    demo_world_factory: Callable[[], Any] | None = None,
    options: AuditOptions | None = None,
) -> CandidateAuditorApp:
    """The app, for the CLI and the tests alike.

    ``clock`` freezes time (ticks, attestation dates, the audit's timestamps); ``audit_runner``
    replaces the engine (tests); ``store`` replaces the audit history; ``actions`` replaces
    the remediation actions of the registered action packages; ``demo_world_factory`` returns a
    started demo world (default: ``DemoWorld.run_in_thread``); ``options`` are the audits'
    network options and services (a search provider, say) outside the demo. Consent to send
    the person's name is never among them: the app asks before each audit that would.
    """
    session = Session(
        store=store if store is not None else default_store(),
        actions=(lambda: actions) if actions is not None else _load_actions,
        clock=clock,
        demo=demo,
    )
    if not demo:
        path = Path(profile_path) if profile_path is not None else default_profile_path()
        session.profile_path = path
    if demo and demo_world_factory is None:
        demo_world_factory = started_demo_world
    app = (DemoAuditorApp if demo else CandidateAuditorApp)(
        session,
        runner=audit_runner or AuditRunner(clock),
        demo_world_factory=demo_world_factory,
        options=options,
    )
    return app


def load_profile_into(session: Session) -> str | None:
    """Load the session's profile file if it exists; the one-line problem otherwise."""
    path = session.profile_path
    if path is None or not path.exists():
        return None
    from auditor.profile import load_profile
    from auditor.profile_template import TEMPLATE

    try:
        if path.read_text(encoding="utf-8", errors="replace") == TEMPLATE:
            # the blank form of 'auditor init': not an error, the person fills it in here
            session.profile_read(path, TEMPLATE)
            return None
        profile = load_profile(path)
        session.profile_read(path, path.read_text(encoding="utf-8", errors="replace"))
    except ValueError as exc:  # ProfileError, one line naming the file, key and fix
        return str(exc)
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc})"
    session.set_profile(profile, path)
    return None


def run_app(
    *,
    demo: bool = False,
    profile_path: str | Path | None = None,
    options: AuditOptions | None = None,
    notes: Sequence[str] = (),
) -> int:
    """Run the app in this terminal; returns the exit code for the CLI. ``options`` are the
    audits' network options and services (the CLI's --search-provider, --endpoint, keys);
    ``notes`` are what the person should know about them, shown when the app starts."""
    quiet = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(quiet)  # library logs must not scribble over the screen
    app: CandidateAuditorApp | None = None
    try:
        app = create_app(demo=demo, profile_path=profile_path, options=options)
        app.startup_notes = list(notes)
        app.run()
    except Exception as exc:
        print(f"auditor: the app stopped: {one_line(exc)}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    finally:
        if app is not None:
            app.stop_demo_world()
        root.removeHandler(quiet)
    if app.crash is not None:
        print(f"auditor: the app stopped on an unexpected error: {app.crash}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    return int(app.return_code or EXIT_OK)
