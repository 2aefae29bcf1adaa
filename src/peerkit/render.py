"""The Jinja environment: user templates first, then the built-ins, always sandboxed.

Organisers may copy a built-in template into their template folder and change it; a
file there overrides the built-in of the same name, and ``{% extends
"default:agenda.md.j2" %}`` still reaches the built-in. Templates run in Jinja's
SandboxedEnvironment with StrictUndefined; HTML templates are autoescaped.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
)
from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from peerkit.config import config_dir
from peerkit.errors import NotFound, PeerkitError
from peerkit.files import cache_folder, private_folder
from peerkit.i18n import gettext_for
from peerkit.resources import builtin_templates_dir

BUILTIN_PREFIX = "default"


def user_templates_dir() -> Path:
    return config_dir() / "templates"


def _is_html(name: str | None) -> bool:
    return bool(name) and (str(name).endswith(".html.j2") or str(name).endswith(".html"))


class _UserFolder(FileSystemLoader):
    """The organiser's folder. A template read from it stays compiled only while the file
    holds the same text: an edit is seen even when it lands in the same clock tick as the
    last read (file times are that coarse), which a plain mtime check would miss."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, _ = super().get_source(environment, template)

        def unchanged() -> bool:
            try:
                return Path(filename).read_text(encoding=self.encoding) == source
            except (OSError, UnicodeDecodeError):
                return False

        return source, filename, unchanged


class _UserFirst(BaseLoader):
    """User folder first, then the built-ins. A template taken from the built-ins goes stale
    as soon as the user folder gains a file of that name, so a new override wins at once.
    (ChoiceLoader would hand back the built-in loader's own staleness check.)"""

    def __init__(self, user: BaseLoader, builtins: BaseLoader) -> None:
        self.user, self.builtins = user, builtins

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        try:
            return self.user.get_source(environment, template)
        except TemplateNotFound:
            pass
        source, filename, uptodate = self.builtins.get_source(environment, template)

        def still_builtin() -> bool:
            try:
                self.user.get_source(environment, template)
            except TemplateNotFound:
                return uptodate is None or uptodate()
            return False

        return source, filename, still_builtin

    def list_templates(self) -> list[str]:
        return sorted(set(self.user.list_templates()) | set(self.builtins.list_templates()))


def environment(locale: str, user_dir: Path | None = None) -> SandboxedEnvironment:
    """The environment for LOCALE and the user folder, built once per process for each pair
    (building one and compiling its templates again cost ~20 ms a render)."""
    return _environment(locale, user_dir or user_templates_dir(), builtin_templates_dir())


class _Sandbox(SandboxedEnvironment):
    """The sandbox, calling the templates' own `_()` (`_underscore`) directly: it is safe,
    so the sandbox's check and Jinja's look at what to pass a callable are left out (two
    calls on every `_()`, ten of them in an invitation). Inside a loop or block with
    variables of its own, and for anything else, the sandbox's way."""

    underscore: Any = None

    def call(
        __self,
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if (
            __obj is __self.underscore
            and __obj is not None
            and not kwargs.get("_loop_vars")
            and not kwargs.get("_block_vars")
        ):
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return __obj(__context, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)


class _Compiled(BytecodeCache):
    """Templates compiled once: the compiled code is shared by the environments of every
    language in the process (they differ only in their translations, which are not compiled
    in), and kept in the user's cache folder for the next run. A template is found by its
    name, its file and a hash of its text, so an edited template is compiled again; the
    folder's name holds a hash of this module (the environments' settings) and of the
    Python and Jinja versions. A cache that cannot be read or written is only slower."""

    def __init__(self, folder: Path | None) -> None:
        self.codes: dict[tuple[str, str], Any] = {}
        self.disk = FileSystemBytecodeCache(str(folder)) if folder is not None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.codes.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
            return
        if self.disk is not None:
            try:
                self.disk.load_bytecode(bucket)
            except Exception:  # a damaged file: compile again
                bucket.reset()
        if bucket.code is not None:
            self.codes[bucket.key, bucket.checksum] = bucket.code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key, bucket.checksum] = bucket.code
        if self.disk is not None:
            with contextlib.suppress(OSError):
                self.disk.dump_bytecode(bucket)


@functools.cache
def _compiled() -> _Compiled:
    import hashlib
    import sys

    import jinja2

    stamp = hashlib.sha256(Path(__file__).read_bytes())
    stamp.update(f"{sys.version}|{jinja2.__version__}".encode())
    folder = cache_folder("templates") / stamp.hexdigest()[:24]
    try:
        private_folder(folder)
    except OSError:
        return _Compiled(None)
    return _Compiled(folder)


@functools.lru_cache(maxsize=32)
def _environment(locale: str, user_dir: Path, builtin_dir: Path) -> SandboxedEnvironment:
    builtin = FileSystemLoader(builtin_dir)
    loader = _UserFirst(
        _UserFolder(user_dir),
        ChoiceLoader([PrefixLoader({BUILTIN_PREFIX: builtin}, delimiter=":"), builtin]),
    )
    env = _Sandbox(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=_is_html,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,  # each cached template asks its loader whether it is still current
        bytecode_cache=_compiled(),
    )
    translations = gettext_for(locale)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = env.underscore = _underscore(env.globals["gettext"], translations.gettext)
    return env


def _underscore(installed: Any, translate: Callable[[str], str]) -> Any:
    """The templates' `_()`: what the i18n extension's does (the text translated, made Markup
    in an autoescaped template, then %-formatted with the variables), without its two calls
    through the context each time; a template with a `gettext` of its own is given that."""
    from markupsafe import Markup

    @pass_context
    def underscore(context: Any, *args: Any, **variables: Any) -> Any:
        found = context.resolve("gettext")
        if found is not installed or len(args) != 1:
            return context.call(found, *args, **variables)  # the extension's own way
        text = translate(args[0])
        if context.eval_ctx.autoescape:
            text = Markup(text)
        if not variables and "%" not in text:
            return text  # what `text % {}` gives, without formatting
        return text % variables

    return underscore


def render(name: str, context: Mapping[str, Any], locale: str, user_dir: Path | None = None) -> str:
    """Render a template by name (a user override wins over the built-in)."""
    return _render(_template(environment(locale, user_dir), name), context, name)


def _template(env: SandboxedEnvironment, name: str) -> Any:
    try:
        return env.get_template(name)
    except TemplateNotFound as exc:
        raise NotFound(f"no template called '{exc.name}'. See: peerkit templates list") from None
    except TemplateError as exc:
        raise _explain(exc, name) from None


class Templates:
    """The templates of one run that renders many times (plan week: two a member): the
    folders are looked up once, each template is found (user folder first) and compiled
    once, and every render of the run uses that same template."""

    def __init__(self, user_dir: Path | None = None) -> None:
        self.user_dir = user_dir or user_templates_dir()
        self.builtin_dir = builtin_templates_dir()
        self.found: dict[tuple[str, str], Any] = {}

    def render(self, name: str, context: Mapping[str, Any], locale: str) -> str:
        """The same text as :func:`render`."""
        template = self.found.get((name, locale))
        if template is None:
            env = _environment(locale, self.user_dir, self.builtin_dir)
            template = self.found[name, locale] = _template(env, name)
        return _render(template, context, name)


def _render(template: Any, context: Mapping[str, Any], name: str) -> str:
    """Render, turning any mistake in a template into a clear error (never a traceback)."""
    try:
        return str(template.render(context))
    except TemplateError as exc:
        raise _explain(exc, name) from None
    except RecursionError:
        raise PeerkitError(f"the template {name} recurses too deeply.") from None
    except Exception as exc:  # a template can raise anything its expressions raise
        raise PeerkitError(
            f"the template {name} failed: {type(exc).__name__}: {exc}. "
            'Check the expression; a section\'s list is section["items"], not section.items.'
        ) from None


def render_file(path: Path, context: Mapping[str, Any], locale: str) -> str:
    """Render an organiser's own template file (`--template FILE`)."""
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PeerkitError(f"no such template file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PeerkitError(f"cannot read the template {path}: {exc}") from None
    env = environment(locale).overlay(autoescape=_is_html(path.name))
    try:
        template = env.from_string(source)
    except TemplateError as exc:
        raise _explain(exc, str(path)) from None
    return _render(template, context, str(path))


def _explain(exc: TemplateError, name: str) -> PeerkitError:
    if isinstance(exc, SecurityError):
        return PeerkitError(
            f"the template {name} tried to reach something templates may not use ({exc}). "
            "Templates can read the variables listed in docs/templates.md, nothing else."
        )
    if isinstance(exc, UndefinedError):
        return PeerkitError(
            f"the template {name} uses a variable that does not exist ({exc.message}). "
            "See docs/templates.md for the variables a template can use."
        )
    if isinstance(exc, TemplateSyntaxError):
        where = exc.filename or exc.name or name
        return PeerkitError(f"{where}, line {exc.lineno}: {exc.message}")
    if isinstance(exc, TemplateNotFound):
        return NotFound(f"the template {name} refers to '{exc.name}', which does not exist.")
    return PeerkitError(f"the template {name} failed: {exc}")


def builtin_names() -> list[str]:
    return sorted(p.name for p in builtin_templates_dir().glob("*.j2"))


def user_names(user_dir: Path | None = None) -> list[str]:
    folder = user_dir or user_templates_dir()
    return sorted(p.name for p in folder.glob("*.j2")) if folder.is_dir() else []


def used_templates(user_dir: Path | None = None) -> list[tuple[str, Path]]:
    """Every template by name, with the file that is used for it (yours, or the built-in)."""
    mine = user_dir or user_templates_dir()
    yours = set(user_names(mine))
    return [
        (name, (mine if name in yours else builtin_templates_dir()) / name)
        for name in sorted(set(builtin_names()) | yours)
    ]


def source(name: str, user_dir: Path | None = None) -> tuple[str, Path]:
    """The text of the template that would be used for NAME, and where it is."""
    for folder in (user_dir or user_templates_dir(), builtin_templates_dir()):
        path = folder / name
        if _plain_name(name) and path.is_file():
            return path.read_text(encoding="utf-8"), path
    raise NotFound(f"no template called '{name}'. See: peerkit templates list")


def _plain_name(name: str) -> bool:
    return "/" not in name and "\\" not in name and not name.startswith(".")
