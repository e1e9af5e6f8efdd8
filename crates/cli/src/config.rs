//! TOML configuration with `--set key=value` overrides, deserialised into a typed config and
//! written back, resolved, into the run folder.

use crate::BadInput;
use serde::{Serialize, de::DeserializeOwned};
use std::path::Path;

/// Builds a config: defaults (`T::default()`), then the TOML file, then each override.
pub fn load_config<T: DeserializeOwned + Serialize + Default>(
    file: Option<&Path>,
    overrides: &[String],
) -> anyhow::Result<T> {
    let mut value = toml::Value::try_from(T::default())?;
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| BadInput::new(format!("{}: {e}", path.display())))?;
        let file_value: toml::Value =
            toml::from_str(&text).map_err(|e| BadInput::new(format!("{}: invalid TOML: {e}", path.display())))?;
        merge(&mut value, file_value);
    }
    for o in overrides {
        let (key, raw) = o.split_once('=').ok_or_else(|| BadInput::new(format!("--set `{o}`: expected KEY=VALUE")))?;
        let parsed: toml::Value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.to_string()));
        set_path(&mut value, key.trim(), parsed).map_err(|e| BadInput::new(format!("--set `{o}`: {e}")))?;
    }
    T::deserialize(value).map_err(|e| BadInput::new(format!("configuration: {e}")).into())
}

fn merge(base: &mut toml::Value, over: toml::Value) {
    match (base, over) {
        (toml::Value::Table(b), toml::Value::Table(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn set_path(root: &mut toml::Value, key: &str, v: toml::Value) -> Result<(), String> {
    let mut cur = root;
    let parts: Vec<&str> = key.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        let table = cur.as_table_mut().ok_or_else(|| format!("`{}` is not a table", parts[..i].join(".")))?;
        if i + 1 == parts.len() {
            if !table.contains_key(*p) {
                return Err(format!(
                    "unknown key `{key}` (known here: {})",
                    table.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            table.insert(p.to_string(), v);
            return Ok(());
        }
        cur = table.get_mut(*p).ok_or_else(|| format!("unknown key `{}`", parts[..=i].join(".")))?;
    }
    Ok(())
}

/// Writes the resolved config as `config.toml` in `dir` (through a temporary file).
pub fn write_resolved<T: Serialize>(cfg: &T, dir: &Path) -> anyhow::Result<()> {
    scidl_core::fs::write_atomic(&dir.join("config.toml"), toml::to_string_pretty(cfg)?.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
    struct Train {
        epochs: usize,
        lr: f64,
    }
    #[derive(Debug, Default, serde::Serialize, serde::Deserialize, PartialEq)]
    struct Cfg {
        name: String,
        train: Train,
    }

    #[test]
    fn file_then_overrides() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(&p, "name = \"a\"\n[train]\nepochs = 3\nlr = 0.1\n").unwrap();
        let c: Cfg = load_config(Some(&p), &["train.epochs=7".into(), "name=b".into()]).unwrap();
        assert_eq!(c, Cfg { name: "b".into(), train: Train { epochs: 7, lr: 0.1 } });
        let e = load_config::<Cfg>(Some(&p), &["train.epoch=7".into()]).unwrap_err().to_string();
        assert!(e.contains("unknown key `train.epoch`"), "{e}");
        assert!(load_config::<Cfg>(Some(&p), &["train.epochs=x".into()]).is_err());
    }
}
