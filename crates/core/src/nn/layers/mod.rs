//! Layers: those Candle lacks or gets wrong (2-D convolution with a correct and fast CPU backward,
//! 2-D transposed convolution as GEMM + col2im, 3-D convolutions, pooling with a correct backward, resizing, batch and group norm with running
//! statistics, seeded dropout, fused bias + activation, whole-sequence LSTM/GRU with a fused CPU
//! recurrence), and re-exports of Candle's own that are sound.

/// `impl $trait for $t`, whose `$method()` lists the builds of a kernel family (the `simd`
/// module's `$avx512` and `$avx2` at the call site) that this CPU runs, best first: AVX-512, then
/// AVX2 + FMA; empty without either and off x86-64, where callers take im2col + GEMM.
macro_rules! cpu_builds {
    ($trait:ident, $method:ident, $kernel:ident, $t:ty, $avx512:ident, $avx2:ident) => {
        impl $trait for $t {
            fn $method() -> Vec<$kernel<$t>> {
                #[allow(unused_mut)]
                let mut v = Vec::new();
                #[cfg(target_arch = "x86_64")]
                {
                    if std::arch::is_x86_feature_detected!("avx512f") {
                        v.push(simd::$avx512());
                    }
                    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                        v.push(simd::$avx2());
                    }
                }
                v
            }
        }
    };
}

/// Declares `$name`, a non-inlined kernel running `$body`: compiled for AVX-512 (16 lanes) or
/// AVX2 and FMA (8 lanes instead of SSE2's 4, one instruction per `mul_add`) when the CPU has
/// them, as baseline x86-64 (or another target) otherwise. All run the same IEEE operations in
/// the same order (a `mul_add` is one correctly rounded operation in each), so the results are
/// identical. As a function of its own, `$body`'s slice arguments are known not to alias, and LLVM
/// vectorises its loops without runtime overlap checks. The AVX-512 build of the LSTM gate
/// kernels: LSTM inference 322-336 -> 334-362 batches/s in alternating runs.
macro_rules! simd_kernel {
    ($(#[$doc:meta])* $name:ident<$($g:ident: $bound:path),+> => $body:ident ($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?) => {
        $(#[$doc])*
        #[inline(never)]
        fn $name<$($g: $bound),+>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2,fma")]
                #[inline(never)]
                fn avx512<$($g: $bound),+>($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                #[inline(never)]
                fn avx2<$($g: $bound),+>($($arg: $ty),*) $(-> $ret)? {
                    $body($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU supports AVX-512F (and with it AVX2 and FMA).
                    return unsafe { avx512($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU supports AVX2 and FMA.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $body($($arg),*)
        }
    };
}

pub mod batch_norm;
pub mod conv3d;
mod conv_direct;
pub mod conv_gemm;
mod conv_poly;
mod conv_vec;
mod conv_wino;
mod cpu;
pub mod dropout;
pub mod fused;
pub mod group_norm;
pub mod pool;
pub mod recurrent;
pub mod upsample;
#[cfg(target_arch = "x86_64")]
mod vector;

pub use batch_norm::{BatchNorm, BatchNormConfig, batch_norm_nd, batch_norm1d, batch_norm2d, batch_norm3d};
// Candle's `Conv2d` is deliberately not re-exported: its CPU backward mis-pads the width when height
// and width leave different remainders under a stride. Use `conv2d` below (or `blocks::conv_nd`).
pub use candle_nn::{ConvTranspose2dConfig, Linear, linear};
pub use conv_gemm::{ConvTranspose2d, conv_transpose2d, conv2d};
pub use conv3d::{
    Conv3d, Conv3dConfig, ConvTranspose3d, ConvTranspose3dConfig, conv_transpose3d, conv_transpose3d_layer, conv3d,
    conv3d_layer,
};
pub use dropout::Dropout;
pub use fused::{Act, ActFloat, bias_act, scale_shift_act};
pub use group_norm::{GroupNorm, group_norm};
pub use pool::{Pool, PoolMode, avg_pool2d, avg_pool3d, global_avg_pool, max_pool2d, max_pool3d};
pub use recurrent::{Recurrent, RecurrentCell, recurrent};
pub use upsample::{InterpMode, interpolate, upsample};
