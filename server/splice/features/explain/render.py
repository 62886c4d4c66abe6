"""Plain-text rendering of a resolved trace: what the user sees without a model, and what a prompt quotes.

Own frames one per line with workspace location and enclosing symbol (and a note when the mapping is unsure),
library runs folded, the cause chain below. The exception message is untrusted text: it is indented as a quoted
block so that it cannot pass for part of the surrounding structure.
"""

from __future__ import annotations

from splice.features.explain.frames import FrameStatus
from splice.features.explain.resolve import Resolution, ResolvedTrace
from splice.features.explain.summary import FrameRun

UNSURE = 0.75
"""Mappings below this confidence carry their reason in the rendering."""
MAX_MESSAGE_LINES = 12


def render(resolution: Resolution) -> str:
    lines: list[str] = []
    for k, resolved in enumerate(reversed(resolution.primary.chain())):
        if k:
            # the root cause is printed first; each later exception says how it follows from the one above
            lines.append("")
            lines.append("which caused:" if resolved.trace.context_kind == "cause" else "while handling that:")
        lines.extend(_render_one(resolved))
    for note in resolution.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _render_one(resolved: ResolvedTrace) -> list[str]:
    trace = resolved.trace
    head = trace.exception_type or "error"
    if trace.test_id:
        head += f" in test {trace.test_id}"
    out = [head + ":"]
    message = trace.message.splitlines()[:MAX_MESSAGE_LINES] or ["(no message)"]
    out.extend(f"    | {line}" for line in message)
    for run in resolved.runs:
        out.append("  " + _render_run(run))
    if trace.truncated_frames:
        out.append(f"  ({trace.truncated_frames} frames not shown)")
    for related in resolved.related:
        out.append(f"  also: {related.trace.exception_type or related.trace.thread or 'error'}")
    return out


def _render_run(run: FrameRun) -> str:
    text = "- " + run.describe()
    if run.library:
        return text
    frame = run.frames[0]
    if frame.line is not None and frame.frame.line is not None and frame.line + 1 != frame.frame.line:
        text += f" (the trace says line {frame.frame.line})"
    if frame.frame.repeat:
        text += f" (repeated {frame.frame.repeat} more times)"
    if frame.status is FrameStatus.UNMAPPED:
        return text + " (not in this workspace)"
    if frame.status is FrameStatus.WORKSPACE and frame.confidence < UNSURE:
        text += f" (unsure: {frame.reason})"
    return text
