"""Types written in Python signatures: which class a parameter's or a return annotation names.

The resolver uses them to type attribute chains through a parameter (``def f(url: URL): url.host`` is
``URL.host``) and through a call's result (``x = parse(s)`` with ``def parse(…) -> URL``). Only annotations that
name one class are used: ``URL``, ``"URL"``, ``mod.URL``, ``URL | None``, ``Optional[URL]``; anything else
(``list[URL]``, unions of several classes, protocols spelled as strings with generics) means "unknown".
"""

from __future__ import annotations

import ast
import functools

_NONE = ("None",)


@functools.lru_cache(maxsize=4096)
def _function(signature: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    text = signature.strip()
    if not text.startswith(("def ", "async def ")):
        return None
    if not text.endswith(":"):
        text += ":"
    try:
        tree = ast.parse(text + "\n    ...\n")
    except (SyntaxError, ValueError, RecursionError):
        return None
    node = tree.body[0] if tree.body else None
    return node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None


def python_params(signature: str) -> dict[str, tuple[str, ...]]:
    """Parameter name → the dotted class name its annotation names (``()`` when unannotated or not one class).
    An unparsable signature gives no parameters at all."""
    fn = _function(signature)
    if fn is None:
        return {}
    args = fn.args
    out: dict[str, tuple[str, ...]] = {}
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        out[arg.arg] = class_named(arg.annotation)
    for star in (args.vararg, args.kwarg):
        if star is not None:
            out[star.arg] = ()  # *args is a tuple, **kwargs a dict: never the annotated class itself
    return out


def python_return(signature: str) -> tuple[str, ...]:
    fn = _function(signature)
    return class_named(fn.returns) if fn is not None else ()


def class_named(node: ast.expr | None, depth: int = 0) -> tuple[str, ...]:
    if node is None or depth > 4:
        return ()
    if isinstance(node, ast.Name):
        return () if node.id == "None" else (node.id,)
    if isinstance(node, ast.Attribute):
        head = class_named(node.value, depth + 1)
        return (*head, node.attr) if head else ()
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            inner = ast.parse(node.value, mode="eval").body
        except (SyntaxError, ValueError, RecursionError):
            return ()
        return class_named(inner, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _one_of([node.left, node.right], depth)
    if isinstance(node, ast.Subscript):
        outer = class_named(node.value, depth + 1)
        if outer[-1:] == ("Optional",):
            return class_named(node.slice, depth + 1)
        if outer[-1:] == ("Union",):
            members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            return _one_of(list(members), depth)
    return ()


def _one_of(members: list[ast.expr], depth: int) -> tuple[str, ...]:
    """The one class of a union with None (``URL | None``); several classes mean unknown."""
    names = [class_named(m, depth + 1) if not _is_none(m) else _NONE for m in members]
    real = {n for n in names if n != _NONE}
    if len(real) != 1 or () in real:
        return ()
    return real.pop()


def _is_none(node: ast.expr) -> bool:
    return (isinstance(node, ast.Constant) and node.value is None) or (isinstance(node, ast.Name) and node.id == "None")
