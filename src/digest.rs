//! SHA-256 digests as lower-case hex: of one input's bytes, and of a set of inputs taken
//! in any order (what `--record` writes to the history).
//!
//! A leaf module: it imports nothing from the crate.

use sha2::{Digest, Sha256};

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A SHA-256 fed a part at a time (a stream's bytes as they are read).
#[derive(Default)]
pub struct RunningSha256(Sha256);

impl RunningSha256 {
    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The SHA-256 of every byte added, in hex: [`sha256_hex`] of them all.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// SHA-256 over hex digests, sorted (each followed by a newline), so that the same
/// inputs in any order give the same digest.
pub fn of_set(digests: &[String]) -> String {
    let mut sorted: Vec<&String> = digests.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for d in sorted {
        hasher.update(d.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_digest_does_not_depend_on_order() {
        let a = sha256_hex(b"a");
        let b = sha256_hex(b"b");
        assert_eq!(
            a,
            "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
        );
        assert_eq!(of_set(&[a.clone(), b.clone()]), of_set(&[b, a]));
        let mut running = RunningSha256::default();
        running.update(b"a");
        running.update(b"bc");
        assert_eq!(running.finish(), sha256_hex(b"abc"));
    }
}
