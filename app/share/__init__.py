"""Tracked share links and deal rooms: the public viewer, visits and beacons."""
