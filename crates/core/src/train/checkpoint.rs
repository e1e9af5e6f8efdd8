//! Checkpoints: a folder with the weights (`model.safetensors`), the optimiser's state
//! (`optimizer.safetensors`) and a manifest (`manifest.json`) holding the resolved configuration,
//! seed, git revision, data checksums, epoch, best metric, schedule and early-stopping state, and
//! the per-epoch history. Folders are written beside their final place and renamed into it, so a
//! crash never leaves a half-written checkpoint.

use super::{EarlyStopping, EpochRecord};
use crate::nn::ParamStore;
use crate::nn::params::{load_tensors, save_tensors};
use crate::optim::{Optimizer, OptimizerScalars, Scheduler};
use crate::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Which checkpoints a run keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckpointStrategy {
    /// Keep `checkpoints/last` (overwritten every epoch): needed to resume.
    pub last: bool,
    /// Keep `checkpoints/best` (overwritten when the monitored value improves).
    pub best: bool,
}

impl Default for CheckpointStrategy {
    fn default() -> Self {
        Self { last: true, best: true }
    }
}

/// Everything about a checkpoint except the tensors.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub format: u32,
    /// scidl version that wrote it.
    pub scidl_version: String,
    /// Git revision of the build (`unknown` outside a checkout).
    pub git_revision: String,
    /// Run seed.
    pub seed: u64,
    /// Epochs completed.
    pub epoch: usize,
    /// Name of the monitored value (`val_loss`, `val_accuracy`, ...).
    pub monitor: String,
    /// Best monitored value so far.
    pub best_metric: Option<f64>,
    /// The resolved run configuration.
    pub config: serde_json::Value,
    /// SHA-256 of each input data file, by name.
    pub data_checksums: BTreeMap<String, String>,
    /// Optimiser scalars (step count, rate, kind).
    pub optimizer: OptimizerScalars,
    /// Learning-rate schedule state.
    pub scheduler: Scheduler,
    /// Early-stopping state, when used.
    pub early_stopping: Option<EarlyStopping>,
    /// Metrics of every completed epoch.
    pub history: Vec<EpochRecord>,
}

/// The current manifest format.
pub const MANIFEST_FORMAT: u32 = 1;

/// The git revision this binary was built from.
pub fn git_revision() -> &'static str {
    env!("SCIDL_GIT_REVISION")
}

/// Reading and writing checkpoint folders.
pub struct Checkpoint;

impl Checkpoint {
    /// Writes weights, optimiser state and manifest to `dir` atomically.
    pub fn save(dir: &Path, store: &ParamStore, optimizer: &Optimizer, manifest: &Manifest) -> Result<()> {
        let parent = dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "checkpoint".into());
        let partial = parent.join(format!(".{name}.partial"));
        if partial.exists() {
            std::fs::remove_dir_all(&partial).map_err(|e| Error::io(&partial, e))?;
        }
        std::fs::create_dir_all(&partial).map_err(|e| Error::io(&partial, e))?;
        store.save(&partial.join("model.safetensors"))?;
        let (tensors, _) = optimizer.state()?;
        save_tensors(&tensors, &partial.join("optimizer.safetensors"))?;
        let json = serde_json::to_string_pretty(manifest)
            .map_err(|e| Error::Checkpoint { path: dir.to_path_buf(), reason: e.to_string() })?;
        let mpath = partial.join("manifest.json");
        std::fs::write(&mpath, json).map_err(|e| Error::io(&mpath, e))?;
        let old = parent.join(format!(".{name}.old"));
        if dir.exists() {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
            }
            std::fs::rename(dir, &old).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::rename(&partial, dir).map_err(|e| Error::io(dir, e))?;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        Ok(())
    }

    /// Reads a checkpoint's manifest.
    pub fn manifest(dir: &Path) -> Result<Manifest> {
        let mpath = dir.join("manifest.json");
        let text = std::fs::read_to_string(&mpath).map_err(|e| Error::io(&mpath, e))?;
        let m: Manifest = serde_json::from_str(&text)
            .map_err(|e| Error::Checkpoint { path: mpath.clone(), reason: format!("invalid manifest: {e}") })?;
        if m.format != MANIFEST_FORMAT {
            return Err(Error::Checkpoint { path: mpath, reason: format!("unsupported manifest format {}", m.format) });
        }
        Ok(m)
    }

    /// Loads the weights of `dir` into `store` (the model must have been built with the same config).
    pub fn load_weights(dir: &Path, store: &ParamStore) -> Result<()> {
        store.load(&dir.join("model.safetensors"))
    }

    /// Loads weights and optimiser state; returns the manifest.
    pub fn restore(dir: &Path, store: &ParamStore, optimizer: &mut Optimizer) -> Result<Manifest> {
        let m = Self::manifest(dir)?;
        Self::load_weights(dir, store)?;
        let t = load_tensors(&dir.join("optimizer.safetensors"), store.device())?;
        optimizer
            .load_state(t.into_iter().collect(), &m.optimizer)
            .map_err(|e| Error::Checkpoint { path: dir.join("optimizer.safetensors"), reason: e.to_string() })?;
        Ok(m)
    }
}

/// SHA-256 of a file, hex encoded.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Checksums of several files keyed by their file names (the last path component).
pub fn checksums(paths: &[PathBuf]) -> Result<BTreeMap<String, String>> {
    paths
        .iter()
        .map(|p| {
            let name = p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().to_string());
            Ok((name, sha256_file(p)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sha256_known_answer() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("abc");
        std::fs::write(&p, b"abc").unwrap();
        // FIPS 180-2 test vector for "abc".
        assert_eq!(sha256_file(&p).unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
