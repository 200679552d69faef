"""Assets, versions, taxonomy, text extraction and thumbnails."""
