"""Content effectiveness for leaders and marketers: read-only analytics over deals, usage, forks
and share links."""
