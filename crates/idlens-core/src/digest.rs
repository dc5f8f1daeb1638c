//! SHA-256 of input files, fed chunk by chunk (the viewer's worker re-reads a file only when a report is asked for,
//! so loading never pays for hashing). The CLI and the viewer produce the same lower-case hex digest.

use sha2::{Digest as _, Sha256};

use crate::report::InputDigest;

/// A file being hashed.
pub struct FileHasher {
    path: String,
    hasher: Sha256,
    size: u64,
}

impl FileHasher {
    /// Start hashing the file named `path` (the name it was ingested under).
    #[must_use]
    pub fn new(path: &str) -> FileHasher {
        FileHasher {
            path: path.to_owned(),
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The next bytes of the file.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
    }

    /// The digest of everything fed in.
    #[must_use]
    pub fn finish(self) -> InputDigest {
        let hash = self.hasher.finalize();
        let mut hex = String::with_capacity(64);
        for b in hash {
            hex.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            hex.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        InputDigest {
            path: self.path,
            sha256: hex,
            size_bytes: self.size,
        }
    }
}

/// The digest of a whole file held in memory.
#[must_use]
pub fn digest(path: &str, bytes: &[u8]) -> InputDigest {
    let mut h = FileHasher::new(path);
    h.update(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors_and_chunking() {
        assert_eq!(
            digest("empty", b"").sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let whole = digest("abc", b"abc");
        assert_eq!(
            whole.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut h = FileHasher::new("abc");
        h.update(b"a");
        h.update(b"");
        h.update(b"bc");
        assert_eq!(h.finish(), whole);
        assert_eq!(whole.size_bytes, 3);
    }
}
