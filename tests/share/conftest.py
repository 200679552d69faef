from fixtures.share import world  # noqa: F401 - the shared fixture
