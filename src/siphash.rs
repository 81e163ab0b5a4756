//! SipHash-2-4 (Aumasson and Bernstein), written out so that the crate
//! needs no hashing dependency: a keyed hash for referral codes, and the
//! platform-independent hasher behind [`Ledger::state_hash`](crate::Ledger::state_hash).

use std::hash::Hasher;

/// SipHash-2-4 over a stream of bytes.
#[derive(Debug, Clone)]
pub(crate) struct SipHasher24 {
    v: [u64; 4],
    /// Bytes not yet compressed (fewer than 8), and how many.
    tail: [u8; 8],
    tail_len: usize,
    /// Bytes written so far, modulo 256 (all the algorithm keeps).
    len: u8,
}

impl SipHasher24 {
    pub(crate) fn new(k0: u64, k1: u64) -> SipHasher24 {
        SipHasher24 {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            tail: [0; 8],
            tail_len: 0,
            len: 0,
        }
    }

    fn round(&mut self) {
        let v = &mut self.v;
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }

    fn compress(&mut self, m: u64) {
        self.v[3] ^= m;
        self.round();
        self.round();
        self.v[0] ^= m;
    }
}

impl Hasher for SipHasher24 {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            if let Some(slot) = self.tail.get_mut(self.tail_len) {
                *slot = *byte;
            }
            self.tail_len = self.tail_len.saturating_add(1);
            self.len = self.len.wrapping_add(1);
            if self.tail_len == 8 {
                let word = u64::from_le_bytes(self.tail);
                self.compress(word);
                self.tail = [0; 8];
                self.tail_len = 0;
            }
        }
    }

    fn finish(&self) -> u64 {
        let mut state = self.clone();
        let mut last = state.tail;
        last[7] = state.len;
        state.compress(u64::from_le_bytes(last));
        state.v[2] ^= 0xff;
        for _ in 0..4 {
            state.round();
        }
        state.v[0] ^ state.v[1] ^ state.v[2] ^ state.v[3]
    }

    // Integers go in little-endian at their full width, `usize` and
    // `isize` as 64 bits: the same bytes on every platform.
    fn write_u16(&mut self, n: u16) {
        self.write(&n.to_le_bytes());
    }
    fn write_u32(&mut self, n: u32) {
        self.write(&n.to_le_bytes());
    }
    fn write_u64(&mut self, n: u64) {
        self.write(&n.to_le_bytes());
    }
    fn write_u128(&mut self, n: u128) {
        self.write(&n.to_le_bytes());
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(u64::try_from(n).unwrap_or(u64::MAX));
    }
    fn write_i16(&mut self, n: i16) {
        self.write(&n.to_le_bytes());
    }
    fn write_i32(&mut self, n: i32) {
        self.write(&n.to_le_bytes());
    }
    fn write_i64(&mut self, n: i64) {
        self.write(&n.to_le_bytes());
    }
    fn write_i128(&mut self, n: i128) {
        self.write(&n.to_le_bytes());
    }
    fn write_isize(&mut self, n: isize) {
        self.write_i64(i64::try_from(n).unwrap_or(i64::MAX));
    }
}

/// SipHash-2-4 of `data` under the key `(k0, k1)`.
pub(crate) fn siphash24(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut hasher = SipHasher24::new(k0, k1);
    hasher.write(data);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siphash_matches_the_reference_vectors() {
        // The reference implementation's key 00 01 .. 0f and messages
        // 00 01 .. (len - 1).
        let k0 = u64::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7]);
        let k1 = u64::from_le_bytes([8, 9, 10, 11, 12, 13, 14, 15]);
        let message: Vec<u8> = (0..64).collect();
        assert_eq!(siphash24(k0, k1, &[]), 0x726f_db47_dd0e_0e31);
        assert_eq!(siphash24(k0, k1, &message[..1]), 0x74f8_39c5_93dc_67fd);
        assert_eq!(siphash24(k0, k1, &message[..8]), 0x93f5_f579_9a93_2462);
        assert_eq!(siphash24(k0, k1, &message[..15]), 0xa129_ca61_49be_45e5);
        assert_eq!(siphash24(k0, k1, &message[..63]), 0x958a_324c_eb06_4572);
    }

    #[test]
    fn a_stream_hashes_as_its_concatenation() {
        let data: Vec<u8> = (0..200_u8).collect();
        let mut pieces = SipHasher24::new(1, 2);
        for chunk in data.chunks(7) {
            pieces.write(chunk);
        }
        assert_eq!(pieces.finish(), siphash24(1, 2, &data));
        // Integers as little-endian bytes, usize as 64 bits.
        let mut ints = SipHasher24::new(1, 2);
        ints.write_u32(0x0403_0201);
        ints.write_usize(5);
        assert_eq!(
            ints.finish(),
            siphash24(1, 2, &[1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0])
        );
    }
}
