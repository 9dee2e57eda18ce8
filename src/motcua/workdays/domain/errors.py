"""The one exception of the working-day engine."""


class CalendarError(ValueError):
    """Bad calendar data or deadline input.

    ``str(exc)`` is a complete Vietnamese sentence meant to be shown to the user as it is (a clerk
    typing a limit, an administrator loading a calendar file), so it names the offending key/value.
    """
