//! `--pseudonymise --key FILE [--lookup FILE]` for `idlens report` and `idlens findings`: the key is read from FILE
//! or, when FILE does not exist, generated (32 random bytes from the OS, saved as hex, owner-only permissions);
//! the lookup table (pseudonym → real) is merged into `--lookup` (default `FILE.lookup.json`), never into the
//! report or export.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;

#[derive(Args, Default)]
pub struct PseudoArgs {
    /// Replace names, ids, tags, subscription, tenant and resource names with keyed pseudonyms (HMAC-SHA256).
    #[arg(long, requires = "key")]
    pub pseudonymise: bool,
    /// The pseudonymisation key file (created with a fresh random key when it does not exist).
    #[arg(long)]
    pub key: Option<PathBuf>,
    /// Where to merge the lookup table (pseudonym → real); default: the key file's name + `.lookup.json`.
    #[arg(long)]
    pub lookup: Option<PathBuf>,
}

fn read_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    if path.exists() {
        let text =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let key: Vec<u8> = text.trim_ascii().to_vec();
        if key.len() < 16 {
            bail!("{}: a key needs at least 16 bytes", path.display());
        }
        return Ok(key);
    }
    let mut raw = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut raw))
        .context("cannot read random bytes for a new key")?;
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, hex.as_bytes())?;
    eprintln!(
        "idlens: generated a new pseudonymisation key in {}",
        path.display()
    );
    Ok(hex.into_bytes())
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    use std::io::Write as _;
    options
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}

impl PseudoArgs {
    /// The key when `--pseudonymise` was given (read from `--key`, or generated and saved there).
    pub fn key(&self) -> anyhow::Result<Option<Vec<u8>>> {
        if !self.pseudonymise {
            return Ok(None);
        }
        let Some(key_path) = &self.key else {
            bail!("--pseudonymise needs --key FILE");
        };
        read_or_create_key(key_path).map(Some)
    }

    /// Merge `lookup` (pseudonym → real) into the lookup file (`--lookup`, default `KEY.lookup.json`).
    pub fn save_lookup(&self, lookup: &BTreeMap<String, String>) -> anyhow::Result<()> {
        let Some(key_path) = &self.key else {
            bail!("--pseudonymise needs --key FILE");
        };
        let lookup_path = self.lookup.clone().unwrap_or_else(|| {
            let mut s = key_path.as_os_str().to_owned();
            s.push(".lookup.json");
            PathBuf::from(s)
        });
        let mut table: BTreeMap<String, String> = match std::fs::read(&lookup_path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a lookup table", lookup_path.display()))?,
            Err(_) => BTreeMap::new(),
        };
        table.extend(lookup.iter().map(|(a, b)| (a.clone(), b.clone())));
        let mut text = serde_json::to_string_pretty(&table)?;
        text.push('\n');
        write_private(&lookup_path, text.as_bytes())?;
        eprintln!(
            "idlens: lookup table ({} pseudonyms) in {}",
            table.len(),
            lookup_path.display()
        );
        Ok(())
    }
}
