"""The LLM gateway: prompts, completion and streaming through litellm, cache, usage and cost, secret redaction.

Import the light names from here; litellm itself is loaded by ``splice.llm.client`` on first use.
"""

from splice.llm.errors import LLMError, Problem
from splice.llm.model import Completion, Message, Progress, Request, TokenUsage

__all__ = ["Completion", "LLMError", "Message", "Problem", "Progress", "Request", "TokenUsage"]
