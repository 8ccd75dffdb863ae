//! Hashes of file contents, as lowercase hex: BLAKE3 for the manifest's
//! files (format 2), SHA-256 for the spec's fingerprint, the journal, and the
//! files of a format-1 manifest.
//!
//! BLAKE3 (the reference crate, with its SIMD code) costs about 3
//! instructions a byte; SHA-256 without the CPU's SHA extensions (callgrind,
//! where the goals are counted, has none) about 30.
//!
//! SHA-256 through ring (already in the tree for rustls): its assembly picks
//! the CPU's SHA extensions, else AVX or SSSE3 (a third fewer instructions
//! than the portable `sha2` crate it replaced).

use ring::digest::{SHA256, digest};

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest(&SHA256, bytes).as_ref())
}

/// The BLAKE3 hash of `bytes`, as 64 lowercase hex digits.
pub fn blake3_hex(bytes: &[u8]) -> String {
    hex(blake3::hash(bytes).as_bytes())
}

/// `bytes` as lowercase hex (a table, not `write!`: a formatter call per byte costs more than
/// hashing a small file).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blake3_known_vectors() {
        // The BLAKE3 specification's hash of the empty input, and of `abc` (b3sum).
        assert_eq!(
            blake3_hex(b""),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
        assert_eq!(
            blake3_hex(b"abc"),
            "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
        );
    }

    #[test]
    fn known_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Two blocks, and a length that is not a multiple of the block (FIPS 180-2, B.2).
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        // Many blocks: a million `a` (FIPS 180-2, B.3).
        assert_eq!(
            sha256_hex(&vec![b'a'; 1_000_000]),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }
}
