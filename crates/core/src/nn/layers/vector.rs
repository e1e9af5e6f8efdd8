//! The x86-64 vector registers the hand-written kernels (direct convolutions) run on: f32 and f64
//! in AVX-512 and AVX2 registers, behind one trait so that each kernel is written once.
//!
//! Written with intrinsics because LLVM, left to vectorise plain loop nests over small arrays of
//! accumulators, chose to vectorise across the wrong axis and gathered and scattered the
//! accumulators on every step (20 times slower than im2col + GEMM).

use std::arch::x86_64::*;

/// One vector register of `LANES` elements. The methods are only called from functions
/// compiled with the instruction set they need, into which they are inlined.
pub(super) trait Vector: Copy {
    type T: Copy;
    const LANES: usize;
    unsafe fn zero() -> Self;
    unsafe fn load(p: *const Self::T) -> Self;
    unsafe fn splat(v: Self::T) -> Self;
    unsafe fn add(a: Self, b: Self) -> Self;
    /// `a * b + c`, fused.
    unsafe fn fma(a: Self, b: Self, c: Self) -> Self;
    unsafe fn store(self, p: *mut Self::T);
}

macro_rules! vector {
    ($v:ty, $t:ty, $lanes:expr, $zero:ident, $load:ident, $splat:ident, $add:ident, $fma:ident, $store:ident) => {
        impl Vector for $v {
            type T = $t;
            const LANES: usize = $lanes;
            #[inline(always)]
            unsafe fn zero() -> Self {
                unsafe { $zero() }
            }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self {
                unsafe { $load(p) }
            }
            #[inline(always)]
            unsafe fn splat(v: $t) -> Self {
                unsafe { $splat(v) }
            }
            #[inline(always)]
            unsafe fn add(a: Self, b: Self) -> Self {
                unsafe { $add(a, b) }
            }
            #[inline(always)]
            unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
                unsafe { $fma(a, b, c) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                unsafe { $store(p, self) }
            }
        }
    };
}
vector!(
    __m512,
    f32,
    16,
    _mm512_setzero_ps,
    _mm512_loadu_ps,
    _mm512_set1_ps,
    _mm512_add_ps,
    _mm512_fmadd_ps,
    _mm512_storeu_ps
);
vector!(
    __m512d,
    f64,
    8,
    _mm512_setzero_pd,
    _mm512_loadu_pd,
    _mm512_set1_pd,
    _mm512_add_pd,
    _mm512_fmadd_pd,
    _mm512_storeu_pd
);
vector!(
    __m256,
    f32,
    8,
    _mm256_setzero_ps,
    _mm256_loadu_ps,
    _mm256_set1_ps,
    _mm256_add_ps,
    _mm256_fmadd_ps,
    _mm256_storeu_ps
);
vector!(
    __m256d,
    f64,
    4,
    _mm256_setzero_pd,
    _mm256_loadu_pd,
    _mm256_set1_pd,
    _mm256_add_pd,
    _mm256_fmadd_pd,
    _mm256_storeu_pd
);
