//! Cross-crate tests of scidl live in `tests/tests/`; fixtures and the scripts that produced their
//! reference numbers live in `tests/fixtures/`.
