"""The library's fixed vocabularies. Persona, industry and product are free but bounded text."""

STAGES = ("awareness", "discovery", "evaluation", "proposal", "closing")
STATUSES = ("draft", "published", "archived")
KINDS = ("pdf", "slides", "document", "spreadsheet", "image", "video", "markdown", "html", "text",
         "other")
MAX_TAGS = 20
MAX_TAG_LENGTH = 40
MAX_LABEL_LENGTH = 80
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 5000
