//! Writing files so that a crash or an error never leaves a half-written one.

use crate::{Error, Result};
use std::path::Path;

/// Writes `bytes` to `path` through `<name>.partial` in the same folder, then renames it into place.
/// Creates the parent folder when missing; errors name the file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().to_string());
    let tmp = path.with_file_name(format!("{name}.partial"));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_through_a_partial_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/report.md");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(!d.path().join("sub/report.md.partial").exists());
        // A target that is a folder cannot be replaced: the error names it and no partial file stays.
        let e = write_atomic(&d.path().join("sub"), b"x").unwrap_err().to_string();
        assert!(e.contains("sub"), "{e}");
        assert!(!d.path().join("sub.partial").exists());
    }
}
