"""Installation-wide switches that admins turn on and off (who may see deal amounts, ...)."""
