"""Splice: an LLM coding assistant that lives in the language server."""

__version__ = "0.1.0"


def isolate_sys_path() -> None:
    """Take the working directory off ``sys.path``, so the workspace's packages never shadow Splice's own.

    Editors start ``python -m splice serve`` in the workspace, and ``-m`` (like ``-c``, an empty or ``.`` entry in
    ``PYTHONPATH``) puts the working directory first on the path: opened on pydantic's repository, LanceDB would
    import that ``pydantic``. Called first by every entry point (``python -m splice``, the ``splice`` script);
    ``python -P`` (what the VS Code client runs) does the same before anything is imported. Uses only modules the
    interpreter has already loaded.
    """
    import os
    import sys

    try:
        cwd: str | None = os.path.realpath(os.getcwd())
    except OSError:  # the working directory was deleted
        cwd = None

    def is_cwd(entry: str) -> bool:
        if entry in ("", "."):
            return True
        try:
            return cwd is not None and os.path.realpath(entry) == cwd
        except (OSError, ValueError):
            return False

    sys.path[:] = [entry for entry in sys.path if not is_cwd(entry)]
