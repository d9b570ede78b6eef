//! Seeded generators for the tests that hold a fast path against its plain version over
//! generated inputs: a fixed seed, so that a failure comes back on every run.

/// Marsaglia's xorshift64 (13, 7, 17). The seed must not be 0.
pub(crate) struct XorShift(pub u64);

impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// One of `xs`, drawn with one step of the generator. `xs` must not be empty.
    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// Knuth's MMIX linear congruential generator; its low bits are weak, so callers take the
/// high ones (`>> 33`).
pub(crate) struct Lcg(pub u64);

impl Lcg {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }
}
