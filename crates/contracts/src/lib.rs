//! The model binaries' contract tests live in `tests/models.rs`, one test binary for every model
//! of the workspace; this library is empty.
