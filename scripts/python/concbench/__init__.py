"""concbench's Python entries: the study's models, measured by the rules of the Rust binaries.

Each `py-*` program reads the same TOML config (`--config FILE`, repeated `--set key=value`),
does its family's work from the same inputs, and prints one report in the JSON of
`schema/report.schema.json` (schema 2) with the same checksum as the Rust models. Exit codes:
0 the run finished, 1 it could not be done, 2 a usage or config error.
"""
