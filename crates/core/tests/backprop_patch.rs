//! The patched gradient accumulation of the vendored candle-core (`vendor/README.md`): the first
//! gradient reaching a tensor is stored instead of added to zeros. Known answers by hand, for a
//! tensor with one consumer, with several (fan-in), reached first through a subtraction, and
//! reached through a transposed (non-contiguous) gradient.
#![allow(missing_docs)]

use candle_core::{Device, Tensor, Var};

fn values(t: &Tensor) -> Vec<f64> {
    t.flatten_all().unwrap().to_vec1::<f64>().unwrap()
}

/// `f(x) = sum(x * x + 3 x - x)`: `x` feeds four ops, so `df/dx = 2 x + 2`.
#[test]
fn fan_in_gradients_add_up() {
    let x = Var::new(&[1.0f64, -2.0, 0.5], &Device::Cpu).unwrap();
    let f = ((x.mul(&x).unwrap() + x.affine(3.0, 0.0).unwrap()).unwrap() - x.as_tensor()).unwrap().sum_all().unwrap();
    let grads = f.backward().unwrap();
    assert_eq!(values(grads.get(&x).unwrap()), [4.0, -2.0, 3.0]);
}

/// `f(a, b) = sum(2 a - b)`: `b`'s only gradient comes through the subtraction, `-1` each.
#[test]
fn a_first_gradient_through_subtraction_is_negated() {
    let a = Var::new(&[1.0f64, 2.0], &Device::Cpu).unwrap();
    let b = Var::new(&[5.0f64, -7.0], &Device::Cpu).unwrap();
    let f = (a.affine(2.0, 0.0).unwrap() - b.as_tensor()).unwrap().sum_all().unwrap();
    let grads = f.backward().unwrap();
    assert_eq!(values(grads.get(&a).unwrap()), [2.0, 2.0]);
    assert_eq!(values(grads.get(&b).unwrap()), [-1.0, -1.0]);
}

/// `f(x) = sum(x^T * w)`: the gradient reaches `x` as `w^T`, a transposed view; it is stored
/// contiguous with `w`'s values transposed. Then `g(x) = f(x) + sum(x * v)` adds `v`.
#[test]
fn a_transposed_gradient_is_stored_contiguous() {
    let x = Var::new(&[[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]], &Device::Cpu).unwrap();
    let w = Tensor::new(&[[1.0f64, 2.0], [3.0, 4.0], [5.0, 6.0]], &Device::Cpu).unwrap();
    let f = x.t().unwrap().mul(&w).unwrap().sum_all().unwrap();
    let grads = f.backward().unwrap();
    let gx = grads.get(&x).unwrap();
    assert!(gx.is_contiguous());
    assert_eq!(gx.dims(), [2, 3]);
    assert_eq!(values(gx), [1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    let v = Tensor::new(&[[10.0f64, 20.0, 30.0], [40.0, 50.0, 60.0]], &Device::Cpu).unwrap();
    let g = (f + x.mul(&v).unwrap().sum_all().unwrap()).unwrap();
    let grads = g.backward().unwrap();
    assert_eq!(values(grads.get(&x).unwrap()), [11.0, 23.0, 35.0, 42.0, 54.0, 66.0]);
}

/// A backward rule that returns a gradient of the wrong shape is still an error, as adding it to
/// zeros was: candle 0.11.1's strided conv2d backward gives a `(2, 3, 5, 5)` input gradient for a
/// `(2, 3, 5, 6)` input (see `torch_crosscheck.rs`), which must not be stored.
#[test]
fn a_first_gradient_of_the_wrong_shape_is_an_error() {
    let x = Var::from_tensor(&Tensor::ones((2, 3, 5, 6), candle_core::DType::F64, &Device::Cpu).unwrap()).unwrap();
    let w = Tensor::ones((4, 3, 3, 3), candle_core::DType::F64, &Device::Cpu).unwrap();
    let y = x.conv2d(&w, 1, 2, 1, 1).unwrap();
    let err = y.sum_all().unwrap().backward().expect_err("a shape mismatch");
    assert!(err.to_string().contains("shape mismatch"), "{err}");
}
