//! Finite-difference gradient checks of scidl-core's layers and losses.
//!
//! Every check runs in f64: the autograd gradient of a scalar objective with respect to each input
//! and weight is compared with the central difference `(f(p + eps) - f(p - eps)) / 2 eps`,
//! `eps = 1e-6`, element by element (at most [`MAX_ELEMS`] elements per tensor, evenly spread).
//! Layers are differentiated through `(out * coeff).sum()` with a fixed `coeff`. Max-pooling inputs
//! have no ties (their values are at least 0.01 apart within every window), Huber residuals avoid
//! `|r| = delta`.
#![allow(missing_docs)]

use candle_core::{DType, Device, Module, Tensor, Var};
use candle_nn::ModuleT;
use scidl_core::loss::{CrossEntropy, DiceLoss, bce_with_logits, dice_ce, focal_loss, huber};
use scidl_core::nn::ParamStore;
use scidl_core::nn::layers::{
    BatchNormConfig, Conv3dConfig, ConvTranspose3dConfig, InterpMode, Pool, PoolMode, RecurrentCell, batch_norm1d,
    batch_norm2d, batch_norm3d, conv_transpose3d, conv3d, group_norm, interpolate, max_pool2d, max_pool3d, recurrent,
};

const EPS: f64 = 1e-6;
/// Most elements of one tensor that are perturbed.
const MAX_ELEMS: usize = 400;
const RTOL: f64 = 1e-6;
const ATOL: f64 = 1e-7;

fn from_fn(shape: &[usize], f: impl Fn(usize) -> f64) -> Tensor {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n).map(f).collect::<Vec<f64>>(), shape, &Device::Cpu).unwrap()
}

/// `fmod(k * 0.37, 1.3) - 0.6`: within any 130 consecutive elements the values are distinct and at
/// least 0.01 apart (37 dk - 130 dm is a non-zero integer).
fn lin(shape: &[usize]) -> Tensor {
    from_fn(shape, |k| (k as f64 * 0.37) % 1.3 - 0.6)
}

fn wave(shape: &[usize], a: f64, s: f64) -> Tensor {
    from_fn(shape, |k| s * (k as f64 * a + 0.1).sin())
}

fn var(t: Tensor) -> Var {
    Var::from_tensor(&t).unwrap()
}

fn objective(y: &Tensor) -> Tensor {
    let c = from_fn(y.dims(), |k| (k as f64 * 0.71 + 0.2).cos()).to_dtype(y.dtype()).unwrap();
    y.mul(&c).unwrap().sum_all().unwrap()
}

fn scalar(t: &Tensor) -> f64 {
    t.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap()[0]
}

fn values(t: &Tensor) -> Vec<f64> {
    t.flatten_all().unwrap().to_vec1::<f64>().unwrap()
}

/// Compares the autograd gradient of the scalar `f()` with respect to each of `params` with central
/// differences, perturbing the variables in place (`Var::set`) and restoring them afterwards.
fn gradcheck(case: &str, params: &[(&str, &Var)], f: impl Fn() -> Tensor) {
    let grads = f().backward().unwrap();
    for (name, p) in params {
        let analytic = values(grads.get(p.as_tensor()).unwrap_or_else(|| panic!("{case}: no gradient for {name}")));
        let shape = p.dims().to_vec();
        let orig = values(p.as_tensor());
        let n = orig.len();
        let step = n.div_ceil(MAX_ELEMS).max(1);
        let (mut worst, mut checked) = (0f64, 0usize);
        for j in (step / 2..n).step_by(step) {
            let eval = |v: f64| {
                let mut data = orig.clone();
                data[j] = v;
                p.set(&Tensor::from_vec(data, shape.as_slice(), &Device::Cpu).unwrap()).unwrap();
                scalar(&f())
            };
            let (hi, lo) = (orig[j] + EPS, orig[j] - EPS);
            let numeric = (eval(hi) - eval(lo)) / (hi - lo);
            let d = (numeric - analytic[j]).abs();
            assert!(
                d <= ATOL + RTOL * analytic[j].abs(),
                "{case}: d/d{name}[{j}] autograd {} vs finite difference {numeric} (|d| = {d:.3e})",
                analytic[j]
            );
            worst = worst.max(d);
            checked += 1;
        }
        p.set(&Tensor::from_vec(orig, shape.as_slice(), &Device::Cpu).unwrap()).unwrap();
        eprintln!("gradcheck {case} d/d{name}: {checked} of {n} elements, max |autograd - fd| {worst:.2e}");
    }
}

#[test]
fn conv3d_grads() {
    let cfgs = [
        (
            "pad1 stride[2,2]",
            [1, 2, 5, 5, 4],
            [3, 2, 3, 3, 3],
            Conv3dConfig { padding: [1, 1, 1], stride: [2, 2], dilation: [1, 1], groups: 1 },
        ),
        (
            "groups2 dilation[2,1]",
            [1, 4, 5, 4, 3],
            [4, 2, 2, 3, 3],
            Conv3dConfig { padding: [1, 1, 0], stride: [1, 1], dilation: [2, 1], groups: 2 },
        ),
        (
            "dilation[1,2] stride[1,2]",
            [2, 1, 3, 6, 5],
            [2, 1, 3, 2, 2],
            Conv3dConfig { padding: [0, 1, 2], stride: [1, 2], dilation: [1, 2], groups: 1 },
        ),
    ];
    for (name, xs, ws, cfg) in cfgs {
        let x = var(lin(&xs));
        let w = var(wave(&ws, 0.53, 0.4));
        gradcheck(&format!("conv3d {name}"), &[("x", &x), ("w", &w)], || objective(&conv3d(&x, &w, &cfg).unwrap()));
    }
}

#[test]
fn conv_transpose3d_grads() {
    let cfgs = [
        ("k2 s2", [1, 3, 2, 3, 2], [3, 2, 2, 2, 2], ConvTranspose3dConfig { stride: [2, 2], ..Default::default() }),
        (
            "k3 s2 p1 op1",
            [1, 2, 3, 2, 3],
            [2, 2, 3, 3, 3],
            ConvTranspose3dConfig { padding: [1, 1], output_padding: [1, 1], stride: [2, 2], dilation: [1, 1] },
        ),
    ];
    for (name, xs, ws, cfg) in cfgs {
        let x = var(lin(&xs));
        let w = var(wave(&ws, 0.53, 0.4));
        gradcheck(&format!("conv_transpose3d {name}"), &[("x", &x), ("w", &w)], || {
            objective(&conv_transpose3d(&x, &w, &cfg).unwrap())
        });
    }
}

#[test]
fn max_pool_grads() {
    let x = var(lin(&[1, 2, 7, 6]));
    gradcheck("max_pool2d 3x3 s2", &[("x", &x)], || objective(&max_pool2d(&x, 3, 2).unwrap()));
    let x = var(lin(&[2, 1, 4, 4, 6]));
    gradcheck("max_pool3d 2 s2", &[("x", &x)], || objective(&max_pool3d(&x, 2, 2).unwrap()));
    let x = var(lin(&[1, 2, 5, 5, 5]));
    let pool = Pool::uniform(PoolMode::Max, 3, 3, 2, 1);
    gradcheck("max_pool3d 3 s2 p1", &[("x", &x)], || objective(&pool.forward(&x).unwrap()));
}

#[test]
fn avg_pool3d_grads() {
    let x = var(lin(&[1, 2, 5, 5, 5]));
    let pool = Pool::uniform(PoolMode::Avg, 3, 3, 2, 1);
    gradcheck("avg_pool3d 3 s2 p1", &[("x", &x)], || objective(&pool.forward(&x).unwrap()));
}

#[test]
fn interpolate_linear_grads() {
    let x = var(lin(&[1, 2, 3, 4]));
    gradcheck("bilinear align_corners=false", &[("x", &x)], || {
        objective(&interpolate(&x, &[5, 7], InterpMode::Linear, false).unwrap())
    });
    let x = var(lin(&[1, 1, 2, 3, 4]));
    gradcheck("trilinear align_corners=true", &[("x", &x)], || {
        objective(&interpolate(&x, &[3, 5, 3], InterpMode::Linear, true).unwrap())
    });
}

fn set_param(store: &ParamStore, name: &str, c: usize, f: impl Fn(f64) -> f64) -> Var {
    let v = store.get(name).unwrap();
    v.set(&from_fn(&[c], |k| f(k as f64))).unwrap();
    v
}

#[test]
fn batch_norm_train_grads() {
    for xs in [vec![5, 3], vec![2, 3, 3, 4], vec![2, 2, 2, 3, 2]] {
        let c = xs[1];
        let store = ParamStore::new(0, &Device::Cpu);
        let vb = store.var_builder().set_dtype(DType::F64);
        let bn = match xs.len() {
            2 => batch_norm1d(c, BatchNormConfig::default(), vb),
            4 => batch_norm2d(c, BatchNormConfig::default(), vb),
            _ => batch_norm3d(c, BatchNormConfig::default(), vb),
        }
        .unwrap();
        let w = set_param(&store, "weight", c, |k| 1.0 + 0.25 * k);
        let b = set_param(&store, "bias", c, |k| 0.1 * k - 0.15);
        let x = var((lin(&xs) * 2.0).unwrap());
        gradcheck(&format!("batch_norm train {xs:?}"), &[("x", &x), ("weight", &w), ("bias", &b)], || {
            objective(&bn.forward_t(&x, true).unwrap())
        });
    }
}

#[test]
fn group_norm_grads() {
    let store = ParamStore::new(0, &Device::Cpu);
    let gn = group_norm(3, 6, 1e-5, store.var_builder().set_dtype(DType::F64)).unwrap();
    let w = set_param(&store, "weight", 6, |k| 1.0 + 0.25 * k);
    let b = set_param(&store, "bias", 6, |k| 0.1 * k - 0.15);
    let x = var((lin(&[2, 6, 2, 3]) * 2.0).unwrap());
    gradcheck("group_norm", &[("x", &x), ("weight", &w), ("bias", &b)], || objective(&gn.forward(&x).unwrap()));
}

fn logits(shape: &[usize]) -> Var {
    var((lin(shape) * 3.0).unwrap())
}

fn targets_fn(shape: &[usize], f: impl Fn(i64) -> i64) -> Tensor {
    let n: usize = shape.iter().product();
    Tensor::from_vec((0..n as i64).map(f).collect::<Vec<i64>>(), shape, &Device::Cpu).unwrap()
}

#[test]
fn cross_entropy_smoothing_weights_grads() {
    let z = logits(&[6, 4]);
    let t = Tensor::new(&[0i64, 3, 255, 2, 1, 0], &Device::Cpu).unwrap();
    let ce =
        CrossEntropy { class_weights: Some(vec![0.5, 1.0, 2.0, 1.5]), label_smoothing: 0.1, ignore_index: Some(255) };
    gradcheck("cross_entropy weights+smoothing+ignore", &[("logits", &z)], || ce.loss(&z, &t).unwrap());
    let z = logits(&[2, 3, 4, 5]);
    let t = targets_fn(&[2, 4, 5], |k| (7 * k + 1) % 3);
    let ce = CrossEntropy { class_weights: Some(vec![0.5, 2.0, 1.5]), label_smoothing: 0.2, ignore_index: None };
    gradcheck("cross_entropy spatial weights+smoothing", &[("logits", &z)], || ce.loss(&z, &t).unwrap());
}

#[test]
fn dice_grads() {
    let z = logits(&[2, 3, 4, 4]);
    let t = targets_fn(&[2, 4, 4], |k| (5 * k + k / 3) % 3);
    gradcheck("dice", &[("logits", &z)], || DiceLoss::default().loss(&z, &t).unwrap());
    let d = DiceLoss { include_background: false, batch: true, ..Default::default() };
    gradcheck("dice no background, batch", &[("logits", &z)], || d.loss(&z, &t).unwrap());
    gradcheck("dice_ce", &[("logits", &z)], || dice_ce(&z, &t, &DiceLoss::default()).unwrap());
}

#[test]
fn focal_grads() {
    let z = logits(&[6, 4]);
    let t = Tensor::new(&[0i64, 3, 1, 2, 1, 0], &Device::Cpu).unwrap();
    gradcheck("focal gamma=2", &[("logits", &z)], || focal_loss(&z, &t, 2.0, None).unwrap());
    gradcheck("focal gamma=2 alpha", &[("logits", &z)], || {
        focal_loss(&z, &t, 2.0, Some(&[0.25, 0.5, 0.75, 1.0])).unwrap()
    });
    let z = logits(&[2, 3, 3, 3]);
    let t = targets_fn(&[2, 3, 3], |k| (5 * k + k / 3) % 3);
    gradcheck("focal spatial gamma=1.5", &[("logits", &z)], || focal_loss(&z, &t, 1.5, None).unwrap());
}

#[test]
fn huber_and_bce_grads() {
    let out = var((lin(&[4, 5]) * 3.0).unwrap());
    let target = wave(&[4, 5], 0.7, 1.0);
    // No residual sits within 1e-3 of a branch point (0 or +-delta).
    let r = values(&(out.as_tensor() - &target).unwrap());
    for delta in [1.0, 0.5] {
        assert!(r.iter().all(|v| v.abs() > 1e-3 && (v.abs() - delta).abs() > 1e-3));
        gradcheck(&format!("huber delta={delta}"), &[("output", &out)], || huber(&out, &target, delta).unwrap());
    }
    let z = var((lin(&[3, 5]) * 4.0).unwrap());
    let t = from_fn(&[3, 5], |k| (k as f64 * 0.29) % 1.0);
    gradcheck("bce_with_logits", &[("logits", &z)], || bce_with_logits(&z, &t).unwrap());
}

/// The fused whole-sequence LSTM and GRU (hand-written backpropagation through time): input, both
/// weight matrices and both biases. Weights are scaled up (uniform in ±1.2) so that the gates work
/// away from their linear range.
#[test]
fn lstm_and_gru_layer_grads() {
    for cell in [RecurrentCell::Lstm, RecurrentCell::Gru] {
        let store = ParamStore::new(5, &Device::Cpu);
        let layer = recurrent(cell, 3, 4, store.var_builder().set_dtype(DType::F64)).unwrap();
        let names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"];
        let vars: Vec<Var> = names.iter().map(|n| store.get(n).unwrap()).collect();
        for v in &vars {
            v.set(&(v.as_tensor() * 2.4).unwrap()).unwrap();
        }
        let x = var((lin(&[2, 5, 3]) * 1.5).unwrap());
        let mut params = vec![("x", &x)];
        params.extend(names.iter().copied().zip(&vars));
        gradcheck(&format!("{cell:?}"), &params, || objective(&layer.forward(&x).unwrap()));
    }
}
