//! Known answers for the optimisers and gradient clipping of scidl-core, and the optimiser state
//! round trip that checkpoints rely on.
//!
//! The reference numbers (module [`reference`] at the end of this file) were printed by
//! `tests/fixtures/optim_reference.py` (PyTorch 2.15.0, float64; output committed as
//! `tests/fixtures/optim_reference.out`). Setting, rebuilt here bit for bit:
//!
//! - `w0[k] = fmod(k * 0.37, 1.3) - 0.6` for `k = 0..6`,
//! - `c[k] = cos(k * 0.71 + 0.2)`,
//! - `loss = sum(c * w) + 0.25 * sum(w^4)` (gradient `c + w^3`, so it changes every step),
//!
//! and `W1`, `W2`, `W3` are the parameters after one, two and three steps.
#![allow(missing_docs)]

use candle_core::{DType, Device, Tensor, Var};
use scidl_core::nn::params::{load_tensors, save_tensors};
use scidl_core::optim::{Optimizer, OptimizerConfig, clip_grad_norm};
use std::collections::BTreeMap;

const N: usize = 6;

fn w0() -> Vec<f64> {
    (0..N).map(|k| (k as f64 * 0.37) % 1.3 - 0.6).collect()
}

fn coeff() -> Tensor {
    let c: Vec<f64> = (0..N).map(|k| (k as f64 * 0.71 + 0.2).cos()).collect();
    Tensor::from_vec(c, N, &Device::Cpu).unwrap()
}

fn new_var(values: &[f64]) -> Var {
    Var::from_vec(values.to_vec(), N, &Device::Cpu).unwrap()
}

fn loss_of(w: &Var) -> Tensor {
    let lin = (w.as_tensor() * coeff()).unwrap().sum_all().unwrap();
    let quart = (w.as_tensor().sqr().unwrap().sqr().unwrap().sum_all().unwrap() * 0.25).unwrap();
    (lin + quart).unwrap()
}

fn values(w: &Var) -> Vec<f64> {
    w.as_tensor().to_vec1::<f64>().unwrap()
}

fn sgd(momentum: f64, nesterov: bool, weight_decay: f64) -> OptimizerConfig {
    OptimizerConfig::Sgd { lr: 0.1, momentum, nesterov, weight_decay }
}
fn adam() -> OptimizerConfig {
    OptimizerConfig::Adam { lr: 0.01, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.1 }
}
fn adamw() -> OptimizerConfig {
    OptimizerConfig::AdamW { lr: 0.01, betas: (0.8, 0.99), eps: 1e-6, weight_decay: 0.1 }
}

/// Takes `steps` steps from `w0` and returns the parameters after each.
fn trajectory(cfg: OptimizerConfig, steps: usize) -> Vec<Vec<f64>> {
    let w = new_var(&w0());
    let mut opt = Optimizer::new(cfg, vec![("w".into(), w.clone())]).unwrap();
    (0..steps)
        .map(|_| {
            opt.backward_step(&loss_of(&w)).unwrap();
            values(&w)
        })
        .collect()
}

fn assert_close(case: &str, step: usize, got: &[f64], want: &[f64]) {
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-13 * (1.0 + w.abs()), "{case} step {step} w[{k}]: got {g:e}, PyTorch {w:e}");
    }
}

fn check(case: &str, cfg: OptimizerConfig, want: [[f64; N]; 3]) {
    let got = trajectory(cfg, 3);
    for (s, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(case, s + 1, g, w);
    }
}

#[test]
fn sgd_momentum_matches_pytorch() {
    use reference::sgd_momentum as r;
    check("sgd_momentum", sgd(0.9, false, 0.0), [r::W1, r::W2, r::W3]);
}

#[test]
fn sgd_nesterov_weight_decay_matches_pytorch() {
    use reference::sgd_nesterov_wd as r;
    check("sgd_nesterov_wd", sgd(0.9, true, 0.01), [r::W1, r::W2, r::W3]);
}

#[test]
fn adam_l2_weight_decay_matches_pytorch() {
    use reference::adam_wd as r;
    check("adam_wd", adam(), [r::W1, r::W2, r::W3]);
}

#[test]
fn adamw_decoupled_weight_decay_matches_pytorch() {
    use reference::adamw as r;
    check("adamw", adamw(), [r::W1, r::W2, r::W3]);
}

#[test]
fn adam_and_adamw_differ_with_weight_decay() {
    // Same hyper-parameters, L2 vs decoupled decay: the trajectories must not coincide
    // (guards against the two variants sharing one code path by mistake).
    let l2 = trajectory(OptimizerConfig::Adam { lr: 0.01, betas: (0.8, 0.99), eps: 1e-6, weight_decay: 0.1 }, 3);
    let dec = trajectory(adamw(), 3);
    assert_ne!(l2, dec);
}

/// After 3 steps, save the state (through a safetensors file, as checkpoints do), load it into a
/// fresh optimiser over a copy of the parameters, and take a 4th step on both: bit-identical.
fn state_round_trip(cfg: OptimizerConfig) {
    let dir = tempfile::tempdir().unwrap();
    let w = new_var(&w0());
    let mut opt = Optimizer::new(cfg.clone(), vec![("w".into(), w.clone())]).unwrap();
    for _ in 0..3 {
        opt.backward_step(&loss_of(&w)).unwrap();
    }
    let (tensors, scalars) = opt.state().unwrap();
    assert_eq!(scalars.step, 3);
    assert!(!tensors.is_empty(), "{cfg:?}: a stateful optimiser saved no tensor");
    let path = dir.path().join("optimizer.safetensors");
    save_tensors(&tensors, &path).unwrap();
    let loaded: BTreeMap<String, Tensor> = load_tensors(&path, &Device::Cpu).unwrap().into_iter().collect();
    // JSON round trip of the scalars, as in the manifest.
    let scalars = serde_json::from_str(&serde_json::to_string(&scalars).unwrap()).unwrap();

    let w2 = new_var(&values(&w));
    let mut fresh = Optimizer::new(cfg.clone(), vec![("w".into(), w2.clone())]).unwrap();
    fresh.load_state(loaded, &scalars).unwrap();
    assert_eq!(fresh.steps(), 3);

    // Control: an optimiser with the right parameters but no restored state steps differently.
    let w3 = new_var(&values(&w));
    let mut stateless = Optimizer::new(cfg.clone(), vec![("w".into(), w3.clone())]).unwrap();

    opt.backward_step(&loss_of(&w)).unwrap();
    fresh.backward_step(&loss_of(&w2)).unwrap();
    stateless.backward_step(&loss_of(&w3)).unwrap();
    let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
    assert_eq!(bits(values(&w)), bits(values(&w2)), "{cfg:?}: restored optimiser diverged on step 4");
    assert_ne!(values(&w), values(&w3), "{cfg:?}: the state made no difference, the round trip proves nothing");
    assert_eq!(opt.steps(), 4);
    assert_eq!(fresh.steps(), 4);
    let (a, _) = opt.state().unwrap();
    let (b, _) = fresh.state().unwrap();
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, t) in &a {
        assert_eq!(bits(t.to_vec1::<f64>().unwrap()), bits(b[k].to_vec1::<f64>().unwrap()), "state {k}");
    }
}

#[test]
fn state_round_trip_sgd_momentum() {
    state_round_trip(sgd(0.9, true, 0.01));
}

#[test]
fn state_round_trip_adam() {
    state_round_trip(adam());
}

#[test]
fn state_round_trip_adamw() {
    state_round_trip(adamw());
}

#[test]
fn load_state_rejects_other_optimizer_kind_and_foreign_tensors() {
    let w = new_var(&w0());
    let mut opt = Optimizer::new(adam(), vec![("w".into(), w.clone())]).unwrap();
    opt.backward_step(&loss_of(&w)).unwrap();
    let (tensors, scalars) = opt.state().unwrap();
    let mut sgd_opt = Optimizer::new(sgd(0.9, false, 0.0), vec![("w".into(), new_var(&w0()))]).unwrap();
    let e = sgd_opt.load_state(tensors.clone(), &scalars).unwrap_err().to_string();
    assert!(e.contains("differs"), "{e}");
    let mut other = Optimizer::new(adam(), vec![("v".into(), new_var(&w0()))]).unwrap();
    let e = other.load_state(tensors, &scalars).unwrap_err().to_string();
    assert!(e.contains("w.exp_avg") && e.contains("no parameter"), "{e}");
}

#[test]
fn clip_grad_norm_known_answer() {
    // Two parameters whose gradients are (3, 0) and (0, 4): global norm 5.
    let dev = Device::Cpu;
    let a = Var::zeros(2, DType::F64, &dev).unwrap();
    let b = Var::zeros(2, DType::F64, &dev).unwrap();
    let untouched = Var::zeros(2, DType::F64, &dev).unwrap(); // no gradient: must be skipped
    let ga = Tensor::new(&[3.0f64, 0.0], &dev).unwrap();
    let gb = Tensor::new(&[0.0f64, 4.0], &dev).unwrap();
    let loss = ((a.as_tensor() * &ga).unwrap().sum_all().unwrap() + (b.as_tensor() * &gb).unwrap().sum_all().unwrap())
        .unwrap();
    let vars = vec![("a".to_string(), a.clone()), ("b".to_string(), b.clone()), ("u".to_string(), untouched.clone())];

    let mut grads = loss.backward().unwrap();
    let norm = clip_grad_norm(&mut grads, &vars, 1.0).unwrap();
    assert_eq!(norm, 5.0);
    let scale = 1.0 / (5.0 + 1e-6);
    let got_a = grads.get(a.as_tensor()).unwrap().to_vec1::<f64>().unwrap();
    let got_b = grads.get(b.as_tensor()).unwrap().to_vec1::<f64>().unwrap();
    for (g, w) in got_a.iter().chain(&got_b).zip([3.0 * scale, 0.0, 0.0, 4.0 * scale]) {
        assert!((g - w).abs() < 1e-15, "{g} vs {w}");
    }
    let clipped_norm = (got_a.iter().chain(&got_b).map(|v| v * v).sum::<f64>()).sqrt();
    assert!(clipped_norm < 1.0 && clipped_norm > 1.0 - 1e-6, "{clipped_norm}");
    assert!(grads.get(untouched.as_tensor()).is_none());

    // Below the threshold nothing changes (and the norm is still reported).
    let mut grads = loss.backward().unwrap();
    assert_eq!(clip_grad_norm(&mut grads, &vars, 10.0).unwrap(), 5.0);
    assert_eq!(grads.get(a.as_tensor()).unwrap().to_vec1::<f64>().unwrap(), vec![3.0, 0.0]);
    assert_eq!(grads.get(b.as_tensor()).unwrap().to_vec1::<f64>().unwrap(), vec![0.0, 4.0]);

    // f32 gradients are clipped too (the norm is accumulated in f64).
    let a32 = Var::zeros(2, DType::F32, &dev).unwrap();
    let loss32 = (a32.as_tensor() * Tensor::new(&[3.0f32, 4.0], &dev).unwrap()).unwrap().sum_all().unwrap();
    let mut grads = loss32.backward().unwrap();
    let n = clip_grad_norm(&mut grads, &[("a".into(), a32.clone())], 1.0).unwrap();
    assert_eq!(n, 5.0);
    let g = grads.get(a32.as_tensor()).unwrap().to_vec1::<f32>().unwrap();
    assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6, "{g:?}");
}

/// Printed by `tests/fixtures/optim_reference.py` (PyTorch 2.15.0, float64).
mod reference {
    // w0[k] = fmod(k * 0.37, 1.3) - 0.6, c[k] = cos(k * 0.71 + 0.2), loss = sum(c * w) + 0.25 * sum(w^4).

    // SGD(lr=0.1, momentum=0.9)
    pub mod sgd_momentum {
        pub const W1: [f64; 6] = [
            -0.6764066577841241,
            -0.2901578749488811,
            0.14464398219141705,
            0.5655693020399237,
            -0.3131068096640541,
            0.03206843573395615,
        ];
        pub const W2: [f64; 6] = [
            -0.8122319465758195,
            -0.4032316519979701,
            0.15343932592838194,
            0.6663252878284536,
            -0.1143489780436018,
            0.18798266576002207,
        ];
        pub const W3: [f64; 6] = [
            -0.9788967385908071,
            -0.5598162503911727,
            0.16591226566135708,
            0.7962559413229292,
            0.16416697991566775,
            0.4096971250989045,
        ];
    }

    // SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    pub mod sgd_nesterov_wd {
        pub const W1: [f64; 6] = [
            -0.7440326497898359,
            -0.34386296240287423,
            0.14855756616369237,
            0.6146126738758552,
            -0.21610493836170275,
            0.10602502789451661,
        ];
        pub const W2: [f64; 6] = [
            -0.9119768794227141,
            -0.5006376926382432,
            0.16064553041827634,
            0.7447161674559626,
            0.06216724115001843,
            0.3280193378110372,
        ];
        pub const W3: [f64; 6] = [
            -1.0530262283606109,
            -0.6822861085571892,
            0.1757789293149535,
            0.8722031005419304,
            0.4108300158922671,
            0.602743784838498,
        ];
    }

    // Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.1)
    pub mod adam_wd {
        pub const W1: [f64; 6] = [
            -0.6099999998579679,
            -0.23999999982716266,
            0.14999999691736998,
            0.5199999998018596,
            -0.4100000000900146,
            -0.04000000012111159,
        ];
        pub const W2: [f64; 6] = [
            -0.619995158051617,
            -0.2499987734078593,
            0.1599832315931473,
            0.5299949315930498,
            -0.40000148989425455,
            -0.03000033746673756,
        ];
        pub const W3: [f64; 6] = [
            -0.6299819219261052,
            -0.2599954062048048,
            0.16993561312495595,
            0.5399810376454022,
            -0.39000538694073544,
            -0.02000122617034489,
        ];
    }

    // AdamW(lr=0.01, betas=(0.8, 0.99), eps=1e-06, weight_decay=0.1)
    pub mod adamw {
        pub const W1: [f64; 6] = [
            -0.6093999869121524,
            -0.2397699833771,
            0.1498597846722003,
            0.519489982004485,
            -0.4095800093551242,
            -0.0399500121849377,
        ];
        pub const W2: [f64; 6] = [
            -0.6187831355614714,
            -0.24952875975037778,
            0.15970233421790314,
            0.5289629903808551,
            -0.39917314627084627,
            -0.029910113947338286,
        ];
        pub const W3: [f64; 6] = [
            -0.628144130586336,
            -0.25927522619549837,
            0.16952121696220646,
            0.5384136130067771,
            -0.3887809978211499,
            -0.019880299529823505,
        ];
    }
}

/// Regression: the optimiser once stored moment buffers that recorded autograd history, so every
/// step's graph (activations included) stayed alive and a Fashion-MNIST run grew to 22 GB.
#[test]
fn optimizer_state_records_no_autograd_history() {
    use candle_core::{Device, Tensor, Var};
    use scidl_core::optim::{Optimizer, OptimizerConfig};
    let w = Var::from_tensor(&Tensor::new(&[0.5f32, -1.0, 2.0], &Device::Cpu).unwrap()).unwrap();
    for cfg in [
        OptimizerConfig::Sgd { lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 0.01 },
        OptimizerConfig::Adam { lr: 0.1, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.01 },
        OptimizerConfig::AdamW { lr: 0.1, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.01 },
    ] {
        let mut opt = Optimizer::new(cfg, vec![("w".into(), w.clone())]).unwrap();
        for _ in 0..3 {
            // The gradient of sum(w^3) depends on w, so it carries history unless the optimiser detaches it.
            let loss = w.as_tensor().powf(3.0).unwrap().sum_all().unwrap();
            opt.backward_step(&loss).unwrap();
        }
        let (state, _) = opt.state().unwrap();
        assert!(!state.is_empty());
        for (k, t) in state {
            assert!(!t.track_op(), "{k} records autograd history");
        }
        assert!(!w.as_tensor().track_op() || w.as_tensor().is_variable());
    }
}
