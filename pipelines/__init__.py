"""The Dagster entry point: Definitions, jobs, and the brokerlake command line."""
