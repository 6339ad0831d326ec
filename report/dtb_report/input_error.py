"""The one exception a user's input can cause: it names the file at fault."""

# Exit codes shared with `dtb run` (README.md, "Exit codes").
EXIT_BAD_INPUT = 2
EXIT_FAILURE = 1


class InputError(Exception):
    """A missing, unreadable or inconsistent input file (exit code 2).

    The message always starts with the path of the file, and names the
    dataset or field inside it when there is one."""

    def __init__(self, path, problem, where=None):
        self.path = str(path)
        self.where = where
        self.problem = problem
        location = self.path if where is None else f"{self.path}: {where}"
        super().__init__(f"{location}: {problem}")
