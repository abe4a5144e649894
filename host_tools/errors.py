"""The one exception every `fascia` command uses for user mistakes."""


class UserError(Exception):
    """A problem the user can fix (missing file, bad input, locked database...): printed as
    `fascia: error: <message>` with exit code 2, never as a traceback."""
