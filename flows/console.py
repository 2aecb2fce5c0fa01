"""What `eduplan run` shows on the terminal: Prefect's console lines without tracebacks.

A failed task or flow makes Prefect log the exception with its traceback; on the terminal the
user needs what failed and where the data is wrong (the message: file, line, what), not where in
the code. The traceback still reaches Prefect (the run's logs in the UI), whose handler is left
alone: only the console handler's formatter is wrapped.
"""

from __future__ import annotations

import logging


class _WithoutTraceback(logging.Formatter):
    """Formats a record with another formatter, leaving out its exception and stack."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def console_without_tracebacks() -> None:
    """Wrap the formatter of every Prefect console handler (call after Prefect is imported)."""
    from prefect.logging.handlers import PrefectConsoleHandler  # lazy: prefect costs ~1.6 s

    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler) and not isinstance(
                handler.formatter, _WithoutTraceback
            ):
                handler.setFormatter(_WithoutTraceback(handler.formatter))
