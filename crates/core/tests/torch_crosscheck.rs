//! Cross-checks every layer and loss of scidl-core against PyTorch: forward values and gradients
//! (input and weights) on small deterministic inputs.
//!
//! The reference numbers (module [`reference`] at the end of this file) were printed by
//! `tests/fixtures/torch_reference.py` (PyTorch 2.15.0, float64, printed rounded to float32; the
//! output is committed as `tests/fixtures/torch_reference.out`). No Python runs at test time: the
//! inputs are rebuilt here from the same formulas, bit for bit:
//!
//! - `lin(shape, a, m, c)[k] = fmod(k * a, m) - c`,
//! - `wave(shape, a, p, s)[k] = s * sin(k * a + p)`,
//! - `coeff(shape)[k] = cos(k * 0.71 + 0.2)`, the weights of the scalar objective
//!   `(out * coeff).sum()` that layers are differentiated through (losses are differentiated directly).
//!
//! Every case runs in f64 (relative tolerance 1e-5) and f32 (1e-4). The worst deviation of every
//! compared tensor is printed (`cargo test --test torch_crosscheck -- --nocapture`).
#![allow(missing_docs)]

use candle_core::{DType, Device, Module, Tensor, Var};
use candle_nn::ModuleT;
use scidl_core::loss::{
    self, CrossEntropy, DiceLoss, bce_with_logits, cross_entropy, focal_loss, huber, mae, quantile,
};
use scidl_core::nn::ParamStore;
use scidl_core::nn::layers::{
    BatchNormConfig, Conv3dConfig, ConvTranspose3dConfig, InterpMode, Pool, PoolMode, avg_pool3d, batch_norm1d,
    batch_norm2d, batch_norm3d, conv_transpose3d, conv3d, group_norm, interpolate, max_pool2d, max_pool3d,
};
use scidl_core::nn::nets::{RecurrentCell, SeqModel, SeqModelConfig, SeqOutput};

type R = std::result::Result<(), Box<dyn std::error::Error>>;
/// `(shape, row-major values)` of one reference tensor.
type Ref = (&'static [usize], &'static [f64]);

const DTYPES: [DType; 2] = [DType::F64, DType::F32];

fn rtol(dtype: DType) -> f64 {
    if dtype == DType::F64 { 1e-5 } else { 1e-4 }
}

fn from_fn(shape: &[usize], dtype: DType, f: impl Fn(usize) -> f64) -> Tensor {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n).map(f).collect::<Vec<f64>>(), shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap()
}

/// `fmod(k * a, m) - c` (Python's `math.fmod` and Rust's `%` are both the exact IEEE remainder).
fn lin(shape: &[usize], a: f64, m: f64, c: f64, dtype: DType) -> Tensor {
    from_fn(shape, dtype, |k| (k as f64 * a) % m - c)
}

/// The script's default `lin(shape)`.
fn lin0(shape: &[usize], dtype: DType) -> Tensor {
    lin(shape, 0.37, 1.3, 0.6, dtype)
}

fn wave(shape: &[usize], a: f64, p: f64, s: f64, dtype: DType) -> Tensor {
    from_fn(shape, dtype, |k| s * (k as f64 * a + p).sin())
}

fn objective(y: &Tensor) -> Tensor {
    let c = from_fn(y.dims(), y.dtype(), |k| (k as f64 * 0.71 + 0.2).cos());
    y.mul(&c).unwrap().sum_all().unwrap()
}

fn var(t: Tensor) -> Var {
    Var::from_tensor(&t).unwrap()
}

/// Asserts `got` matches the PyTorch tensor within `rtol * (|want| + 0.01 * max|want|)` and prints
/// the worst deviation (absolute, and relative to that same scale).
fn check(case: &str, what: &str, got: &Tensor, want: Ref, rtol: f64) {
    let (shape, want) = want;
    let tag = format!("{case} [{:?}] {what}", got.dtype());
    assert_eq!(got.dims(), shape, "{tag}: shape");
    let got = got.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
    assert_eq!(got.len(), want.len(), "{tag}: length");
    let scale = want.iter().fold(0f64, |m, v| m.max(v.abs()));
    let (mut worst_abs, mut worst_rel) = (0f64, 0f64);
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let d = (g - w).abs();
        let denom = w.abs() + 0.01 * scale;
        assert!(
            d <= rtol * denom + 1e-300,
            "{tag}[{i}]: scidl {g} vs PyTorch {w} (|d| = {d:.3e}, tolerance {:.3e})",
            rtol * denom
        );
        worst_abs = worst_abs.max(d);
        if denom > 0.0 {
            worst_rel = worst_rel.max(d / denom);
        }
    }
    eprintln!("deviation {tag}: max abs {worst_abs:.2e}, max rel {worst_rel:.2e}");
}

fn grad(grads: &candle_core::backprop::GradStore, v: &Tensor) -> Tensor {
    grads.get(v).expect("no gradient").clone()
}

// -------------------------------------------------------------------------------------------------
// Convolutions

/// The textbook cross-correlation S(i,j) = sum_m sum_n I(i+m, j+n) K(m,n) (Goodfellow, Bengio and
/// Courville, "Deep Learning", section 9.1), valid padding, computed by hand:
///
/// ```text
/// I = [[ 1,  2,  3,  4],      K = [[ 2, 0],
///      [ 5,  6,  7,  8],           [-1, 1]]
///      [ 9, 10, 11, 12]]
///
/// S(i,j) = 2 I(i,j) + 0 I(i,j+1) - I(i+1,j) + I(i+1,j+1)
/// S(0,0) = 2*1 - 5 + 6  = 3     S(0,1) = 2*2 - 6 + 7   = 5     S(0,2) = 2*3 - 7 + 8   = 7
/// S(1,0) = 2*5 - 9 + 10 = 11    S(1,1) = 2*6 - 10 + 11 = 13    S(1,2) = 2*7 - 11 + 12 = 15
/// ```
///
/// (a true convolution, with K flipped, would give S(0,0) = 1*1 - 1*2 + 0*5 + 2*6 = 11).
/// For the objective sum(S): dK(m,n) = sum of the 2x3 block of I starting at (m,n) =
/// [[1+2+3+5+6+7, 2+3+4+6+7+8], [5+6+7+9+10+11, 6+7+8+10+11+12]] = [[24, 30], [48, 54]];
/// dI(r,c) = sum of K(m,n) over the windows covering (r,c) = [[2,2,2,0],[1,2,2,1],[-1,0,0,1]].
#[test]
fn conv2d_textbook_known_answer() -> R {
    let dev = Device::Cpu;
    let i = Tensor::new(&[[1f64, 2., 3., 4.], [5., 6., 7., 8.], [9., 10., 11., 12.]], &dev)?.reshape((1, 1, 3, 4))?;
    let k = Tensor::new(&[[2f64, 0.], [-1., 1.]], &dev)?.reshape((1, 1, 2, 2))?;
    let s_expected = [[3f64, 5., 7.], [11., 13., 15.]];
    let dk_expected = [[24f64, 30.], [48., 54.]];
    let di_expected = [[2f64, 2., 2., 0.], [1., 2., 2., 1.], [-1., 0., 0., 1.]];
    for dtype in DTYPES {
        let x = var(i.to_dtype(dtype)?);
        let w = var(k.to_dtype(dtype)?);
        // Candle's conv2d (re-exported by scidl's layers).
        let s = x.conv2d(&w, 0, 1, 1, 1)?;
        assert_eq!(s.squeeze(0)?.squeeze(0)?.to_dtype(DType::F64)?.to_vec2::<f64>()?, s_expected);
        let g = s.sum_all()?.backward()?;
        assert_eq!(grad(&g, &w).squeeze(0)?.squeeze(0)?.to_dtype(DType::F64)?.to_vec2::<f64>()?, dk_expected);
        assert_eq!(grad(&g, &x).squeeze(0)?.squeeze(0)?.to_dtype(DType::F64)?.to_vec2::<f64>()?, di_expected);
        // scidl's conv3d with depth 1.
        let s3 = conv3d(&x.unsqueeze(2)?, &w.unsqueeze(2)?, &Conv3dConfig::default())?;
        assert_eq!(s3.dims(), &[1, 1, 1, 2, 3]);
        assert_eq!(s3.squeeze(2)?.squeeze(0)?.squeeze(0)?.to_dtype(DType::F64)?.to_vec2::<f64>()?, s_expected);
        let g = s3.sum_all()?.backward()?;
        assert_eq!(grad(&g, &w).squeeze(0)?.squeeze(0)?.to_dtype(DType::F64)?.to_vec2::<f64>()?, dk_expected);
        assert_eq!(grad(&g, &x).squeeze(0)?.squeeze(0)?.to_dtype(DType::F64)?.to_vec2::<f64>()?, di_expected);
    }
    Ok(())
}

#[test]
fn conv2d_textbook() -> R {
    use reference::conv2d_textbook as r;
    let case = "conv2d_textbook";
    for dtype in DTYPES {
        let x = var(from_fn(&[1, 1, 3, 4], dtype, |k| (k + 1) as f64));
        let w = var(Tensor::new(&[2f64, 0., -1., 1.], &Device::Cpu)?.reshape((1, 1, 2, 2))?.to_dtype(dtype)?);
        let y = x.conv2d(&w, 0, 1, 1, 1)?;
        let g = objective(&y).backward()?;
        check(case, "y", &y, (r::Y_SHAPE, r::Y), rtol(dtype));
        check(case, "dx", &grad(&g, &x), (r::DX_SHAPE, r::DX), rtol(dtype));
        check(case, "dw", &grad(&g, &w), (r::DW_SHAPE, r::DW), rtol(dtype));
        // The same through scidl's conv3d with depth 1.
        let y3 = conv3d(&x.unsqueeze(2)?, &w.unsqueeze(2)?, &Conv3dConfig::default())?.squeeze(2)?;
        let g = objective(&y3).backward()?;
        check(case, "conv3d y", &y3, (r::Y_SHAPE, r::Y), rtol(dtype));
        check(case, "conv3d dx", &grad(&g, &x), (r::DX_SHAPE, r::DX), rtol(dtype));
        check(case, "conv3d dw", &grad(&g, &w), (r::DW_SHAPE, r::DW), rtol(dtype));
    }
    Ok(())
}

#[test]
fn conv2d_pad1_stride2() -> R {
    use reference::conv2d_pad1_stride2 as r;
    let case = "conv2d_pad1_stride2";
    for dtype in DTYPES {
        let x = var(lin0(&[2, 3, 5, 6], dtype));
        let w = var(wave(&[4, 3, 3, 3], 0.53, 0.1, 0.5, dtype));
        let y = x.conv2d(&w, 1, 2, 1, 1)?;
        check(case, "y", &y, (r::Y_SHAPE, r::Y), rtol(dtype));
        // Candle 0.11.1's conv2d backward takes the output padding of the input gradient from the
        // height (here 0: (5 + 2 - 3) % 2) and applies it to the width (which needs 1: (6 + 2 - 3) % 2),
        // so backward fails with a shape mismatch. Accept that known failure, compare if it is fixed.
        match objective(&y).backward() {
            Ok(g) => {
                check(case, "dx", &grad(&g, &x), (r::DX_SHAPE, r::DX), rtol(dtype));
                check(case, "dw", &grad(&g, &w), (r::DW_SHAPE, r::DW), rtol(dtype));
            }
            Err(e) => {
                assert!(e.to_string().contains("shape mismatch"), "{case}: unexpected backward error {e}");
                eprintln!("{case} [{dtype:?}]: Candle's conv2d backward fails as known: {e}");
            }
        }
        // scidl's own conv2d (im2col + GEMM on the CPU) has the correct backward.
        let ys = scidl_core::nn::layers::conv_gemm::conv2d(&x, &w, [1, 1], [2, 2], [1, 1])?;
        check(case, "scidl conv2d y", &ys, (r::Y_SHAPE, r::Y), rtol(dtype));
        let g = objective(&ys).backward()?;
        check(case, "scidl conv2d dx", &grad(&g, &x), (r::DX_SHAPE, r::DX), rtol(dtype));
        check(case, "scidl conv2d dw", &grad(&g, &w), (r::DW_SHAPE, r::DW), rtol(dtype));
        // scidl's conv3d with depth 1 works around it too.
        let y3 = conv3d(
            &x.unsqueeze(2)?,
            &w.unsqueeze(2)?,
            &Conv3dConfig { padding: [0, 1, 1], stride: [1, 2], dilation: [1, 1], groups: 1 },
        )?
        .squeeze(2)?;
        check(case, "conv3d y", &y3, (r::Y_SHAPE, r::Y), rtol(dtype));
        let g = objective(&y3).backward()?;
        check(case, "conv3d dx", &grad(&g, &x), (r::DX_SHAPE, r::DX), rtol(dtype));
        check(case, "conv3d dw", &grad(&g, &w), (r::DW_SHAPE, r::DW), rtol(dtype));
    }
    Ok(())
}

fn conv3d_case(case: &str, xs: &[usize], ws: &[usize], cfg: Conv3dConfig, y: Ref, dx: Ref, dw: Ref) -> R {
    for dtype in DTYPES {
        let x = var(lin0(xs, dtype));
        let w = var(wave(ws, 0.53, 0.1, 0.4, dtype));
        let out = conv3d(&x, &w, &cfg)?;
        check(case, "y", &out, y, rtol(dtype));
        let g = objective(&out).backward()?;
        check(case, "dx", &grad(&g, &x), dx, rtol(dtype));
        check(case, "dw", &grad(&g, &w), dw, rtol(dtype));
    }
    Ok(())
}

macro_rules! conv3d_test {
    ($case:ident, $xs:expr, $ws:expr, $cfg:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            conv3d_case(
                stringify!($case),
                &$xs,
                &$ws,
                $cfg,
                (r::Y_SHAPE, r::Y),
                (r::DX_SHAPE, r::DX),
                (r::DW_SHAPE, r::DW),
            )
        }
    };
}

conv3d_test!(conv3d_pad1, [2, 2, 3, 4, 3], [3, 2, 3, 3, 3], Conv3dConfig::padded(1));
conv3d_test!(
    conv3d_stride_d2,
    [2, 2, 6, 4, 5],
    [3, 2, 3, 2, 3],
    Conv3dConfig { padding: [1, 0, 1], stride: [2, 1], dilation: [1, 1], groups: 1 }
);
conv3d_test!(
    conv3d_dilation_d2,
    [1, 2, 5, 4, 4],
    [2, 2, 3, 3, 3],
    Conv3dConfig { padding: [2, 1, 1], stride: [1, 1], dilation: [2, 1], groups: 1 }
);
conv3d_test!(
    conv3d_dilation_hw2,
    [1, 2, 4, 5, 5],
    [2, 2, 3, 3, 3],
    Conv3dConfig { padding: [1, 2, 2], stride: [1, 1], dilation: [1, 2], groups: 1 }
);
conv3d_test!(
    conv3d_groups2,
    [1, 4, 3, 4, 4],
    [6, 2, 3, 3, 3],
    Conv3dConfig { padding: [1, 1, 1], stride: [1, 1], dilation: [1, 1], groups: 2 }
);
conv3d_test!(
    conv3d_stride_hw2,
    [1, 2, 5, 5, 6],
    [2, 2, 3, 3, 3],
    Conv3dConfig { padding: [1, 1, 1], stride: [2, 2], dilation: [1, 1], groups: 1 }
);

// Odd height and width, uneven padding, stride and dilation 2 in H and W only.
conv3d_test!(
    conv3d_mixed,
    [2, 1, 3, 6, 5],
    [2, 1, 3, 2, 2],
    Conv3dConfig { padding: [0, 1, 2], stride: [1, 2], dilation: [1, 2], groups: 1 }
);

fn convt3d_case(case: &str, xs: &[usize], ws: &[usize], cfg: ConvTranspose3dConfig, y: Ref, dx: Ref, dw: Ref) -> R {
    for dtype in DTYPES {
        let x = var(lin0(xs, dtype));
        let w = var(wave(ws, 0.53, 0.1, 0.4, dtype));
        let out = conv_transpose3d(&x, &w, &cfg)?;
        check(case, "y", &out, y, rtol(dtype));
        let g = objective(&out).backward()?;
        check(case, "dx", &grad(&g, &x), dx, rtol(dtype));
        check(case, "dw", &grad(&g, &w), dw, rtol(dtype));
    }
    Ok(())
}

#[test]
fn convt3d_k2s2() -> R {
    use reference::convt3d_k2s2 as r;
    let cfg = ConvTranspose3dConfig { stride: [2, 2], ..Default::default() };
    convt3d_case(
        "convt3d_k2s2",
        &[2, 3, 2, 3, 2],
        &[3, 2, 2, 2, 2],
        cfg,
        (r::Y_SHAPE, r::Y),
        (r::DX_SHAPE, r::DX),
        (r::DW_SHAPE, r::DW),
    )
}

#[test]
fn convt3d_k3s2p1op1() -> R {
    use reference::convt3d_k3s2p1op1 as r;
    let cfg = ConvTranspose3dConfig { padding: [1, 1], output_padding: [1, 1], stride: [2, 2], dilation: [1, 1] };
    convt3d_case(
        "convt3d_k3s2p1op1",
        &[1, 2, 3, 2, 3],
        &[2, 3, 3, 3, 3],
        cfg,
        (r::Y_SHAPE, r::Y),
        (r::DX_SHAPE, r::DX),
        (r::DW_SHAPE, r::DW),
    )
}

#[test]
fn convt3d_s12_d21() -> R {
    use reference::convt3d_s12_d21 as r;
    let cfg = ConvTranspose3dConfig { padding: [1, 0], output_padding: [0, 1], stride: [1, 2], dilation: [2, 1] };
    convt3d_case(
        "convt3d_s12_d21",
        &[1, 2, 3, 2, 3],
        &[2, 2, 3, 3, 3],
        cfg,
        (r::Y_SHAPE, r::Y),
        (r::DX_SHAPE, r::DX),
        (r::DW_SHAPE, r::DW),
    )
}

// -------------------------------------------------------------------------------------------------
// Pooling

/// Runs `f` on `x` in both dtypes and compares the output and the input gradient. `plain_sum`
/// differentiates `out.sum()` instead of the weighted objective.
fn pool_case(
    case: &str,
    x: &Tensor,
    plain_sum: bool,
    f: impl Fn(&Tensor) -> scidl_core::Result<Tensor>,
    y: Ref,
    dx: Ref,
) -> R {
    for dtype in DTYPES {
        let xv = var(x.to_dtype(dtype)?);
        let out = f(&xv)?;
        check(case, "y", &out, y, rtol(dtype));
        let obj = if plain_sum { out.sum_all()? } else { objective(&out) };
        let g = obj.backward()?;
        check(case, "dx", &grad(&g, &xv), dx, rtol(dtype));
    }
    Ok(())
}

macro_rules! pool_test {
    ($case:ident, $x:expr, $plain:expr, $f:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            pool_case(stringify!($case), &$x, $plain, $f, (r::Y_SHAPE, r::Y), (r::DX_SHAPE, r::DX))
        }
    };
}

pool_test!(maxpool2d_2x2, lin0(&[2, 3, 5, 6], DType::F64), false, |x| max_pool2d(x, 2, 2));
pool_test!(maxpool2d_3x3s2, lin0(&[1, 2, 7, 6], DType::F64), false, |x| max_pool2d(x, 3, 2));
// [[1, 2], [3, 4]]: the gradient of the sum is 1 at the 4 (Candle 0.11's own max_pool2d gives 0.25).
pool_test!(maxpool2d_known, Tensor::new(&[[[[1f64, 2.], [3., 4.]]]], &Device::Cpu).unwrap(), true, |x| max_pool2d(
    x, 2, 2
));
// Ties go to the first maximum of the window in scan order, as in PyTorch's CPU kernel.
pool_test!(
    maxpool2d_ties,
    Tensor::new(&[[[[1f64, 3., 3., 2.], [3., 0., 3., 1.], [2., 3., 1., 3.]]]], &Device::Cpu).unwrap(),
    true,
    |x| max_pool2d(x, 2, 1)
);
pool_test!(maxpool2d_3x3s2p1, lin0(&[1, 2, 6, 5], DType::F64), false, |x| Pool::uniform(PoolMode::Max, 2, 3, 2, 1)
    .forward(x));
pool_test!(maxpool3d_2, lin0(&[2, 2, 4, 4, 6], DType::F64), false, |x| max_pool3d(x, 2, 2));
pool_test!(maxpool3d_3s2, lin0(&[1, 2, 5, 5, 5], DType::F64), false, |x| max_pool3d(x, 3, 2));
pool_test!(maxpool3d_3s2p1, lin0(&[1, 2, 5, 4, 5], DType::F64), false, |x| Pool::uniform(PoolMode::Max, 3, 3, 2, 1)
    .forward(x));
pool_test!(avgpool3d_2, lin0(&[2, 2, 4, 4, 6], DType::F64), false, |x| avg_pool3d(x, 2, 2));
pool_test!(avgpool3d_3s2p1, lin0(&[1, 2, 5, 5, 5], DType::F64), false, |x| Pool::uniform(PoolMode::Avg, 3, 3, 2, 1)
    .forward(x));

// -------------------------------------------------------------------------------------------------
// Resizing

macro_rules! interp_test {
    ($case:ident, $xs:expr, $size:expr, $mode:expr, $align:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            pool_case(
                stringify!($case),
                &lin0(&$xs, DType::F64),
                false,
                |x| interpolate(x, &$size, $mode, $align),
                (r::Y_SHAPE, r::Y),
                (r::DX_SHAPE, r::DX),
            )
        }
    };
}

interp_test!(nearest2d_up, [1, 2, 3, 4], [6, 8], InterpMode::Nearest, false);
interp_test!(nearest2d_down, [1, 2, 5, 7], [3, 4], InterpMode::Nearest, false);
interp_test!(nearest3d, [1, 2, 2, 3, 2], [4, 6, 3], InterpMode::Nearest, false);
interp_test!(bilinear_false, [1, 2, 3, 4], [5, 7], InterpMode::Linear, false);
interp_test!(bilinear_true, [1, 2, 3, 4], [5, 7], InterpMode::Linear, true);
interp_test!(bilinear_down_false, [1, 1, 6, 5], [4, 3], InterpMode::Linear, false);
interp_test!(trilinear_false, [1, 2, 2, 3, 4], [3, 5, 6], InterpMode::Linear, false);
interp_test!(trilinear_true, [1, 2, 2, 3, 4], [3, 5, 6], InterpMode::Linear, true);

// -------------------------------------------------------------------------------------------------
// Normalisation

/// Sets a store variable to `f(k)` for `k` in `0..c`.
fn set_param(store: &ParamStore, name: &str, c: usize, dtype: DType, f: impl Fn(f64) -> f64) -> Var {
    let v = store.get(name).unwrap_or_else(|| panic!("no parameter {name}"));
    v.set(&from_fn(&[c], dtype, |k| f(k as f64))).unwrap();
    v
}

struct NormRefs {
    y: Ref,
    dx: Ref,
    dweight: Ref,
    dbias: Ref,
    running: Option<(Ref, Ref)>,
}

fn bn_case(case: &str, xs: &[usize], train: bool, r: NormRefs) -> R {
    let c = xs[1];
    for dtype in DTYPES {
        let store = ParamStore::new(0, &Device::Cpu);
        let vb = store.var_builder().set_dtype(dtype);
        let cfg = BatchNormConfig { eps: 1e-5, momentum: 0.1, affine: true };
        let bn = match xs.len() {
            2 | 3 => batch_norm1d(c, cfg, vb)?,
            4 => batch_norm2d(c, cfg, vb)?,
            _ => batch_norm3d(c, cfg, vb)?,
        };
        let w = set_param(&store, "weight", c, dtype, |k| 1.0 + 0.25 * k);
        let b = set_param(&store, "bias", c, dtype, |k| 0.1 * k - 0.15);
        set_param(&store, "running_mean", c, dtype, |k| 0.1 * k - 0.1);
        set_param(&store, "running_var", c, dtype, |k| 0.5 + 0.25 * k);
        let x = var((lin(xs, 0.37, 1.3, 0.45, dtype) * 2.0)?);
        let y = bn.forward_t(&x, train)?;
        check(case, "y", &y, r.y, rtol(dtype));
        let g = objective(&y).backward()?;
        check(case, "dx", &grad(&g, &x), r.dx, rtol(dtype));
        check(case, "dweight", &grad(&g, &w), r.dweight, rtol(dtype));
        check(case, "dbias", &grad(&g, &b), r.dbias, rtol(dtype));
        if let Some((rm, rv)) = r.running {
            check(case, "running_mean", bn.running_mean(), rm, rtol(dtype));
            check(case, "running_var", bn.running_var(), rv, rtol(dtype));
            // The store (what checkpoints save) holds the updated buffers too.
            check(case, "store running_mean", store.get("running_mean").unwrap().as_tensor(), rm, rtol(dtype));
            check(case, "store running_var", store.get("running_var").unwrap().as_tensor(), rv, rtol(dtype));
        }
    }
    Ok(())
}

macro_rules! bn_test {
    ($case:ident, $xs:expr, $train:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            bn_case(
                stringify!($case),
                &$xs,
                $train,
                NormRefs {
                    y: (r::Y_SHAPE, r::Y),
                    dx: (r::DX_SHAPE, r::DX),
                    dweight: (r::DWEIGHT_SHAPE, r::DWEIGHT),
                    dbias: (r::DBIAS_SHAPE, r::DBIAS),
                    running: Some(((r::RUNNING_MEAN_SHAPE, r::RUNNING_MEAN), (r::RUNNING_VAR_SHAPE, r::RUNNING_VAR))),
                },
            )
        }
    };
}

bn_test!(bn1d_train_nc, [6, 3], true);
bn_test!(bn1d_train_ncl, [2, 3, 5], true);
bn_test!(bn2d_train, [2, 3, 4, 5], true);
bn_test!(bn3d_train, [2, 2, 3, 4, 3], true);
// Evaluation: normalised with the running statistics, which stay as they were.
bn_test!(bn1d_eval, [2, 3, 5], false);
bn_test!(bn2d_eval, [2, 3, 4, 5], false);
bn_test!(bn3d_eval, [2, 2, 3, 4, 3], false);

fn gn_case(case: &str, xs: &[usize], groups: usize, r: NormRefs) -> R {
    let c = xs[1];
    for dtype in DTYPES {
        let store = ParamStore::new(0, &Device::Cpu);
        let gn = group_norm(groups, c, 1e-5, store.var_builder().set_dtype(dtype))?;
        let w = set_param(&store, "weight", c, dtype, |k| 1.0 + 0.25 * k);
        let b = set_param(&store, "bias", c, dtype, |k| 0.1 * k - 0.15);
        let x = var((lin(xs, 0.37, 1.3, 0.45, dtype) * 2.0)?);
        let y = gn.forward(&x)?;
        check(case, "y", &y, r.y, rtol(dtype));
        let g = objective(&y).backward()?;
        check(case, "dx", &grad(&g, &x), r.dx, rtol(dtype));
        check(case, "dweight", &grad(&g, &w), r.dweight, rtol(dtype));
        check(case, "dbias", &grad(&g, &b), r.dbias, rtol(dtype));
    }
    Ok(())
}

macro_rules! gn_test {
    ($case:ident, $xs:expr, $groups:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            gn_case(
                stringify!($case),
                &$xs,
                $groups,
                NormRefs {
                    y: (r::Y_SHAPE, r::Y),
                    dx: (r::DX_SHAPE, r::DX),
                    dweight: (r::DWEIGHT_SHAPE, r::DWEIGHT),
                    dbias: (r::DBIAS_SHAPE, r::DBIAS),
                    running: None,
                },
            )
        }
    };
}

gn_test!(gn2d, [2, 6, 3, 4], 3);
gn_test!(gn3d, [2, 4, 2, 3, 2], 2);

// -------------------------------------------------------------------------------------------------
// Losses

const CLASS_WEIGHTS: [f32; 4] = [0.5, 1.0, 2.0, 1.5];

/// Differentiates `loss(scores)` in both dtypes and compares the loss and the score gradient.
fn loss_case(case: &str, scores: &Tensor, loss: impl Fn(&Tensor) -> scidl_core::Result<Tensor>, l: Ref, dl: Ref) -> R {
    for dtype in DTYPES {
        let z = var(scores.to_dtype(dtype)?);
        let v = loss(&z)?;
        assert_eq!(v.dtype(), dtype, "{case}: loss dtype");
        check(case, "loss", &v.reshape(1)?, l, rtol(dtype));
        let g = v.backward()?;
        check(case, "dlogits", &grad(&g, &z), dl, rtol(dtype));
    }
    Ok(())
}

macro_rules! loss_test {
    ($case:ident, $scores:expr, $loss:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            loss_case(stringify!($case), &$scores, $loss, (r::LOSS_SHAPE, r::LOSS), (r::DLOGITS_SHAPE, r::DLOGITS))
        }
    };
}

fn logits_6x4() -> Tensor {
    (lin0(&[6, 4], DType::F64) * 3.0).unwrap()
}

fn targets(v: &[i64]) -> Tensor {
    Tensor::new(v, &Device::Cpu).unwrap()
}

fn targets_fn(shape: &[usize], f: impl Fn(i64) -> i64) -> Tensor {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n as i64).map(f).collect::<Vec<i64>>(), shape, &Device::Cpu).unwrap()
}

/// `(7k + 1) mod 3`, and -100 (PyTorch's default ignore index) where `k mod 7 == 3` if `ignore`.
fn ce_spatial_targets(ignore: bool) -> Tensor {
    targets_fn(&[2, 4, 5], |k| if ignore && k % 7 == 3 { -100 } else { (7 * k + 1) % 3 })
}

/// `(5k + k div 3) mod 3`.
fn seg_targets(shape: &[usize]) -> Tensor {
    targets_fn(shape, |k| (5 * k + k / 3) % 3)
}

const T6: [i64; 6] = [0, 3, 1, 2, 1, 0];
const T6_IGNORE: [i64; 6] = [0, 255, 1, 2, 255, 3];

fn ce(weights: bool, smoothing: f64, ignore: Option<i64>) -> CrossEntropy {
    CrossEntropy {
        class_weights: weights.then(|| CLASS_WEIGHTS.to_vec()),
        label_smoothing: smoothing,
        ignore_index: ignore,
    }
}

loss_test!(ce_plain, logits_6x4(), |z| cross_entropy(z, &targets(&T6)));
loss_test!(ce_weights, logits_6x4(), |z| ce(true, 0.0, None).loss(z, &targets(&T6)));
loss_test!(ce_smooth, logits_6x4(), |z| ce(false, 0.1, None).loss(z, &targets(&T6)));
loss_test!(ce_weights_smooth, logits_6x4(), |z| ce(true, 0.1, None).loss(z, &targets(&T6)));
loss_test!(ce_ignore, logits_6x4(), |z| ce(false, 0.0, Some(255)).loss(z, &targets(&T6_IGNORE)));
loss_test!(ce_ignore_weights_smooth, logits_6x4(), |z| ce(true, 0.1, Some(255)).loss(z, &targets(&T6_IGNORE)));
loss_test!(ce_spatial, (lin0(&[2, 3, 4, 5], DType::F64) * 3.0).unwrap(), |z| cross_entropy(
    z,
    &ce_spatial_targets(false)
));
loss_test!(ce_spatial_ignore_smooth, (lin0(&[2, 3, 4, 5], DType::F64) * 3.0).unwrap(), |z| ce(false, 0.1, None)
    .loss(z, &ce_spatial_targets(true)));

fn bce_logits() -> Tensor {
    (lin0(&[3, 5], DType::F64) * 4.0).unwrap()
}

loss_test!(bce_logits_hard, bce_logits(), |z| {
    let t = from_fn(&[3, 5], z.dtype(), |k| if (3 * k) % 5 < 2 { 1.0 } else { 0.0 });
    bce_with_logits(z, &t)
});
loss_test!(bce_logits_soft, bce_logits(), |z| bce_with_logits(z, &lin(&[3, 5], 0.29, 1.0, 0.0, z.dtype())));

fn reg_output() -> Tensor {
    (lin0(&[4, 5], DType::F64) * 3.0).unwrap()
}

fn reg_target(dtype: DType) -> Tensor {
    wave(&[4, 5], 0.7, 0.2, 1.0, dtype)
}

loss_test!(mse, reg_output(), |z| loss::mse(z, &reg_target(z.dtype())));
loss_test!(l1, reg_output(), |z| mae(z, &reg_target(z.dtype())));
loss_test!(huber_d1, reg_output(), |z| huber(z, &reg_target(z.dtype()), 1.0));
loss_test!(huber_d05, reg_output(), |z| huber(z, &reg_target(z.dtype()), 0.5));
/// The regression target with exact zero residuals at every third element (`k mod 3 == 0`), where
/// PyTorch's L1 and Huber gradients are 0.
fn reg_target_zero(output: &Tensor) -> Tensor {
    let o = output.detach().to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
    let t = reg_target(DType::F64).flatten_all().unwrap().to_vec1::<f64>().unwrap();
    from_fn(&[4, 5], output.dtype(), |k| if k % 3 == 0 { o[k] } else { t[k] })
}

loss_test!(l1_zero_residual, reg_output(), |z| mae(z, &reg_target_zero(z)));
loss_test!(huber_zero_residual, reg_output(), |z| huber(z, &reg_target_zero(z), 1.0));
loss_test!(quantile_q03, reg_output(), |z| quantile(z, &reg_target(z.dtype()), 0.3));

fn seg_logits() -> Tensor {
    (lin0(&[2, 3, 4, 4], DType::F64) * 3.0).unwrap()
}

loss_test!(dice, seg_logits(), |z| DiceLoss::default().loss(z, &seg_targets(&[2, 4, 4])));
loss_test!(dice_nobg, seg_logits(), |z| DiceLoss { include_background: false, ..Default::default() }
    .loss(z, &seg_targets(&[2, 4, 4])));
loss_test!(dice_batch, seg_logits(), |z| DiceLoss { batch: true, ..Default::default() }
    .loss(z, &seg_targets(&[2, 4, 4])));
loss_test!(dice_ce, seg_logits(), |z| loss::dice_ce(z, &seg_targets(&[2, 4, 4]), &DiceLoss::default()));

loss_test!(focal, logits_6x4(), |z| focal_loss(z, &targets(&T6), 2.0, None));
loss_test!(focal_alpha, logits_6x4(), |z| focal_loss(z, &targets(&T6), 2.0, Some(&[0.25, 0.5, 0.75, 1.0])));
loss_test!(focal_spatial, (lin0(&[2, 3, 3, 3], DType::F64) * 3.0).unwrap(), |z| focal_loss(
    z,
    &seg_targets(&[2, 3, 3]),
    2.0,
    None
));

// -------------------------------------------------------------------------------------------------
// Recurrent layers

/// A two-layer [`SeqModel`] encoder (no dropout) against PyTorch's `nn.LSTM` / `nn.GRU` with
/// `num_layers=2, batch_first=True`: hidden states of the last layer, and the gradients of the input
/// and of every weight and bias of both layers. Weights follow `wave` formulas (see the script).
fn rnn_case(case: &str, cell: RecurrentCell, y: Ref, dx: Ref, dparams: [Ref; 8]) -> R {
    let (b, t, f, h) = (2, 5, 3, 4);
    let g = cell.gates() * h;
    let names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
    let formulas = [(0.53, 0.1, 0.6), (0.41, 0.3, 0.5), (0.29, 0.7, 0.3), (0.67, 0.2, 0.25)];
    for dtype in DTYPES {
        let store = ParamStore::new(0, &Device::Cpu);
        let cfg = SeqModelConfig {
            cell,
            input_size: f,
            hidden_size: h,
            num_layers: 2,
            dropout: 0.0,
            output_size: 1,
            output: SeqOutput::SeqToSeq,
        };
        let net = SeqModel::new(&cfg, store.var_builder().set_dtype(dtype))?;
        let mut params = Vec::new();
        for l in 0..2 {
            let shapes = [vec![g, if l == 0 { f } else { h }], vec![g, h], vec![g], vec![g]];
            for ((name, shape), (a, p, s)) in names.iter().zip(&shapes).zip(formulas) {
                let v = store.get(&format!("rnn.layer{l}.{name}_l0")).unwrap_or_else(|| panic!("no {name}"));
                v.set(&wave(shape, a, p + l as f64, s, dtype))?;
                params.push((format!("d{name}_l{l}"), v));
            }
        }
        let x = var((lin0(&[b, t, f], dtype) * 1.5)?);
        let out = net.encode(&x, true)?;
        check(case, "y", &out, y, rtol(dtype));
        let grads = objective(&out).backward()?;
        check(case, "dx", &grad(&grads, &x), dx, rtol(dtype));
        for ((name, v), want) in params.iter().zip(dparams) {
            check(case, name, &grad(&grads, v), want, rtol(dtype));
        }
    }
    Ok(())
}

macro_rules! rnn_test {
    ($case:ident, $cell:expr) => {
        #[test]
        fn $case() -> R {
            use reference::$case as r;
            rnn_case(
                stringify!($case),
                $cell,
                (r::Y_SHAPE, r::Y),
                (r::DX_SHAPE, r::DX),
                [
                    (r::DWEIGHT_IH_L0_SHAPE, r::DWEIGHT_IH_L0),
                    (r::DWEIGHT_HH_L0_SHAPE, r::DWEIGHT_HH_L0),
                    (r::DBIAS_IH_L0_SHAPE, r::DBIAS_IH_L0),
                    (r::DBIAS_HH_L0_SHAPE, r::DBIAS_HH_L0),
                    (r::DWEIGHT_IH_L1_SHAPE, r::DWEIGHT_IH_L1),
                    (r::DWEIGHT_HH_L1_SHAPE, r::DWEIGHT_HH_L1),
                    (r::DBIAS_IH_L1_SHAPE, r::DBIAS_IH_L1),
                    (r::DBIAS_HH_L1_SHAPE, r::DBIAS_HH_L1),
                ],
            )
        }
    };
}

rnn_test!(lstm_2layer, RecurrentCell::Lstm);
rnn_test!(gru_2layer, RecurrentCell::Gru);

// -------------------------------------------------------------------------------------------------
// Reference values, pasted from `tests/fixtures/torch_reference.out`.

#[rustfmt::skip]
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
mod reference {
    // Generated by tests/fixtures/torch_reference.py with PyTorch 2.15.0+cu132.

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv2d_textbook
    pub mod conv2d_textbook {
        pub const Y_SHAPE: &[usize] = &[1, 1, 2, 3];
        pub const Y: &[f64] = &[
            3.0, 5.0, 7.0, 11.0, 13.0, 15.0,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 1, 3, 4];
        pub const DX: &[f64] = &[
            1.9601332, 1.2274915, -0.09836765, 0.0, -2.3567545, -1.623367, -0.9781892, -0.049183823,
            0.688344, 0.30649987, -0.17428455, -0.8205594,
        ];
        pub const DW_SHAPE: &[usize] = &[1, 1, 2, 2];
        pub const DW: &[f64] = &[
            -13.094692, -14.053811, -16.931168, -17.890285,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv2d_pad1_stride2
    pub mod conv2d_pad1_stride2 {
        pub const Y_SHAPE: &[usize] = &[2, 4, 3, 3];
        pub const Y: &[f64] = &[
            -0.43985325, -0.11083029, 0.1697267, 0.89862543, 0.16926606, -0.042761665, -0.24731521, 0.2861291,
            0.47690657, 0.12500899, -0.31354123, 0.288705, -0.05104378, -0.020058716, -0.37334803, 0.43408573,
            0.44486967, -0.0051954617, 0.3968567, 0.2186721, -0.26902613, -0.881069, -0.16236691, 0.17117389,
            0.09801239, -0.439141, -0.4751196, -0.26150694, 0.23832944, -0.19617406, 0.3540855, 0.07590445,
            0.31447315, -0.4677969, -0.2938281, 0.1686118, 0.05494876, -0.31695047, 0.30342636, 0.017210007,
            0.10385866, -0.21772608, 0.055111337, -0.11700032, -0.13495971, 0.002516979, 0.17117208, -0.37040827,
            0.19397718, 0.30131334, 0.4169008, 0.20910287, -0.027752569, 0.1754367, -0.055814467, 0.25807622,
            -0.17602524, -0.083928026, -0.2074947, 0.074333966, -0.1270318, 0.12654576, 0.07461865, 0.016680283,
            -0.25993684, 0.43095174, -0.16511032, -0.229946, -0.4424678, -0.16541056, -0.01577256, -0.20110162,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 5, 6];
        pub const DX: &[f64] = &[
            0.19087029, 0.2661003, 0.08754303, 0.022519859, -0.058091685, -0.10677095, -0.014681853, -0.17603792,
            -0.14833824, -0.41669652, -0.21030629, -0.22291747, -0.17565207, -0.37431464, -0.20832399, -0.33578804,
            -0.14031787, -0.06945342, -0.1706383, -0.27489248, -0.048504867, 0.039039623, 0.09706981, 0.2582595,
            -0.0044994513, 0.13105604, 0.13349344, 0.33375886, 0.20697212, 0.1804626, 0.077456325, 0.22626793,
            0.122621864, 0.27277163, 0.108527176, 0.061057646, 0.36272472, 0.6244123, 0.28515354, 0.3313336,
            0.06977443, -0.048326034, 0.041983876, 0.011540183, -0.044849236, -0.16994801, -0.11000777, -0.16276127,
            -0.17932501, -0.51617783, -0.34176093, -0.66102844, -0.3390319, -0.23348056, -0.12200217, -0.23851232,
            -0.07503581, -0.092452936, 0.008193567, 0.11163576, -0.18195055, -0.24004366, -0.073422104, 0.008892061,
            0.07058949, 0.11380225, 0.05645262, 0.24794418, 0.18117604, 0.45485234, 0.2183414, 0.21735233,
            0.18048687, 0.37564358, 0.20315923, 0.31621712, 0.12764956, 0.050710104, 0.14998752, 0.21545032,
            0.009148255, -0.115162544, -0.13611215, -0.2851467, -0.009550112, -0.15852273, -0.14213444, -0.3444056,
            -0.20602857, -0.16760682, 0.13734575, 0.12820876, 0.0005394925, -0.1378105, -0.13652748, -0.15881367,
            -0.100584105, -0.34024373, -0.19718364, -0.46821728, -0.198489, -0.1344413, -0.20761397, -0.37367305,
            -0.17836556, -0.22952959, -0.06291731, 0.0069955, -0.10386935, -0.09283787, 0.040947895, 0.22910315,
            0.16597599, 0.27703837, 0.08293738, 0.26826683, 0.1887104, 0.3813466, 0.20328417, 0.15139128,
            0.11110382, 0.27024794, 0.12147482, 0.23591277, 0.07313992, -0.008160758, 0.33652362, 0.47788474,
            0.16640389, 0.06433844, -0.084134884, -0.17064865, -0.010541758, -0.10309846, -0.08912886, -0.24393846,
            -0.1246421, -0.1357676, -0.29401326, -0.6411502, -0.36180204, -0.5921466, -0.25474045, -0.12831868,
            -0.09991877, -0.16085812, -0.026907077, 0.022911469, 0.059108168, 0.15221326, -0.124551214, -0.09708746,
            0.013449342, 0.16497782, 0.14495015, 0.15787388, 0.1393376, 0.39527613, 0.21634643, 0.47562638,
            0.18880017, 0.11478969, 0.20639999, 0.36180043, 0.16810162, 0.20143805, 0.04856373, -0.022630267,
            0.07001127, 0.0190041, -0.08261241, -0.29729375, -0.19531147, -0.2918153, -0.094443865, -0.286791,
            -0.19180898, -0.37870815, -0.19647737, -0.13386266,
        ];
        pub const DW_SHAPE: &[usize] = &[4, 3, 3, 3];
        pub const DW: &[f64] = &[
            -0.47022915, -0.30450827, -0.20855026, -0.113808684, -0.6088738, 0.5198934, 0.6039686, -0.07627009,
            0.53330356, 0.5297398, -0.49154177, -0.2085269, 0.13980705, -0.23329858, -0.32945254, -0.7559575,
            -0.35866097, -0.3360559, -0.38645566, -0.48738423, -0.070927046, -0.09383722, -0.48150834, 0.54972243,
            0.57928133, -0.35238373, 0.27640045, -0.5121352, -0.272863, -0.26051992, -0.189536, -0.54482514,
            0.5248178, 0.5816841, -0.11922203, 0.539618, 0.5864515, -0.41083527, -0.15115966, 0.20421152,
            -0.1547171, -0.27709594, -0.73546314, -0.4423682, -0.38278916, -0.43132377, -0.40776828, -0.100553066,
            -0.17075199, -0.4588652, 0.55411905, 0.56602645, -0.43518505, 0.2843467, -0.54820365, -0.23810747,
            -0.30952004, -0.2631029, -0.47456628, 0.5237601, 0.55276924, -0.16081502, 0.5397816, 0.63647854,
            -0.3254458, -0.09206944, 0.26628828, -0.07437207, -0.22158083, -0.7065856, -0.5210331, -0.42515922,
            -0.47127545, -0.3235044, -0.12903292, -0.24572045, -0.43099168, 0.55219954, 0.54631966, -0.5130258,
            0.28905183, -0.5780234, -0.20063788, -0.35499206, -0.3336708, -0.3988981, 0.5167323, 0.5175536,
            -0.20057495, 0.53379244, 0.6792506, -0.23634677, -0.031929765, 0.32532975, 0.006820694, -0.16354005,
            -0.669654, -0.59375894, -0.46268305, -0.50585526, -0.235553, -0.156042, -0.31788805, -0.39820546,
            0.5439858, 0.5203857, -0.58501893, 0.2904622,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_pad1
    pub mod conv3d_pad1 {
        pub const Y_SHAPE: &[usize] = &[2, 3, 3, 4, 3];
        pub const Y: &[f64] = &[
            0.30363625, 0.25196278, -0.19472565, 0.0007408117, -0.066874854, 0.067138165, 0.5549632, 0.6204056,
            0.4381187, 0.11415601, -0.42488873, -0.59778404, 0.10082024, 0.61923367, 0.5920284, -0.0036600123,
            -0.46421513, -0.75126886, -0.45531327, 0.12850311, 0.63014346, 0.8847914, 0.94071215, 0.3279972,
            -0.40721384, -0.27109948, 0.35871848, 0.45429638, 0.96350235, 0.5890107, -0.30441517, -0.36400858,
            -0.33583564, 0.11238238, 0.46180826, 0.3131229, -0.25806764, -0.37872255, 0.025972947, 0.12718786,
            0.23665237, 0.035588592, -0.51127714, -0.61402833, -0.51526445, -0.39722896, 0.07118487, 0.43927306,
            0.038777336, -0.48530203, -0.68640816, -0.0934561, 0.26606846, 0.6272683, 0.6573098, 0.17778817,
            -0.3780803, -0.8135583, -1.1339358, -0.57823247, 0.43076214, 0.53335154, -0.079023875, -0.2665064,
            -0.98133963, -0.8364235, 0.253661, 0.39169204, 0.36446932, -0.029013697, -0.3068197, -0.19978686,
            0.18196961, 0.46067944, 0.14585236, -0.24007021, -0.3784339, -0.13410522, 0.40710697, 0.5350114,
            0.5314544, 0.63330966, 0.29094017, -0.22879604, -0.17378756, 0.29395914, 0.69958586, 0.17951635,
            -0.03644591, -0.42906192, -0.7815465, -0.4630471, 0.08129021, 0.64608115, 1.1930149, 0.76006275,
            -0.4033513, -0.73250806, -0.21001926, 0.047188733, 0.8830844, 0.9848874, -0.17289871, -0.37303832,
            -0.34998626, -0.057787314, 0.11553438, 0.06281601, -0.5765022, -0.5733566, 0.023102231, -0.16545482,
            0.44848794, 0.42157015, 0.43339878, 0.00537293, -0.39042857, -0.046899702, -0.05063844, 0.23079108,
            0.46963298, -0.12841779, -0.27070653, -0.5668204, -0.46908343, 0.26476815, 0.035813402, 0.4660432,
            0.11766646, -0.10824686, -0.38671896, -0.15323831, 0.41128665, 0.42955828, -0.021147538, -0.15633707,
            -0.5503518, -0.102031305, -0.18904935, 0.12007899, 0.081731655, 0.116718285, 0.21997158, -0.053589948,
            0.43082199, 0.62556803, 0.101100065, 0.2947751, -0.2584377, -0.44235954, -0.35689905, -0.15057558,
            0.26069015, 0.07883964, 0.17653517, -0.14740092, -0.59635353, -0.044186994, 0.24013725, 0.47675812,
            0.70232147, -0.06871889, 0.040632322, -0.60392356, -0.2881764, 0.06634838, 0.27284583, 0.15402475,
            -0.25579962, -0.39738855, -0.02450972, -0.036077976, 0.4485624, 0.23309126, 0.14510639, -0.12302565,
            -0.13053797, -0.068765335, -0.24611379, 0.033819254, -0.2341755, -0.60377467, -0.21334222, -0.38922343,
            0.03781426, 0.4108178, 0.23817812, 0.27796513, -0.10011208, -0.101452835, -0.28154778, 0.04657323,
            0.6525255, 0.21156445, -0.18115973, -0.33029535, -0.8524748, -0.13545983, -0.11227124, 0.67035973,
            0.42459506, -0.016600886, -0.12669504, -0.13659005, 0.070051506, 0.31820774, 0.06726748, 0.224225,
            -0.2937081, -0.33657652, -0.08399734, 0.11141837, 0.16390166, 0.012677448, 0.24314073, -0.010047739,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 2, 3, 4, 3];
        pub const DX: &[f64] = &[
            0.36750275, 0.4986514, 0.35835856, 0.31555516, 0.10122113, -0.0760894, -0.6853229, -0.73234844,
            -0.46906602, -0.25491676, -0.07025091, -0.09477427, -0.22802043, -0.13044892, -0.30016276, -0.49525055,
            -0.754858, -0.81090397, -0.057788096, 0.03542538, 0.32705778, 0.4264652, 0.6315345, 0.54691184,
            0.15793146, 0.24358921, 0.10008503, 0.0026177529, -0.20938775, -0.14436647, 0.10878574, 0.21421143,
            0.37611988, 0.36504173, 0.46109784, 0.2845826, 0.33122984, 0.24305496, 0.1452599, 0.066097416,
            -0.044921596, 0.19490176, 0.090025105, 0.30256787, 0.23282921, 0.1040568, 0.025060778, -0.16436146,
            0.3130808, 0.114756286, 0.009088337, -0.12595527, -0.22825995, -0.011765841, -0.36468086, -0.10680951,
            -0.20900327, -0.26694036, -0.36256957, -0.46674612, -0.35026282, -0.5375691, -0.53624654, -0.6670205,
            -0.63495815, -0.38685337, 0.43687773, 0.66043645, 0.49732664, 0.31501976, 0.19046603, 0.13213356,
            -0.006539369, -0.07757166, -0.26215383, -0.49570498, -0.7385431, -0.5977342, -0.1410307, 0.11613743,
            0.23373404, 0.2277078, 0.29270354, 0.14528447, -0.15944527, -0.23818406, -0.33764932, -0.50359005,
            -0.62791324, -0.34774062, 0.57820725, 0.84241194, 0.8139603, 0.62111026, 0.57672423, 0.37079257,
            0.38755515, 0.2571756, 0.18358395, 0.12532744, 0.056936175, 0.2975535, -0.03721344, 0.16931936,
            0.044815496, -0.0786204, -0.19491458, -0.3497795, 0.19860607, 0.027885342, 0.103454664, 0.1602865,
            0.30238193, 0.43574274, -0.1030868, -0.04447386, -0.29369888, -0.38776913, -0.5707345, -0.54102385,
            -0.47370914, -0.6438267, -0.5159399, -0.52382535, -0.32276273, -0.24674493, 0.2572528, 0.29173928,
            0.079113275, -0.018441802, -0.15483405, -0.02766696, -0.38365918, -0.43306682, -0.23272154, -0.09623826,
            0.18492572, 0.22003402, 0.61668307, 0.5100362, 0.2808466, 0.1380317, -0.009467332, 0.10168119,
        ];
        pub const DW_SHAPE: &[usize] = &[3, 2, 3, 3, 3];
        pub const DW: &[f64] = &[
            -1.1921978, -0.3244882, -0.5046397, 2.3997865, 2.0396707, 0.9327014, -0.108519495, -0.23740631,
            0.06416384, 2.0700643, 0.20306976, -0.6890879, -1.419161, -0.48372614, 0.6070148, 0.0020142705,
            -0.89175266, -1.3077178, -1.8352904, -0.91010183, 0.42249653, 0.6483299, 1.2538568, 0.87049925,
            0.08063086, -1.1276872, -0.31275588, -0.86675614, 0.54457206, 0.19145228, 1.0354975, 2.450199,
            1.1974454, 1.6215634, -2.1209085, -2.3823147, -0.61705595, -0.37581548, 0.6750135, 1.2545532,
            -1.6801678, -2.32441, -2.5433626, -0.49505115, 1.4858433, -0.8337379, 0.015524988, -0.25153428,
            0.14644837, 0.9348524, 0.28748086, 0.5339889, 0.7382233, 0.6786245, -1.997602, -1.0360482,
            -0.7619208, 2.1741178, 2.2118444, 0.80592304, 0.27577892, 0.07681282, 0.5626065, 2.4161787,
            0.6975283, -0.68792, -0.8100274, -0.37795845, 0.6488373, 0.03332789, -0.43033123, -1.3490392,
            -1.697782, -1.3195107, -0.35193428, -0.024141463, 1.1699952, 1.1990876, 0.44097632, -1.1006668,
            -0.32403305, -0.88172865, 0.08045679, 0.06449993, 0.10989258, 2.5670905, 1.8402892, 2.2699988,
            -0.9835424, -2.2403243, -0.42078638, -0.048219595, 0.6831224, 1.5280067, -1.041488, -1.8660659,
            -2.0961077, -1.7841519, 0.38932595, -1.4342018, -0.7571131, -0.1830254, 0.13882911, 0.61396474,
            -0.27347672, 0.12888715, 1.2206867, 1.040695, -2.4438577, -1.5613372, -0.88221633, 1.5575649,
            1.986351, 0.53424793, 0.6104951, 0.3772218, 0.95989823, 2.3278887, 1.0665783, -0.56307095,
            -0.055259097, -0.20423767, 0.5740055, 0.058649488, 0.10845937, -1.1478171, -1.2550297, -1.491685,
            -1.0630909, -0.6922724, 0.87578034, 1.3120922, 0.7220387, -0.8757577, -0.27705237, -0.73817533,
            -0.3981238, -0.074048854, -0.83546996, 2.2224455, 2.1522677, 2.5103116, 0.3306546, -1.695546,
            -0.14886369, 0.28804567, 0.56841284, 1.5267401, -0.21555932, -1.0722222, -1.2719939, -2.7524803,
            -0.77718824, -1.7768108, -1.3936299, -0.08161042, 0.106249794, 0.1826925, -0.785266, -0.29938722,
            1.483683, 1.215659,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_stride_d2
    pub mod conv3d_stride_d2 {
        pub const Y_SHAPE: &[usize] = &[2, 3, 3, 3, 5];
        pub const Y: &[f64] = &[
            0.43691987, 0.15838173, -0.60829186, -0.49326766, 0.34741774, 0.048718423, -0.45769942, 0.1402407,
            0.08657198, -0.25666332, 0.36203226, 0.46746796, 0.0016954092, -0.4577669, -0.34029892, 0.29728618,
            -0.43743044, 0.10136799, 0.16691768, 0.017175058, 0.1921842, 0.17543058, 0.16248968, -0.4373431,
            -0.44913164, 0.36657283, 0.08151861, -0.41507715, 0.17551795, -0.26938295, 0.19085644, 0.17586741,
            0.16292651, -0.43690625, -0.4472068, 0.36524507, 0.08195544, -0.4146403, 0.17595477, -0.2674581,
            -0.339059, 0.101979546, 0.16752924, 0.082042806, -0.30820256, 0.4642592, 0.34908894, -0.5465054,
            -0.61132926, 0.20055516, 0.041763127, -0.47925395, 0.09142748, 0.16153969, -0.05689752, 0.27769223,
            0.42791957, -0.005208497, -0.47932014, -0.4109133, 0.33458564, -0.3762625, 0.0574387, 0.16781777,
            0.17577042, 0.12244746, 0.1462625, 0.19299488, -0.376578, -0.4146461, 0.4918508, 0.12911916,
            -0.4569852, 0.145947, -0.28020534, 0.11976752, 0.14468502, 0.19141738, -0.37815547, -0.4141224,
            0.48917085, 0.12754166, -0.45856267, 0.14436951, -0.27968165, -0.26038957, 0.055230226, 0.16560929,
            0.12722617, -0.37630367, 0.46705323, 0.52133983, -0.4558253, -0.69706994, 0.043089263, 0.032599818,
            -0.4754704, 0.037780505, 0.22796682, 0.14587644, 0.17867061, 0.36574712, -0.01183703, -0.47553176,
            -0.45980272, 0.3541956, -0.29520157, 0.010472641, 0.15984534, 0.3250728, 0.046236936, 0.10936154,
            0.21329644, -0.29590327, -0.35823825, 0.59112465, 0.16989318, -0.4747325, 0.108659856, -0.27621332,
            0.0423465, 0.10585314, 0.20978804, -0.29941165, -0.3591434, 0.5872342, 0.16638479, -0.4782409,
            0.10515146, -0.27711847, -0.16795337, 0.005560889, 0.15493359, 0.1656831, -0.42450964, 0.3857164,
            -0.20625183, 0.5280965, 0.5956014, -0.25734958, 0.3613345, 0.95772266, 0.3383786, -0.20631933,
            0.047883164, 0.2049242, -0.2096216, -0.4739707, 0.46263885, 0.29095066, -0.3364035, 0.10110589,
            0.6641058, 0.43379936, -0.20099881, 0.10424836, 0.6680045, -0.43760517, 0.10119326, 0.4165591,
            -0.07965775, -0.30428576, 0.17525584, 0.16231495, 0.1561682, -0.27240497, 0.16266441, -0.43716836,
            0.101630084, 0.41848394, -0.4336157, -0.41490242, 0.17569268, 0.16275178, 0.15809305, 0.089751795,
            0.16726714, 0.08178071, -0.41481504, 0.3104599, 0.46020982, -0.23047633, 0.3901701, 0.63397294,
            -0.057613358, 0.27705097, 0.94414204, 0.41288662, -0.23054253, -0.11189367, 0.39568955, -0.011756984,
            -0.41987485, 0.49851832, 0.36726716, -0.2550297, 0.058385193, 0.68766177, 0.5609804, -0.15320037,
            0.03602035, 0.65875894, -0.3756315, 0.058069695, 0.28443035, -0.017963963, -0.23188801, 0.14689349,
            0.19362587, 0.22560006, -0.24985787, 0.19236387, -0.37720898, 0.056492213, 0.28495404, -0.45124316,
            -0.45761618, 0.145316, 0.19204839, 0.22612375, -0.06688576, 0.16655578, 0.12817267, -0.4579317,
            0.26757804, 0.510372, -0.2425156, 0.23161545, 0.63882643, 0.14516886, 0.1781198, 0.88064474,
            0.46556532, -0.24257697, -0.2657547, 0.56553483, 0.18672922, -0.34358025, 0.5080412, 0.4241663,
            -0.1601725, 0.012577678, 0.6748611, 0.65850246, -0.09730224, -0.034112055, 0.6146849, -0.2937982,
            0.011875999, 0.13726377, 0.04467958, -0.14723036, 0.11076489, 0.2146998, 0.28310448, -0.21410084,
            0.21189308, -0.29730663, 0.008367605, 0.13635862, -0.44501343, -0.47613585, 0.1072565, 0.2111914,
            0.28219932, -0.21998708, 0.15703861, 0.16778813, -0.47683755, 0.21054931,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 2, 6, 4, 5];
        pub const DX: &[f64] = &[
            -0.54587215, -0.54137003, 0.783764, 1.7301235, 1.7589896, -0.5876803, -0.02911655, -0.27979425,
            -0.39525402, -0.8422937, 0.449437, 0.183741, 0.36832222, 0.37490207, 0.4816963, 0.51678836,
            1.2323997, 1.5086044, 1.0557365, 0.43539852, 1.2852997, 2.0150237, 1.0237345, -0.46230137,
            -1.3166345, 0.6601968, -0.22426213, 0.11929452, 0.40519896, 1.3531294, -0.8277875, 0.029512933,
            -0.30124158, -0.48641318, -1.3186361, 1.0664669, 0.12460936, -1.0075176, -1.6527352, -0.82669896,
            -0.7540537, -1.5405414, -1.904869, -1.3486186, -0.47726274, -0.01393428, 0.38185588, 0.35902488,
            0.16268569, -0.40485415, 0.26284185, -0.39275822, -0.2627289, -0.005728937, 0.7849777, -1.5252384,
            -1.2459917, -0.3835191, 0.66429913, 0.399677, -0.2072523, 0.045481514, 1.4411547, 2.140352,
            1.8939378, -0.74930876, -0.34171626, -0.49470323, -0.40861186, -0.64029056, 0.5161483, 0.4571324,
            0.47439513, 0.26239395, 0.10802023, 0.94680554, 1.548482, 1.6240262, 0.9147172, 0.40847784,
            1.0567241, 1.585047, 0.50673544, -0.8164693, -1.4356564, 0.5971204, -0.22958094, 0.03656416,
            0.28503868, 1.1165719, -0.62750554, 0.082342535, -0.1903302, -0.37102088, -1.0134983, 0.5165212,
            -0.3882726, -1.2487801, -1.505782, -0.70616937, -1.1104809, -1.6158274, -0.49790335, 0.8606456,
            1.4589964, -0.51437783, 0.30028224, -0.048382647, -0.37366533, -1.2000959, 0.5753042, -0.10736044,
            0.24971421, 0.48610792, 1.1078966, -0.49976414, 0.39950776, 1.2086883, 1.4337384, 0.6387132,
            0.62306666, 0.5157813, -0.91040653, -1.8966165, -1.8342292, 0.5082584, 0.05746946, 0.5390708,
            0.760152, 1.116526, -0.4944194, -0.354633, -0.70879924, -0.7204196, -0.7122894, -0.47153693,
            -1.1105366, -1.2875241, -0.8422819, -0.3036549, -1.4800969, -2.1576352, -1.0541795, 0.558736,
            1.364442, -0.32574826, 0.55115145, -0.043770306, -0.6175389, -1.5816107, 0.5701679, -0.22449201,
            0.39619923, 0.8254168, 1.6202009, -0.9761922, -0.029756889, 0.91990894, 1.4250046, 0.5867558,
            0.87078977, 1.7039992, 2.0494606, 1.4044666, 0.4945425, -0.23841283, -0.73467296, -0.68974227,
            -0.3114755, 0.3619135, 0.03835604, 0.7550363, 0.50409156, 0.009531367, -0.8551831, 1.3810142,
            1.0189937, 0.2425278, -0.6511461, -0.2914067, 0.25539213, -0.10933745, -1.6033659, -2.3225257,
            -1.9790385, 0.75286704, 0.4798009, 0.85829216, 0.8219912, 0.9353464, -0.6610942, -0.7415846,
            -0.891946, -0.6112512, -0.32455418, -0.84649795, -1.3503243, -1.3615357, -0.7147492, -0.31592965,
            -1.2130042, -1.6701967, -0.4780501, 0.9451267, 1.4991895, -0.34673986, 0.44025248, -0.071788214,
            -0.5491354, -1.361713, 0.46843418, -0.15688454, 0.36729023, 0.7139624, 1.2916539, -0.46406448,
            0.4201946, 1.1232178, 1.2834165, 0.5010754, 1.2616193, 1.6937052, 0.46705827, -0.98530686,
            -1.5159832, 0.2620917, -0.509315, 0.08334077, 0.63571995, 1.4395679, -0.41392308, 0.18131767,
            -0.42530882, -0.82639366, -1.380742, 0.44517452, -0.42961577, -1.0779654, -1.2053599, -0.43109688,
            1.0146171, 1.8483485, 1.7169019, 0.7557174, -0.18122584, 0.24473964, -0.39425668, -0.27192238,
            -0.018174464, 0.7596379, -0.45506698, 0.3453396, 0.13498864, -0.14059915, -1.0223583, 1.4180745,
            0.84143645, -0.18284428, -1.1187607, -0.5949355, -0.28272334, -0.8367182, -1.9315001, -2.092834,
            -1.4967976, 0.53768724, 0.4507535, 0.47885218, 0.27553293, 0.15075785, -0.22442688, -0.49716312,
            -0.38608968, -0.0884283, 0.4011817, -1.4230682, -1.693721, -1.3310138, -0.3250592, -0.1104735,
            -0.82753456, -1.0810537, 0.20699382, 1.3950062, 1.7118454, -0.62887436, 0.09448006, -0.17931533,
            -0.3664519, -1.02774, 0.56376463, 0.066198274, 0.30498537, 0.39638028, 0.7695161, 0.048063207,
            0.899975, 1.4766468, 1.3396903, 0.5937914, 1.2973186, 2.1555147, 1.5608327, 0.21183722,
            -0.776657, 0.45524156, -0.35046363, -0.035745036, 0.2962483, 1.2271543, -0.7098503, 0.18148533,
            -0.1642086, -0.4305444, -1.3653222, 1.4438715, 0.64093304, -0.5369249, -1.4552999, -0.7440555,
            -0.4539839, -1.1159625, -1.8571348, -1.700798, -0.9785052, 0.18130647, 0.3302489, 0.3934039,
            0.26643613, -0.063370585, 0.07313104, -0.39018723, -0.34160832, -0.12793824, 0.50103104, -1.450636,
            -1.4511462, -0.8175458, 0.21115516, 0.19265711, 0.47893006, 1.1662657, 1.9143258, 1.7372377,
            0.9930504, -0.24364278, -0.4328077, -0.51518744, -0.34858927, 0.021339184, 0.016177468, 0.5111234,
            0.44715935, 0.16709374, -0.49616903, 1.407362, 1.3762523, 0.7549566, -0.23119172, -0.17702419,
            -1.1688302, -2.011979, -1.8209525, -0.7499028, 0.19230783, 0.054405723, 0.757964, 0.5218013,
            0.03346438, -0.82131845, 0.1527017, -0.6633272, -0.2581745, 0.27174777, 1.1871606, -1.282569,
            -0.647975, 0.2461202, 1.0212713, 0.42837262, 0.30780077, 0.9603514, 2.1157305, 2.2486272,
            1.5684954, -0.6723243, -0.72534156, -0.8946457, -0.6315888, -0.3748022, 0.47920105, 0.8756271,
            0.7925044, 0.32638308, -0.28914672, 1.2811894, 1.4461042, 1.0864457, 0.20173384, 0.10603944,
            0.94787794, 1.1075541, -0.29403982, -1.5535313, -1.7860981, 0.4616268, -0.18023428, 0.34613138,
            0.70522, 1.3049568, -0.51262903, -0.12875739, -0.5874077, -0.7621778, -1.0375345, -0.04735896,
            -0.84507024, -1.2880962, -1.1086159, -0.41828042, -1.488443, -2.327984, -1.646449, -0.1692241,
            0.79949415, -0.098785296, 0.74307144, 0.23538658, -0.38605502, -1.3729683, 0.38857484, -0.4820344,
            0.12794901, 0.6760977, 1.6145622, -1.3150282, -0.47509056, 0.5300658, 1.2790539, 0.5195569,
            0.5266674, 1.26164, 2.0201569, 1.8023801, 1.0177275, -0.36714593, -0.6358599, -0.75629634,
            -0.5112327, -0.06275601, 0.19459122, 0.750557, 0.65612805, 0.24460799, -0.48425782, 1.3146535,
            1.2204883, 0.62653166, -0.27021286, -0.14499846, -0.54938823, -1.3065702, -2.068641, -1.8309867,
            -1.0278229, 0.4281306, 0.7360538, 0.87526613, 0.59148306, 0.10469576, -0.28343332, -0.86870116,
            -0.7592375, -0.2828524, 0.4772262, -1.2653557, -1.1398479, -0.5608853, 0.28913984, 0.12865292,
        ];
        pub const DW_SHAPE: &[usize] = &[3, 2, 3, 2, 3];
        pub const DW: &[f64] = &[
            4.1692276, 0.12370255, -3.787991, 0.12672414, 3.6449993, 4.429952, 2.3178165, 2.150637,
            -0.54102254, -0.8261907, 2.0237927, 3.4011228, 1.3720299, 5.514756, 5.2492585, -3.9225514,
            -2.5914629, 0.009577265, 1.0866219, 0.88043743, 1.5812109, -3.061192, -1.5545453, 0.7466646,
            -1.6989377, 0.06282805, 0.69744265, -0.79655564, -3.3228989, -1.3701973, -2.4028175, -3.2375567,
            -0.82241786, 1.8152612, -1.5557781, -4.273574, 5.095485, 2.5429235, -1.8149025, -1.2618299,
            2.2653892, 3.8072467, 1.2698938, 2.9789565, 1.2401153, -1.6810316, 0.026547374, 2.4415748,
            -1.3117859, 3.5591638, 5.4209146, -4.031057, -4.707309, -1.9988867, 1.3517594, 0.33163607,
            1.0171654, -3.5081897, -2.5498295, -0.5927308, -2.5462794, -1.3929443, 0.2458494, 1.161392,
            -2.3206804, -2.2393973, -2.4070609, -3.632535, -2.565031, 3.7072768, 1.0909449, -2.4100916,
            4.602555, 4.253893, 0.66367024, -2.2989407, 0.25482592, 2.1241517, -0.1317182, 2.9775808,
            2.675858, -2.0676737, -1.978092, 0.80200267, -3.630245, 0.6122776, 4.0827446, -3.0168378,
            -5.5120807, -3.4506233, 1.2404068, -0.30953217, 0.16982046, -2.978091, -2.8349385, -1.7670395,
            -2.6844347, -2.4607558, -0.27421752, 2.79587, -0.672109, -2.484883, -1.740893, -3.0157843,
            -3.5932353, 4.566746, 3.4338193, 0.12464605,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_dilation_d2
    pub mod conv3d_dilation_d2 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 5, 4, 4];
        pub const Y: &[f64] = &[
            -0.3730995, -0.118977375, -0.072629645, 0.24972215, 0.13870539, 0.3457302, 0.13581082, -0.15584303,
            0.3444872, 0.094347544, 0.031221315, -0.15128906, -0.22503915, 0.108319595, 0.1612902, 0.32983965,
            0.16755311, 0.5200964, 0.60122234, 0.16543113, 0.0924875, 0.35844937, 0.08106076, -0.21419978,
            0.42400554, 0.1609456, -0.004975203, 0.23064247, 0.29708982, -0.15123445, -0.3624101, -0.25662133,
            0.16289525, 0.13689683, 0.12834093, 0.38745397, -0.19134198, -0.5556971, 0.5378695, 0.44215065,
            0.29586107, 0.15832394, 0.2789567, 0.20703214, -0.18863992, 0.16224724, 0.088518746, 0.35027948,
            -0.11998874, -0.07673517, 0.17332989, 0.40326133, -0.092234425, 0.4474203, 0.291798, 0.36064926,
            0.24703212, 0.29933727, 0.4710032, -0.089275934, 0.476808, 0.56022215, 0.46817425, 0.16217221,
            0.2860808, 0.38062727, -0.11407894, 0.057740245, 0.41583058, 0.16002509, 0.21801288, 0.39624786,
            -0.21074264, -0.26145014, 0.40493378, 0.3391889, 0.23522864, 0.28859404, 0.30871955, 0.099485636,
            0.34015077, 0.1499809, 0.10483077, -0.22866619, -0.105618075, -0.30937418, -0.23512931, 0.007384994,
            -0.3344307, -0.10319777, -0.09366417, 0.1008365, 0.2210269, -0.068329744, -0.1634503, -0.36918947,
            -0.11364553, -0.4531263, -0.61273706, -0.28927454, -0.05390639, -0.48209083, -0.17371427, 0.074944556,
            -0.47447923, -0.24987155, -0.15526845, -0.1821938, -0.43553355, -0.05079828, 0.17499943, 0.18138832,
            -0.36032146, -0.2987791, -0.059689388, -0.25534788, 0.14640328, 0.59230185, -0.5493659, -0.5501608,
            -0.15954897, -0.01219961, -0.2806184, -0.23366463, 0.04005498, -0.19204041, -0.105475545, -0.33391383,
            0.17210144, 0.25020954, 0.037582207, -0.3311437, 0.11997017, -0.30804577, -0.25272942, -0.41906103,
            -0.0933458, -0.2328582, -0.45403603, 0.1640168, -0.3570941, -0.5893595, -0.5726277, -0.24284266,
            -0.17171834, -0.20665884, 0.21406956, 0.11857117, -0.40633315, -0.30453777, -0.042757988, -0.2996382,
            0.24395911, 0.28766227, -0.2818763, -0.3197583, -0.27460206, -0.23463185, -0.4066311, -0.13341722,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 5, 4, 4];
        pub const DX: &[f64] = &[
            -0.095284484, 0.4802736, 0.94857436, 0.64803404, 0.594953, 0.4111213, -0.30787936, -0.55151373,
            -0.67638505, -0.67494404, 0.00023578889, 0.40031394, 0.53885853, 1.0237799, 0.80087817, 0.189994,
            -0.6785257, -0.66642725, -0.004622551, 0.38243803, 0.5526554, 1.0347373, 0.8142352, 0.20072572,
            -0.4011856, -0.97457725, -0.96762675, -0.38974723, -0.18706469, 0.32979527, 0.8823396, 0.69967926,
            -0.7666621, -1.2757417, -0.86252886, -0.10747873, 0.13460591, 0.8956323, 1.2738858, 0.7403743,
            0.12242198, -0.5842148, -1.1842916, -0.8375679, -0.7401795, -0.55038947, 0.31804404, 0.65170395,
            -0.23933196, -0.84619206, -1.0206195, -0.52467227, -0.3880255, 0.017976627, 0.67519426, 0.66513455,
            0.5357373, 0.28430903, -0.4195732, -0.59198433, -0.6611675, -0.957863, -0.5121458, 0.057955902,
            0.50601065, 0.24151553, -0.4672423, -0.6257763, -0.6580056, -0.9418651, -0.46753734, 0.10140214,
            0.5795044, 1.0117921, 0.71406925, 0.10314403, -0.043537874, -0.648513, -0.99880654, -0.59798855,
            0.67861253, 0.77819335, 0.14759348, -0.32306406, -0.44486687, -0.9893629, -0.90079534, -0.3042685,
            0.27288786, 0.8761245, 0.99968874, 0.4720622, 0.36003247, -0.084075116, -0.71755946, -0.65270233,
            0.31429595, 0.911715, 1.007617, 0.47367346, 0.31923684, -0.13689683, -0.7600062, -0.6794291,
            -0.48243278, -0.16830802, 0.5254393, 0.62901646, 0.6739415, 0.9071817, 0.40374526, -0.1377612,
            -0.2633333, 0.3792718, 1.0688269, 0.84280246, 0.8143752, 0.75090235, -0.10178069, -0.5495434,
            -0.8572509, -1.0228933, -0.28017426, 0.33117223, 0.5369107, 1.2302053, 1.1721785, 0.44228333,
            -0.6147708, -0.46398968, 0.22894575, 0.49740586, 0.6341025, 1.0169023, 0.64895993, 0.045888033,
            -0.5184364, -1.0266999, -0.8588007, -0.24913885, -0.0333158, 0.5445707, 0.98781204, 0.67714083,
            -0.49900532, -0.9979073, -0.83234614, -0.22727275, -0.047795724, 0.5376253, 0.9834747, 0.6621851,
            0.25264782, -0.25098488, -0.8442062, -0.692741, -0.65332764, -0.6298612, 0.05887239, 0.4414742,
        ];
        pub const DW_SHAPE: &[usize] = &[2, 2, 3, 3, 3];
        pub const DW: &[f64] = &[
            -0.2883333, 0.6019545, 0.42026758, -0.12614056, -0.4395828, 0.2645264, 0.04909364, 0.54075986,
            -0.2672654, 0.8799459, 0.27217546, 0.67202044, -1.0553643, -0.6068398, -1.1383624, 0.30947673,
            -0.16218764, 0.69389635, -0.4644215, -0.19880955, -1.1598436, 0.44353357, -0.54834336, 0.8329559,
            0.41717348, 0.3013513, -0.6486869, 0.24730206, -1.1514924, 0.18518814, -0.6363971, 0.5908167,
            -0.42825043, 0.49000987, -1.0374738, -0.1566645, 1.3969641, 1.3799151, 0.20548864, 0.09494713,
            -1.0084327, -0.37459105, -0.2775203, 0.54859614, -0.7757929, -1.5454572, -0.4921502, 0.16006604,
            1.4797941, 1.0578506, 0.17689337, -0.44604257, -0.15613128, 0.4623475, -0.12229023, 0.7124748,
            0.59287196, -0.34924567, -0.6319725, -0.08668373, 0.23424177, 0.70608294, 0.065921806, 0.66422117,
            0.0014689545, 0.39016822, -0.64423585, -0.42207983, -0.8205058, 0.19356373, -0.3161084, 0.28761867,
            -0.33596918, 0.039388634, -0.98276913, 0.2744778, -0.75475425, 0.44473353, 0.55878985, 0.4827259,
            -0.2875205, 0.39542732, -1.0455543, 0.051754456, -0.6444327, 0.5174082, -0.30067307, 0.5387535,
            -0.88682467, -0.31339255, 1.1929315, 1.6182427, 0.25901946, 0.4825386, -0.9620202, -0.2888088,
            -0.51993525, 0.6730587, -0.6284515, -1.5822338, -0.8646687, -0.09937674, 1.2887799, 1.2299546,
            0.36900502, -0.32105115, -0.25613028, 0.35815722,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_dilation_hw2
    pub mod conv3d_dilation_hw2 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 4, 5, 5];
        pub const Y: &[f64] = &[
            0.06558167, 0.49347386, 0.032157425, 0.3015353, 0.008582729, 0.9821494, -0.10350023, 0.68267155,
            -0.3106228, 0.17557395, 0.18374372, 0.17976992, 1.0354766, -0.014932397, 1.189234, 0.3471441,
            -0.43573096, -0.25994083, -0.31938866, -0.46324664, -0.33085132, -0.034022987, -0.26307198, -0.28033406,
            -0.19568235, -0.09850576, 0.87139386, -0.62714493, 1.043544, -0.98939306, -0.40721947, 0.49772522,
            0.3374752, 0.25525948, 0.362835, 0.18360095, 0.5510784, 0.1640248, 0.26575223, 0.090687886,
            1.4398584, -0.35404375, 0.7169806, -0.55369705, 0.0025819498, 0.30435392, 0.20793499, 0.9653999,
            0.047119718, 1.4265488, 0.13959719, -0.4296597, -0.017533295, 0.33274332, -0.27973852, -1.2856721,
            0.4680366, -0.68446416, 0.5418568, -0.056650016, -0.49447298, 1.6648272, -0.822905, 1.7505527,
            -1.5197984, -0.1397113, 0.26400357, -0.15318367, -0.011430883, -0.3568743, 0.2544877, 0.49292296,
            0.43542132, -0.0011777891, 0.52319044, 0.3093083, -1.0607687, 0.19117548, -0.985542, 0.3732559,
            0.12006032, -0.14236185, 0.28121272, 0.049732503, 0.43392473, 0.19294536, -0.29915166, 0.04830306,
            0.4063418, -0.27526623, -0.6555015, 0.34401977, -0.27345255, 0.36546445, 0.11034586, -0.15171891,
            0.84986806, -0.25601536, 0.8606738, -0.63927317, -0.030013938, -0.54755247, 0.18017894, -0.4400688,
            0.2626435, -0.80002165, -0.050958443, -0.72593933, 0.18199176, -0.32103398, -0.23036513, -0.28310183,
            -1.0082738, -0.115073085, -1.0925834, -0.66170615, 0.44786775, 0.014909063, 0.40784094, 0.3793606,
            0.23098855, -0.13620292, -0.019040179, 0.124444224, -0.15781234, 0.0557118, -0.62434536, 0.6197266,
            -0.9623929, 0.94506514, 0.86843026, -0.5850263, -0.07234279, -0.42613992, -0.33813715, -0.093332976,
            -0.6590441, 0.20832881, -0.46570316, 0.4730746, -1.2260596, 0.16673389, -0.79360247, 0.43804514,
            -0.12540571, -0.45454764, -0.28429902, -1.0556898, -0.15644845, -1.4732465, -0.24110237, 0.87572294,
            -0.08181401, 0.16732761, 0.015176622, 1.153912, -0.3478394, 0.58761215, -0.5101536, -0.06800917,
            0.46853995, -1.3558148, 0.87136203, -1.7505164, 1.6178054, 0.56805277, -0.40871677, 0.37707496,
            -0.17279853, 0.3572854, -0.16338454, -0.7496029, -0.22005834, -0.32994458, -0.08704034, -0.17534867,
            0.9509048, -0.11766028, 1.0682876, -0.38343444, -0.3343177, 0.24959819, -0.35541824, 0.07738358,
            -0.36803967, -0.3282203, 0.7267923, -0.20079005, 0.05317257, -0.024769567, 0.5803075, -0.27766526,
            0.16375825, -0.3630791, -0.25158796, 0.14863695, -0.71421, 0.32172412, -0.8816622, 0.68431175,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 4, 5, 5];
        pub const DX: &[f64] = &[
            1.5938147, 2.295089, 2.9203908, 2.2081656, 1.0239459, -2.124651, -2.1957054, -2.5286696,
            -1.6301315, -0.06746138, 2.8420181, 1.50211, 0.93603176, -0.10404186, -2.048983, -1.0901426,
            0.5649571, 1.5086721, 1.5921706, 2.2706013, 0.15256305, -1.4437325, -2.3858845, -2.1089818,
            -2.1629186, -1.9287492, 0.4832161, 1.6070637, 2.0507746, 3.4260368, 0.58452, -1.8418905,
            -3.0558226, -3.02195, -3.4777803, 2.6339252, 4.3180523, 5.5892487, 4.333165, 2.4092069,
            -3.1954143, -2.798252, -2.8946214, -1.4558738, 0.81339127, 3.161068, 1.9141537, 1.4376826,
            0.16786163, -2.009356, -3.5355377, -2.9179854, -2.8172443, -1.6262128, 0.80713826, 3.3890135,
            1.872133, 1.2991304, 0.24929512, -2.104512, -1.9762762, 1.0845449, 2.6483526, 3.1658762,
            4.519423, -0.93813515, -2.7375374, -4.0486794, -3.2819872, -2.4639716, 2.0954313, 3.2056904,
            4.1866317, 2.9968495, 1.400164, -0.23603363, -1.7285413, -2.6322427, -2.216298, -2.0075803,
            1.1607234, 2.2412448, 2.9323268, 2.2331445, 1.4197329, -3.08961, -2.7818582, -2.8323617,
            -1.695956, 0.4387454, 1.8879157, 0.549065, 0.03968469, -0.66482675, -2.0320425, -1.1948586,
            0.39266178, 1.13478, 1.5410417, 2.398764, 1.5772611, 0.049490064, -0.82463336, -1.1394587,
            -2.1320052, -0.7489128, 0.8927042, 1.8734922, 1.8182371, 2.2475104, -1.5818083, -2.9865592,
            -3.8666983, -3.0841017, -1.994071, 2.3014843, 2.0555449, 2.2034595, 1.3022057, -0.36697507,
            -2.3011878, -1.4340125, -1.2402269, -0.36982659, 1.2997608, 2.9595501, 3.1006863, 3.5724196,
            2.1536717, -0.015598877, -3.2378511, -2.475162, -2.384316, -0.9719265, 1.3337089, 3.2308142,
            0.44124317, -1.0344393, -1.8741668, -3.9933577, 0.03406699, 2.3489525, 3.5634158, 3.255394,
            3.2713273, -1.4466902, -3.2203472, -4.2174754, -3.4766352, -2.5303624, 0.17314881, 2.2389224,
            3.6281939, 3.231614, 2.9529893, -1.4430308, -2.9837868, -4.187933, -3.2718425, -2.1056058,
            4.2127495, 4.159189, 4.409582, 2.66495, -0.23519135, -3.160054, -1.3220024, -0.5071437,
            0.38088468, 2.5438972, 2.2455072, -0.101242915, -1.225513, -1.7235109, -3.2780247, -2.2008884,
            -1.1153048, -0.786974, 0.02318745, 1.6187476, 1.6824782, 0.19795305, -0.40970364, -0.99683434,
            -2.2194333, -0.14154187, 1.850737, 3.0809767, 2.8610861, 2.8635864, -1.5040326, -2.3130739,
            -2.8967478, -2.0733685, -1.0109347, 2.094695, 2.2752233, 2.4929748, 1.5607768, 0.13163723,
        ];
        pub const DW_SHAPE: &[usize] = &[2, 2, 3, 3, 3];
        pub const DW: &[f64] = &[
            -0.601837, 0.09421328, -0.23551194, 0.9314874, -0.35308447, -2.095515, 1.4189941, -0.80848324,
            -0.14300722, -0.23445284, -0.7514766, -0.4978406, -0.17369659, -1.0564201, -2.429173, 1.1039234,
            0.35730127, -1.973127, -0.8755725, -0.9036755, 0.5526845, -1.9729213, -0.70854783, 0.78817266,
            -0.80591893, 0.97493386, -0.06238386, 0.34499785, -1.4648294, 0.47321352, -2.2548869, 0.8393121,
            1.6646932, -0.17585878, 2.5312407, -1.3969607, 1.5360683, 0.47471762, -0.176737, -0.578699,
            -0.77589756, 2.490635, -2.3896124, 1.3803904, 2.7511303, 0.9113908, 0.66927946, -0.89302915,
            1.5984478, 0.008289277, 0.13109314, -0.62743044, -0.24534923, 1.5600548, -0.41972002, -0.8989914,
            1.298604, -1.0761001, -0.11373707, 0.4960761, 0.1961702, 0.3028397, -1.1651238, -0.8766754,
            1.0656708, 0.7632095, -1.8065126, 0.59206486, 1.9785848, -2.5153122, 0.13384564, -0.116277374,
            1.0818342, 0.7961694, -0.12532587, 0.2782805, -0.3618054, 1.1841601, -1.2174511, -1.2361966,
            1.3003408, 0.987402, 0.8631545, -2.0108807, 0.7442753, -1.3911369, 0.523549, -2.4756818,
            0.8528317, 2.7046256, 0.46315977, 0.79603046, -0.7273389, 3.455275, -0.26267868, -1.631687,
            1.2931428, -1.8768991, 1.1227968, -1.1715145, -0.544143, -0.5567176, 0.7687757, 0.30682966,
            -2.0025666, 1.2178761, -0.57856524, -1.4933089,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_groups2
    pub mod conv3d_groups2 {
        pub const Y_SHAPE: &[usize] = &[1, 6, 3, 4, 4];
        pub const Y: &[f64] = &[
            -0.06362248, 0.32072097, 0.6802779, 0.5593403, 0.09611525, 0.5987343, 0.118457265, -0.15303682,
            0.35480908, 0.50881606, -0.19612464, -0.5644745, 0.24473536, 0.04591763, 0.10794961, 0.24055359,
            -0.10234083, -0.30352053, -0.34188235, -0.29477608, -0.109174296, 0.1699541, 0.7748714, 0.7631464,
            -0.61082196, -0.5554575, 0.01012111, -0.031716697, 0.48940882, 0.56486183, 0.013150704, -0.20387752,
            -0.31874552, -0.09952503, -0.030812433, -0.15251406, 0.67231506, 0.40731603, -0.2953993, -0.1783987,
            0.27127635, 0.106096745, 0.12989122, 0.48962662, -0.26531065, -0.2526554, 0.014446411, 0.018843312,
            0.14032415, -0.08736318, -0.6197899, -0.49794897, 0.0003306945, -0.59250295, -0.37330687, -0.09078051,
            -0.19104901, -0.49865603, 0.21084817, 0.5201457, -0.43262902, -0.26436257, -0.17806776, -0.1820027,
            0.15036027, 0.39649382, 0.51610065, 0.43053424, 0.009734169, -0.1207321, -0.59173626, -0.6818365,
            0.62139755, 0.65637285, -0.14622322, -0.22029676, -0.3450565, -0.41410828, 0.039471157, 0.28223398,
            0.44249868, 0.16180712, -0.047151715, 0.03880336, -0.57996917, -0.28684154, 0.3243114, 0.34253988,
            -0.42863336, -0.29325444, -0.11047177, -0.4462834, 0.29884368, 0.24990697, 0.020721054, -0.10265286,
            -0.20042545, -0.15632968, 0.48598072, 0.37765026, -0.09673752, 0.5161784, 0.5839942, 0.3238585,
            0.004687836, 0.42950493, -0.20062834, -0.41428357, 0.5693426, 0.4515334, 0.22712047, 0.10192088,
            -0.18059207, -0.44256186, -0.62926424, -0.5153602, 0.090857506, 0.057227477, 0.3385986, 0.5198653,
            -0.5584617, -0.6796393, 0.2650271, 0.4462491, 0.15988399, 0.21436569, -0.08742358, -0.32720214,
            -0.5139042, -0.20494741, 0.11953781, 0.07949777, 0.41901293, 0.13243368, -0.31485742, -0.4661586,
            0.535283, 0.44572008, 0.077983506, 0.3501448, -0.29702353, -0.21759455, -0.053437218, 0.17431857,
            0.3961276, -0.20564307, -0.19682978, 0.3631098, -0.46234685, -0.57630676, 0.2578945, 0.6078332,
            -0.72538257, -0.19204776, 0.6461879, 0.10934231, -0.24300678, 0.13799816, 0.13685322, -0.39611408,
            0.5417174, 0.46011066, -0.3935917, -0.52563834, 0.47602972, 0.091253884, -0.4281959, 0.33815598,
            -0.07099131, -0.67524177, -0.20003945, 0.44412526, -0.08251873, -0.041007698, 0.73042864, 0.53516,
            -0.5580454, -0.5354844, 0.20903307, -0.023249082, 0.3049803, 0.5000474, -0.0062750373, -0.29423487,
            0.24235319, 0.4579916, -0.6363659, -0.5741815, 0.13570547, 0.0034009654, -0.09316064, 0.0021567373,
            -0.5862382, 0.025456317, 0.22220445, -0.20696494, 0.2204014, 0.5770088, -0.124045774, -0.66739243,
            0.71671087, 0.3066042, -0.5683097, -0.36999178, 0.3251693, -0.06856777, -0.32649687, 0.26917362,
            -0.3450432, -0.4103252, 0.34665704, 0.64356744, -0.66136724, -0.32459858, 0.52423286, -0.12624967,
            -0.085693724, 0.59560645, 0.4409637, -0.2984301, 0.052580237, 0.17420548, -0.575803, -0.55388623,
            0.5771101, 0.59429526, -0.19933622, -0.084998466, -0.18400568, -0.27900547, -0.23484486, 0.26453593,
            -0.17911197, -0.58117634, 0.48677084, 0.5398422, -0.050413955, -0.0657794, 0.24198559, 0.099000275,
            0.70699674, 0.15774193, -0.2212923, 0.026336104, 0.04761754, -0.5094507, -0.024477547, 0.6479991,
            -0.6232523, -0.38488936, 0.42320046, 0.5868712, -0.36886424, -0.008974198, 0.4775159, -0.11038991,
            0.10755041, 0.31199825, -0.25871283, -0.68536246, 0.768465, 0.51954323, -0.55825305, -0.10059199,
            0.23224118, -0.44551086, -0.6297219, 0.11743063, -0.016421506, -0.28679475, 0.35305983, 0.50708765,
            -0.52790266, -0.58280104, 0.16605785, 0.1831907, 0.04126315, 0.024957176, 0.4481826, -0.2035424,
            0.094681785, 0.6356079, -0.27959082, -0.44163945, -0.04084154, 0.12037613, -0.36218363, -0.18844554,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 4, 3, 4, 4];
        pub const DX: &[f64] = &[
            3.8550797, 4.4589477, 1.2677507, -1.3305272, -2.6151147, -5.659599, -5.2158456, -1.8927178,
            1.6090658, 4.9831643, 5.7569866, 2.8227904, 1.5208633, -0.977799, -4.5154185, -4.129999,
            1.3435318, 6.263886, 7.6514564, 3.7097216, 3.6005177, 0.4341749, -5.0406284, -5.164756,
            -4.7265806, -2.8616428, 2.8732915, 4.475416, 6.0720973, 8.673154, 4.9845657, 0.20103903,
            -3.1838129, -2.2979896, 1.797016, 3.2972777, 3.35239, 5.472363, 3.4179053, 0.07060282,
            -2.744869, -5.558996, -4.576217, -1.1870615, -0.7209314, 2.4815986, 5.052039, 3.3595989,
            -1.3118353, -4.711814, -5.9556947, -3.3414617, -2.2937918, -0.23730339, 3.472521, 3.6682162,
            3.0501447, 1.8910329, -2.0075922, -3.2064946, -3.3589845, -5.243841, -3.1656933, 0.062832415,
            5.783032, 4.713018, -1.3221294, -3.75394, -5.2256923, -8.486114, -5.481106, -0.49197376,
            4.288784, 8.538029, 7.2066503, 2.218808, 0.35012245, -4.250623, -7.555571, -5.1335735,
            1.9862195, 5.083537, 4.98154, 1.7553083, 1.0694721, -1.9357911, -5.026561, -3.833644,
            -2.1540384, 0.22679228, 3.9447165, 3.7555838, 3.9259775, 4.426062, 0.7164388, -1.9011532,
            3.3303056, 5.1180778, 2.6414366, -0.5969797, -1.0678077, -4.467492, -5.574208, -2.8249118,
            -0.054342058, 3.2695816, 5.4320846, 3.401413, 3.3794804, 1.9822788, -2.1164722, -3.1103463,
            0.001970169, 4.732713, 8.587497, 6.1318874, 4.5724225, 3.1280305, -2.603738, -4.622288,
            -5.2128873, -5.2543764, 0.16095422, 3.4548557, 3.5838275, 7.6235504, 6.407466, 1.4964339,
            -4.139111, -4.6372547, -1.169283, 1.4039057, 2.7316823, 5.722459, 5.0811024, 1.7286507,
            -1.7783374, -5.126313, -5.703536, -2.7128503, -1.4367222, 1.0893471, 4.34928, 3.8567634,
            0.87883514, -2.2786853, -5.1976013, -3.6956265, -3.4139824, -2.5466704, 1.4986358, 3.0142295,
            3.8397303, 3.99475, 0.24743423, -2.1122866, -2.819449, -5.594458, -4.4101825, -1.0181237,
            5.060036, 5.9983044, 1.5144169, -2.297472, -3.608527, -8.122102, -7.674886, -2.8226647,
            2.0892708, 7.064941, 8.377392, 4.11262, 2.6656911, -1.0095655, -6.6651196, -6.2094545,
            1.2473936, 4.6146235, 5.6021347, 2.9266405, 2.3327563, 0.21176071, -3.4626436, -3.5740242,
            -3.0874908, -1.8533149, 2.013214, 3.1297107, 3.7499897, 5.5676064, 3.334431, 0.10742852,
        ];
        pub const DW_SHAPE: &[usize] = &[6, 2, 3, 3, 3];
        pub const DW: &[f64] = &[
            0.39734122, 0.4766985, -0.070893295, -1.1155807, -0.91251665, -0.05668793, 0.59383506, 0.4545806,
            0.48588535, 0.63548887, -0.10239666, 0.18410742, -0.5140039, -0.22431044, -1.1156178, 0.46334335,
            0.08486585, 1.0691643, -0.099363975, -0.40724084, -0.39710397, -0.18467227, 0.3124112, 0.54792845,
            -0.047651384, 0.23985845, 0.34960258, -0.5003283, -0.45589715, -0.50462097, 0.90648603, 0.12217429,
            0.20476052, 0.22511473, 0.3624999, -0.21944909, -0.38746962, -1.151456, -0.4588831, -0.16885018,
            1.3643029, 0.2677174, 0.12119657, -0.99214107, 0.51081973, 0.54498655, -0.005212524, 0.5024719,
            -1.342988, -0.43671978, -0.1520667, 0.535325, 0.24293168, 0.09777427, -0.010141051, -0.14046927,
            0.16563718, 0.6256538, 0.17613643, -0.67095226, -0.12240975, -0.20123951, 0.03549512, -0.6925447,
            -0.27172506, -0.5482807, 0.80812174, 0.61800855, 1.3825297, -0.6838861, -0.4922027, -1.3154718,
            -0.14114918, 0.50832146, 0.35691527, 0.15546004, -0.56081027, -0.2880127, -0.2382047, -0.4482546,
            -0.53748095, 0.53320885, 0.38109285, 0.37123594, -0.8981185, 0.09256701, -0.27155712, -0.20963176,
            -0.33806208, 0.56680876, 0.8995565, 1.1861314, 0.53894126, -0.660119, -1.2595229, -0.18550445,
            0.1935866, 0.79879624, -0.59245545, -0.55084044, 0.027004382, -0.6145671, 1.5447196, 0.22730112,
            0.14895298, -0.74145544, -0.066601776, -0.31321833, -0.37932792, -0.22718637, -0.22332399, 0.004247157,
            0.59964985, 1.248484, -0.37640157, -0.09712379, -0.54893446, 0.59466136, 0.58505523, 0.7897903,
            -0.92144305, -0.87344307, -1.340136, 0.7514269, 0.78942174, 1.267476, 0.35008383, -0.4956781,
            -0.23687589, -0.091467604, 0.68374246, -0.036338527, 0.47076857, 0.55636525, 0.6051117, -0.4467975,
            -0.22102875, -0.15479633, 0.68881994, -0.2865988, 0.27759975, 0.14724903, 0.23799153, -0.78735954,
            -1.2103906, -0.95544016, -0.4984251, 1.3414034, 0.8729569, 0.061789613, -0.46505973, -0.4267411,
            0.5415444, 0.43345782, -0.0427547, 0.5891686, -1.4008596, 0.032970328, -0.11251483, 0.7817042,
            -0.12462857, 0.4585878, -0.3171113, -0.15853816, 0.1502171, -0.4212714, 0.24085899, 0.3784724,
            0.27206397, -0.2798981, -0.12658586, -0.3545339, -1.5400609, -0.50812525, -0.20136006, 1.0475887,
            0.4222933, 0.41816083, -0.6614211, -0.4057913, 0.96247554, -1.2261888, -1.6361455, -1.0988902,
            0.7680005, 1.582095, 0.39556265, -0.5950053, -1.3561838, 0.15303361, -0.5806622, 0.30486897,
            -0.38682148, -0.21409197, -1.5300719, 0.76493514, 0.31833294, 0.87366337, 0.5232206, -0.6848318,
            -0.8004964, -0.24867079, 0.55618453, 1.0384527, -0.63142985, -0.9192937, -0.9707151, -0.52023745,
            0.35546717, 0.07571833, 0.043312445, -0.6031608, 0.40012744, -0.54117626, -0.49925372, -0.52658135,
            0.53643054, -0.024750603, 0.08318163, 0.059759263, -0.3173991, -0.6651288, 0.07974937, 0.1906255,
            0.07917431, 0.89676976, 1.3750503, 0.16380818, -0.3631617, -1.2314657, -0.29059717, -0.14491838,
            0.72018236, 0.15883191, -0.124256276, 1.9233083, 1.502026, 0.25725722, -1.5421023, -1.3443984,
            -0.04607786, 1.0949333, 1.2069583, 0.14390849, 0.472131, -0.25974375, 0.3222264, 0.32551962,
            1.5045952, -0.9729603, -0.48778778, -1.0446041, -0.33379075, 1.2644395, 0.654073, 0.10592845,
            -1.006678, -0.4554111, 0.42234114, 0.8757817, 0.45817703, 0.5093673, -0.1889532, 0.07869843,
            0.032644812, 0.42410952, -0.6319912, 0.5637715, 0.4010447, 0.37412393, -0.6357371, 0.20250206,
            -0.2979706, 0.31512251, 0.3229293, 0.8029797, -0.41372085, -0.058705308, -0.014049533, -1.2383763,
            -0.9024075, 0.2171568, 0.8464353, 1.1398337, 0.093887344, -0.16074586, -0.61782116, 0.12366207,
            -0.74176216, -2.1901367, -1.0318664, 0.6419304, 1.9711983, 0.80592704, -0.31371567, -1.349898,
            -0.7877069, -0.40865475, -0.25797257, 0.15650749, -0.18554142, -0.36412057, -1.1425039, 0.96331036,
            0.5481126, 0.9818413, 0.069683775, -1.561161, -0.36131752, 0.060512673, 1.231953, -0.22951713,
            -0.11876438, -0.63633597, 0.1568664, -0.38453916, -0.019834206, -0.21550842, -0.10129863, -0.15017457,
            0.72246313, -0.46023732, -0.21311216, -0.13796584,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_stride_hw2
    pub mod conv3d_stride_hw2 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 3, 3];
        pub const Y: &[f64] = &[
            -0.09266787, 0.26924837, -0.056081604, 0.14140163, 0.6329531, 0.17855863, -0.4046549, -0.22057286,
            0.27739695, -0.38483098, 0.16787162, 0.44797248, -0.20357165, -0.3699778, 0.033212565, 0.63702023,
            0.629676, -0.18562625, 0.14590728, -0.2593997, -0.061920546, 0.01691429, -0.07639032, 0.47293925,
            0.4308286, 0.26832736, 0.024283491, 0.39972764, -0.13000777, -0.026362553, -0.46530092, -0.7732209,
            -0.0345852, 0.4947038, 0.16341725, -0.4466647, 0.20484574, -0.25310802, -0.30149585, 0.471528,
            0.54579216, -0.16627991, -0.6791728, -0.6164867, 0.10941805, 0.06450045, 0.33638006, 0.1875137,
            -0.19493863, -0.17567071, -0.49529722, -0.36280343, -0.102297194, 0.06587762,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 5, 5, 6];
        pub const DX: &[f64] = &[
            -0.04686955, -0.00010326172, 0.043440778, 0.16707161, 0.11275721, 0.12591848, 0.15923569, 0.40202057,
            0.22727142, 0.4337172, 0.18547228, 0.10117378, 0.12758076, 0.21742506, 0.08074756, 0.076269,
            -0.00510902, -0.070602246, 0.05403879, -0.045726236, -0.103510365, -0.32516265, -0.21103542, -0.23328047,
            -0.08849653, -0.23058966, -0.12911578, -0.24799477, -0.107336424, -0.051007893, -0.0012997432, -0.0012393567,
            -0.0006238068, 0.00036507225, 0.00035360066, 7.5018776e-05, 0.0029802227, 0.0048565487, 0.002409093, 0.0033668228,
            0.00067370594, 0.0009096515, 0.0011601213, 0.0023545204, 0.0014059829, 0.0017780864, 0.0009723663, 0.0002553763,
            -0.0013872674, -0.0029876553, -0.0027778072, -0.004781439, -0.0028258988, -0.003634968, 6.88282e-05, -0.0012588426,
            -0.0008679729, -0.0022516623, -0.0013853033, -0.00034597883, -0.033683933, 0.027235795, 0.0562472, 0.18685906,
            0.1189954, 0.12472277, 0.17574908, 0.420802, 0.22812173, 0.41928834, 0.17024855, 0.0780082,
            0.12423595, 0.20169187, 0.069436215, 0.04973306, -0.018920394, -0.0813258, 0.030098302, -0.09297646,
            -0.12459774, -0.3561622, -0.21907866, -0.22911055, -0.09813323, -0.24123544, -0.1299206, -0.23962696,
            -0.098920435, -0.038434256, -0.0012331496, -0.0010188596, -0.00048504389, 0.0006109783, 0.00049747195, 0.000111715075,
            0.0029876085, 0.004777154, 0.00220674, 0.0029709178, 0.00035940646, 0.0005079941, 0.0012395715, 0.0023398758,
            0.0013826155, 0.0016034005, 0.0008574743, 0.00022744661, -0.0016616198, -0.0033820895, -0.0028796245, -0.0048586037,
            -0.0027059752, -0.0034861255, -8.206385e-05, -0.0014638017, -0.0009819425, -0.0023122225, -0.0014072716, -0.00035304108,
            -0.020114373, 0.054264404, 0.06841249, 0.20451659, 0.12387722, 0.12210542, 0.1902592, 0.4347869,
            0.22637178, 0.40008023, 0.15308425, 0.05395343, 0.11947503, 0.18365967, 0.0573334, 0.022630231,
            -0.032516103, -0.09112236, 0.005814739, -0.13916689, -0.14426489, -0.38310203, -0.22462472, -0.22232911,
            -0.10665134, -0.24913149, -0.12924452, -0.22852777, -0.0893769, -0.025422528, 0.13236152, 0.25468802,
            0.11126693, 0.15637225, 0.03639968, -0.029671118, 0.14270346, 0.14301546, -0.0025556067, -0.16283596,
            -0.14657961, -0.20871425, -0.05605867, -0.18293697, -0.1214252, -0.2599503, -0.12810981, -0.09660609,
            -0.21976517, -0.42867512, -0.18674344, -0.26018912, -0.063473046, 0.05913565, -0.072882, -0.060587768,
            0.017567957, 0.11944092, 0.09952773, 0.13217236, 0.0017598933, 0.0024942958, 0.0008246454, 0.0006560999,
            -0.00050913397, -0.000575812, 0.0019075794, 0.0027091638, 0.0016031925, 0.00084957, 0.0005240208, 6.0150545e-05,
            -0.0015968609, -0.002929932, -0.001912863, -0.002944724, -0.0013044238, -0.0015093442, -0.0008083977, -0.0030042292,
            -0.0017501368, -0.0031359848, -0.0018460763, 2.0306497e-05, -6.558751e-05, 0.0006144285, 0.0012049456, 0.002468319,
            0.0018931571, 0.0021772604, 0.13338812, 0.24722196, 0.1027852, 0.13322078, 0.022508629, -0.043631792,
            0.123771936, 0.09782855, -0.026198115, -0.2054964, -0.16350724, -0.2140131, -0.06864583, -0.20172034,
            -0.12662539, -0.26079118, -0.1234099, -0.085878044, -0.2217972, -0.41561687, -0.17289783, -0.22086617,
            -0.040441062, 0.08110278, -0.060553346, -0.03319211, 0.031567205, 0.14348458, 0.10843207, 0.13475035,
            0.0016664509, 0.0022780094, 0.00063438836, 0.0003257815, -0.0007042589, -0.0008007785, 0.0019223135, 0.002496645,
            0.0014809105, 0.000507003, 0.00032381853, 6.6375025e-05, -0.0017025546, -0.0030314482, -0.0018780461, -0.0028139804,
            -0.0011459225, -0.0013276163, -0.0009897671, -0.0031273884, -0.0018250219, -0.0030157226, -0.0017782869, 1.1270796e-05,
            0.00013999821, 0.0009384258, 0.0013582611, 0.0026599157, 0.0019201087, 0.0022094094, 0.13289429, 0.23693793,
            0.09313186, 0.10855079, 0.008361012, -0.057095125, 0.10342959, 0.051526546, -0.049542002, -0.24581449,
            -0.17857112, -0.21687253, -0.08045052, -0.2182044, -0.13038222, -0.25865942, -0.1173033, -0.074171126,
            -0.22130106, -0.39782122, -0.15708145, -0.17902566, -0.01694811, 0.102145456, -0.047534473, -0.005418107,
            0.045206632, 0.16589274, 0.116100445, 0.13579237,
        ];
        pub const DW_SHAPE: &[usize] = &[2, 2, 3, 3, 3];
        pub const DW: &[f64] = &[
            0.5442817, 0.035678852, -0.6213968, 0.118489385, 0.27967238, 1.0255972, 0.06653373, -0.6286791,
            0.10210413, -0.5209102, -1.5163412, 0.6832976, -0.48244226, -1.7924727, -1.5236652, -0.09646046,
            0.5921051, 0.039117187, 0.5858632, -0.041212343, -0.64647454, 0.09691637, 0.3560848, 0.99193937,
            -0.006738559, -0.5876367, 0.17286214, -0.3799486, 1.3917781, 0.09886082, 1.2548368, -0.7290318,
            1.0790318, -0.6106371, -0.9390687, -0.55051774, -0.27758524, -0.7783011, -1.4114039, 0.8612199,
            1.0521855, -0.53215545, 0.937975, -1.2105118, 0.69904006, -0.47993335, 1.3586023, 0.03565545,
            1.1555549, -0.6277204, 1.0423039, -0.51862824, -1.0461029, -0.5230822, 0.38455665, 0.26043963,
            -0.5052084, 0.17420079, 0.03496336, 1.0555634, 0.27851212, -0.7073517, -0.113869816, -0.35586166,
            -1.3602529, 0.49927914, -0.7881091, -0.8189967, -1.5249037, -0.30413038, 0.11523118, 0.29874334,
            0.44305155, 0.18736938, -0.55035883, 0.15735309, 0.11819135, 1.0575916, 0.20997658, -0.68887967,
            -0.042083617, -0.058801133, 1.3955139, 0.27890623, 1.463162, -0.97897315, 1.1144489, -0.8411142,
            -0.5592169, -0.59428316, -0.5572754, -0.13544054, -1.3210797, 1.0516492, 0.54729044, 0.29583555,
            0.9719855, -1.6767309, 0.27679658, -0.16817553, 1.4103397, 0.22118336, 1.4095218, -0.90566486,
            1.115311, -0.7728043, -0.6942303, -0.58632225,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case conv3d_mixed
    pub mod conv3d_mixed {
        pub const Y_SHAPE: &[usize] = &[2, 2, 1, 3, 4];
        pub const Y: &[f64] = &[
            -0.18790741, 0.2526296, 0.5420346, 0.002517012, -0.12239284, 0.63439596, -0.07046218, -0.29996842,
            -0.12323118, 0.12232209, -0.3548773, 0.11656475, -0.20138942, 0.21310909, 0.55369425, 0.022873063,
            -0.1557212, 0.62866694, -0.02069917, -0.30838716, -0.15701891, 0.123473644, -0.35657102, 0.08236245,
            -0.19336313, 0.06609745, -0.18873632, -0.07043979, 0.21195932, -0.122819796, -0.42439833, 0.12004345,
            0.0039216178, -0.35532153, 0.3277445, 0.19726267, -0.20735922, 0.06336901, -0.18211143, -0.090060465,
            0.20918623, -0.112339556, -0.4667491, 0.08518439, 0.039807342, -0.35674608, 0.2908545, 0.20300731,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 1, 3, 6, 5];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 0.0, 0.0, -0.12340473, 0.0, -0.34238628,
            0.0, -0.39590067, 0.0, 0.0, 0.0, 0.0, 0.0, 0.004455996,
            0.0, 0.26484418, 0.0, 0.39723948, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.30064774, 0.0, -0.12825325, 0.0, -0.49517247, 0.0, 0.0,
            0.0, 0.0, 0.0, -0.045763668, 0.0, 0.37382162, 0.0, 0.6127478,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.22986431, 0.0, -0.20690684,
            0.0, -0.54368484, 0.0, 0.0, 0.0, 0.0, 0.0, -0.1395472,
            0.0, 0.043726776, 0.0, 0.20586863, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.17118274, 0.0, -0.04788959, 0.0, -0.24381803, 0.0, 0.0,
            0.0, 0.0, 0.0, -0.2444381, 0.0, -0.048830073, 0.0, 0.17037636,
            0.0, 0.0, 0.0, 0.0, 0.0, -0.15495817, 0.0, 0.082601786,
            0.0, 0.28024226, 0.0, 0.0, 0.0, 0.0, 0.0, 0.40005076,
            0.0, 0.28406656, 0.0, 0.03079976, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.39079693, 0.0, -0.35537916, 0.0, -0.14821507, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.45993304, 0.0, 0.62346166, 0.0, 0.4856861,
            0.0, 0.0, 0.0, 0.0, 0.0, -0.5981328, 0.0, -0.57920086,
            0.0, -0.2803549, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5138999,
            0.0, 0.62546426, 0.0, 0.4347566, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.18992467, 0.0, -0.26778197, 0.0, -0.21622662, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.22440968, 0.0, 0.3206286, 0.0, 0.26189533,
            0.0, 0.0, 0.0, 0.0, 0.0, -0.14572299, 0.0, -0.29761577,
            0.0, -0.30567795, 0.0, 0.0, 0.0, 0.0, 0.0, -0.26164857,
            0.0, -0.3438929, 0.0, -0.25994197,
        ];
        pub const DW_SHAPE: &[usize] = &[2, 1, 3, 2, 2];
        pub const DW: &[f64] = &[
            -0.18883824, -1.0046268, -0.04211337, 0.56681013, 0.10541215, 0.11266668, 0.17985162, 0.17783953,
            0.16007225, 0.021696141, 0.28088894, 0.039528746, 1.1557801, 1.3119509, -0.6962311, -0.9195216,
            -0.10460654, -0.045522995, -0.16111937, -0.055616006, 0.021358758, 0.15983787, 0.035721857, 0.27824438,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case convt3d_k2s2
    pub mod convt3d_k2s2 {
        pub const Y_SHAPE: &[usize] = &[2, 2, 4, 6, 4];
        pub const Y: &[f64] = &[
            -0.22933193, -0.33160052, 0.2592556, 0.15554154, -0.34288263, -0.26008257, 0.009149092, -0.13975374,
            0.24023607, 0.1476673, -0.16765177, -0.021201719, 0.014580708, -0.122506626, 0.13106579, 0.24737069,
            -0.23858467, -0.33543125, 0.25000286, 0.15171084, -0.3402402, -0.2516921, 0.011791499, -0.13136326,
            -0.105919555, 0.0773063, -0.25031012, -0.29218495, 0.2393204, 0.33566836, -0.25388837, -0.14592838,
            -0.22597988, -0.26744744, 0.29580057, 0.26306698, -0.23553121, -0.13898855, 0.1581515, 0.009841503,
            -0.09408322, 0.08934076, -0.23847379, -0.2801505, 0.2482509, 0.3390445, -0.24495785, -0.14255226,
            -0.157885, -0.01715819, -0.17690451, -0.02503243, 0.12827657, 0.23851407, 0.1337082, 0.25576118,
            0.25976965, 0.15575436, 0.24075012, 0.14788012, 0.009002292, -0.14021988, 0.014433907, -0.122972764,
            -0.16713773, -0.020988902, -0.23807062, -0.33521843, 0.13091898, 0.24690455, -0.34038702, -0.25215822,
            0.28330666, 0.25036392, 0.30763692, 0.27510142, 0.14872487, 0.0062778015, 0.16708201, 0.01321764,
            -0.2509677, -0.29285353, -0.22663745, -0.26811603, -0.2543845, -0.14611596, -0.23602736, -0.13917612,
            0.295143, 0.2623984, -0.09474079, 0.088672176, 0.15765536, 0.009653939, 0.24775475, 0.33885694,
            0.33991367, 0.25089148, 0.0020722668, 0.14950432, 0.09302822, -0.09036068, 0.2559145, 0.29210538,
            -0.0043093925, 0.1315522, -0.14116886, -0.2534445, 0.23131773, 0.26761293, -0.29617855, -0.25764537,
            0.3368091, 0.24215803, -0.0010323243, 0.14077085, 0.08106222, -0.10227591, 0.2439485, 0.28019014,
            -0.24895588, -0.33924112, 0.24814664, 0.1361, -0.33644336, -0.24133034, -0.013290569, -0.15903439,
            0.23047896, 0.1301048, -0.14841798, 0.0015332303, -0.0059682787, -0.14040375, 0.15106374, 0.25914448,
            -0.25755098, -0.3421577, 0.23955156, 0.1331834, -0.33288118, -0.23226678, -0.009728374, -0.14997083,
            -0.1378918, -0.24422584, -0.14427346, -0.26217797, -0.28354776, -0.24506819, -0.30814454, -0.2695606,
            0.002244744, 0.14998952, -0.0041369153, 0.13203739, 0.25657928, 0.29276732, 0.23198251, 0.2682749,
            -0.1409964, -0.2529593, 0.33698156, 0.2426432, -0.29551378, -0.25698343, 0.081727, -0.10161395,
            -0.13934538, 0.0046118465, -0.15701306, -0.0013833535, 0.14730364, 0.2495774, 0.15462594, 0.26820806,
            0.24862415, 0.13626203, 0.23095647, 0.13026683, -0.013488469, -0.15953793, -0.0061661787, -0.14090727,
            -0.14794047, 0.0016952627, -0.25707346, -0.34199566, 0.15086584, 0.25864094, -0.33307907, -0.23277031,
            0.2618258, 0.15660563, 0.24280629, 0.1487314, 0.00841509, -0.14208443, 0.013846706, -0.12483732,
            -0.16508156, -0.020137632, -0.23601446, -0.33436716, 0.13033178, 0.24504, -0.3409742, -0.25402278,
            0.25257307, 0.15277492, -0.15531479, -0.016094103, 0.011057498, -0.13369395, 0.12754257, 0.23618338,
            -0.253598, -0.29552785, -0.22926775, -0.27079034, -0.25636905, -0.1468662, -0.23801191, -0.13992636,
            0.2925127, 0.25972405, -0.09737109, 0.08599786, 0.1556708, 0.008903687, 0.2457702, 0.3381067,
            -0.24176165, -0.2834934, 0.2800188, 0.24702102, -0.24743855, -0.14349006, 0.14624417, 0.0053399857,
            -0.1743343, -0.023968345, 0.26233983, 0.15681845, 0.13297419, 0.2534305, 0.008268289, -0.14255057,
            0.24332033, 0.14894421, -0.16456753, -0.019924816, 0.013699905, -0.12530346, 0.13018498, 0.24457386,
            -0.23550043, -0.33415434, 0.2530871, 0.15298773, -0.34112102, -0.25448892, 0.010910697, -0.13416009,
            0.30434904, 0.27175853, -0.25425556, -0.29619643, 0.16460131, 0.012279824, -0.2568652, -0.14705376,
            -0.22992532, -0.27145892, 0.29185513, 0.2590555, -0.23850805, -0.14011393, 0.15517467, 0.008716123,
            -0.09802867, 0.08532927, -0.24241923, -0.28416198, 0.24527407, 0.33791912, -0.24793468, -0.14367764,
            0.002934653, 0.15193029, -0.003447006, 0.13397816, 0.2592384, 0.29541516, 0.23464163, 0.27092272,
            -0.14030649, -0.25101852, 0.33767146, 0.24458398, -0.29285467, -0.25433558, 0.08438611, -0.09896612,
            -0.00016993786, 0.14319682, -0.13702941, -0.24179988, 0.24727239, 0.28349993, -0.28022388, -0.2417584,
            0.25053418, 0.13691016, 0.23286648, 0.13091496, -0.014280068, -0.16155204, -0.006957778, -0.1429214,
            -0.14603044, 0.0023433925, -0.25516346, -0.34134755, 0.15007424, 0.25662684, -0.33387068, -0.23478444,
            0.24193908, 0.13399358, -0.13695785, 0.0054220087, -0.0107178725, -0.15248848, 0.14631414, 0.24705975,
            -0.14341107, -0.259752, 0.0031071303, 0.15241547, -0.30482066, -0.26625082, 0.25990316, 0.2960771,
            -0.0032745288, 0.13446335, -0.140134, -0.25053334, 0.2353064, 0.2715847, -0.29218987, -0.25367364,
            0.33784395, 0.24506918, 2.5394058e-06, 0.14368202, 0.08505089, -0.09830417, 0.24793717, 0.28416187,
            -0.15462554, -0.0005731913, 0.25101167, 0.13707219, 0.15363643, 0.2656904, -0.014477967, -0.16205558,
            0.23334399, 0.13107699, -0.14555295, 0.002505425, -0.0071556773, -0.14342493, 0.14987634, 0.2561233,
            -0.25468594, -0.3411855, 0.24241659, 0.1341556, -0.33406857, -0.23528796, -0.010915772, -0.15299201,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 2, 3, 2];
        pub const DX: &[f64] = &[
            -0.28830603, 0.56759906, -0.5879574, 0.25308728, -0.6800984, -0.15074764, 0.5400385, -0.3304494,
            0.6808941, 0.066210866, 0.5814388, 0.43950304, -0.33675793, -0.5303124, -0.002075892, -0.58424366,
            0.3333388, -0.4319753, 0.076087065, 0.5905002, -0.2695985, 0.47905454, -0.52013355, 0.19853419,
            0.68293434, 0.05384529, 0.59038997, 0.4315561, 0.28947678, 0.656956, -0.6292008, -0.36152562,
            -0.3649662, -0.62758887, 0.02807747, -0.6721545, -0.4867465, -0.54522353, -0.1299692, -0.6812986,
            0.27267867, -0.57692003, 0.21284023, 0.67242455, -0.19219673, 0.6179266, -0.5294009, 0.34534124,
            0.56964445, -0.06872608, 0.5576559, 0.27617633, 0.3488514, 0.52360666, -0.57765007, -0.20856178,
            -0.40583658, -0.48522425, -0.090789475, -0.59063447, -0.18078889, 0.6257599, -0.52351743, 0.35766256,
            -0.6814787, -0.036666118, 0.4640765, -0.42802233, 0.66777456, -0.049318697, 0.63579214, 0.34679118,
        ];
        pub const DW_SHAPE: &[usize] = &[3, 2, 2, 2, 2];
        pub const DW: &[f64] = &[
            -0.92384255, -1.2763128, 0.6197948, 1.1986257, 1.0766413, 0.36752793, -1.2326363, -0.7145534,
            0.18740511, -0.68198454, -0.55449224, 0.33011767, 1.1841017, 1.2115681, -0.9877532, -1.2777786,
            1.502246, 1.1542201, -1.4276179, -1.3878163, -0.37759793, 0.6615392, 0.7925117, -0.2309897,
            0.8489105, 1.4517981, -0.4423805, -1.2713984, -1.4052057, -0.7190973, 1.4997077, 1.0784842,
            1.4479616, 2.086417, -0.9322204, -1.9310462, -1.8156695, -0.6936185, 2.0451064, 1.2500093,
            -0.40145355, 1.0368773, 0.99457675, -0.44880402, -1.9044532, -2.0157423, 1.558072, 2.0960093,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case convt3d_k3s2p1op1
    pub mod convt3d_k3s2p1op1 {
        pub const Y_SHAPE: &[usize] = &[1, 3, 6, 4, 6];
        pub const Y: &[f64] = &[
            -0.096257046, -0.2537123, -0.05026395, -0.17434594, -0.0042708484, 0.074922375, -0.75421137, -0.45916137,
            0.1316624, 0.23056316, 0.12989604, 0.09837399, 0.041722253, 0.29220483, -0.07388203, -0.21510163,
            -0.027888926, -0.010822112, 0.4064168, 0.0926883, -0.22414751, -0.1446489, 0.026722157, 0.036897995,
            0.62055683, 0.7511699, 0.14753029, -0.27181855, -0.26138726, -0.20016217, -0.20434159, -1.0391517,
            -0.20385176, 0.09211665, 0.024978295, 0.019347163, -0.2560908, 0.40933755, 0.6231335, 0.23930636,
            -0.26410708, -0.21003637, 0.084073715, 0.41502798, -0.116048574, -0.51240826, 0.040348724, 0.16796097,
            0.018104173, 0.34291443, 0.24019562, 0.23540989, -0.051507004, -0.096566595, 0.12903672, -0.11469933,
            -0.3652953, -0.29808423, 0.13171014, 0.10496002, -0.005513905, -0.097124636, 0.040479194, 0.29005978,
            -0.07512508, -0.18231109, 0.14876686, 0.49885744, 0.39963654, 0.08098818, -0.23092778, -0.15901874,
            -0.2588106, -0.10113273, 0.24508809, 0.6090327, 0.14738715, -0.021446843, 0.024879338, 0.4158618,
            0.16270849, -0.53624266, -0.20384626, 0.06838087, -0.26153043, -0.46138957, -0.25623393, 0.40909052,
            0.6229903, 0.48449722, 0.054403186, 0.121763706, 0.08329291, 0.4136806, -0.11682938, -0.41466734,
            -0.029131982, -0.13788033, 0.016861117, 0.3407694, 0.23895256, 0.22321163, 0.13085084, 0.2291627,
            0.12908447, -0.114616945, -0.36524755, -0.42023176, -0.052750062, -0.17863601, -0.006756962, -0.099269666,
            0.03923614, 0.23287274, -0.10888307, 0.05425306, 0.1419866, 0.48715732, 0.39285627, 0.31530598,
            -0.021031296, -0.28144264, -0.26976457, -0.35509682, -0.019895678, 0.10441319, 0.029373305, 0.060102,
            0.038925905, 0.4491283, 0.18651107, -0.029466612, 0.106696606, -0.061033554, -0.14203668, -0.49025124,
            -0.39076996, -0.30589744, -0.061029397, -0.17420843, 0.0041509485, -0.061732307, 0.069331296, 0.25673005,
            -0.32636485, -0.3111911, -0.086226605, 0.103194825, 0.15391164, 0.121404536, 0.26448357, 0.62160206,
            -0.039814968, -0.078382894, -0.04903747, -0.10464206, 0.39404988, 0.046601105, -0.20954083, -0.10959796,
            0.030597404, 0.038011342, -0.11869067, -0.3055981, 0.115583085, 0.2395486, 0.022377396, 0.003619247,
            -0.22316703, -0.7144189, -0.31419328, -0.36344805, 0.09437822, 0.20723943, -0.8275477, -0.15473354,
            0.51100355, 0.5050599, -0.008590969, -0.019472502, 0.122032136, 0.34626934, -0.20971377, -0.541494,
            0.08017756, 0.19763602, 0.2362728, -0.48253965, -0.59181, -0.13796897, 0.25251794, 0.17488259,
            0.27073565, 0.3223449, -0.0013953173, -0.23895569, -0.09271683, -0.04538185, -0.053524096, -0.43040323,
            -0.14222562, 0.10726195, -0.03956571, -0.098236635, 0.1474214, 0.50638115, 0.38755965, 0.035401486,
            -0.21603106, -0.12877505, -0.02296591, 0.0004664877, -0.1161716, -0.30125117, 0.118102156, 0.20998374,
            0.10783148, 0.52773327, 0.19517349, -0.19849333, -0.3149407, -0.31957445, -0.009107641, -0.43827745,
            -0.5277836, -0.11088235, 0.5110322, 0.50043154, 0.09363082, 0.19058925, 0.12128473, 0.3449796,
            -0.21046118, -0.482719, 0.24729629, 0.43135545, 0.23656288, -0.48203906, -0.5915199, -0.39820954,
            0.02410718, 0.29358837, 0.26424542, 0.3111453, -0.00788554, -0.12873319, -0.044052333, -0.085694954,
            -0.05327484, -0.4299731, -0.14197637, 0.07746902, -0.09920705, 0.08079558, 0.14093119, 0.49518153,
            0.38106942, 0.27502358, 0.072758846, 0.16565049, -0.020446839, 0.004813435, -0.11365253, -0.28963554,
            -0.023933912, -0.07166073, 0.07835681, 0.41749272, 0.24033563, 0.1963629, 0.12239526, 0.21237296,
            0.11846679, -0.21585278, -0.4030756, -0.40791723, -0.076461576, -0.16230321, 0.02582914, 0.014211104,
            0.12811986, 0.29977062, -0.09347624, 0.093390636, 0.13915396, 0.4948206, 0.37178415, 0.25238743,
            0.2085095, 0.3607458, 0.079921395, 0.13885231, -0.048666716, -0.11667919, 0.6632428, 0.24536274,
            -0.117968135, -0.20360354, -0.11302971, -0.062382583, -0.17725483, -0.30823317, 0.14595313, 0.2527976,
            0.017365018, -0.0022518043, -0.3655934, 0.012421494, 0.18439297, 0.06225669, -0.034418814, -0.038142826,
            -0.543799, -0.50544715, -0.03946421, 0.39682567, 0.22892609, 0.12888263, 0.4889748, 1.092372,
            0.028093224, -0.26583087, -0.02202345, -0.01264964, 0.2141181, -0.5284361, -0.55100286, -0.053060684,
            0.2365302, 0.1420599, -0.16533922, -0.24905953, 0.3196003, 0.5598624, -0.1272017, -0.22811145,
            -0.111223094, -0.45378426, -0.23971571, -0.1532216, 0.08339675, 0.112175584, -0.110627234, 0.26273555,
            0.41421348, 0.26119173, -0.118101604, -0.071171746, -0.045191363, -0.07704403, -0.17377947, -0.30223605,
            0.14942849, 0.22660297, -0.14086778, -0.49901786, -0.35967958, 0.022626486, 0.1903068, 0.0867953,
            0.2217222, -0.08037995, -0.31221756, -0.54076135, -0.039063994, 0.13136376, -0.021746784, -0.26511723,
            0.018821508, 0.5743804, 0.028077854, -0.24050318, 0.22932631, 0.39583683, 0.21451832, -0.5277455,
            -0.5506027, -0.31846708, -0.13946019, -0.27012745, -0.16465819, -0.24788433, 0.32028133, 0.5516306,
            0.020840373, 0.036901258, -0.10774774, -0.44778714, -0.23624034, -0.17893414, -0.11569913, -0.1996881,
            -0.1107607, 0.26250523, 0.41408, 0.3935865, 0.08687211, 0.15084656, -0.041716006, -0.07104691,
            -0.17030412, -0.3274665, 0.08385783, -0.111228175, -0.13495396, -0.4888129, -0.35376573, -0.21568649,
            0.029263312, 0.30609018, 0.24281393, 0.21150112, -0.06276722, -0.17195177, -0.07147088, -0.13314721,
            -0.07967229, -0.3748862, -0.047874108, 0.16976884, -0.08039782, 0.11685738, 0.1331528, 0.48536336,
            0.34670344, 0.202792, 0.09318034, 0.14208692, -0.052012645, -0.108460136, -0.19720563, -0.34353814,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 3, 2, 3];
        pub const DX: &[f64] = &[
            -0.73659086, -1.5204822, 0.46807534, 1.7434206, 0.48836166, -2.456531, 1.1483451, 2.9141293,
            -0.15924469, -2.9793055, -2.728292, 2.850277, -0.22759138, -2.865675, -1.2243297, 1.9903884,
            3.9385817, -1.0641426, -0.9859566, -0.008920739, 1.5247946, 0.660343, -2.2437587, -1.9914898,
            1.6664274, 1.2763637, -1.7052873, -1.4654132, 1.9494437, 2.9251864, -1.1417104, -2.015426,
            0.8021244, 1.8843094, -0.5077292, -3.2998989,
        ];
        pub const DW_SHAPE: &[usize] = &[2, 3, 3, 3, 3];
        pub const DW: &[f64] = &[
            -0.20622933, -0.8944963, -1.1304228, 0.2369055, 0.83053714, 0.9557636, -0.5732972, -0.81274194,
            -0.2719023, 0.5338271, 0.34542635, 0.044555794, -0.37377468, -1.4964042, -0.8901388, 0.041931923,
            0.316494, -0.74422127, 0.24999982, 0.24237037, 0.4539928, -0.042807043, -0.01082292, -1.0138097,
            0.37407282, 1.3922685, 1.4890625, -0.70377856, -0.56366026, 0.21233705, 0.484653, 0.38078147,
            -0.29234827, 0.06392205, 0.63538635, 0.9591067, -0.45710033, -0.37794188, -0.47967148, 0.18525204,
            0.5779892, 1.3707104, -0.3972087, -1.5391607, -1.2359473, 0.56999195, 0.37715235, 0.09230826,
            -0.3854388, -1.5265191, -1.0120956, 0.08137928, 0.4664226, -0.60485005, 0.40018913, 1.0498399,
            1.0719031, -0.3704748, -0.93547964, -0.87519306, 0.5556804, 0.6376308, 0.007574639, -0.4078513,
            -0.2412664, 0.0876406, 0.32271963, 1.3371116, 0.51237404, 0.06753791, 0.10769529, 1.0848457,
            -0.40708834, -0.34631273, -0.47943276, 0.14903313, 0.43152818, 1.2927411, -0.39650077, -1.5208136,
            -1.3223672, -0.13315661, -0.8318432, -1.0334362, 0.6632805, 0.44764906, -0.11694207, 0.2756679,
            0.43410045, 0.7911544, 0.65375346, 0.4482521, 0.20372947, 0.44872847, -0.4070061, -0.16798034,
            -0.8601922, -0.016199391, -0.3123899, 0.08047994, 0.09702269, 0.38968828, -0.8234954, -0.11343991,
            -0.37707272, 0.124867976, 0.45117146, 0.40286556, -0.626172, -0.49711978, 0.21553168, -0.7142579,
            -0.755218, -0.79884326, 0.82514143, 0.6421123, 0.14303546, -0.32973313, -0.2687362, -0.4744285,
            0.669439, 0.26984432, 0.44802386, 0.19862135, -0.4537766, -0.29231417, 0.6747339, 0.46695894,
            0.24792491, 0.37237203, -0.42660928, -0.21018009, -0.8639643, 0.030084375, -0.2768348, 0.30572823,
            0.9688483, 0.9740361, -0.4664326, -0.23951265, 0.3371015, -0.50307506, -0.61106515, -0.83057463,
            -0.56287974, -0.37418902, -0.07297802, -0.63322437, 0.33263764, 0.044505954, 0.8054526, 0.14125921,
            0.39295104, -0.26643512, -0.22571553, -0.45801586, 0.7208705, 0.23101248, 0.4349979, 0.11323866,
            -0.45946264, -0.3265705,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case convt3d_s12_d21
    pub mod convt3d_s12_d21 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 5, 6, 8];
        pub const Y: &[f64] = &[
            -0.06998466, -0.083579965, 0.03090253, 0.31165755, 0.4368659, -0.030059481, -0.056080945, 0.0,
            -0.044533283, -0.0026051425, 0.4749776, 0.31788224, 0.04688771, -0.0590427, -0.035170324, 0.0,
            0.026883448, 0.018258788, -0.21105723, -0.4246488, -0.48936322, 0.020426271, 0.0075125424, 0.0,
            -0.052059084, -0.021753598, -0.02288281, 0.0155355, -0.010028539, -0.07819115, -0.060687367, 0.0,
            0.04681084, 0.06625668, 0.16279201, 0.10018634, 0.051081758, 0.014903674, 0.052249815, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.063209675, 0.04808782, 0.017443076, -0.025866097, 0.11397784, 0.33077925, 0.41451287, 0.0,
            -0.013970099, -0.04387835, -0.108885825, -0.039036784, 0.36428642, 0.24900307, 0.045173194, 0.0,
            -0.023840006, -0.09593262, -0.10623769, 0.039475545, -0.17260861, -0.4021859, -0.48875448, 0.0,
            -0.16496858, -0.16036941, -0.14187336, -0.041522995, -0.104821384, -0.03668143, -2.3036599e-05, 0.0,
            -0.03249753, 0.05568893, 0.098425016, -0.010515549, 0.04866601, 0.06325243, 0.07250761, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.04177984, -0.0006085874, -0.47309023, -0.30544418, -0.030040726, 0.05780118, 0.03296466, 0.0,
            -0.07329951, -0.08365665, 0.06731306, 0.33559638, 0.43982035, -0.034546867, -0.058697667, 0.0,
            0.011296542, 0.023030432, 0.48713586, 0.27317247, 0.021216178, 0.021144371, 0.027970338, 0.0,
            -0.048741125, -0.0669944, -0.1634307, -0.09944193, -0.05139156, -0.017884621, -0.05450345, 0.0,
            -0.048389412, -0.016636094, -0.010354231, 0.023202222, -0.0060930527, -0.07693192, -0.05658751, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.016377062, 0.045660447, 0.109395124, 0.03798582, -0.3593718, -0.23593223, -0.029187204, 0.0,
            0.062044192, 0.044649083, 0.009059998, -0.028824149, 0.14176993, 0.34940317, 0.41736868, 0.0,
            0.14745678, 0.110855475, 0.028350275, 0.0050480147, 0.4568795, 0.25676563, 0.010396548, 0.0,
            0.026113981, -0.061765775, -0.10372849, 0.008905349, -0.052619897, -0.06456789, -0.07240155, 0.0,
            -0.16721956, -0.15585856, -0.13410966, -0.042268854, -0.1009315, -0.03177249, 0.0055421977, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.074795954, 0.083509885, -0.085382804, -0.34683198, -0.44032535, 0.03671577, 0.0598771, 0.0,
            0.036092233, -0.0070286156, -0.46722594, -0.27923554, 0.0037612552, 0.05506434, 0.028410798, 0.0,
            -0.025582556, -0.015606642, 0.26715496, 0.45610687, 0.49180645, -0.017991321, -0.0042915256, 0.0,
            0.046446137, 0.014038637, 0.004062405, -0.026987065, 0.0041103736, 0.07613159, 0.05441084, 0.0,
            -0.05238328, -0.06817246, -0.16398439, -0.09751441, -0.051783424, -0.023763023, -0.05876634, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.033166464, 0.010225445, 0.4632577, 0.26550362, -0.020666396, -0.053573053, -0.026069315, 0.0,
            0.07745583, 0.082847245, -0.12111802, -0.36775267, -0.4393872, 0.040887985, 0.061969407, 0.0,
            -0.014242587, -0.024827667, -0.45637074, -0.22064796, 0.035419423, -0.023216221, -0.028464543, 0.0,
            0.05408978, 0.06861106, 0.16389853, 0.096334144, 0.051864903, 0.026651807, 0.06076931, 0.0,
            0.042357042, 0.008785468, -0.008529934, -0.034431815, 0.00012976094, 0.07419541, 0.049820077, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.023438998, -0.050592635, -0.109953105, -0.034503378, 0.34148052, 0.19471146, -0.018934464, 0.0,
            -0.059612624, -0.039004017, 0.0035992577, 0.03293731, -0.18184046, -0.37344438, -0.41703585, 0.0,
            -0.14275593, -0.09833794, -0.015740158, -0.009527008, -0.4309433, -0.2070455, 0.046025466, 0.0,
            -0.0067701694, 0.07941455, 0.118690796, -0.0040055336, 0.06399313, 0.067935795, 0.07144406, 0.0,
            0.16874436, 0.14737861, 0.12099671, 0.04291926, 0.09398871, 0.024067098, -0.013818555, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.078615345, -0.08233234, 0.13873078, 0.37740692, 0.43794543, -0.04288515, -0.0628792, 0.0,
            -0.027172552, 0.016569164, 0.4532782, 0.23688576, -0.05436034, -0.050355747, -0.021274505, 0.0,
            0.023942403, 0.01274753, -0.31970987, -0.4815163, -0.4877276, 0.01531778, 0.0010135971, 0.0,
            -0.04021725, -0.0061375024, 0.014811873, 0.038080744, 0.0018623014, -0.07306241, -0.047412753, 0.0,
            0.057261046, 0.069184184, 0.16300209, 0.0935493, 0.051798366, 0.03230724, 0.064503536, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.058624525, 0.03700348, -0.007816697, -0.03421383, 0.19468682, 0.38037145, 0.41569355, 0.0,
            -0.027979894, -0.0535117, -0.109514676, -0.031924438, 0.32702, 0.16576117, -0.050915424, 0.0,
            -0.057260413, -0.12002298, -0.11131507, 0.03779711, -0.2748488, -0.4555976, -0.4846515, 0.0,
            -0.16875547, -0.14411132, -0.11625993, -0.04300979, -0.09139243, -0.021422528, 0.01654198, 0.0,
            0.0061915065, 0.09060921, 0.12780264, -0.0007054295, 0.07111269, 0.06968282, 0.07027806, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.024113253, -0.019706698, -0.4472817, -0.22204205, 0.07109945, 0.048634473, 0.018828252, 0.0,
            -0.08058497, -0.080939166, 0.17331676, 0.39503205, 0.43312714, -0.04668687, -0.064419344, 0.0,
            0.016999753, 0.02629565, 0.4195535, 0.16519736, -0.09158531, 0.024980191, 0.028581267, 0.0,
            -0.058721133, -0.06931785, -0.16219282, -0.09194883, -0.051650446, -0.03506555, -0.066229284, 0.0,
            -0.03576296, -0.00081833376, 0.02730098, 0.045204796, 0.0058352514, -0.07047496, -0.04239196, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 3, 2, 3];
        pub const DX: &[f64] = &[
            0.14421333, -0.37417367, -0.25663418, 0.42548767, 0.056050844, -0.40864712, -0.6882631, -0.2943826,
            0.5998156, -0.064811975, -0.7135732, -0.14958178, -0.08553141, 0.40640995, 0.20763767, -0.42670652,
            0.0063194972, 0.42860523, -0.10383674, 0.20679927, 0.16596977, -0.24718688, -0.053784862, 0.23102717,
            0.62574446, 0.3442259, -0.52232146, -0.013450884, 0.6651783, 0.21330433, 0.1310877, -0.5173022,
            -0.28651163, 0.5542101, 0.01295371, -0.5503182,
        ];
        pub const DW_SHAPE: &[usize] = &[2, 2, 3, 3, 3];
        pub const DW: &[f64] = &[
            1.4531722, 1.7450219, 1.193544, 0.63716155, 1.5500556, 1.7138447, -0.4037252, 0.8080216,
            1.6292708, 1.2093295, 1.7369113, 1.4250851, 0.28247714, 1.3365211, 1.7446563, -0.74407107,
            0.46442696, 1.4484785, 1.0816278, 2.057251, 2.0386539, -0.18575022, 1.2777804, 2.1237903,
            -1.3875706, 0.047337357, 1.4593683, 1.7345741, 1.1357179, -0.012003776, 1.5848802, 1.6952944,
            0.986413, 0.8758279, 1.6565434, 1.6366909, 1.7425095, 1.3794302, 0.34970504, 1.3845581,
            1.7420611, 1.2576673, 0.5379487, 1.489859, 1.7217557, 2.087548, 2.0021868, 0.9492163,
            1.3544621, 2.1441922, 1.897685, 0.14334022, 1.5294386, 2.1763957, 0.3153005, 1.189444,
            1.4887575, -0.5673811, 0.46893656, 1.2786283, -1.2498145, -0.41707462, 0.61722744, -0.12685116,
            0.41035414, 0.74924505, -0.545302, -0.043278098, 0.47966105, -0.77129704, -0.48163602, 0.04078827,
            -0.26274112, 0.8791863, 1.5962238, -1.1549045, -0.08485788, 1.0261985, -1.6394625, -1.0189528,
            0.093992606, 1.2278825, 1.4832394, 1.021782, 0.53076255, 1.3111775, 1.4579315, -0.35368165,
            0.67635614, 1.3795271, 0.43951434, 0.75917053, 0.71193767, -0.0086565055, 0.5066616, 0.77712214,
            -0.4537722, 0.07533437, 0.56803364, 0.9410524, 1.6170356, 1.511544, -0.011190751, 1.0834423,
            1.6544735, -0.9594843, 0.16746518, 1.2134827,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool2d_2x2
    pub mod maxpool2d_2x2 {
        pub const Y_SHAPE: &[usize] = &[2, 3, 2, 3];
        pub const Y: &[f64] = &[
            0.69, 0.51, 0.5, 0.31, 0.68, 0.49, 0.47, 0.46,
            0.65, 0.64, 0.45, 0.44, 0.42, 0.61, 0.6, 0.41,
            0.4, 0.59, 0.57, 0.56, 0.38, 0.36, 0.55, 0.54,
            0.52, 0.34, 0.7, 0.51, 0.5, 0.69, 0.67, 0.66,
            0.48, 0.46, 0.65, 0.64,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 5, 6];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 0.61374575, 0.0, 0.0, 0.0, 0.9800666,
            0.0, 0.0, -0.049183823, 0.0, 0.0, -0.688344, -0.9948439, 0.0,
            0.0, -0.8205594, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.24971797,
            0.0, 0.0, 0.0, 0.9198159, 0.0, 0.0, 0.4418062, 0.0,
            0.0, 0.0, 0.9533004, 0.0, 0.0, 0.5260775, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, -0.15538618, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.99998635,
            0.0, 0.0, -0.7617554, 0.0, 0.0, 0.0, -0.75494766, 0.0,
            0.0, -0.14506067, 0.0, 0.0, 0.0, 0.9564028, 0.0, 0.0,
            0.5349307, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.9156681, 0.0, 0.0, -0.25981736, 0.0,
            0.0, 0.0, 0.43241277, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.9937304, 0.0, 0.0, -0.8264839, 0.0, 0.0, 0.0,
            -0.68073064, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.6219578, 0.0, 0.0, 0.0, -0.038749892, 0.0,
            0.0, 0.0, 0.982088, 0.0, 0.0, 0.8675984, 0.0, 0.0,
            0.0, -0.361287, 0.0, 0.0, 0.33381915, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.8817917,
            0.0, 0.0, -0.5987543, 0.0, 0.0, 0.0, -0.9761475, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.7018954, 0.0, 0.0,
            0.068002574, 0.0, 0.0, 0.0, 0.9965789, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool2d_3x3s2
    pub mod maxpool2d_3x3s2 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 2];
        pub const Y: &[f64] = &[
            0.69, 0.68, 0.68, 0.68, 0.48, 0.66, 0.64, 0.62,
            0.62, 0.62, 0.42, 0.6,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 7, 6];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9800666,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.12378209, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.9948439, 0.0, 0.0, 0.0, -0.8205594, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -0.24971797, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            2.3149226, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.5260775, 0.0, 0.0, 0.0, -0.15538618, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool2d_known
    pub mod maxpool2d_known {
        pub const Y_SHAPE: &[usize] = &[1, 1, 1, 1];
        pub const Y: &[f64] = &[
            4.0,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 1, 2, 2];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 1.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool2d_ties
    pub mod maxpool2d_ties {
        pub const Y_SHAPE: &[usize] = &[1, 1, 2, 3];
        pub const Y: &[f64] = &[
            3.0, 3.0, 3.0, 3.0, 3.0, 3.0,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 1, 3, 4];
        pub const DX: &[f64] = &[
            0.0, 2.0, 1.0, 0.0, 1.0, 0.0, 2.0, 0.0,
            0.0, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool2d_3x3s2p1
    pub mod maxpool2d_3x3s2p1 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 3];
        pub const Y: &[f64] = &[
            0.32, 0.69, 0.51, 0.5, 0.69, 0.68, 0.67, 0.67,
            0.66, 0.65, 0.47, 0.46, 0.65, 0.64, 0.63, 0.62,
            0.62, 0.63,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 6, 5];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, -0.049183823, 0.0, 0.0, 0.9800666, -0.38109815,
            0.0, 0.0, -0.688344, 0.0, 0.0, 0.0, -0.8205594, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.19208823, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.9198159, 0.0, 0.0, 0.5260775,
            0.0, 0.0, 0.0, 0.19154502, 0.0, 0.0, -0.15538618, 0.0,
            0.0, 0.0, -0.99998635, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.2014551, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.38987002, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool3d_2
    pub mod maxpool3d_2 {
        pub const Y_SHAPE: &[usize] = &[2, 2, 2, 2, 3];
        pub const Y: &[f64] = &[
            0.69, 0.51, 0.66, 0.64, 0.68, 0.49, 0.63, 0.62,
            0.59, 0.58, 0.61, 0.6, 0.52, 0.56, 0.7, 0.51,
            0.5, 0.69, 0.68, 0.49, 0.64, 0.62, 0.66, 0.47,
            0.61, 0.6, 0.57, 0.56, 0.59, 0.58, 0.5, 0.69,
            0.68, 0.49, 0.7, 0.67, 0.66, 0.47, 0.62, 0.6,
            0.64, 0.45, 0.59, 0.58, 0.55, 0.54, 0.57, 0.56,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 2, 4, 4, 6];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 0.61374575, 0.0, 0.0, 0.0, 0.9800666,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.9948439, 0.0,
            0.0, -0.8205594, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, -0.049183823, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -0.688344, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.24971797, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.4418062, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5260775,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.15538618, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.9198159, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.9533004, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -0.99998635, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.7617554, 0.0,
            0.0, 0.0, -0.75494766, 0.0, 0.0, -0.14506067, 0.0, 0.0,
            0.0, 0.9564028, 0.0, 0.0, 0.5349307, 0.0, 0.0, 0.0,
            0.9156681, 0.0, 0.0, 0.43241277, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.9937304, 0.0,
            0.0, -0.68073064, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, -0.25981736, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -0.8264839, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.038749892, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.6219578, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.33381915,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.361287, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.982088, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.8675984, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.7018954, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, -0.9761475, 0.0, 0.0, -0.8817917, 0.0,
            0.0, 0.0, -0.5987543, 0.0, 0.0, 0.068002574, 0.0, 0.0,
            0.0, 0.9965789, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.80963945, 0.0, 0.0, 0.23142049, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.9474378, 0.0,
            0.0, -0.509953, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, -0.4586385, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -0.9270484, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.17397992, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.7738325, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.12638398,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5507622, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.99971026, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.7424518, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool3d_3s2
    pub mod maxpool3d_3s2 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 2, 2, 2];
        pub const Y: &[f64] = &[
            0.69, 0.69, 0.67, 0.68, 0.62, 0.61, 0.6, 0.61,
            0.7, 0.69, 0.69, 0.69, 0.62, 0.63, 0.62, 0.61,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 5, 5, 5];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5938123,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.688344, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, -0.049183823, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.9948439, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.37875316,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.24971797, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.9198159, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 1.3239918, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, -0.99998635, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -1.5167031, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.14506067, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case maxpool3d_3s2p1
    pub mod maxpool3d_3s2p1 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 2, 3];
        pub const Y: &[f64] = &[
            0.67, 0.69, 0.66, 0.65, 0.69, 0.68, 0.67, 0.67,
            0.66, 0.65, 0.66, 0.66, 0.42, 0.61, 0.61, 0.6,
            0.59, 0.56, 0.55, 0.52, 0.36, 0.7, 0.69, 0.53,
            0.65, 0.52, 0.68, 0.7, 0.69, 0.66, 0.65, 0.62,
            0.46, 0.65, 0.64, 0.63,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 5, 4, 5];
        pub const DX: &[f64] = &[
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.38109815,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.8205594, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 1.1721548, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 1.2413235, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.2649564, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.7549341,
            0.0, 0.0, -0.7617554, 0.0, 0.0, 0.0, -0.14506067, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.5349307, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.9564028, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.9156681, 0.0, 0.0, -0.25981736, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.68073064,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0543705, 0.0,
            0.0, 0.0, 0.041114513, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, -0.6599113, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.982088, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.361287, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, -0.85253906, 0.0, 0.0,
            -0.5987543, 0.0, 0.0, 0.0, 0.7018954, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.9965789, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, -0.9761475, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case avgpool3d_2
    pub mod avgpool3d_2 {
        pub const Y_SHAPE: &[usize] = &[2, 2, 2, 2, 3];
        pub const Y: &[f64] = &[
            0.0975, 0.025, 0.115, -0.0125, 0.24, 0.005, 0.145, -0.09,
            0.1625, 0.035, 0.125, -0.11, -0.1325, 0.12, 0.0475, 0.0825,
            -0.1525, 0.2625, 0.24, 0.005, 0.095, -0.0325, 0.22, -0.015,
            0.125, -0.11, 0.1425, 0.015, 0.105, -0.13, -0.1525, 0.2625,
            0.0275, 0.0625, -0.01, 0.2425, 0.22, -0.015, 0.075, -0.0525,
            0.2, -0.035, 0.105, -0.13, 0.1225, -0.005, 0.085, -0.15,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 2, 4, 4, 6];
        pub const DX: &[f64] = &[
            0.122508325, 0.122508325, 0.07671822, 0.07671822, -0.006147978, -0.006147978, 0.122508325, 0.122508325,
            0.07671822, 0.07671822, -0.006147978, -0.006147978, -0.086043, -0.086043, -0.12435549, -0.12435549,
            -0.10256992, -0.10256992, -0.086043, -0.086043, -0.12435549, -0.12435549, -0.10256992, -0.10256992,
            0.122508325, 0.122508325, 0.07671822, 0.07671822, -0.006147978, -0.006147978, 0.122508325, 0.122508325,
            0.07671822, 0.07671822, -0.006147978, -0.006147978, -0.086043, -0.086043, -0.12435549, -0.12435549,
            -0.10256992, -0.10256992, -0.086043, -0.086043, -0.12435549, -0.12435549, -0.10256992, -0.10256992,
            -0.031214746, -0.031214746, 0.055225775, 0.055225775, 0.11497699, 0.11497699, -0.031214746, -0.031214746,
            0.055225775, 0.055225775, 0.11497699, 0.11497699, 0.11916255, 0.11916255, 0.06575969, 0.06575969,
            -0.019423272, -0.019423272, 0.11916255, 0.11916255, 0.06575969, 0.06575969, -0.019423272, -0.019423272,
            -0.031214746, -0.031214746, 0.055225775, 0.055225775, 0.11497699, 0.11497699, -0.031214746, -0.031214746,
            0.055225775, 0.055225775, 0.11497699, 0.11497699, 0.11916255, 0.11916255, 0.06575969, 0.06575969,
            -0.019423272, -0.019423272, 0.11916255, 0.11916255, 0.06575969, 0.06575969, -0.019423272, -0.019423272,
            -0.095219426, -0.095219426, -0.124998294, -0.124998294, -0.09436846, -0.09436846, -0.095219426, -0.095219426,
            -0.124998294, -0.124998294, -0.09436846, -0.09436846, -0.018132584, -0.018132584, 0.06686634, 0.06686634,
            0.11955035, 0.11955035, -0.018132584, -0.018132584, 0.06686634, 0.06686634, 0.11955035, 0.11955035,
            -0.095219426, -0.095219426, -0.124998294, -0.124998294, -0.09436846, -0.09436846, -0.095219426, -0.095219426,
            -0.124998294, -0.124998294, -0.09436846, -0.09436846, -0.018132584, -0.018132584, 0.06686634, 0.06686634,
            0.11955035, 0.11955035, -0.018132584, -0.018132584, 0.06686634, 0.06686634, 0.11955035, 0.11955035,
            0.11445851, 0.11445851, 0.054051597, 0.054051597, -0.03247717, -0.03247717, 0.11445851, 0.11445851,
            0.054051597, 0.054051597, -0.03247717, -0.03247717, -0.10331049, -0.10331049, -0.1242163, -0.1242163,
            -0.08509133, -0.08509133, -0.10331049, -0.10331049, -0.1242163, -0.1242163, -0.08509133, -0.08509133,
            0.11445851, 0.11445851, 0.054051597, 0.054051597, -0.03247717, -0.03247717, 0.11445851, 0.11445851,
            0.054051597, 0.054051597, -0.03247717, -0.03247717, -0.10331049, -0.10331049, -0.1242163, -0.1242163,
            -0.08509133, -0.08509133, -0.10331049, -0.10331049, -0.1242163, -0.1242163, -0.08509133, -0.08509133,
            -0.0048437365, -0.0048437365, 0.07774472, 0.07774472, 0.122761, 0.122761, -0.0048437365, -0.0048437365,
            0.07774472, 0.07774472, 0.122761, 0.122761, 0.1084498, 0.1084498, 0.041727394, 0.041727394,
            -0.045160875, -0.045160875, 0.1084498, 0.1084498, 0.041727394, 0.041727394, -0.045160875, -0.045160875,
            -0.0048437365, -0.0048437365, 0.07774472, 0.07774472, 0.122761, 0.122761, -0.0048437365, -0.0048437365,
            0.07774472, 0.07774472, 0.122761, 0.122761, 0.1084498, 0.1084498, 0.041727394, 0.041727394,
            -0.045160875, -0.045160875, 0.1084498, 0.1084498, 0.041727394, 0.041727394, -0.045160875, -0.045160875,
            -0.110223964, -0.110223964, -0.122018434, -0.122018434, -0.074844286, -0.074844286, -0.110223964, -0.110223964,
            -0.122018434, -0.122018434, -0.074844286, -0.074844286, 0.008500322, 0.008500322, 0.08773693, 0.08773693,
            0.12457236, 0.12457236, 0.008500322, 0.008500322, 0.08773693, 0.08773693, 0.12457236, 0.12457236,
            -0.110223964, -0.110223964, -0.122018434, -0.122018434, -0.074844286, -0.074844286, -0.110223964, -0.110223964,
            -0.122018434, -0.122018434, -0.074844286, -0.074844286, 0.008500322, 0.008500322, 0.08773693, 0.08773693,
            0.12457236, 0.12457236, 0.008500322, 0.008500322, 0.08773693, 0.08773693, 0.12457236, 0.12457236,
            0.10120493, 0.10120493, 0.02892756, 0.02892756, -0.05732981, -0.05732981, 0.10120493, 0.10120493,
            0.02892756, 0.02892756, -0.05732981, -0.05732981, -0.11588105, -0.11588105, -0.11842973, -0.11842973,
            -0.06374413, -0.06374413, -0.11588105, -0.11588105, -0.11842973, -0.11842973, -0.06374413, -0.06374413,
            0.10120493, 0.10120493, 0.02892756, 0.02892756, -0.05732981, -0.05732981, 0.10120493, 0.10120493,
            0.02892756, 0.02892756, -0.05732981, -0.05732981, -0.11588105, -0.11588105, -0.11842973, -0.11842973,
            -0.06374413, -0.06374413, -0.11588105, -0.11588105, -0.11842973, -0.11842973, -0.06374413, -0.06374413,
            0.02174749, 0.02174749, 0.09672906, 0.09672906, 0.12496378, 0.12496378, 0.02174749, 0.02174749,
            0.09672906, 0.09672906, 0.12496378, 0.12496378, 0.09280647, 0.09280647, 0.015797997, 0.015797997,
            -0.06884527, -0.06884527, 0.09280647, 0.09280647, 0.015797997, 0.015797997, -0.06884527, -0.06884527,
            0.02174749, 0.02174749, 0.09672906, 0.09672906, 0.12496378, 0.12496378, 0.02174749, 0.02174749,
            0.09672906, 0.09672906, 0.12496378, 0.12496378, 0.09280647, 0.09280647, 0.015797997, 0.015797997,
            -0.06884527, -0.06884527, 0.09280647, 0.09280647, 0.015797997, 0.015797997, -0.06884527, -0.06884527,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case avgpool3d_3s2p1
    pub mod avgpool3d_3s2p1 {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 3, 3];
        pub const Y: &[f64] = &[
            -0.01925926, 0.07333333, 0.02074074, 0.04888889, 0.05814815, 0.012592592, 0.036296297, 0.036296297,
            0.028148148, 0.022962963, 0.043333333, 0.034814816, 0.078888886, 0.047407407, 0.04851852, 0.034074076,
            0.035925925, 0.045925926, 0.017777778, -0.015555556, 0.00962963, 0.008148148, -0.027037038, 0.02,
            -0.022962963, -0.0044444446, 0.017037038, 0.058518518, 0.06962963, 0.05037037, 0.045185186, 0.07666667,
            0.057037037, 0.017777778, 0.03259259, 0.00962963, 0.01925926, 0.06185185, 0.031111112, 0.0011111111,
            0.07518519, 0.018888889, 0.03037037, 0.054444443, -0.005925926, -0.00074074074, 0.028888889, -0.008888889,
            0.0044444446, -0.008518519, -0.03185185, 0.006666667, -0.008148148, -0.0014814815,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 5, 5, 5];
        pub const DX: &[f64] = &[
            0.036298763, 0.059030086, 0.022731325, 0.0209097, -0.0018216231, 0.01080454, -0.0033102073, -0.014114747,
            -0.046327457, -0.032212712, -0.025494223, -0.062340293, -0.03684607, -0.06723716, -0.030391088, -0.034743037,
            -0.055225916, -0.02048288, -0.01680671, 0.0036761684, -0.009248814, 0.0071143787, 0.016363192, 0.050430447,
            0.034067255, 0.07160619, 0.113821864, 0.042215675, 0.03463901, -0.007576667, 0.0178988, -0.013768127,
            -0.031666927, -0.09759571, -0.06592878, -0.053707387, -0.12758999, -0.0738826, -0.13223471, -0.058352113,
            -0.06832882, -0.10603598, -0.03770716, -0.026569694, 0.011137469, -0.014621431, 0.02155401, 0.03617544,
            0.10566502, 0.06948958, 0.035307422, 0.054791775, 0.019484352, 0.013729309, -0.0057550436, 0.00709426,
            -0.01045792, -0.01755218, -0.051268246, -0.033716068, -0.028213164, -0.0652497, -0.03703653, -0.064997554,
            -0.027961023, -0.03358578, -0.050810065, -0.017224284, -0.009762984, 0.0074613, -0.0053726174, 0.01443963,
            0.019812249, 0.055234574, 0.035422325, 0.06922106, 0.1047207, 0.03549964, 0.02012173, -0.015377909,
            0.0103973765, -0.027944347, -0.038341723, -0.1068929, -0.068551175, -0.05882368, -0.13266504, -0.07384136,
            -0.12701464, -0.05317327, -0.06563148, -0.09662512, -0.030993642, -0.012370959, 0.018622683, -0.0068077985,
            0.036039922, 0.04284772, 0.11464368, 0.071795955, 0.03391363, 0.049928922, 0.016015287, 0.0063924226,
            -0.009622865, 0.0033031167, -0.017486427, -0.020789543, -0.055624656, -0.03483511, -0.030610517, -0.06741535,
            -0.036804833, -0.062017076, -0.025212247, -0.032045696, -0.045815054, -0.013769358, -0.002607975, 0.011161384,
            -0.0014351811, 0.021600291, 0.023035472, 0.059409104, 0.03637363, 0.032133274, 0.04449695, 0.012363672,
            -0.0010173275, -0.013381, -0.0005256773, -0.024315614, -0.023789937, -0.059347022, -0.035557084, -0.032658953,
            -0.068812564, -0.03615361, -0.058329694, -0.022176085, -0.030140338, -0.04029782, -0.010157483, 0.0045767617,
            0.014734244, 0.002518614, 0.028514741, 0.025996126, 0.06290646, 0.03691033, 0.062119924, 0.08305472,
            0.020934802, -0.009432809, -0.030367611, -0.004874157, -0.055183254, -0.0503091, -0.12173995, -0.07143085,
            -0.06699408, -0.13823798, -0.0712439, -0.11230713, -0.041063234, -0.058031764, -0.07461907, -0.016587308,
            0.016286092, 0.0328734, 0.008962315, 0.063618906, 0.05465659, 0.12859322, 0.073936634, 0.029986646,
            0.038557775, 0.008571129, -0.008415482, -0.01698661, -0.004348479, -0.03086764, -0.02651916, -0.06239292,
            -0.03587376, -0.034335125, -0.06942542, -0.03509029, -0.05397744, -0.01888715, -0.027891425, -0.034321252,
            -0.006429826, 0.01170933, 0.018139156, 0.0064437008, 0.035104163, 0.028660463, 0.06568677, 0.037026305,
            0.057484858, 0.07073688, 0.013252017, -0.024133194, -0.03738521, -0.012470194, -0.06793546, -0.055465266,
            -0.12712055, -0.07165529, -0.06995505, -0.13867234, -0.06871728, -0.10298736, -0.034270078, -0.053216014,
            -0.06227472, -0.009058705, 0.030417759, 0.03947646, 0.016739039, 0.07639761, 0.059658576, 0.13340512,
            0.07374654, 0.027498214, 0.032179102, 0.004680888, -0.015717711, -0.0203986, -0.008121715, -0.03706782,
            -0.028946104, -0.064727634, -0.03578153, -0.03561993, -0.06924692, -0.033626992, -0.04900992, -0.015382929,
            -0.02532459, -0.027953468, -0.0026288787, 0.018708428, 0.021337308, 0.010295338, 0.04129345, 0.030998113,
            0.06771835, 0.036720235,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case nearest2d_up
    pub mod nearest2d_up {
        pub const Y_SHAPE: &[usize] = &[1, 2, 6, 8];
        pub const Y: &[f64] = &[
            -0.6, -0.6, -0.23, -0.23, 0.14, 0.14, 0.51, 0.51,
            -0.6, -0.6, -0.23, -0.23, 0.14, 0.14, 0.51, 0.51,
            -0.42, -0.42, -0.05, -0.05, 0.32, 0.32, 0.69, 0.69,
            -0.42, -0.42, -0.05, -0.05, 0.32, 0.32, 0.69, 0.69,
            -0.24, -0.24, 0.13, 0.13, 0.5, 0.5, -0.43, -0.43,
            -0.24, -0.24, 0.13, 0.13, 0.5, 0.5, -0.43, -0.43,
            -0.06, -0.06, 0.31, 0.31, 0.68, 0.68, -0.25, -0.25,
            -0.06, -0.06, 0.31, 0.31, 0.68, 0.68, -0.25, -0.25,
            0.12, 0.12, 0.49, 0.49, -0.44, -0.44, -0.07, -0.07,
            0.12, 0.12, 0.49, 0.49, -0.44, -0.44, -0.07, -0.07,
            0.3, 0.3, 0.67, 0.67, -0.26, -0.26, 0.11, 0.11,
            0.3, 0.3, 0.67, 0.67, -0.26, -0.26, 0.11, 0.11,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 3, 4];
        pub const DX: &[f64] = &[
            3.4669287, -0.3668365, -3.577145, -0.7079201, 2.0745413, 3.1977673, -1.1137692, -3.5324004,
            -1.9881426, 2.6462867, 2.783222, -1.8100652, -3.4917402, -1.3114264, 3.0977209, 2.2421396,
            -0.500859, -3.581105, -0.5750873, 3.4083195, 3.134715, -1.2412767, -3.5076578, 0.18739767,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case nearest2d_down
    pub mod nearest2d_down {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 4];
        pub const Y: &[f64] = &[
            -0.6, -0.23, 0.51, -0.05, 0.69, -0.24, 0.5, -0.06,
            0.67, -0.26, 0.48, -0.08, 0.65, -0.28, 0.46, -0.1,
            0.64, -0.29, 0.45, -0.11, 0.62, -0.31, 0.43, -0.13,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 5, 7];
        pub const DX: &[f64] = &[
            0.9800666, 0.61374575, 0.0, -0.049183823, 0.0, -0.688344, 0.0, -0.9948439,
            -0.8205594, 0.0, -0.24971797, 0.0, 0.4418062, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.9198159, 0.9533004, 0.0,
            0.5260775, 0.0, -0.15538618, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, -0.7617554, -0.99998635, 0.0, -0.75494766, 0.0,
            -0.14506067, 0.0, 0.5349307, 0.9564028, 0.0, 0.9156681, 0.0, 0.43241277,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            -0.25981736, -0.8264839, 0.0, -0.9937304, 0.0, -0.68073064, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case nearest3d
    pub mod nearest3d {
        pub const Y_SHAPE: &[usize] = &[1, 2, 4, 6, 3];
        pub const Y: &[f64] = &[
            -0.6, -0.6, -0.23, -0.6, -0.6, -0.23, 0.14, 0.14,
            0.51, 0.14, 0.14, 0.51, -0.42, -0.42, -0.05, -0.42,
            -0.42, -0.05, -0.6, -0.6, -0.23, -0.6, -0.6, -0.23,
            0.14, 0.14, 0.51, 0.14, 0.14, 0.51, -0.42, -0.42,
            -0.05, -0.42, -0.42, -0.05, 0.32, 0.32, 0.69, 0.32,
            0.32, 0.69, -0.24, -0.24, 0.13, -0.24, -0.24, 0.13,
            0.5, 0.5, -0.43, 0.5, 0.5, -0.43, 0.32, 0.32,
            0.69, 0.32, 0.32, 0.69, -0.24, -0.24, 0.13, -0.24,
            -0.24, 0.13, 0.5, 0.5, -0.43, 0.5, 0.5, -0.43,
            -0.06, -0.06, 0.31, -0.06, -0.06, 0.31, 0.68, 0.68,
            -0.25, 0.68, 0.68, -0.25, 0.12, 0.12, 0.49, 0.12,
            0.12, 0.49, -0.06, -0.06, 0.31, -0.06, -0.06, 0.31,
            0.68, 0.68, -0.25, 0.68, 0.68, -0.25, 0.12, 0.12,
            0.49, 0.12, 0.12, 0.49, -0.44, -0.44, -0.07, -0.44,
            -0.44, -0.07, 0.3, 0.3, 0.67, 0.3, 0.3, 0.67,
            -0.26, -0.26, 0.11, -0.26, -0.26, 0.11, -0.44, -0.44,
            -0.07, -0.44, -0.44, -0.07, 0.3, 0.3, 0.67, 0.3,
            0.3, 0.67, -0.26, -0.26, 0.11, -0.26, -0.26, 0.11,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 2, 3, 2];
        pub const DX: &[f64] = &[
            -0.56150913, -1.8102912, 3.4560916, 1.3852308, -2.459913, 0.5992797, -1.9902543, -1.9211904,
            3.5827265, 0.7056321, -1.141876, 1.3043051, -3.0611718, -1.686679, 3.0652235, -0.10083205,
            0.38145873, 1.7748295, -3.5817218, -1.1489199, 1.9966245, -0.8891676, 1.836211, 1.9262577,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bilinear_false
    pub mod bilinear_false {
        pub const Y_SHAPE: &[usize] = &[1, 2, 5, 7];
        pub const Y: &[f64] = &[
            -0.6, -0.46785715, -0.25642857, -0.045, 0.16642857, 0.37785715, 0.51, -0.528,
            -0.39585716, -0.18442857, 0.027, 0.23842858, 0.44985715, 0.582, -0.42, -0.28785715,
            -0.07642857, 0.135, 0.34642857, 0.55785716, 0.69, -0.312, -0.17985715, 0.03157143,
            0.243, 0.39871427, 0.16442858, 0.018, -0.24, -0.107857145, 0.10357143, 0.315,
            0.43357143, -0.09785714, -0.43, -0.06, 0.072142854, 0.28357142, 0.495, 0.6135714,
            0.08214286, -0.25, 0.012, 0.14414285, 0.35557142, 0.307, 0.20271428, -0.03157143,
            -0.178, 0.12, 0.25214285, 0.46357143, 0.025, -0.41357142, -0.20214286, -0.07,
            0.228, 0.36014286, 0.5715714, 0.133, -0.30557144, -0.094142854, 0.038, 0.3,
            0.43214285, 0.64357144, 0.205, -0.23357143, -0.022142857, 0.11,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 3, 4];
        pub const DX: &[f64] = &[
            2.0318298, 0.7154034, -1.6529949, -1.7487519, -0.97508156, 1.1112618, 1.7851373, 0.10059954,
            -0.86978245, -2.0397427, -0.47443146, 1.628863, 1.9793024, 1.2202663, -1.2533916, -1.9693012,
            -1.3905014, 0.6359259, 1.8987161, 0.6252413, -0.32218093, -1.9781271, -1.0093915, 1.2241738,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bilinear_true
    pub mod bilinear_true {
        pub const Y_SHAPE: &[usize] = &[1, 2, 5, 7];
        pub const Y: &[f64] = &[
            -0.6, -0.415, -0.23, -0.045, 0.14, 0.325, 0.51, -0.51,
            -0.325, -0.14, 0.045, 0.23, 0.415, 0.6, -0.42, -0.235,
            -0.05, 0.135, 0.32, 0.505, 0.69, -0.33, -0.145, 0.04,
            0.225, 0.41, 0.27, 0.13, -0.24, -0.055, 0.13, 0.315,
            0.5, 0.035, -0.43, -0.06, 0.125, 0.31, 0.495, 0.68,
            0.215, -0.25, 0.03, 0.215, 0.4, 0.26, 0.12, -0.02,
            -0.16, 0.12, 0.305, 0.49, 0.025, -0.44, -0.255, -0.07,
            0.21, 0.395, 0.58, 0.115, -0.35, -0.165, 0.02, 0.3,
            0.485, 0.67, 0.205, -0.26, -0.075, 0.11,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 3, 4];
        pub const DX: &[f64] = &[
            1.7377965, 0.7516406, -1.8859081, -1.3504297, -1.0382955, 1.1802399, 2.0202768, -0.054721788,
            -0.5084989, -2.1489944, -0.50601333, 1.415218, 1.6818467, 1.2858472, -1.5189722, -1.6022315,
            -1.3998206, 0.6133059, 2.1874695, 0.44332, -0.024518829, -2.0119753, -1.0708984, 1.0773596,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bilinear_down_false
    pub mod bilinear_down_false {
        pub const Y_SHAPE: &[usize] = &[1, 1, 4, 3];
        pub const Y: &[f64] = &[
            -0.33916667, 0.2775, -0.08083333, 0.16083333, 0.1275, 0.41916665, 0.010833333, 0.3025,
            -0.055833332, -0.13916667, 0.1525, 0.119166665,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 1, 6, 5];
        pub const DX: &[f64] = &[
            0.4900333, 0.24501665, 0.46030933, -0.012295956, -0.024591912, 0.048620425, 0.024310213, -0.09527454,
            -0.0724786, -0.1449572, -0.344172, -0.172086, -0.7461329, -0.20513985, -0.4102797, -0.12485898,
            -0.06242949, 0.33135465, 0.22995397, 0.45990795, 0.11726375, 0.058631875, 0.24197093, 0.06370248,
            0.12740496, 0.4766502, 0.2383251, 0.39455813, -0.038846545, -0.07769309,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case trilinear_false
    pub mod trilinear_false {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 5, 6];
        pub const Y: &[f64] = &[
            -0.6, -0.415, -0.16833334, 0.07833333, 0.325, 0.51, -0.528, -0.343,
            -0.09633333, 0.15033333, 0.397, 0.582, -0.42, -0.235, 0.011666667, 0.25833333,
            0.505, 0.69, -0.312, -0.127, 0.119666666, 0.36633334, 0.223, 0.018,
            -0.24, -0.055, 0.19166666, 0.43833333, 0.035, -0.43, -0.33, -0.145,
            0.10166667, 0.34833333, 0.27, 0.13, -0.258, -0.073, 0.13033333, 0.20366667,
            0.212, 0.202, -0.15, 0.035, 0.17333333, -0.013333334, 0.125, 0.31,
            -0.042, 0.143, 0.28133333, 0.09466667, 0.038, 0.028, 0.03, 0.215,
            0.35333332, 0.16666667, -0.02, -0.16, -0.06, 0.125, 0.37166667, 0.61833334,
            0.215, -0.25, 0.012, 0.197, 0.357, 0.257, 0.027, -0.178,
            0.12, 0.305, 0.335, -0.285, -0.255, -0.07, 0.228, 0.413,
            0.443, -0.177, -0.147, 0.038, 0.3, 0.485, 0.515, -0.105,
            -0.075, 0.11, 0.48, 0.015, -0.38833332, -0.14166667, 0.105, 0.29,
            0.552, 0.087, -0.31633332, -0.06966667, 0.177, 0.362, 0.66, 0.195,
            -0.20833333, 0.038333334, 0.285, 0.47, -0.012, -0.087, -0.10033333, 0.14633334,
            0.393, 0.578, -0.46, -0.275, -0.028333334, 0.21833333, 0.465, 0.65,
            0.1, -0.04, -0.11833333, 0.12833333, 0.05, -0.09, 0.172, 0.032,
            -0.04633333, 0.20033333, 0.122, -0.018, 0.28, 0.14, 0.061666667, 0.30833334,
            0.23, 0.09, -0.002, 0.053, 0.104666665, 0.09133333, 0.143, 0.198,
            -0.19, -0.005, 0.13333334, -0.053333335, 0.085, 0.27, -0.28, -0.095,
            0.15166667, 0.39833334, -0.005, -0.47, -0.208, -0.023, 0.22366667, 0.47033334,
            0.067, -0.398, -0.1, 0.085, 0.33166668, 0.5783333, 0.175, -0.29,
            0.008, 0.193, 0.30966666, 0.036333334, -0.107, -0.182, 0.08, 0.265,
            0.295, -0.325, -0.295, -0.11,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 2, 3, 4];
        pub const DX: &[f64] = &[
            0.8623227, 0.22479229, -0.59568185, -0.874728, -0.63814723, -0.3130698, 0.28939793, 0.63735545,
            0.8650203, 0.622628, -0.18766317, -0.85047174, -0.42157057, 0.4397533, 0.85851103, 0.46499425,
            0.44080424, -0.15970875, -0.5879371, -0.46581113, -0.7716025, -0.0074521215, 0.73292273, 0.7958677,
            0.19910997, -0.6177809, -0.8287278, -0.24749207, -0.3043104, 0.30877697, 0.610779, 0.33506727,
            0.62460035, -0.2180195, -0.8245346, -0.6594712, 0.4906954, 0.8579821, 0.4145384, -0.44813275,
            -0.19201602, -0.5935717, -0.42832342, 0.15783617, 0.029055368, 0.7487034, 0.74485147, 0.020900315,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case trilinear_true
    pub mod trilinear_true {
        pub const Y_SHAPE: &[usize] = &[1, 2, 3, 5, 6];
        pub const Y: &[f64] = &[
            -0.6, -0.378, -0.156, 0.066, 0.288, 0.51, -0.51, -0.288,
            -0.066, 0.156, 0.378, 0.6, -0.42, -0.198, 0.024, 0.246,
            0.468, 0.69, -0.33, -0.108, 0.114, 0.336, 0.298, 0.13,
            -0.24, -0.018, 0.204, 0.426, 0.128, -0.43, -0.33, -0.108,
            0.114, 0.336, 0.298, 0.13, -0.24, -0.018, 0.139, 0.166,
            0.193, 0.22, -0.15, 0.072, 0.164, -0.004, 0.088, 0.31,
            -0.06, 0.162, 0.254, 0.086, 0.048, 0.075, 0.03, 0.252,
            0.344, 0.176, 0.008, -0.16, -0.06, 0.162, 0.384, 0.606,
            0.308, -0.25, 0.03, 0.252, 0.344, 0.176, 0.008, -0.16,
            0.12, 0.342, 0.304, -0.254, -0.292, -0.07, 0.21, 0.432,
            0.394, -0.164, -0.202, 0.02, 0.3, 0.522, 0.484, -0.074,
            -0.112, 0.11, 0.48, -0.078, -0.376, -0.154, 0.068, 0.29,
            0.57, 0.012, -0.286, -0.064, 0.158, 0.38, 0.66, 0.102,
            -0.196, 0.026, 0.248, 0.47, 0.1, -0.068, -0.106, 0.116,
            0.338, 0.56, -0.46, -0.238, -0.016, 0.206, 0.428, 0.65,
            0.1, -0.068, -0.106, 0.116, 0.078, -0.09, 0.19, 0.022,
            -0.016, 0.206, 0.168, -2.220446e-16, 0.28, 0.112, 0.074, 0.296,
            0.258, 0.09, 0.045, 0.072, 0.099, 0.126, 0.153, 0.18,
            -0.19, 0.032, 0.124, -0.044, 0.048, 0.27, -0.28, -0.058,
            0.164, 0.386, 0.088, -0.47, -0.19, 0.032, 0.254, 0.476,
            0.178, -0.38, -0.1, 0.122, 0.344, 0.566, 0.268, -0.29,
            -0.01, 0.212, 0.304, 0.136, -0.032, -0.2, 0.08, 0.302,
            0.264, -0.294, -0.332, -0.11,
        ];
        pub const DX_SHAPE: &[usize] = &[1, 2, 2, 3, 4];
        pub const DX: &[f64] = &[
            0.7784937, 0.1581171, -0.69885635, -0.77453804, -0.51785016, -0.29646176, 0.2751308, 0.5180062,
            0.76050436, 0.72293717, -0.1188045, -0.7649238, -0.3342296, 0.5224027, 0.8855795, 0.32392976,
            0.3706027, -0.1337141, -0.53999674, -0.3656743, -0.767164, -0.12501799, 0.71923596, 0.7628171,
            0.123270914, -0.6941606, -0.82407546, -0.11216454, -0.2626553, 0.27104777, 0.55757284, 0.25659364,
            0.65731394, -0.11136587, -0.8329745, -0.65040576, 0.50456905, 0.88652426, 0.32478538, -0.5134302,
            -0.13869219, -0.53880954, -0.38202986, 0.14542842, -0.09238995, 0.71476305, 0.81056863, 0.08123167,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn1d_train_nc
    pub mod bn1d_train_nc {
        pub const Y_SHAPE: &[usize] = &[6, 3];
        pub const Y: &[f64] = &[
            -1.8107061, -1.3077573, 0.21056475, 1.2195138, -1.9179033, -0.5216105, 0.7008275, 1.6466342,
            -1.2537857, 0.18214121, 1.0364882, -1.9859611, -0.33654508, 0.4263421, 2.2914839, -0.85523134,
            -0.18380396, 1.5593086,
        ];
        pub const DX_SHAPE: &[usize] = &[6, 3];
        pub const DX: &[f64] = &[
            0.47825277, 1.3534642, -0.110276155, -0.267501, -1.0350393, -1.6666048, 0.06904772, 0.13645115,
            1.6166503, 1.4489644, 0.46608552, -0.52508426, -1.1541849, -1.7899108, -1.2710079, -0.57457894,
            0.86894923, 1.9563228,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[3];
        pub const DWEIGHT: &[f64] = &[
            -2.2217326, 1.4876624, -0.44695705,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[3];
        pub const DBIAS: &[f64] = &[
            0.088488944, 0.12172988, 0.09614165,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[3];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.058333334, 0.062333334, 0.13966666,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[3];
        pub const RUNNING_VAR: &[f64] = &[
            0.5144067, 0.7477267, 0.97272664,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn1d_train_ncl
    pub mod bn1d_train_ncl {
        pub const Y_SHAPE: &[usize] = &[2, 3, 5];
        pub const Y: &[f64] = &[
            -1.5905068, -0.57529247, 0.43992183, 1.4551361, -1.0966188, -1.076041, 0.35654455, 1.7891301,
            -1.8116931, -0.3791075, 1.4647466, -1.9526932, -0.59306663, 0.76655996, 2.1261866, -0.6301689,
            0.38504538, 1.4002596, -1.1514952, -0.1362809, 0.2791075, 1.711693, -1.8891301, -0.45654455,
            0.976041, -2.0261865, -0.66655993, 0.6930666, 2.0526931, -1.3647466,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 5];
        pub const DX: &[f64] = &[
            0.8086504, 0.43667018, -0.34223086, -1.0885224, -1.8372263, -1.2694999, -0.18956949, 1.1239939,
            2.112667, 2.1523142, 1.0268687, -0.5031789, -1.5066904, -1.833809, -1.2730004, -0.61140317,
            0.45206407, 1.1608658, 0.77676815, 0.24436425, -0.20776027, -1.3299617, -1.590457, -1.009689,
            0.20796204, 0.91908306, 1.6913532, 1.5915886, 0.72144914, -0.83366424,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[3];
        pub const DWEIGHT: &[f64] = &[
            -0.937543, 0.113474116, -0.6640536,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[3];
        pub const DBIAS: &[f64] = &[
            2.5557942, -1.554867, 0.2981783,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[3];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.075, 0.073, 0.143,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[3];
        pub const RUNNING_VAR: &[f64] = &[
            0.5090333, 0.72132224, 0.9740555,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn2d_train
    pub mod bn2d_train {
        pub const Y_SHAPE: &[usize] = &[2, 3, 4, 5];
        pub const Y: &[f64] = &[
            -1.8412378, -0.86349094, 0.114255905, 1.0920027, -1.3655771, -0.38783032, 0.5899165, 1.5676634,
            -0.88991654, 0.08783031, 1.0655771, -1.3920027, -0.41425592, 0.5634909, 1.5412378, -0.91634214,
            0.061404724, 1.0391515, -1.4184283, -0.4406815, 0.72511137, 1.9326533, -1.1025196, 0.10502228,
            1.3125643, -1.7226088, -0.51506686, 0.69247514, 1.9000171, -1.1351559, 0.07238601, 1.279928,
            -1.7552451, -0.5477031, 0.65983886, 1.8673809, -1.1677922, 0.03974974, 1.2472917, -1.7878814,
            -0.5725873, 0.93795234, 2.448492, -1.3482698, 0.16226985, 1.6728095, -2.1239524, -0.6134127,
            0.897127, 2.4076667, -1.3890952, 0.12144444, 1.6319841, -2.1647778, -0.6542381, 0.85630155,
            2.3668413, -1.4299206, 0.080619045, 1.5911587, -1.5769819, -0.59923506, 0.37851182, 1.3562586,
            -1.1013212, -0.123574406, 0.8541724, -1.6034075, -0.62566066, 0.35208622, 1.329833, -1.1277468,
            -0.15, 0.82774687, -1.6298331, -0.6520862, 0.32566062, 1.3034074, -1.1541724, -0.17642559,
            1.0514741, -1.983699, -0.77615696, 0.43138498, 1.638927, -1.3962461, -0.18870415, 1.0188378,
            -2.0163352, -0.80879325, 0.3987487, 1.6062907, -1.4288824, -0.22134042, 0.9862015, -2.0489714,
            -0.84142953, 0.36611244, 1.5736544, -1.4615186, -0.16433333, 1.3462063, -2.4505556, -0.94001585,
            0.5705238, 2.0810635, -1.7156984, -0.20515873, 1.305381, -2.491381, -0.9808413, 0.52969843,
            2.0402381, -1.7565237, -0.24598412, 1.2645556, -2.5322063, -1.0216666, 0.488873, 1.9994127,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 4, 5];
        pub const DX: &[f64] = &[
            1.1621555, 0.6932194, -0.16761966, -0.9970528, -1.439919, -1.1945642, -0.42524698, 0.5035259,
            1.0972162, 1.1565348, 0.60713005, -0.33116812, -1.1172752, -1.4169687, -1.0781279, -0.31019086,
            0.60334396, 1.1753025, 1.0835865, 0.46014732, -0.41208908, -1.3251481, -1.6273082, -1.1049159,
            -0.045687888, 1.0032187, 1.6025192, 1.4273287, 0.56793565, -0.59559304, -1.4333245, -1.5756603,
            -0.9890702, 0.11058782, 1.1566179, 1.6491214, 1.314826, 0.3829157, -0.7314967, -1.5250994,
            -1.8249358, -0.79817224, 0.7316585, 1.6199646, 2.214781, 1.8233861, 0.2296706, -1.0188284,
            -1.7240019, -1.4804236, -0.81107, 0.73790836, 2.012666, 1.9918818, 1.4629325, 0.27618563,
            -0.93019927, -1.9784662, -1.5846802, -0.34440994, 0.37178874, 1.0629976, 1.1855676, 0.6875495,
            -0.23606075, -1.0512769, -1.4098089, -1.1840708, -0.39552948, 0.5290476, 1.1501201, 1.1218543,
            0.5455374, -0.3459945, -1.1675696, -1.434513, -1.0635015, -0.22655028, 0.62617767, 1.1702065,
            1.4834439, 0.63543785, -0.48565018, -1.3732823, -1.592864, -1.073534, 0.001354983, 1.0770774,
            1.5985048, 1.3812708, 0.4951021, -0.6261139, -1.4757775, -1.5756394, -0.912696, 0.1574107,
            1.1851505, 1.638584, 1.3042004, 0.30834234, -0.85872716, -1.6409352, -1.9652143, -0.8975157,
            0.640906, 1.9712011, 2.0452085, 1.6044945, 0.45678458, -1.2485213, -1.9099572, -1.6131278,
            -0.43685082, 0.6451459, 1.8872914, 2.2840252, 1.238354, 0.032958366, -1.1548837, -1.6864836,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[3];
        pub const DWEIGHT: &[f64] = &[
            -0.46679872, -0.29523575, -2.6024175,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[3];
        pub const DBIAS: &[f64] = &[
            3.2304664, -0.10824429, -3.2168727,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[3];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.052, 0.0425, 0.1305,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[3];
        pub const RUNNING_VAR: &[f64] = &[
            0.5087487, 0.73518205, 0.95538205,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn3d_train
    pub mod bn3d_train {
        pub const Y_SHAPE: &[usize] = &[2, 2, 3, 4, 3];
        pub const Y: &[f64] = &[
            -1.8883272, -0.9080343, 0.07225861, 1.0525515, -1.411428, -0.43113506, 0.54915786, 1.5294508,
            -0.9345287, 0.0457642, 1.0260571, -1.4379224, -0.45762947, 0.5226635, 1.5029564, -0.9610231,
            0.019269798, 0.99956274, -1.4644167, -0.48412386, 0.49616906, 1.476462, -0.98751754, -0.007224605,
            0.9730683, -1.4909111, -0.51061827, 0.46967465, 1.4499676, -1.014012, -0.033719007, 0.9465739,
            -1.5174056, -0.53711265, 0.44318026, 1.4234731, -1.155721, 0.07986655, 1.315454, -1.7902118,
            -0.5546243, 0.68096316, 1.9165506, -1.1891152, 0.046472292, 1.2820598, -1.823606, -0.58801854,
            0.6475689, 1.8831563, -1.2225094, 0.013078038, 1.2486655, -1.8570002, -0.6214128, 0.6141746,
            1.8497621, -1.2559037, -0.020316217, 1.2152712, -1.8903946, -0.6548071, 0.5807804, 1.8163679,
            -1.2892979, -0.05371047, 1.181877, -1.9237888, -0.6882013, 0.5473861, 1.7829735, -1.3226922,
            -0.19268543, 0.7876075, -1.676372, -0.6960791, 0.28421384, 1.2645067, -1.1994728, -0.21917982,
            0.7611131, -1.7028664, -0.7225735, 0.25771943, 1.2380123, -1.2259672, -0.24567424, 0.73461866,
            -1.7293608, -0.7490679, 0.23122503, 1.2115179, -1.2524616, -0.27216864, 0.7081243, -1.7558552,
            -0.7755623, 0.20473062, 1.1850235, -1.2789559, -0.29866305, 0.6816299, -1.7823496, -0.8020567,
            0.17823622, 1.1585292, -1.3054503, -0.32515743, 0.9815114, -2.1241543, -0.88856685, 0.3470206,
            1.582608, -1.5230577, -0.28747025, 0.9481172, -2.1575487, -0.9219611, 0.31362635, 1.5492138,
            -1.5564519, -0.32086453, 0.9147229, -2.1909428, -0.95535535, 0.28023207, 1.5158195, -1.5898463,
            -0.35425878, 0.8813287, 2.1169162, -0.9887496, 0.24683782, 1.4824252, -1.6232405, -0.38765302,
            0.8479344, 2.0835218, -1.0221438, 0.21344356, 1.449031, -1.6566347, -0.42104727, 0.81454015,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 2, 3, 4, 3];
        pub const DX: &[f64] = &[
            1.2346472, 0.7750921, -0.077386454, -0.8983773, -1.3690454, -1.1124495, -0.33052683, 0.61126673,
            1.1798544, 1.2499295, 0.70969635, -0.25769383, -1.0352458, -1.3251176, -0.9747923, -0.23150416,
            0.6950117, 1.2790618, 1.1604583, 0.5459978, -0.34529585, -1.0702529, -1.3564492, -0.9160945,
            -0.039932054, 0.77067924, 1.2734686, 1.1475196, 0.46612892, -0.51933366, -1.1831392, -1.2824166,
            -0.8471177, 0.06186613, 0.92731434, 1.343405, 1.2448932, 0.38138354, -0.6688668, -1.7072294,
            -1.639324, -0.8069, 0.43702152, 1.1823505, 1.6614513, 1.3338535, 0.048944667, -0.979745,
            -1.5640067, -1.3722106, -0.8059799, 0.45360395, 1.4888815, 1.490595, 1.0504807, 0.072303,
            -0.9219383, -1.7606825, -1.44602, -0.4389524, 0.4648959, 1.4212809, 1.6590717, 1.1126199,
            -0.2629201, -1.2102181, -1.5804, -1.5034983, -0.42411342, 0.827181, 1.694934, 1.4508488,
            0.6347623, -0.24848908, -1.0988523, -1.3558886, -0.97330886, -0.12357602, 0.70472383, 1.2607714,
            1.1979119, 0.46859333, -0.4252435, -1.1295588, -1.291545, -0.91084856, -0.021972382, 0.8675803,
            1.2499795, 1.0898992, 0.38677192, -0.5071688, -1.237833, -1.3026297, -0.7481745, 0.07964721,
            0.93024725, 1.3146205, 1.0594372, 0.21009094, -0.6734709, -1.2421743, -1.2991087, -0.6672807,
            0.2700319, 1.0722768, 1.2738179, 0.92673343, 0.21781532, -1.158372, -1.7068572, -1.471503,
            -0.5167805, 0.38698304, 1.3955845, 1.7126582, 0.8760373, -0.117394775, -1.0964684, -1.5387508,
            -1.5394298, -0.50561285, 0.7541482, 1.3221081, 1.5163498, 0.93406826, -0.09406365, -1.3801068,
            -1.7099828, -1.2332028, -0.13091348, 0.75524247, 1.5895712, 1.659929, 0.6233809, -0.42656964,
            -1.2914389, -1.5039864, -1.2704253, -0.11106586, 1.1048684, 1.4808128, 1.4276468, 0.6621314,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[2];
        pub const DWEIGHT: &[f64] = &[
            -1.4258783, -4.447483,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[2];
        pub const DBIAS: &[f64] = &[
            0.98171777, 0.67862695,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[2];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.048777778, 0.040222224,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[2];
        pub const RUNNING_VAR: &[f64] = &[
            0.50778544, 0.7318333,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn1d_eval
    pub mod bn1d_eval {
        pub const Y_SHAPE: &[usize] = &[2, 3, 5];
        pub const Y: &[f64] = &[
            -1.2813596, -0.23485197, 0.8116556, 1.8581631, -0.77224773, 0.23867321, 1.3067641, 2.374855,
            -0.3098059, 0.758285, 1.849991, -0.93999505, 0.1699994, 1.2799939, 2.3899882, -0.29141995,
            0.7550876, 1.8015952, -0.8288157, 0.21769185, 1.2490294, 2.3171203, -0.36754054, 0.7005503,
            1.7686412, -0.99999475, 0.1099997, 1.2199942, 2.3299887, -0.45999745,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 5];
        pub const DX: &[f64] = &[
            1.3860096, 0.8679589, -0.06955573, -0.9734557, -1.4069077, -1.1843675, -0.36043444, 0.63768804,
            1.327631, 1.3759615, 0.7891123, -0.23307809, -1.1426275, -1.4999721, -1.1324158, -0.20514472,
            0.7564987, 1.3525442, 1.2949373, 0.6115179, -0.37501156, -1.1929189, -1.4343168, -0.9825435,
            -0.055930275, 0.93293196, 1.4731246, 1.3013911, 0.5007262, -0.5419278,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[3];
        pub const DWEIGHT: &[f64] = &[
            -0.06284144, -1.2260348, -0.41391507,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[3];
        pub const DBIAS: &[f64] = &[
            2.5557942, -1.554867, 0.2981783,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[3];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.1, 0.0, 0.1,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[3];
        pub const RUNNING_VAR: &[f64] = &[
            0.5, 0.75, 1.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn2d_eval
    pub mod bn2d_eval {
        pub const Y_SHAPE: &[usize] = &[2, 3, 4, 5];
        pub const Y: &[f64] = &[
            -1.2813596, -0.23485197, 0.8116556, 1.8581631, -0.77224773, 0.27425984, 1.3207674, 2.367275,
            -0.26313594, 0.7833716, 1.8298792, -0.80053174, 0.24597584, 1.2924834, 2.338991, -0.29141995,
            0.7550876, 1.8015952, -0.8288157, 0.21769185, 1.2490294, 2.3171203, -0.36754054, 0.7005503,
            1.7686412, -0.9160196, 0.15207125, 1.2201622, 2.288253, -0.39640784, 0.671683, 1.7397739,
            -0.9448869, 0.123203926, 1.1912948, 2.2593856, -0.42527518, 0.6428157, 1.7109066, -0.9737543,
            0.05, 1.1599945, 2.269989, -0.5199972, 0.5899973, 1.6999917, -1.0899943, 0.02000015,
            1.1299946, 2.239989, -0.549997, 0.55999744, 1.6699919, -1.1199942, -0.0099997, 1.0999948,
            2.2099893, -0.5799968, 0.5299976, 1.639992, -0.99851966, 0.04798792, 1.0944955, 2.1410031,
            -0.48940787, 0.5570997, 1.6036073, -1.0268036, 0.01970393, 1.0662115, 2.112719, -0.51769185,
            0.52881575, 1.5753233, -1.0550877, -0.008580058, 1.0379275, 2.084435, -0.54597586, 0.50053173,
            1.5377027, -1.1469582, -0.07886732, 0.98922354, 2.0573144, -0.6273464, 0.44074446, 1.5088353,
            -1.1758255, -0.10773464, 0.96035624, 2.0284472, -0.65621376, 0.41187713, 1.4799681, -1.2046928,
            -0.13660197, 0.93148893, 1.9995798, -0.68508106, 0.3499985, 1.459993, -1.3299931, -0.21999864,
            0.8899958, 1.9999902, -0.7899958, 0.31999865, 1.4299932, -1.359993, -0.2499985, 0.85999596,
            1.9699904, -0.81999564, 0.2899988, 1.3999933, -1.3899928, -0.27999836, 0.8299961, 1.9399905,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 3, 4, 5];
        pub const DX: &[f64] = &[
            1.3860096, 0.8679589, -0.06955573, -0.9734557, -1.4069077, -1.1604346, -0.353151, 0.62480205,
            1.3008031, 1.3481569, 0.7439785, -0.21974704, -1.0772741, -1.4141802, -1.0676465, -0.20514472,
            0.7564987, 1.3525442, 1.2949373, 0.6115179, -0.37501156, -1.1929189, -1.4343168, -0.9825435,
            -0.055930275, 0.8977127, 1.4175125, 1.2522621, 0.48182324, -0.5214694, -1.2727482, -1.408938,
            -0.86422163, 0.098152615, 1.013092, 1.4384282, 1.168606, 0.3340245, -0.66198325, -1.3380702,
            -1.4211496, -0.7649258, 0.26096857, 1.160743, 1.4995579, 1.113672, 0.189575, -0.82613915,
            -1.4425999, -1.3618864, -0.6230055, 0.41695914, 1.2554173, 1.4871621, 1.0001968, 0.029860133,
            -0.95490724, -1.4781907, -1.2870996, -0.47398388, 0.53569853, 1.2593808, 1.3744342, 0.8252562,
            -0.1227485, -1.0114318, -1.4113141, -1.1291418, -0.30128214, 0.67218006, 1.3207936, 1.3310989,
            0.6981158, -0.27225012, -1.111044, -1.4128968, -1.0319301, -0.15225604, 0.8009997, 1.3671513,
            1.2988372, 0.57462966, -0.42728275, -1.2226995, -1.4272147, -0.9419909, -0.0015252696, 0.9396775,
            1.4267565, 1.2243179, 0.4301956, -0.57183003, -1.2975038, -1.3961247, -0.8200318, 0.15236303,
            1.0511245, 1.4419024, 1.1358432, 0.2808579, -0.7377087, -1.4107769, -1.40205, -0.7157458,
            0.3164614, 1.1957303, 1.4971312, 1.0750041, 0.13335305, -0.8727443, -1.4570651, -1.3372209,
            -0.5711297, 0.47097504, 1.2854687, 1.4787259, 0.95734996, -0.026690478, -0.997832, -1.486745,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[3];
        pub const DWEIGHT: &[f64] = &[
            1.6932647, -0.3142612, -2.8934836,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[3];
        pub const DBIAS: &[f64] = &[
            3.2304664, -0.10824429, -3.2168727,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[3];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.1, 0.0, 0.1,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[3];
        pub const RUNNING_VAR: &[f64] = &[
            0.5, 0.75, 1.0,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bn3d_eval
    pub mod bn3d_eval {
        pub const Y_SHAPE: &[usize] = &[2, 2, 3, 4, 3];
        pub const Y: &[f64] = &[
            -1.2813596, -0.23485197, 0.8116556, 1.8581631, -0.77224773, 0.27425984, 1.3207674, 2.367275,
            -0.26313594, 0.7833716, 1.8298792, -0.80053174, 0.24597584, 1.2924834, 2.338991, -0.29141995,
            0.7550876, 1.8015952, -0.8288157, 0.21769185, 1.2641994, 2.310707, -0.31970394, 0.72680366,
            1.7733113, -0.8570997, 0.18940786, 1.2359154, 2.282423, -0.34798792, 0.69851965, 1.7450272,
            -0.8853837, 0.16112387, 1.2076315, 2.254139, -0.42527518, 0.6428157, 1.7109066, -0.9737543,
            0.09433661, 1.1624274, 2.2305183, -0.45414248, 0.6139484, 1.6820393, -1.0026217, 0.06546929,
            1.1335602, 2.201651, -0.48300982, 0.58508104, 1.6531719, -1.0314889, 0.036601964, 1.1046928,
            2.1727836, -0.5118771, 0.55621374, 1.6243047, -1.0603563, 0.007734642, 1.0758256, 2.1439164,
            -0.5407445, 0.52734643, 1.5954373, -1.0892235, -0.02113268, 1.0469582, 2.1150491, -0.5696118,
            0.52881575, 1.5753233, -1.0550877, -0.008580058, 1.0379275, 2.084435, -0.54597586, 0.50053173,
            1.5470393, -1.0833716, -0.036864046, 1.0096436, 2.0561512, -0.5742598, 0.47224775, 1.5187553,
            -1.1116556, -0.06514803, 0.98135954, 2.027867, -0.60254383, 0.44396377, 1.4904714, -1.1399395,
            -0.093432024, 0.9530755, 1.9995831, -0.6308278, 0.41567978, 1.4621873, -1.1682236, -0.121716015,
            0.9247916, 1.9712992, -0.6591118, 0.38739577, 1.4222333, -1.2624274, -0.19433661, 0.87375426,
            1.9418452, -0.74281573, 0.32527518, 1.3933661, -1.2912948, -0.22320393, 0.84488696, 1.9129778,
            -0.77168304, 0.29640785, 1.3644987, -1.3201622, -0.25207126, 0.81601965, 1.8841105, -0.80055034,
            0.26754054, 1.3356314, 2.4037223, -0.28093857, 0.7871523, 1.8552432, -0.82941765, 0.23867321,
            1.3067641, 2.374855, -0.3098059, 0.758285, 1.8263758, -0.858285, 0.20980589, 1.2778968,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 2, 3, 4, 3];
        pub const DX: &[f64] = &[
            1.3860096, 0.8679589, -0.06955573, -0.9734557, -1.4069077, -1.1604346, -0.353151, 0.62480205,
            1.3008031, 1.3481569, 0.7439785, -0.21974704, -1.0772741, -1.4141802, -1.0676465, -0.20514472,
            0.7564987, 1.3525442, 1.2949373, 0.6115179, -0.36743355, -1.1688131, -1.405333, -0.96268886,
            -0.054800075, 0.87957233, 1.3888683, 1.2269572, 0.47208685, -0.51093185, -1.2470293, -1.3804672,
            -0.846758, 0.0961692, 0.9926201, 1.4093612, 1.168606, 0.3340245, -0.66198325, -1.3380702,
            -1.3674996, -0.73604894, 0.2511167, 1.1169236, 1.4429479, 1.0716296, 0.18241833, -0.79495144,
            -1.3881401, -1.3104736, -0.5994863, 0.40121844, 1.2080239, 1.43102, 0.9624382, 0.02873288,
            -0.9188584, -1.4223872, -1.2385101, -0.45609045, 0.54674685, 1.2853544, 1.4027807, 0.8422764,
            -0.12528008, -1.0322917, -1.4404212, -1.1524293, -0.30749583, 0.6860432, 1.3480338, 1.3585517,
            0.6981158, -0.27225012, -1.111044, -1.4128968, -1.0319301, -0.15225604, 0.8009997, 1.3671513,
            1.2725911, 0.5630179, -0.41864848, -1.197992, -1.3983744, -0.92295575, -0.0014944479, 0.9206891,
            1.3979255, 1.1995777, 0.42150247, -0.56027484, -1.2712847, -1.3679128, -0.80346113, 0.14928418,
            1.029884, 1.4127654, 1.1128907, 0.2751825, -0.6955149, -1.3300865, -1.3218589, -0.67480826,
            0.29836118, 1.1273397, 1.4115018, 1.0135186, 0.12831883, -0.83979726, -1.4020592, -1.2867393,
            -0.54956883, 0.45319518, 1.2369407, 1.4229022, 0.92120886, -0.025682881, -0.9601627, -1.4306186,
            -1.2096907, -0.40414786, 0.59671, 1.3091921, 1.3889728, 0.79749584, -0.17939185, -1.0695838,
            -1.4428712, -1.1188533, -0.25412017, 0.7334232, 1.3665205, 1.339211, 0.6646925, -0.331056,
            -1.166813, -1.4386771, -1.0152626, -0.10119587, 0.8617764, 1.4082726, 1.2741841, 0.52431273,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[2];
        pub const DWEIGHT: &[f64] = &[
            -0.81104934, -3.5293977,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[2];
        pub const DBIAS: &[f64] = &[
            0.98171777, 0.67862695,
        ];
        pub const RUNNING_MEAN_SHAPE: &[usize] = &[2];
        pub const RUNNING_MEAN: &[f64] = &[
            -0.1, 0.0,
        ];
        pub const RUNNING_VAR_SHAPE: &[usize] = &[2];
        pub const RUNNING_VAR: &[f64] = &[
            0.5, 0.75,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case gn2d
    pub mod gn2d {
        pub const Y_SHAPE: &[usize] = &[2, 6, 3, 4];
        pub const Y: &[f64] = &[
            -1.9301342, -0.96153176, 0.0070706643, 0.9756731, -1.4589221, -0.49031976, 0.47828266, 1.4468851,
            -0.98771024, -0.01910778, 0.94949466, -1.4851006, -0.50812274, 0.7026303, 1.9133832, -1.1298608,
            0.08089222, 1.2916453, -1.7515988, -0.5408458, 0.6699072, 1.8806603, -1.1625838, 0.048169166,
            1.6599041, -2.0521889, -0.57533467, 0.90151954, 2.3783736, -1.3337193, 0.14313495, 1.6199892,
            -2.0921037, -0.61524963, 0.8616046, 2.3384588, -1.5109066, 0.21208997, 1.9350865, -2.3956885,
            -0.67269206, 1.0503045, 2.7733011, -1.557474, 0.16552249, 1.888519, -2.442256, -0.7192595,
            1.2434394, 3.2125783, -1.7368789, 0.23226, 2.2013988, -2.7480583, -0.77891946, 1.1902195,
            3.1593585, -1.7900989, 0.17904004, 2.148179, -3.082688, -0.86740685, 1.3478744, 3.5631557,
            -2.0049837, 0.21029757, 2.4255788, -3.1425605, -0.9272793, 1.288002, 3.5032833, -2.064856,
            -0.085350685, 0.9044526, -1.5834314, -0.59362805, 0.39617527, 1.3859786, -1.1019055, -0.11210213,
            0.8777012, -1.6101829, -0.6203795, 0.3694238, 1.8365339, -1.2733212, -0.036066957, 1.2011873,
            -1.9086678, -0.67141366, 0.5658405, 1.8030946, -1.3067604, -0.06950626, 1.1677479, -1.9421072,
            -0.7336667, 0.7726018, 2.2788703, -1.507156, -0.0008874504, 1.5053811, -2.2806451, -0.7743767,
            0.7318918, 2.2381604, -1.547866, -0.04159741, 1.8004496, -2.616581, -0.8592678, 0.89804554,
            2.6553588, -1.7616719, -0.0043585994, 1.7529547, -2.664076, -0.9067627, 0.8505506, 2.607864,
            -2.2349946, -0.25057447, 1.7338457, -3.2540214, -1.2696011, 0.71481913, 2.6992393, -2.2886276,
            -0.30420744, 1.6802127, 3.664633, -1.3232341, 0.81258446, 3.0450573, -2.5662932, -0.3338205,
            1.8986523, 4.131125, -1.4802254, 0.75224733, 2.98472, -2.6266303, -0.3941576, 1.8383151,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 6, 3, 4];
        pub const DX: &[f64] = &[
            1.0244629, 0.737554, 0.062407374, -0.581627, -1.4668554, -1.0461539, -0.10639031, 0.9913376,
            1.1329713, 1.3693765, 1.0027515, -0.37327528, -1.2236586, -1.4208641, -0.82736677, -0.31354237,
            0.991604, 1.8737732, 1.3230813, 0.72497827, -0.21503936, -0.94961584, -1.7073005, -1.0026084,
            -0.48084512, 1.3355929, 1.8562604, 1.4297061, 0.16635467, -0.7230712, -1.95993, -2.3463023,
            -1.0952889, 0.03732851, 1.1043575, 1.4944097, 1.8884631, 0.34409136, -1.4606858, -2.0534878,
            -2.2990239, -1.4784578, -0.08406823, 1.8104442, 2.13831, 1.3412541, 0.4046496, -1.3700618,
            -2.5359056, -2.2649908, -1.2752573, 0.6973765, 2.3125362, 2.4026065, 1.6664546, 0.07279797,
            -1.5464587, -2.7958145, -2.3290892, -0.7588872, 0.8949011, 2.5545435, 2.9258208, 1.8910313,
            -0.4367829, -2.1902483, -2.9090037, -2.6327393, -0.75257057, 1.4358143, 2.9365487, 2.6373167,
            0.8148889, 0.03699013, -1.1079662, -1.2535746, -0.75336176, 0.2185363, 0.76852876, 1.4438925,
            1.4943445, 0.4716072, -0.31697977, -0.91420656, -1.294494, -1.0840327, 0.14527161, 1.3754299,
            1.5880401, 1.4934281, 0.71342194, -0.30741504, -1.4996321, -1.4739841, -0.66676146, 0.108028606,
            1.4328729, 1.9645363, 1.5134894, 0.3565862, -1.0599954, -1.9927813, -1.9321046, -1.0202147,
            0.36106735, 1.5348113, 1.9926484, 1.4003909, 0.13329662, -1.4106952, -2.3552048, -2.1848996,
            -0.99147326, 0.70719326, 1.9772489, 2.2637796, 1.4871858, -0.090149194, -1.647063, -2.4405258,
            -2.849997, -1.0549965, 1.1028826, 1.6766506, 2.123248, 1.3227072, -0.19389346, -2.5977545,
            -2.9929185, -2.0925493, -0.18757829, 0.8972298, 2.6892014, 2.930492, 0.7706838, -1.0122105,
            -2.4606981, -2.7305636, -2.5955245, -0.38661388, 1.9245169, 2.3168156, 2.334922, 1.0659482,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[6];
        pub const DWEIGHT: &[f64] = &[
            -0.38056836, -4.640631, 3.7085626, -0.9096872, -3.56902, -0.25986475,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[6];
        pub const DBIAS: &[f64] = &[
            0.8438101, -4.164756, 4.3026633, -1.152133, -2.8789492, 4.709709,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case gn3d
    pub mod gn3d {
        pub const Y_SHAPE: &[usize] = &[2, 4, 2, 3, 2];
        pub const Y: &[f64] = &[
            -1.9301342, -0.96153176, 0.0070706643, 0.9756731, -1.4589221, -0.49031976, 0.47828266, 1.4468851,
            -0.98771024, -0.01910778, 0.94949466, -1.4851006, -0.50812274, 0.7026303, 1.9133832, -1.1298608,
            0.08089222, 1.2916453, -1.7515988, -0.5408458, 0.6699072, 1.8806603, -1.1625838, 0.048169166,
            1.6599041, -2.0521889, -0.57533467, 0.90151954, 2.3783736, -1.3337193, 0.14313495, 1.6199892,
            -2.0921037, -0.61524963, 0.8616046, 2.3384588, -1.5109066, 0.21208997, 1.9350865, -2.3956885,
            -0.67269206, 1.0503045, 2.7733011, -1.557474, 0.16552249, 1.888519, -2.442256, -0.7192595,
            0.3467197, 1.3312892, -1.1434394, -0.15887, 0.82569945, -1.6490291, -0.6644597, 0.32010975,
            1.3046792, -1.1700494, -0.18547998, 0.7990895, -1.9570489, -0.72633713, 0.5043747, 1.7350866,
            -1.3583243, -0.12761246, 1.1030993, -1.9903114, -0.7595996, 0.47111222, 1.7018241, -1.3915868,
            0.14697397, 1.6316789, -2.100147, -0.6154421, 0.8692629, 2.353968, -1.3778582, 0.10684681,
            1.5915518, -2.1402743, -0.65556926, 0.8291357, 2.7911475, -1.5626496, 0.16950625, 1.9016621,
            -2.452135, -0.71997917, 1.0121766, 2.7443326, -1.6094645, 0.12269124, 1.8548471, -2.49895,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 4, 2, 3, 2];
        pub const DX: &[f64] = &[
            1.0244629, 0.737554, 0.062407374, -0.581627, -1.4668554, -1.0461539, -0.10639031, 0.9913376,
            1.1329713, 1.3693765, 1.0027515, -0.37327528, -1.2236586, -1.4208641, -0.82736677, -0.31354237,
            0.991604, 1.8737732, 1.3230813, 0.72497827, -0.21503936, -0.94961584, -1.7073005, -1.0026084,
            -0.48084512, 1.3355929, 1.8562604, 1.4297061, 0.16635467, -0.7230712, -1.95993, -2.3463023,
            -1.0952889, 0.03732851, 1.1043575, 1.4944097, 1.8884631, 0.34409136, -1.4606858, -2.0534878,
            -2.2990239, -1.4784578, -0.08406823, 1.8104442, 2.13831, 1.3412541, 0.4046496, -1.3700618,
            -1.288727, -1.1619784, -0.64522195, 0.33238614, 1.1312572, 1.198182, 0.82139724, 0.01586015,
            -0.802477, -1.4052652, -1.1806114, -0.40421915, 0.5075638, 1.4137826, 1.6042428, 1.013555,
            -0.23994946, -1.2299017, -1.6450151, -1.4518093, -0.4230759, 0.7768886, 1.5948253, 1.4683107,
            1.2102661, 0.027362766, -1.6497169, -1.8841847, -1.1499206, 0.29187143, 1.1572149, 2.1542053,
            2.2138283, 0.7200771, -0.47885847, -1.3907539, -1.8119146, -1.5120752, 0.20688465, 1.9270399,
            2.229888, 2.0953648, 1.0012898, -0.42994815, -2.0938585, -2.0600176, -0.9319721, 0.15792762,
        ];
        pub const DWEIGHT_SHAPE: &[usize] = &[4];
        pub const DWEIGHT: &[f64] = &[
            -3.361185, -1.0358435, 2.044531, -1.6862048,
        ];
        pub const DBIAS_SHAPE: &[usize] = &[4];
        pub const DBIAS: &[f64] = &[
            -0.81128603, -0.21927035, 1.0822428, -1.1180792,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_plain
    pub mod ce_plain {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.3412979,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.1626194, 0.012280865, 0.037264545, 0.11307399, 0.004047269, 0.012280865, 0.037264545, -0.05359268,
            0.012070984, -0.13003898, 0.11114154, 0.0068264483, 0.012070984, 0.03662769, -0.055525124, 0.0068264483,
            0.034821916, -0.061004493, 0.006489899, 0.01969268, -0.13184474, 0.105662175, 0.006489899, 0.01969268,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_weights
    pub mod ce_weights {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.92386216,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.07505511, 0.0056680916, 0.01719902, 0.052187994, 0.005603911, 0.017004274, 0.051597062, -0.07420525,
            0.011142447, -0.120035976, 0.10259219, 0.006301337, 0.022284893, 0.06762035, -0.10250792, 0.012602674,
            0.032143306, -0.056311842, 0.005990676, 0.018177858, -0.060851425, 0.048767157, 0.002995338, 0.009088929,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_smooth
    pub mod ce_smooth {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.4017979,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.1501194, 0.008114198, 0.033097878, 0.10890732, -0.00011939757, 0.008114198, 0.033097878, -0.04109268,
            0.007904317, -0.11753897, 0.10697488, 0.0026597818, 0.007904317, 0.032461025, -0.043025125, 0.0026597818,
            0.03065525, -0.048504494, 0.0023232324, 0.0155260125, -0.11934475, 0.101495504, 0.0023232324, 0.0155260125,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_weights_smooth
    pub mod ce_weights_smooth {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.042318,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.06900568, 0.0026721514, 0.012086567, 0.054246962, 0.0035874357, 0.012874716, 0.043044806, -0.059506956,
            0.009497931, -0.10765226, 0.09746469, 0.0006896397, 0.019526133, 0.061238438, -0.08712541, 0.006360843,
            0.031023813, -0.042335022, -0.0015518649, 0.0128630735, -0.052671444, 0.052236076, -0.004247669, 0.0046830373,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_ignore
    pub mod ce_ignore {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.9435213,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.2439291, 0.018421298, 0.05589682, 0.16961098, 0.0, 0.0, 0.0, 0.0,
            0.018106475, -0.19505847, 0.16671231, 0.010239673, 0.018106475, 0.05494154, -0.083287686, 0.010239673,
            0.0, 0.0, 0.0, 0.0, 0.052232873, 0.15849327, 0.0097348485, -0.22046098,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_ignore_weights_smooth
    pub mod ce_ignore_weights_smooth {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.5090734,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.08970738, 0.0034737969, 0.015712537, 0.07052105, 0.0, 0.0, 0.0, 0.0,
            0.01234731, -0.13994794, 0.1267041, 0.0008965316, 0.025383973, 0.07960997, -0.11326303, 0.008269096,
            0.0, 0.0, 0.0, 0.0, 0.059134793, 0.18202205, 0.0014871211, -0.24264395,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_spatial
    pub mod ce_spatial {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.5624088,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 4, 5];
        pub const DLOGITS: &[f64] = &[
            0.0012278121, 0.0012278121, -0.020676898, 0.017960904, 0.0012278121, -0.020676898, 0.017960904, 0.017960904,
            -0.023772188, 0.004323103, 0.017960904, -0.023772188, 0.004323103, 0.017960904, -0.0070390967, 0.0012278121,
            0.004323103, -0.0070390967, 0.0012278121, 0.004323103, -0.0067304843, 0.018269515, 0.0013020936, -0.01959028,
            0.018269515, 0.0013020936, -0.01959028, 0.0054097204, 0.018269515, -0.023697907, 0.0054097204, 0.018269515,
            -0.023697907, 0.0054097204, 0.0054097204, -0.0067304843, 0.0013020936, 0.0054097204, -0.0067304843, 0.0013020936,
            0.0055026724, -0.019497328, 0.019374803, 0.0016293764, -0.019497328, 0.019374803, 0.0016293764, -0.023370624,
            0.0055026724, 0.019374803, -0.023370624, 0.0055026724, 0.019374803, -0.023370624, 0.0016293764, 0.0055026724,
            -0.0056251967, 0.0016293764, 0.0055026724, -0.0056251967, -0.023772188, 0.004323103, 0.017960904, -0.0070390967,
            0.0012278121, 0.004323103, -0.0070390967, 0.0012278121, 0.004323103, -0.0070390967, 0.017960904, 0.0012278121,
            -0.020676898, 0.017960904, 0.0012278121, -0.020676898, 0.017960904, 0.017960904, -0.023772188, 0.004323103,
            0.018269515, -0.023697907, 0.0054097204, 0.0054097204, -0.0067304843, 0.0013020936, 0.0054097204, -0.0067304843,
            0.0013020936, 0.0054097204, -0.01959028, 0.018269515, 0.0013020936, -0.01959028, 0.018269515, 0.0013020936,
            -0.01959028, 0.0054097204, 0.018269515, -0.023697907, 0.0055026724, 0.019374803, -0.023370624, 0.0016293764,
            0.0055026724, -0.0056251967, 0.0016293764, 0.0055026724, -0.0056251967, 0.0016293764, 0.0016293764, -0.019497328,
            0.019374803, 0.0016293764, -0.019497328, 0.019374803, 0.0016293764, -0.023370624, 0.0055026724, 0.019374803,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case ce_spatial_ignore_smooth
    pub mod ce_spatial_ignore_smooth {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.5645114,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 4, 5];
        pub const DLOGITS: &[f64] = &[
            0.00046409274, 0.00046409274, -0.022364978, 0.0, 0.00046409274, -0.022364978, 0.020150082, 0.020150082,
            -0.026006496, 0.0041056112, 0.0, -0.026006496, 0.0041056112, 0.020150082, -0.006320506, 0.00046409274,
            0.0041056112, 0.0, 0.00046409274, 0.0041056112, -0.0059574326, 0.020513156, 0.00055148266, 0.0,
            0.020513156, 0.00055148266, -0.021086603, 0.0053839847, 0.020513156, -0.025919106, 0.0, 0.020513156,
            -0.025919106, 0.0053839847, 0.0053839847, -0.0059574326, 0.00055148266, 0.0, -0.0059574326, 0.00055148266,
            0.00549334, -0.020977248, 0.021813495, 0.0, -0.020977248, 0.021813495, 0.0009365213, -0.025534067,
            0.00549334, 0.021813495, 0.0, 0.00549334, 0.021813495, -0.025534067, 0.0009365213, 0.00549334,
            -0.004657094, 0.0, 0.00549334, -0.004657094, -0.026006496, 0.0041056112, 0.020150082, -0.006320506,
            0.0, 0.0041056112, -0.006320506, 0.00046409274, 0.0041056112, -0.006320506, 0.020150082, 0.0,
            -0.022364978, 0.020150082, 0.00046409274, -0.022364978, 0.020150082, 0.020150082, 0.0, 0.0041056112,
            0.020513156, -0.025919106, 0.0053839847, 0.0053839847, 0.0, 0.00055148266, 0.0053839847, -0.0059574326,
            0.00055148266, 0.0053839847, -0.021086603, 0.0, 0.00055148266, -0.021086603, 0.020513156, 0.00055148266,
            -0.021086603, 0.0053839847, 0.0, -0.025919106, 0.00549334, 0.021813495, -0.025534067, 0.0009365213,
            0.0, -0.004657094, 0.0009365213, 0.00549334, -0.004657094, 0.0009365213, 0.0009365213, 0.0,
            0.021813495, 0.0009365213, -0.020977248, 0.021813495, 0.0009365213, -0.025534067, 0.0, 0.021813495,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bce_logits_hard
    pub mod bce_logits_hard {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.97951776,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[3, 5];
        pub const DLOGITS: &[f64] = &[
            -0.06112182, 0.018997192, -0.024236497, 0.058995552, 0.010473032, -0.0366556, 0.052163318, -0.003968291,
            0.018458547, 0.04180985, -0.007946862, 0.010124744, -0.037314244, 0.05170427, 0.06254643,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case bce_logits_soft
    pub mod bce_logits_soft {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.8121844,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[3, 5];
        pub const DLOGITS: &[f64] = &[
            0.0055448464, -0.0003361404, 0.0037635027, 0.0009955512, -0.00019363541, 1.1066846e-05, 0.002829985, 0.060698375,
            -0.002874787, 0.0011431844, -0.0012801948, -0.0025419225, -0.0026475766, 0.0003709343, 0.058546435,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case mse
    pub mod mse {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            2.232423,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            -0.19986694, -0.1473327, -0.05795736, 0.078429475, -0.140112, 0.037983615, 0.1911602, 0.29958147,
            -0.025539782, 0.017488, 0.07063321, -0.22889413, -0.09143971, 0.08055456, 0.2584021, 0.020663502,
            0.12793285, 0.19196475, -0.15515098, -0.10137844,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case l1
    pub mod l1 {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.2612329,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            -0.05, -0.05, -0.05, 0.05, -0.05, 0.05, 0.05, 0.05,
            -0.05, 0.05, 0.05, -0.05, -0.05, 0.05, 0.05, 0.05,
            0.05, 0.05, -0.05, -0.05,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case huber_d1
    pub mod huber_d1 {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.8263318,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            -0.05, -0.05, -0.02897868, 0.039214738, -0.05, 0.018991807, 0.05, 0.05,
            -0.012769891, 0.008744, 0.035316605, -0.05, -0.045719855, 0.04027728, 0.05, 0.010331751,
            0.05, 0.05, -0.05, -0.05,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case huber_d05
    pub mod huber_d05 {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.51226735,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            -0.025, -0.025, -0.025, 0.025, -0.025, 0.018991807, 0.025, 0.025,
            -0.012769891, 0.008744, 0.025, -0.025, -0.025, 0.025, 0.025, 0.010331751,
            0.025, 0.025, -0.025, -0.025,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case l1_zero_residual
    pub mod l1_zero_residual {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.88413346,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            0.0, -0.05, -0.05, 0.0, -0.05, 0.05, 0.0, 0.05,
            -0.05, 0.0, 0.05, -0.05, 0.0, 0.05, 0.05, 0.0,
            0.05, 0.05, 0.0, -0.05,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case huber_zero_residual
    pub mod huber_zero_residual {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.5901297,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            0.0, -0.05, -0.02897868, 0.0, -0.05, 0.018991807, 0.0, 0.05,
            -0.012769891, 0.0, 0.035316605, -0.05, 0.0, 0.04027728, 0.05, 0.0,
            0.05, 0.05, 0.0, -0.05,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case quantile_q03
    pub mod quantile_q03 {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.6533286,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[4, 5];
        pub const DLOGITS: &[f64] = &[
            -0.015, -0.015, -0.015, 0.035, -0.015, 0.035, 0.035, 0.035,
            -0.015, 0.035, 0.035, -0.015, -0.015, 0.035, 0.035, 0.035,
            0.035, 0.035, -0.015, -0.015,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case dice
    pub mod dice {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.66889113,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 4, 4];
        pub const DLOGITS: &[f64] = &[
            -0.0028841025, 0.00032652172, 0.00044198227, 0.00044198227, -0.0028841025, 0.00032652172, 0.006389975, 0.0032830383,
            -0.0028841025, -0.008337665, 0.006389975, 0.0018838851, 0.0018838851, -0.008337665, 0.000569028, 0.00032652172,
            0.0024084172, 0.0033408327, -0.0017055032, -0.0017055032, 0.0024084172, 0.0033408327, 0.001164367, -0.0034109235,
            0.0024084172, 0.0008393959, 0.001164367, -0.0048934757, -0.0048934757, 0.0008393959, 0.00019557249, 0.0033408327,
            0.00047568537, -0.0036673544, 0.001263521, 0.001263521, 0.00047568537, -0.0036673544, -0.007554342, 0.00012788523,
            0.00047568537, 0.007498269, -0.007554342, 0.0030095906, 0.0030095906, 0.007498269, -0.00076460047, -0.0036673544,
            0.0008795186, -0.004042258, -0.0023195432, 0.008068026, 0.0008795186, 0.0020138917, -0.0023195432, 0.008068026,
            0.0008237918, 0.0020138917, -0.0065104878, -0.0065104878, 0.00047271122, 0.0020138917, 0.0008795186, -0.004042258,
            -0.0017290725, 0.0034562033, 0.002066417, 0.001412139, -0.0017290725, -0.004961101, 0.002066417, 0.001412139,
            0.00013572781, -0.004961101, 0.00072019995, 0.00072019995, 0.004051747, -0.004961101, -0.0017290725, 0.0034562033,
            0.00084955397, 0.0005860546, 0.0002531263, -0.009480165, 0.00084955397, 0.0029472094, 0.0002531263, -0.009480165,
            -0.0009595196, 0.0029472094, 0.0057902876, 0.0057902876, -0.004524458, 0.0029472094, 0.00084955397, 0.0005860546,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case dice_nobg
    pub mod dice_nobg {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.6668802,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 4, 4];
        pub const DLOGITS: &[f64] = &[
            -0.0005332217, 4.3923785e-05, -0.0006154652, -0.0006154652, -0.0005332217, 4.3923785e-05, 0.008306524, 0.0041475613,
            -0.0005332217, -0.0016307877, 0.008306524, 0.0023799688, 0.0023799688, -0.0016307877, 7.654579e-05, 4.3923785e-05,
            0.00038602747, 0.005390535, -0.0024260639, -0.0024260639, 0.00038602747, 0.005390535, 0.0018787415, -0.004455405,
            0.00038602747, 0.00013454059, 0.0018787415, -0.006960927, -0.006960927, 0.00013454059, 0.00095433934, 0.005390535,
            0.00014719421, -0.005434459, 0.003041529, 0.003041529, 0.00014719421, -0.005434459, -0.010185265, 0.00030784344,
            0.00014719421, 0.0014962471, -0.010185265, 0.0045809583, 0.0045809583, 0.0014962471, -0.0010308851, -0.005434459,
            -0.00090858754, -0.0013154823, -0.0007548549, 0.009874174, -0.00090858754, 0.0022438634, -0.0007548549, 0.009874174,
            -0.0001183413, 0.0022438634, -0.0019537187, -0.0019537187, -6.7907036e-05, 0.0022438634, -0.00090858754, -0.0013154823,
            -0.0023632464, 0.001145324, 0.0007819626, 0.0023485709, -0.0023632464, -0.00678069, 0.0007819626, 0.0023485709,
            0.0013554466, -0.00678069, 0.00027253426, 0.00027253426, 0.006738582, -0.00678069, -0.0023632464, 0.001145324,
            0.003271834, 0.00017015837, -2.7107679e-05, -0.012222745, 0.003271834, 0.0045368266, -2.7107679e-05, -0.012222745,
            -0.0012371053, 0.0045368266, 0.0016811845, 0.0016811845, -0.0066706752, 0.0045368266, 0.003271834, 0.00017015837,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case dice_batch
    pub mod dice_batch {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.66542405,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 4, 4];
        pub const DLOGITS: &[f64] = &[
            -0.002551386, 0.00042346132, 0.00073865213, 0.00073865213, -0.002551386, 0.00042346132, 0.0072523095, 0.0034426963,
            -0.002551386, -0.0072788973, 0.0072523095, 0.0019755005, 0.0019755005, -0.0072788973, 0.0007379642, 0.00042346132,
            0.0021948812, 0.0036461055, -0.0017248093, -0.0017248093, 0.0021948812, 0.0036461055, 0.0012707624, -0.0035425087,
            0.0021948812, 0.0007649731, 0.0012707624, -0.004948869, -0.004948869, 0.0007649731, 0.00012468474, 0.0036461055,
            0.0003565047, -0.0040695667, 0.0009861571, 0.0009861571, 0.0003565047, -0.0040695667, -0.008523072, 9.98123e-05,
            0.0003565047, 0.0065139243, -0.008523072, 0.0029733684, 0.0029733684, 0.0065139243, -0.0008626489, -0.0040695667,
            0.00073865213, -0.004446289, -0.002551386, 0.0072523095, 0.00073865213, 0.0019755005, -0.002551386, 0.0072523095,
            0.0007379642, 0.0019755005, -0.0072788973, -0.0072788973, 0.00042346132, 0.0019755005, 0.00073865213, -0.004446289,
            -0.0017248093, 0.003786993, 0.0021948812, 0.0012707624, -0.0017248093, -0.004948869, 0.0021948812, 0.0012707624,
            0.00012468474, -0.004948869, 0.0007649731, 0.0007649731, 0.0036461055, -0.004948869, -0.0017248093, 0.003786993,
            0.0009861571, 0.0006592963, 0.0003565047, -0.008523072, 0.0009861571, 0.0029733684, 0.0003565047, -0.008523072,
            -0.0008626489, 0.0029733684, 0.0065139243, 0.0065139243, -0.0040695667, 0.0029733684, 0.0009861571, 0.0006592963,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case dice_ce
    pub mod dice_ce {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            2.2592728,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 4, 4];
        pub const DLOGITS: &[f64] = &[
            -0.031342205, 0.0031184205, 0.01202686, 0.01202686, -0.031342205, 0.0031184205, 0.017974854, 0.029188104,
            -0.031342205, -0.028002787, 0.017974854, 0.0046757837, 0.0046757837, -0.028002787, 0.026474092, 0.0031184205,
            0.026617356, 0.027549772, -0.03092212, -0.03092212, 0.026617356, 0.027549772, 0.0031977494, -0.030114057,
            0.026617356, 0.0028727783, 0.0031977494, -0.0119345365, -0.0119345365, 0.0028727783, 0.00474244, 0.027549772,
            0.004724848, -0.030668192, 0.018895261, 0.018895261, 0.004724848, -0.030668192, -0.021172602, 0.0009259532,
            0.004724848, 0.025130007, -0.021172602, 0.0072587533, 0.0072587533, 0.025130007, -0.031216532, -0.030668192,
            0.012464397, -0.009387193, -0.030777644, 0.019652905, 0.012464397, 0.0048057903, -0.030777644, 0.019652905,
            0.026728857, 0.0048057903, -0.026175609, -0.026175609, 0.00326461, 0.0048057903, 0.012464397, -0.009387193,
            -0.03094569, 0.008003071, 0.026275355, 0.0034455215, -0.03094569, -0.012002163, 0.026275355, 0.0034455215,
            0.004682595, -0.012002163, 0.0027535823, 0.0027535823, 0.028260686, -0.012002163, -0.03094569, 0.008003071,
            0.018481294, 0.0013841225, 0.004502289, -0.023098426, 0.018481294, 0.007196372, 0.004502289, -0.023098426,
            -0.03141145, 0.007196372, 0.023422027, 0.023422027, -0.031525295, 0.007196372, 0.018481294, 0.0013841225,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case focal
    pub mod focal {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.93132406,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.18346855, 0.0138553735, 0.04204217, 0.127571, 0.0011035625, 0.003348604, 0.010160865, -0.014613031,
            0.013620675, -0.14673357, 0.12541007, 0.007702838, 0.003512959, 0.010659576, -0.016159203, 0.0019866677,
            0.01203062, -0.021076437, 0.0022421945, 0.0068036215, -0.15074609, 0.120809965, 0.0074202945, 0.022515833,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case focal_alpha
    pub mod focal_alpha {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            0.28257015,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[6, 4];
        pub const DLOGITS: &[f64] = &[
            -0.045867138, 0.0034638434, 0.010510542, 0.03189275, 0.0011035625, 0.003348604, 0.010160865, -0.014613031,
            0.0068103373, -0.07336678, 0.06270503, 0.003851419, 0.0026347192, 0.0079946825, -0.012119402, 0.0014900008,
            0.00601531, -0.010538219, 0.0011210972, 0.0034018108, -0.037686523, 0.030202491, 0.0018550736, 0.0056289583,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case focal_spatial
    pub mod focal_spatial {
        pub const LOSS_SHAPE: &[usize] = &[1];
        pub const LOSS: &[f64] = &[
            1.5163008,
        ];
        pub const DLOGITS_SHAPE: &[usize] = &[2, 3, 3, 3];
        pub const DLOGITS: &[f64] = &[
            -0.061977178, 0.005834358, 0.023957215, 0.023957215, -0.061977178, 0.005834358, 0.008856399, 0.055253383,
            -0.061977178, 0.052484524, 0.052131232, -0.06267386, -0.06267386, 0.052484524, 0.052131232, 0.0016018195,
            -0.057060856, 0.052484524, 0.009492655, -0.057965588, 0.038716644, 0.038716644, 0.009492655, -0.057965588,
            -0.010458218, 0.0018074727, 0.009492655, -0.03159774, 0.052021325, 0.0006794056, 0.023957215, -0.03159774,
            0.005834358, 0.005834358, 0.023957215, -0.0008517528, 0.0031803788, 0.009408878, -0.0017773755, -0.06267386,
            0.0031803788, 0.052131232, 0.052131232, -0.06267386, 0.0007212952, 0.028417362, -0.0614302, 0.00109797,
            0.038716644, 0.028417362, -0.057965588, -0.057965588, 0.038716644, 0.00013045763,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case lstm_2layer
    pub mod lstm_2layer {
        pub const Y_SHAPE: &[usize] = &[2, 5, 4];
        pub const Y: &[f64] = &[
            -0.004430338, -0.024598721, -0.04385131, 0.009427865, -0.02575176, -0.039539654, -0.034271035, -0.004996886,
            -0.07829328, -0.012284546, -0.023347637, -0.043940455, -0.10528886, 0.005838305, -0.018036725, -0.063882746,
            -0.16618103, 0.053486984, -0.019254405, -0.111955345, -0.059421264, -0.01118201, -0.0074140937, -0.035772707,
            -0.070419155, -0.020279642, -0.010296606, -0.039173387, -0.09893811, -0.010780504, -0.0029455125, -0.059653535,
            -0.09824447, -0.008818825, -0.0060565155, -0.05727603, -0.12705888, 0.019734787, -0.0141880615, -0.07847637,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 5, 3];
        pub const DX: &[f64] = &[
            -0.013984923, -0.014409533, -0.010880371, 0.0013863964, 0.004620976, 0.0065876245, -0.0049537327, -0.0073697795,
            -0.0077636633, -0.009265852, -0.008492809, -0.0053894594, -0.01667309, -0.019585203, -0.017123414, 0.009879228,
            0.012195404, 0.011165334, 0.0069970516, 0.0067496127, 0.0046501756, 0.013042327, 0.012269965, 0.008130899,
            0.0060331435, 0.006879488, 0.005838198, 0.016232738, 0.012294121, 0.00498217,
        ];
        pub const DWEIGHT_IH_L0_SHAPE: &[usize] = &[16, 3];
        pub const DWEIGHT_IH_L0: &[f64] = &[
            -0.0002326002, -0.001689579, -0.003209468, 0.0036066675, -0.0006339114, -0.0016397858, -0.0025404887, -0.00034468062,
            0.0020914022, -0.002708952, -0.0023332299, 0.0006960754, 0.0014793269, -0.00028405545, 0.0006001307, 0.00048658936,
            -0.0015871383, -0.002169415, -0.00081720593, 0.0015003686, -0.00038240463, -0.0008951098, 0.0011405795, 0.00022048641,
            0.0005609245, -0.0141351605, 0.006945302, 0.007683238, -0.003081954, 0.0009864395, -0.008495769, 0.013879973,
            0.0022868393, -0.0101361, 0.0066544064, -0.0024626593, 0.0026298058, -0.0028941163, -0.0033219345, 0.006950737,
            0.0029981725, -0.0073097963, -0.007178973, 0.00083433226, 0.0034198915, -0.007866659, -0.0038311735, 0.0019738402,
        ];
        pub const DWEIGHT_HH_L0_SHAPE: &[usize] = &[16, 4];
        pub const DWEIGHT_HH_L0: &[f64] = &[
            4.423999e-05, -0.0006837443, 0.00018306091, 0.00052107504, -2.147811e-05, -0.0003605544, 6.510008e-05, 0.00022955683,
            7.823502e-05, 0.00026572632, -0.00012316396, -0.0002724896, 4.9284943e-05, 0.00015209183, -8.6367894e-05, -6.689089e-05,
            -3.957407e-05, -0.000115891715, -5.623315e-06, 0.0003688623, -0.00022479046, -0.00056498306, 0.00037307592, 0.00041047027,
            -2.756985e-05, 0.00021448104, -3.7157372e-06, -0.00029924532, 0.00013810095, 0.00020395254, -0.00016337595, -0.00038141588,
            0.004119938, -0.003636974, -0.001875688, -0.00054355385, 0.0040406194, -0.0037533103, -0.0020086383, -0.000932573,
            0.0009257665, -0.00045789155, -0.00043793986, -0.0024249298, 0.00014439419, -0.00041712454, 0.0001193457, -0.0016702998,
            7.910961e-05, -0.0009131251, 0.00014794176, 0.00070268934, -0.00013116024, -0.0011538316, 0.00046182095, 0.0008037465,
            0.00019754969, 0.00063727016, -0.0002290811, -0.00081400055, 0.00022827114, 0.00052005856, -0.00032434933, -0.0006386543,
        ];
        pub const DBIAS_IH_L0_SHAPE: &[usize] = &[16];
        pub const DBIAS_IH_L0: &[f64] = &[
            -0.00048817528, 0.0010828358, -0.0012954149, -0.00026232837, 0.003493653, -0.0019882172, -0.00021301315, -0.0009828131,
            -0.0068893083, 0.0059761964, 0.0021919224, -0.009304723, -0.0009625103, 0.0012376325, -0.0023059805, 0.0006224337,
        ];
        pub const DBIAS_HH_L0_SHAPE: &[usize] = &[16];
        pub const DBIAS_HH_L0: &[f64] = &[
            -0.00048817528, 0.0010828358, -0.0012954149, -0.00026232837, 0.003493653, -0.0019882172, -0.00021301315, -0.0009828131,
            -0.0068893083, 0.0059761964, 0.0021919224, -0.009304723, -0.0009625103, 0.0012376325, -0.0023059805, 0.0006224337,
        ];
        pub const DWEIGHT_IH_L1_SHAPE: &[usize] = &[16, 4];
        pub const DWEIGHT_IH_L1: &[f64] = &[
            -0.0050492343, -0.009499777, 0.0030234214, 0.002642423, 0.004142858, 0.003756223, -0.001112243, -0.00198501,
            -0.0010695223, -0.00042000206, 0.00033493072, 0.00025432766, -0.0020562683, 0.0038712767, -0.001319082, -0.0018550954,
            -0.003993051, -0.006065778, 0.0021647443, 0.0015205, -9.833768e-06, -0.0005551433, 0.00036199033, 0.00011553316,
            -0.0011427167, -0.00051945134, 0.00039887396, 8.79521e-05, -0.0015130112, 0.002419974, -0.00040006632, -0.00091068575,
            0.034715988, 0.07291181, -0.024093207, 0.010103413, 0.052578937, 0.046796102, -0.017930144, 0.0077750655,
            0.034742188, -0.0036766557, -0.0013433833, 0.01010995, 0.009315164, -0.042584583, 0.01385053, 0.0018499019,
            -0.013999193, -0.020027554, 0.00814943, 0.005270636, 0.006329766, 0.004787792, -0.0010105642, -0.0034369566,
            -0.0031393664, -0.00083775236, 0.0010646123, 1.3491656e-05, -0.0034493809, 0.00885714, -0.0030073342, -0.004456047,
        ];
        pub const DWEIGHT_HH_L1_SHAPE: &[usize] = &[16, 4];
        pub const DWEIGHT_HH_L1: &[f64] = &[
            0.0036420794, 0.00049102615, 0.00048846327, 0.0020939829, -0.0017092186, -3.9084895e-05, -0.00054249377, -0.0009587993,
            0.0004005949, 1.2226818e-05, 6.463018e-05, 0.00024636637, -0.0006586642, -0.00047885915, 1.6811033e-05, -0.0002946326,
            0.0026111982, 0.0001748526, 0.0002707804, 0.0015262017, -8.6920634e-05, 0.00015481428, -1.0843154e-06, -6.969713e-05,
            0.00020339875, 1.2612135e-05, 3.9191073e-05, 0.00012457765, -0.0002286222, -0.00021623807, -3.114627e-05, -7.2933064e-05,
            -0.027746035, -0.0030684224, 0.0006830236, -0.016903995, -0.026249021, -0.00081344706, -0.00046636545, -0.016493319,
            -0.013606236, 0.00073289196, -0.0017830372, -0.008852799, 0.0060499576, 0.0026776623, -0.0018060245, 0.0032175232,
            0.0055930233, 0.00089425576, 0.0008514643, 0.0031372614, -0.0026754232, 3.5733698e-05, -0.001057779, -0.0014596661,
            0.0007007023, 2.9335279e-05, 6.959106e-06, 0.0004561417, -0.0002459218, -0.00080121565, -0.00011419338, 8.68651e-05,
        ];
        pub const DBIAS_IH_L1_SHAPE: &[usize] = &[16];
        pub const DBIAS_IH_L1: &[f64] = &[
            -0.036576934, 0.020029096, -0.0013705435, 0.015802076, -0.027839111, -0.00048177718, -0.002196665, 0.00418408,
            0.34416753, 0.15267932, -0.020333463, -0.24288894, -0.05689839, 0.0319507, -0.00210368, 0.019199805,
        ];
        pub const DBIAS_HH_L1_SHAPE: &[usize] = &[16];
        pub const DBIAS_HH_L1: &[f64] = &[
            -0.036576934, 0.020029096, -0.0013705435, 0.015802076, -0.027839111, -0.00048177718, -0.002196665, 0.00418408,
            0.34416753, 0.15267932, -0.020333463, -0.24288894, -0.05689839, 0.0319507, -0.00210368, 0.019199805,
        ];
    }

    // PyTorch 2.15.0, tests/fixtures/torch_reference.py case gru_2layer
    pub mod gru_2layer {
        pub const Y_SHAPE: &[usize] = &[2, 5, 4];
        pub const Y: &[f64] = &[
            0.0019899884, -0.177989, -0.06869603, -0.010815468, -0.05712955, -0.20742968, -0.06395076, -0.08053486,
            -0.2294642, -0.16388808, 0.084255606, -0.27141672, -0.32677865, -0.09477222, 0.11385974, -0.3678486,
            -0.42397034, -0.060099144, 0.21624503, -0.46978185, -0.12898731, -0.12544467, 0.0081100995, -0.15052843,
            -0.17665657, -0.16352102, 0.029770762, -0.20717324, -0.28414267, -0.122846246, 0.093258165, -0.32241237,
            -0.2971467, -0.10258818, 0.08354225, -0.33304983, -0.3886884, -0.048645526, 0.14527036, -0.4294077,
        ];
        pub const DX_SHAPE: &[usize] = &[2, 5, 3];
        pub const DX: &[f64] = &[
            0.012069367, 0.008021539, 0.0017727141, 0.017048152, 0.020137394, 0.01770122, 0.014345552, 0.015894499,
            0.01308222, 0.0033061884, 0.0054709823, 0.0061346157, 0.03378025, 0.033808447, 0.024560088, -0.0033266451,
            -0.014163468, -0.021114036, 0.0009903084, -0.00045478228, -0.0017750871, -0.018137049, -0.018730445, -0.014184469,
            0.014511728, 0.0123981545, 0.006882703, -0.025678076, -0.036396563, -0.037128348,
        ];
        pub const DWEIGHT_IH_L0_SHAPE: &[usize] = &[12, 3];
        pub const DWEIGHT_IH_L0: &[f64] = &[
            -0.0054937517, -0.004033728, 0.0006836886, 0.0002230893, -0.0006055989, -5.1376235e-05, 0.003877906, 0.003162873,
            -0.0012780032, -7.8292935e-05, 0.001236348, 8.617881e-05, -0.0039006048, -0.022006463, -0.0025115716, -0.03461145,
            -0.016717514, 0.0066528353, 0.002867529, 0.0107651735, -0.008615842, 0.014362866, 0.004956777, 0.0006567539,
            0.07019385, 0.059058934, -0.0063401116, 0.031574685, 0.023877483, 0.025169674, 0.044388104, 0.053081904,
            -0.004482069, 0.0049524275, 0.0108615095, -0.023254124,
        ];
        pub const DWEIGHT_HH_L0_SHAPE: &[usize] = &[12, 4];
        pub const DWEIGHT_HH_L0: &[f64] = &[
            0.0009336817, 0.0006631187, -8.9899266e-05, 0.0009355794, -5.305322e-05, -0.00011837552, 0.00010639456, 9.94258e-05,
            -0.000384883, -0.000313364, -0.00018049838, -5.745749e-05, 0.00030524336, 0.00039328798, -0.00047274472, 7.748487e-05,
            0.003585926, -0.0011238268, -0.0015008255, 0.005859397, 0.0021003128, 0.0029973732, 0.0022218956, 0.002228332,
            -0.001519153, -0.00051499135, 0.00085061963, -0.0007124504, 0.00045858882, 0.00045802045, -0.002627235, -0.0019856957,
            -0.008236576, -0.0053534615, 0.0012709692, -0.008299739, -0.0029219862, -0.00330472, -0.0041189403, -0.005060854,
            -0.0037532297, -0.0017224039, -0.0025078743, -0.0028180021, 0.003029166, 9.7345765e-05, -0.0019685302, 0.008917629,
        ];
        pub const DBIAS_IH_L0_SHAPE: &[usize] = &[12];
        pub const DBIAS_IH_L0: &[f64] = &[
            -0.009854659, -0.00011089657, 0.0064918497, 0.001423844, -0.020634057, -0.0273823, 0.012296668, 0.0055202544,
            0.15562478, 0.13787384, 0.13407907, 0.010322595,
        ];
        pub const DBIAS_HH_L0_SHAPE: &[usize] = &[12];
        pub const DBIAS_HH_L0: &[f64] = &[
            -0.009854659, -0.00011089657, 0.0064918497, 0.001423844, -0.020634057, -0.0273823, 0.012296668, 0.0055202544,
            0.08963161, 0.09062954, 0.081261165, 0.0053985575,
        ];
        pub const DWEIGHT_IH_L1_SHAPE: &[usize] = &[12, 4];
        pub const DWEIGHT_IH_L1: &[f64] = &[
            -0.0016718488, -0.0038090749, 0.0049786717, 0.00621775, 0.0057930597, 0.004330278, -0.022966234, -0.01480455,
            0.0024290076, -0.0011647459, -0.011898776, 0.0037413388, -0.0006179915, 0.0041011083, 0.0027374926, -0.0029504562,
            0.001890969, 0.013460987, -0.02089863, -0.04297072, -0.0068460507, -0.012000034, 0.01601159, 0.009991529,
            -0.0032680407, -0.0044609685, 0.017511148, 0.011405159, -0.0011082048, -0.005381587, 0.0099980235, 0.026531035,
            0.04486904, -0.0132959215, -0.15996921, -0.16263692, 0.05343895, 0.037942767, -0.23996659, -0.1772234,
            0.013742821, -0.013620968, -0.08978476, 0.047768794, -0.022445608, -0.016361926, 0.05944046, 0.17086466,
        ];
        pub const DWEIGHT_HH_L1_SHAPE: &[usize] = &[12, 4];
        pub const DWEIGHT_HH_L1: &[f64] = &[
            0.003072679, 0.0011932907, -0.00055905076, 0.0034317954, -0.01470358, -0.0036703397, 0.0032187793, -0.016299324,
            -0.0069216774, -0.0011934394, 0.0014867013, -0.007636658, -0.00042937897, -0.0009181095, -0.00022339346, -0.0005294539,
            -0.019116286, -0.013371031, 0.0014570694, -0.021960359, -0.00035358887, 0.00030155655, 0.0014668762, -0.0004809005,
            0.006543132, 0.004156896, -0.00075902976, 0.0075743105, 0.011608917, 0.007679847, -0.00241858, 0.013333776,
            -0.068403415, -0.011319315, 0.017303523, -0.07537364, -0.13140684, -0.037948452, 0.027723804, -0.14627336,
            -0.047644775, -0.009949239, 0.00947484, -0.052655503, 0.021448081, 0.005066849, -0.0074477727, 0.023936532,
        ];
        pub const DBIAS_IH_L1_SHAPE: &[usize] = &[12];
        pub const DBIAS_IH_L1: &[f64] = &[
            -0.0077894535, 0.038760804, -0.0038552142, -0.017090188, 0.07393815, -0.0059456844, -0.030563202, -0.087604865,
            0.5354433, 0.38575676, -0.18211903, -0.5192,
        ];
        pub const DBIAS_HH_L1_SHAPE: &[usize] = &[12];
        pub const DBIAS_HH_L1: &[f64] = &[
            -0.0077894535, 0.038760804, -0.0038552142, -0.017090188, 0.07393815, -0.0059456844, -0.030563202, -0.087604865,
            0.28699923, 0.3017574, -0.09190527, -0.26341486,
        ];
    }
}
