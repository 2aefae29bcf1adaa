"""The root of the command line: global options, the list of commands, the slim app.

`peerkit --help` and `peerkit --version` are answered by a slim app built from this
module alone: the same commands with the same help, none of them imported. A command
line gets only what it names (`app_for`): `peerkit member --help` a root without global
options and the group's commands without their parameters, `peerkit member list ...`
the member group with `list` alone. Tests hold their output equal to the full app's
(build_app(), also peerkit.cli.app).

What --help shows is set here for every command: the root groups the commands in panels by
what the organiser is doing (PANELS); a parameter reads as a word (ID, REF, DATE, TEXT),
never as a type name (HelpCommand, HelpGroup); and each command's examples are its epilog
(`peerkit.text.examples`; a top-level command's module names them `<COMMAND>_EXAMPLES`,
e.g. AGENDA_EXAMPLES), shown last. A Tab builds as little as help does (`completion_app`).
Help and usage errors are drawn by Typer's Rich help module imported without the Markdown
and traceback renderers peerkit never shows (`light_rich_utils`), a third of its imports.
"""

from __future__ import annotations

import copy
import inspect
import os
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Annotated, Any, get_args

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.main import get_command_name
from typer.models import CommandInfo

try:
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - a Typer on Click itself
    from click.exceptions import ClickException  # type: ignore[assignment]

from peerkit import __version__
from peerkit.errors import catch_errors, interrupted, silent_interrupt
from peerkit.text import example_lines, examples

ROOT_HELP = (
    "Organise a peer-support community from the terminal: members, mastermind groups, "
    "hot seats, commitments, mentoring and events."
)

# name, kind ("command" or "group"), module under peerkit.commands, attribute, help
COMMANDS: list[tuple[str, str, str, str, str]] = [
    ("init", "command", "setup", "init",
     "Create the community's database, or update its settings. Safe to run again."),
    ("demo", "command", "setup", "demo",
     "Build a sample community in DIR and run the weekly pipeline on it."),
    ("member", "group", "member", "app",
     "Keep the member record: add, list, edit, pause, import, export, forget."),
    ("group", "group", "group", "app",
     "Peer groups: create or form them, find common times, add and remove members, archive."),
    ("session", "group", "session", "app",
     "Meetings: plan them, list, move, cancel, take attendance, keep notes."),
    ("plan", "group", "plan", "app", "Plan the week for every active group."),
    ("break", "group", "breaks", "app",
     "Breaks: days without meetings, for the community or one group."),
    ("commitment", "group", "commitment", "app",
     "Commitments: add them, list them, mark them done or dropped."),
    ("mentor", "group", "mentor", "app",
     "Mentoring: match mentors to mentees, pair them by hand, plan check-ins, end them."),
    ("event", "group", "event", "app",
     "Events for the wider community: create them, take answers with a waitlist, export."),
    ("status", "command", "status", "status",
     "The organiser's week: meetings, answers, unsent messages, commitments due, waitlists, "
     "members at risk, quiet mentorships."),
    ("stats", "command", "stats", "stats",
     "Community health: attendance, hot seats, commitments, mentoring, who is at risk."),
    ("site", "group", "site", "app",
     "A static public page: upcoming events and groups with open seats."),
    ("agenda", "command", "agenda", "agenda",
     "Print (or write) a meeting's agenda: check-in, hot seats, commitments, close."),
    ("invite", "command", "invite", "invite",
     "Write one invitation e-mail per attendee (.eml); with --send, deliver them."),
    ("remind", "command", "remind", "remind",
     "Remind members of meetings starting soon; writes .eml files, or sends with --send."),
    ("outbox", "group", "outbox", "app",
     "The messages peerkit wrote: check them before they are sent."),
    ("replies", "group", "replies", "app",
     "Replies to invitations: read members' answers from their mail and record them."),
    ("export", "group", "export", "app",
     "Export calendars (.ics) for a session, a group, a member or everyone."),
    ("publish", "group", "publish", "app",
     "Publish meetings to a shared calendar server (CalDAV)."),
    ("templates", "group", "templates", "app",
     "Templates for agendas, invitations and reminders: list, show, copy to customise."),
    ("log", "command", "log", "log",
     "Who changed what, and when: the community's change log, newest first."),
    ("db", "group", "db", "app",
     "The database: its path, backups, integrity checks and upgrades."),
    ("access", "group", "access", "app",
     "Who may do what: organisers, facilitators of their groups, viewers (PostgreSQL)."),
]  # fmt: skip
# The root help's panels, in this order, each with its commands in this order: what the
# organiser is doing. A command in no panel would be listed first, under "Commands" (a test
# holds every command to a panel).
PANELS: dict[str, tuple[str, ...]] = {
    "Community": ("init", "demo", "status", "member", "stats", "site", "access"),
    "Groups and meetings": ("group", "session", "plan", "break", "agenda", "commitment"),
    "Mentoring": ("mentor",),
    "Events": ("event",),
    "Calendars and mail": ("invite", "remind", "outbox", "replies", "export", "publish"),
    "Data": ("templates", "log", "db"),
}
ROOT_EXAMPLES = examples(
    "peerkit demo",
    "peerkit --db peerkit-demo/peerkit.db group list",
    "peerkit member --help",
)
# What Typer shows with its Rich help module (typer.rich_utils) when it ends a command line:
# usage errors, and an end of input or Abort at a prompt ("Aborted!").
SHOWN_ERRORS = (ClickException, typer.Abort, EOFError)
HELP_FLAGS = ("-h", "--help")  # in the order of the root's help_option_names
SLIM_ARGS: tuple[list[str], ...] = ([], ["--help"], ["-h"], ["--version"])


def _version(value: bool) -> None:
    if value:
        typer.echo(f"peerkit {__version__}")
        raise typer.Exit()


@catch_errors
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="PEERKIT_DB",
            help="SQLite database file. Default: peerkit.db in your user data folder.",
            show_default=False,
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="PEERKIT_DATABASE_URL",
            help="Any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (wins over --db).",
            show_default=False,
        ),
    ] = None,
    acting_as: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="PEERKIT_AS",
            metavar="WHO",
            help='Who is acting, as "Name <email>": recorded in the change log '
            "(default: the config's organiser).",
            show_default=False,
        ),
    ] = None,
    no_input: Annotated[
        bool,
        typer.Option(
            "--no-input",
            envvar="PEERKIT_NO_INPUT",
            help="Never prompt; a missing required value is a usage error.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Organise a peer-support community from the terminal."""
    from peerkit.config import resolve_settings
    from peerkit.context import AppContext
    from peerkit.services.common import actors

    settings = resolve_settings(db, database_url, no_input, sys.stdin.isatty(), check_setting)
    settings.actor = actors.from_settings(acting_as, settings.config)
    ctx.obj = AppContext(settings=settings)
    ctx.call_on_close(ctx.obj.close)


CHECKED_SETTINGS = ("timezone", "locale", "organiser_email")


def check_setting(key: str, value: str) -> None:
    """config.toml's community defaults are checked when read, by the domain's own rules."""
    if key not in CHECKED_SETTINGS:
        return
    from peerkit.services.common import validate

    checks = {
        "timezone": validate.timezone,
        "locale": validate.locale,
        "organiser_email": validate.email,
    }
    checks[key](value)


def panel(command: str) -> str | None:
    """The root help's panel for COMMAND (None: the default "Commands" panel)."""
    return next((name for name, names in PANELS.items() if command in names), None)


def _order(command: str) -> tuple[int, int]:
    """Where COMMAND is listed in the root help: its panel, then its place in it."""
    for i, names in enumerate(PANELS.values()):
        if command in names:
            return i, names.index(command)
    return -1, 0


# --- what --help shows for a parameter ------------------------------------------------------


def word(option: TyperOption) -> str:
    """What an option without a metavar of its own takes, as a word: a flag nothing; choices
    as they are typed (table|json|csv); else FILE, DIR, PATH, N or TEXT. Never a type name."""
    if option.is_flag or option.count:
        return ""
    described = option.type_descriptor
    if described.choices:
        return "|".join(str(getattr(c, "value", c)) for c in described.choices)
    if described.is_path:
        return {"file": "FILE", "dir": "DIR"}.get(described.path_type, "PATH")
    annotation = described.annotation
    if described.is_list and get_args(annotation):
        annotation = get_args(annotation)[0]
    return "N" if annotation in (int, float) else "TEXT"


class WordArgument(TyperArgument):
    """An argument shown by its word alone: ID in the usage line when it is required, [ID]
    when it may be left out, REF... when it takes several (no braces, no type name)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        return name if self.required else f"[{name}]"


def dress(param: Any) -> None:
    """Give PARAM the word --help shows for it (once; a metavar of its own stays)."""
    if isinstance(param, TyperArgument) and not isinstance(param, WordArgument):
        name = param.metavar or (param.name or "").upper()
        if param.nargs != 1 and not name.endswith("..."):
            name += "..."
        param.metavar = name
        param.__class__ = WordArgument  # the same object, shown as a word (no state added)
    elif isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = word(param)


def show_examples(command: Any, ctx: Any, formatter: Any, show: Any) -> None:
    """COMMAND's help (SHOW), then its examples as they are typed, indented under a heading.

    Typer's Rich help would print an epilog with its indentation removed and its Markdown
    fence as text; docs/cli.md keeps the epilog as it is (a console block)."""
    light_rich_utils()
    lines = example_lines(command.epilog) if command.rich_markup_mode == "rich" else []
    if not lines:
        show(ctx, formatter)
        return
    epilog, command.epilog = command.epilog, None
    try:
        show(ctx, formatter)
    finally:
        command.epilog = epilog
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    console.print()
    console.print(Text(" Examples:", style="bold"))
    for example in lines:
        for line in example.splitlines():
            console.print(Text(f"   {line}"), soft_wrap=True)


# What typer.rich_utils imports at its top and peerkit's help never uses: Markdown (the
# "markdown" markup mode; peerkit's is "rich") and Rich's tracebacks (pretty exceptions, off).
# They bring markdown-it, Pygments and rich.pretty: a third of what `peerkit --help` imports.
DEFERRED_RICH = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))


def light_rich_utils() -> None:
    """Import typer.rich_utils (Typer's help) without Rich's Markdown and tracebacks.

    While it is imported, those two modules are stand-ins whose class imports the real
    module when it is first used (called, or an attribute read); then they leave
    sys.modules, so any later import gets Rich's own. Nothing shown changes. Nothing is
    done when rich_utils or either module is already imported; if a Typer or Rich of
    another version imports more from them than the stand-ins hold, the real modules are
    imported (as Typer would) and help is only as slow as before.
    """
    if "typer.rich_utils" in sys.modules or any(m in sys.modules for m, _ in DEFERRED_RICH):
        return
    import importlib
    import types

    stand_ins = {}
    for module, name in DEFERRED_RICH:
        stand_in = types.ModuleType(module)
        setattr(stand_in, name, _deferred(module, name))
        stand_ins[module] = stand_in
    sys.modules.update(stand_ins)
    try:
        importlib.import_module("typer.rich_utils")
    except ImportError:
        pass  # the stand-ins were not enough: imported below with the real modules
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    importlib.import_module("typer.rich_utils")  # at once when it was imported above


def _deferred(module: str, name: str) -> type:
    """A stand-in for the class NAME of MODULE: calling it, or reading an attribute (as
    Traceback.from_exception), imports MODULE and answers with the real class."""
    import importlib

    def real() -> Any:
        return getattr(importlib.import_module(module), name)

    class Deferred(type):
        def __getattr__(cls, attribute: str) -> Any:
            return getattr(real(), attribute)

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            return real()(*args, **kwargs)

        def __instancecheck__(cls, instance: Any) -> bool:
            return isinstance(instance, real())

    return Deferred(name, (), {"__module__": __name__})


class HelpCommand(TyperCommand):
    """A command whose parameters read as words in --help, the docs and error messages, and
    whose help ends with its examples."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            dress(param)
        return params

    def format_help(self, ctx: Any, formatter: Any) -> None:
        show_examples(self, ctx, formatter, super().format_help)


class HelpGroup(TyperGroup):
    """A group whose parameters read as words and whose help ends with its examples (as
    HelpCommand's)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            dress(param)
        return params

    def format_help(self, ctx: Any, formatter: Any) -> None:
        show_examples(self, ctx, formatter, super().format_help)


class RootGroup(HelpGroup):
    """The root: its commands listed panel by panel (PANELS); names completed in bash with
    their spaces escaped; usage errors shown as lightly as help (`light_rich_utils`)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(super().list_commands(ctx), key=_order)

    # Every command line's usage errors pass through the root, parsing (make_context) or
    # running a command (invoke), before Typer shows them with its Rich help module.
    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except SHOWN_ERRORS:
            light_rich_utils()
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SHOWN_ERRORS:
            light_rich_utils()
            raise

    def _main_shell_completion(
        self,
        ctx_args: MutableMapping[str, Any],
        prog_name: str,
        complete_var: str | None = None,
    ) -> None:
        _completion_classes()
        super()._main_shell_completion(ctx_args, prog_name, complete_var)


def new_app() -> typer.Typer:
    root = typer.Typer(
        name="peerkit",
        help=ROOT_HELP,
        epilog=ROOT_EXAMPLES,
        cls=RootGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": list(HELP_FLAGS)},
    )
    root.callback()(main)
    return root


def build_slim_app() -> typer.Typer:
    """Only what the root help shows: the same names and help, no command imported."""
    return _placeholders(new_app())


def _placeholders(root: typer.Typer) -> typer.Typer:
    """ROOT with every command's name, help and panel, none of them imported."""
    for name, kind, _module, _attribute, text in COMMANDS:
        if kind == "group":
            root.add_typer(
                typer.Typer(), name=name, help=text, cls=HelpGroup, rich_help_panel=panel(name)
            )
        else:
            root.command(name, help=text, cls=HelpCommand, rich_help_panel=panel(name))(
                _placeholder
            )
    return root


def _placeholder() -> None:  # pragma: no cover - never run: the full app handles commands
    raise typer.Exit(2)


VALUE_OPTIONS = ("--db", "--database-url", "--as")
FLAG_OPTIONS = ("--no-input",)


def split_command(argv: list[str]) -> tuple[str, list[str]] | None:
    """The top-level command named on a command line and what follows it.

    The global options before it are skipped. None when it cannot be told for sure (then
    the full app answers, as it always may).
    """
    found = _first_word(argv)
    return found if isinstance(found, tuple) else None


def names_no_command(argv: list[str]) -> bool:
    """True when a command line names no command, after its global options: a word that
    is none (`peerkit frobnicate`), or nothing. Click refuses it before any command or
    callback runs, so the slim app refuses it as the full one does."""
    return _first_word(argv) != "-"


def _first_word(argv: list[str]) -> tuple[str, list[str]] | str:
    """The command and what follows it; else the first word that is not a global option
    ("-" for an option, or "--"), or "" when there is none."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in VALUE_OPTIONS:
            i += 2
        elif token.startswith(tuple(f"{o}=" for o in VALUE_OPTIONS)) or token in FLAG_OPTIONS:
            i += 1
        elif token.startswith("-"):
            return "-"
        elif token not in {c[0] for c in COMMANDS}:
            return token
        else:
            return token, argv[i + 1 :]
    return ""


def invoked_command(argv: list[str]) -> str | None:
    """The top-level command named on a command line, skipping the global options."""
    found = split_command(argv)
    return found[0] if found else None


def build_app(only: str | None = None, rest: list[str] | None = None) -> typer.Typer:
    """The root with every command registered, or with the one named.

    With REST (what follows the command on the command line), a group is narrowed to the
    sub-command REST names (see `narrowed`).
    """
    root = new_app()
    _register(root, only, rest)
    return root


def _register(root: typer.Typer, only: str | None, rest: list[str] | None) -> None:
    import importlib

    for command, kind, module, attribute, text in COMMANDS:
        if only is not None and command != only:
            continue
        loaded = importlib.import_module(f"peerkit.commands.{module}")
        target = getattr(loaded, attribute)
        shelf = panel(command)
        if kind == "group":
            sub = dressed(target)
            sub = sub if rest is None else narrowed(sub, rest)
            root.add_typer(sub, name=command, help=text, cls=HelpGroup, rich_help_panel=shelf)
        else:
            epilog = getattr(loaded, f"{attribute.upper()}_EXAMPLES", None)
            root.command(command, help=text, epilog=epilog, cls=HelpCommand, rich_help_panel=shelf)(
                target
            )


def dressed(group: typer.Typer) -> typer.Typer:
    """GROUP with its commands shown as HelpCommand shows them (the module's app untouched)."""
    shown = copy.copy(group)
    shown.registered_commands = []
    for info in group.registered_commands:
        one = copy.copy(info)
        if one.cls in (None, TyperCommand):  # Typer's own default: ours shows words
            one.cls = HelpCommand
        shown.registered_commands.append(one)
    return shown


def narrowed(group: typer.Typer, rest: list[str]) -> typer.Typer:
    """GROUP with only what the command line REST needs built.

    Typer builds every command of a group (each parameter of each) before it parses;
    a group is narrowed to the one sub-command REST names, and `peerkit GROUP --help`
    (or GROUP alone) gets `listing(group)`. Anything else gets the whole group. For
    `GROUP SUB --help` the group has no help option of its own either: parsing it (unused)
    would make Typer import pydantic.
    """
    if group.registered_groups:
        return group
    if not rest or (len(rest) == 1 and rest[0] in HELP_FLAGS):
        return listing(group)
    named = [c for c in group.registered_commands if rest[0] == _name(c)]
    if not named:
        return group
    one = copy.copy(group)
    one.registered_commands = named
    if len(rest) == 2 and rest[1] in HELP_FLAGS:
        one.info = copy.copy(group.info)
        one.info.add_help_option = False
    return one


def listing(group: typer.Typer) -> typer.Typer:
    """GROUP's commands with their names and help, none of their parameters."""
    shown = copy.copy(group)
    shown.registered_commands = []
    for info in group.registered_commands:
        placeholder = copy.copy(info)
        placeholder.callback = _placeholder
        if info.help is None:
            placeholder.help = inspect.getdoc(info.callback)
        shown.registered_commands.append(placeholder)
    return shown


def _name(info: CommandInfo) -> str:
    callback = info.callback
    return info.name or (get_command_name(callback.__name__) if callback else "")


def help_root(name: str, rest: list[str]) -> typer.Typer | None:
    """The root for `peerkit NAME [SUB] --help` (or a group alone), or None for other lines.

    Help needs none of the global options, so this root has none (nor the callback that
    reads the settings): parsing an option makes Typer import pydantic. Its help options
    are passed on to the commands, whose help is the same as in the full app.
    """
    kind = next(c[1] for c in COMMANDS if c[0] == name)
    asks_help = bool(rest) and rest[-1] in HELP_FLAGS and len(rest) <= (2 if kind == "group" else 1)
    if not (asks_help or (kind == "group" and not rest)):
        return None
    root = typer.Typer(
        name="peerkit",
        cls=RootGroup,
        add_completion=False,
        add_help_option=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": list(HELP_FLAGS)},
    )
    root.callback()(_nothing)
    _register(root, name, rest)
    return root


def _nothing() -> None:
    """The help root's callback: nothing to set up for help."""


def app_for(argv: list[str]) -> typer.Typer:
    """The app that answers ARGV as the full app does, building as little as it can.

    The root help comes from the slim app; `peerkit NAME --help` from `help_root`; a
    command line naming a command gets the root with that command alone, narrowed to the
    sub-command it names (Typer builds every registered command before it parses, so the
    others would only cost time); one naming no command (`peerkit frobnicate`) the slim
    app, which refuses it as the full app does; anything else gets the full app. Tests
    hold them all to the same output.
    """
    if argv in SLIM_ARGS:
        return build_slim_app()
    found = split_command(argv)
    if found is None:
        return build_slim_app() if names_no_command(argv) else build_app()
    name, rest = found
    if argv[0] == name and (helped := help_root(name, rest)) is not None:
        return helped
    return build_app(only=name, rest=rest)


# --- shell completion ------------------------------------------------------------------------

COMPLETE_VAR = "_PEERKIT_COMPLETE"


def completion_line(env: Mapping[str, str]) -> tuple[list[str], str] | None:
    """When a shell asks for completions (its script sets _PEERKIT_COMPLETE): the words
    before the one being completed, and that one as typed so far. None for a command line.

    They only choose which app is built (`completion_app`): Typer reads the line again
    itself, and every app answers as the full one, so a word read wrongly costs time, not
    answers.
    """
    instruction = env.get(COMPLETE_VAR)
    if not instruction:
        return None
    if not instruction.startswith("complete_"):
        return [], "-"  # source_bash and the like: the script, from the full root
    if instruction == "complete_bash":
        words = _split_words(env.get("COMP_WORDS", ""))
        try:
            cword = int(env.get("COMP_CWORD", ""))
        except ValueError:
            return [], "-"
        return words[1:cword], (words[cword] if cword < len(words) else "")
    line = env.get("_TYPER_COMPLETE_ARGS", "")
    words = _split_words(line)[1:]
    if instruction.endswith(("_powershell", "_pwsh")):
        typed = env.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        return (words[:-1] if typed else words), typed
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def completion_app(words: list[str], incomplete: str) -> typer.Typer:
    """The app that completes the word after WORDS (INCOMPLETE, as typed so far) as the
    full app does, building as little as it can.

    Typer parses every word before the one completed, and a root's option it parses (even
    to its default) costs the import of pydantic, Typer's converter. So the root has the
    global options only when the line gives one, or asks for them (`peerkit --d`); the
    completers of values read PEERKIT_DB and PEERKIT_DATABASE_URL themselves when it has
    none (commands/_options.py). The command named is narrowed as for a command line.
    """
    found = split_command(words)
    if found is None and (words or incomplete.startswith("-")):
        return build_slim_app()  # the full app's root, its commands as placeholders
    if found is not None and words[0] != found[0]:
        return build_app(only=found[0], rest=found[1])
    # Names, not options, are asked for: no help option is parsed on the way (nor offered).
    names = not incomplete.startswith("-") and not set(HELP_FLAGS) & set(words)
    root = typer.Typer(
        name="peerkit",
        cls=RootGroup,
        add_completion=False,
        add_help_option=not names,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": list(HELP_FLAGS)},
    )
    root.callback()(_nothing)
    if found is None:  # peerkit <Tab>: the commands' names
        return _placeholders(root)
    _register(root, *found)
    if names and not found[1]:  # peerkit GROUP <Tab>: its commands' names
        for info in root.registered_groups:
            listed = info.typer_instance
            if listed is not None:
                listed.info = copy.copy(listed.info)
                listed.info.add_help_option = False
    return root


def _split_words(line: str) -> list[str]:
    """LINE split as a shell would, an unfinished last word (an open quote) kept."""
    import shlex

    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    try:
        words.extend(lexer)
    except ValueError:
        words.append(lexer.token)
    return words


BASH_SPECIAL = frozenset(" \t'\"\\$`&;|<>()!*?[]{}#~")


def bash_word(value: str) -> str:
    """VALUE as bash must be given it to keep it one word: "Giulia Rossi" is Giulia\\ Rossi."""
    return "".join(f"\\{c}" if c in BASH_SPECIAL else c for c in value)


def _completion_classes() -> None:
    """Typer's completion for each shell (a root without --install-completion has not
    registered them), bash's with its special characters escaped: bash inserts a completion
    as it is given, and a member's name must keep its spaces in one word. Zsh and fish
    quote what they insert themselves."""
    from typer._completion_classes import BashComplete, completion_init

    try:
        from typer._click.shell_completion import add_completion_class
    except ImportError:  # pragma: no cover - a Typer on Click itself
        from click.shell_completion import add_completion_class  # type: ignore[assignment]

    class QuotedBash(BashComplete):
        def format_completion(self, item: Any) -> str:
            return bash_word(str(item.value))

    completion_init()
    add_completion_class(QuotedBash, "bash")


def run() -> None:
    """The console script. (peerkit.cli holds the full app for tests and docs; it is not
    imported here, so that the two modules do not import each other.)"""
    line = completion_line(os.environ)
    try:
        app = app_for(sys.argv[1:]) if line is None else completion_app(*line)
        app(prog_name="peerkit")
    except KeyboardInterrupt:  # while the app was being built: before any command ran
        interrupted()
    except SystemExit as stop:
        if silent_interrupt(stop):  # Ctrl-C while Typer parsed or closed: say it too
            interrupted()
        raise
