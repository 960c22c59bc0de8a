"""The demo data: the seed documents' facts (data.yaml) and invented activity around today (activity.yaml)."""


class DemoDataError(ValueError):
    """The data file names something it does not define, or holds a value that cannot be read."""
