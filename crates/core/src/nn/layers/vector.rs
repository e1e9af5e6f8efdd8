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
    unsafe fn sub(a: Self, b: Self) -> Self;
    /// `a * b + c`, fused.
    unsafe fn fma(a: Self, b: Self, c: Self) -> Self;
    unsafe fn store(self, p: *mut Self::T);
}

macro_rules! vector {
    ($v:ty, $t:ty, $lanes:expr, $zero:ident, $load:ident, $splat:ident, $add:ident, $sub:ident, $fma:ident, $store:ident) => {
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
            unsafe fn sub(a: Self, b: Self) -> Self {
                unsafe { $sub(a, b) }
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
    _mm512_sub_ps,
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
    _mm512_sub_pd,
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
    _mm256_sub_ps,
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
    _mm256_sub_pd,
    _mm256_fmadd_pd,
    _mm256_storeu_pd
);

/// A single element as a vector of one lane: the tails of loops that run whole vectors first.
macro_rules! scalar {
    ($t:ty) => {
        impl Vector for $t {
            type T = $t;
            const LANES: usize = 1;
            #[inline(always)]
            unsafe fn zero() -> Self {
                0.0
            }
            #[inline(always)]
            unsafe fn load(p: *const $t) -> Self {
                unsafe { *p }
            }
            #[inline(always)]
            unsafe fn splat(v: $t) -> Self {
                v
            }
            #[inline(always)]
            unsafe fn add(a: Self, b: Self) -> Self {
                a + b
            }
            #[inline(always)]
            unsafe fn sub(a: Self, b: Self) -> Self {
                a - b
            }
            #[inline(always)]
            unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
                a.mul_add(b, c)
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $t) {
                unsafe { *p = self }
            }
        }
    };
}
scalar!(f32);
scalar!(f64);

/// Moving lanes between two vectors, for transforms that read or write every other element.
pub(super) trait Shuffle: Vector {
    /// The even and the odd elements of the `2 * LANES` elements `a, b`.
    unsafe fn deinterleave(a: Self, b: Self) -> (Self, Self);
    /// The inverse: `a[0], b[0], a[1], b[1], ...` as two vectors.
    unsafe fn interleave(a: Self, b: Self) -> (Self, Self);
}

/// `Shuffle` for an AVX-512 type through two-operand lane permutations
/// (`_mm512_permutex2var_*`: the index's top bit picks the second operand), given the index
/// vectors of the even and odd elements and of the low and high halves of the interleaving.
macro_rules! permute_shuffle {
    ($v:ty, $set:ident, $permute:ident, ($($even:literal),*), ($($odd:literal),*), ($($lo:literal),*), ($($hi:literal),*)) => {
        impl Shuffle for $v {
            #[inline(always)]
            unsafe fn deinterleave(a: Self, b: Self) -> (Self, Self) {
                unsafe { ($permute(a, $set($($even),*), b), $permute(a, $set($($odd),*), b)) }
            }
            #[inline(always)]
            unsafe fn interleave(a: Self, b: Self) -> (Self, Self) {
                unsafe { ($permute(a, $set($($lo),*), b), $permute(a, $set($($hi),*), b)) }
            }
        }
    };
}
permute_shuffle!(
    __m512,
    _mm512_setr_epi32,
    _mm512_permutex2var_ps,
    (0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
    (1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31),
    (0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23),
    (8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31)
);
permute_shuffle!(
    __m512d,
    _mm512_setr_epi64,
    _mm512_permutex2var_pd,
    (0, 2, 4, 6, 8, 10, 12, 14),
    (1, 3, 5, 7, 9, 11, 13, 15),
    (0, 8, 1, 9, 2, 10, 3, 11),
    (4, 12, 5, 13, 6, 14, 7, 15)
);

impl Shuffle for __m256 {
    #[inline(always)]
    unsafe fn deinterleave(a: Self, b: Self) -> (Self, Self) {
        unsafe {
            // Within each 128-bit half: a0 a2 b0 b2 | a4 a6 b4 b6; then the 64-bit pairs in order.
            let e = _mm256_shuffle_ps::<0b10_00_10_00>(a, b);
            let o = _mm256_shuffle_ps::<0b11_01_11_01>(a, b);
            // (No closure: it would not be compiled with the caller's target features.)
            let e = _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(e)));
            let o = _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(o)));
            (e, o)
        }
    }
    #[inline(always)]
    unsafe fn interleave(a: Self, b: Self) -> (Self, Self) {
        unsafe {
            let lo = _mm256_unpacklo_ps(a, b);
            let hi = _mm256_unpackhi_ps(a, b);
            (_mm256_permute2f128_ps::<0x20>(lo, hi), _mm256_permute2f128_ps::<0x31>(lo, hi))
        }
    }
}

impl Shuffle for __m256d {
    #[inline(always)]
    unsafe fn deinterleave(a: Self, b: Self) -> (Self, Self) {
        unsafe {
            let e = _mm256_unpacklo_pd(a, b);
            let o = _mm256_unpackhi_pd(a, b);
            (_mm256_permute4x64_pd::<0b11_01_10_00>(e), _mm256_permute4x64_pd::<0b11_01_10_00>(o))
        }
    }
    #[inline(always)]
    unsafe fn interleave(a: Self, b: Self) -> (Self, Self) {
        unsafe {
            let lo = _mm256_unpacklo_pd(a, b);
            let hi = _mm256_unpackhi_pd(a, b);
            (_mm256_permute2f128_pd::<0x20>(lo, hi), _mm256_permute2f128_pd::<0x31>(lo, hi))
        }
    }
}

macro_rules! scalar_shuffle {
    ($t:ty) => {
        impl Shuffle for $t {
            #[inline(always)]
            unsafe fn deinterleave(a: Self, b: Self) -> (Self, Self) {
                (a, b)
            }
            #[inline(always)]
            unsafe fn interleave(a: Self, b: Self) -> (Self, Self) {
                (a, b)
            }
        }
    };
}
scalar_shuffle!(f32);
scalar_shuffle!(f64);
