//! scidl-cli
