"""Data files of the monitoring package (the ATRS field list)."""
