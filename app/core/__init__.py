"""What every product area shares: database base, time, errors, permissions, pagination."""
