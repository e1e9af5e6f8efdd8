//! Seeded randomness that does not depend on thread scheduling or on how far a run got.
//!
//! Candle's CPU backend cannot be seeded, so every random number in scidl comes from a ChaCha
//! generator seeded from a *key*: a mix of the run seed and what the number is for (a parameter's
//! name, an epoch, a batch index). A run resumed at epoch `k` therefore draws exactly the numbers an
//! uninterrupted run draws from epoch `k` on.
//!
//! Layers that draw during the forward pass (dropout) read the *step key* that the training engine
//! sets before each batch with [`set_step_key`].

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::Cell;

thread_local! {
    // Per thread: two trainers running in two threads of one process (a sweep, parallel tests) must
    // not see each other's keys, or their dropout masks, and so their results, depend on timing.
    static STEP_KEY: Cell<u64> = const { Cell::new(0x0000_05ee_d0f5_c1d1) };
}

/// Mixes two 64-bit values into one well-spread key (SplitMix64 finaliser over `a ^ rotl(b)`).
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.rotate_left(29).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit hash of a string (FNV-1a), used to key parameters by name.
pub fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A generator for the given key.
pub fn rng_for(key: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(key)
}

/// Sets the key that stochastic layers mix into their draws for the current training step, on the
/// calling thread (the thread that then runs the forward pass).
pub fn set_step_key(key: u64) {
    STEP_KEY.with(|k| k.set(key));
}

/// The current step key of the calling thread (see [`set_step_key`]).
pub fn step_key() -> u64 {
    STEP_KEY.with(Cell::get)
}

/// The step key the training engine uses for batch `batch` of epoch `epoch` of a run seeded `seed`.
pub fn batch_key(seed: u64, epoch: usize, batch: usize) -> u64 {
    mix(mix(seed, epoch as u64), batch as u64 ^ 0xba7c_4000_0000_0000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn same_key_same_stream_other_key_other_stream() {
        let a: Vec<u32> = (0..4).map(|_| 0).scan(rng_for(7), |r, _: u32| Some(r.random())).collect();
        let b: Vec<u32> = (0..4).map(|_| 0).scan(rng_for(7), |r, _: u32| Some(r.random())).collect();
        let c: Vec<u32> = (0..4).map(|_| 0).scan(rng_for(8), |r, _: u32| Some(r.random())).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn fnv1a_known_answer() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (reference value from the FNV specification).
        assert_eq!(hash_str("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(batch_key(1, 0, 1), batch_key(1, 1, 0));
    }
}
