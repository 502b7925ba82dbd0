"""The one exception type the CLI turns into a plain message and exit code 1."""


class StanceError(Exception):
    """A problem with the user's input or setup, worded for the user.

    The message is one sentence that says what is wrong and where (file and
    line), so the CLI can print it without a traceback.
    """
