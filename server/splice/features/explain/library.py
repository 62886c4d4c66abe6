"""Which frames belong to code the user does not own (standard libraries, installed packages, runtimes).

The parser marks them from the printed path and function alone; the mapper later treats any frame it cannot find
in the workspace as external too. Library frames are kept (they show the path into the failure) but summarised.
"""

from __future__ import annotations

import re

from splice.features.explain.model import TraceFormat

_PYTHON_PATH = re.compile(
    r"(site-packages|dist-packages)[/\\]"
    r"|[/\\]lib[/\\]python\d[\d.]*[/\\]"
    r"|[/\\]Lib[/\\]"
    r"|^<frozen |^<string>$|^<stdin>$|^<frozen>"
    r"|[/\\]_pytest[/\\]|[/\\]pluggy[/\\]"
)
# ``[eval]``/``evalmachine.<anonymous>`` are code typed on the command line or built at run time: no file to map.
_NODE_PATH = re.compile(
    r"node_modules[/\\]|^node:|^internal[/\\]|^<anonymous>$|^native$|^\s*$|^\[eval\]|^evalmachine\."
)
# GOROOT sources (``…/go/src/runtime/``: a first component without a dot) and the module cache; a GOPATH
# workspace (``~/go/src/github.com/…``) has a dotted first component and stays user code.
_GO_PATH = re.compile(
    r"[/\\]go[/\\]src[/\\][^./\\]+[/\\]|[/\\]pkg[/\\]mod[/\\]|^\$GOROOT|^GOROOT|[/\\]usr[/\\](local[/\\])?go[/\\]"
)
_GO_FUNCTION = re.compile(r"^(runtime|testing|reflect|sync|net/http|os|syscall)\.")
_RUST_PATH = re.compile(r"^/rustc/|[/\\]\.cargo[/\\](registry|git)[/\\]|[/\\]library[/\\](std|core|alloc)[/\\]")
_RUST_FUNCTION = re.compile(
    r"^(<?(std|core|alloc|test)::|rust_begin_unwind|__rust|_start|__libc_start|main$|start_thread|clone3?$)"
)
_JAVA_FUNCTION = re.compile(
    r"^(java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|org\.junit|junit|org\.gradle|org\.apache\.maven|"
    r"org\.springframework|org\.hibernate|io\.netty|org\.eclipse\.jetty|org\.apache)\."
)
_GENERIC_SYSTEM = re.compile(r"^/usr/(local/)?lib/|^/opt/homebrew/|^C:[/\\]Program Files")


def is_library_frame(fmt: TraceFormat, path: str, function: str) -> bool:
    """True when the frame lies in a standard library, an installed dependency or the runtime."""
    if _GENERIC_SYSTEM.search(path):
        return True
    if fmt in (TraceFormat.PYTHON, TraceFormat.PYTEST):
        return bool(_PYTHON_PATH.search(path))
    if fmt is TraceFormat.NODE:
        return bool(_NODE_PATH.search(path))
    if fmt is TraceFormat.GO:
        return bool(_GO_PATH.search(path) or (_GO_FUNCTION.match(function) and not path))
    if fmt is TraceFormat.RUST:
        return bool(_RUST_PATH.search(path) or _RUST_FUNCTION.match(function))
    if fmt is TraceFormat.JAVA:
        module = function.split("/", 1)[0] if "/" in function else ""
        bare = function.rsplit("/", 1)[-1]
        return bool(module.startswith(("java.", "jdk.")) or _JAVA_FUNCTION.match(bare))
    return False


def library_label(fmt: TraceFormat, path: str, function: str) -> str:
    """A short name for the library a frame belongs to, used when summarising runs of library frames."""
    norm = path.replace("\\", "/")
    if fmt in (TraceFormat.PYTHON, TraceFormat.PYTEST):
        m = re.search(r"(?:site|dist)-packages/([^/]+)", norm)
        if m:
            return m.group(1).removesuffix(".py")
        if "_pytest/" in norm or "pluggy/" in norm:
            return "pytest"
        return "python stdlib"
    if fmt is TraceFormat.NODE:
        m = re.search(r".*node_modules/((?:@[^/]+/)?[^/]+)", norm)
        if m:
            return m.group(1)
        return "node internals"
    if fmt is TraceFormat.GO:
        m = re.search(r"pkg/mod/(.+?)@", norm)
        if m:
            return m.group(1)
        return "go " + (function.split(".", 1)[0] or "runtime")
    if fmt is TraceFormat.RUST:
        m = re.search(r"\.cargo/(?:registry|git)/.*?/([A-Za-z0-9_-]+)-\d+\.\d+[^/]*/", norm)
        if m:
            return m.group(1)
        head = function.lstrip("<").split("::", 1)[0]
        return f"rust {head}" if head in ("std", "core", "alloc") else "rust runtime"
    if fmt is TraceFormat.JAVA:
        bare = function.rsplit("/", 1)[-1]
        parts = bare.split(".")
        return ".".join(parts[: min(3, max(1, len(parts) - 2))])
    return "library"
