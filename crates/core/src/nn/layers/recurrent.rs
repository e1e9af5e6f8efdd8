//! Whole-sequence LSTM (Hochreiter & Schmidhuber, 1997, with the forget gate of PyTorch's `nn.LSTM`)
//! and GRU (Cho et al., 2014, as PyTorch's `nn.GRU`) layers with a fused CPU recurrence and a
//! hand-written backpropagation through time.
//!
//! Input `(B, T, F)`, output the hidden states of every step `(B, T, H)`, from a zero initial state.
//! Weights as in PyTorch (and under the same names): `weight_ih_l0 (G*H, F)`, `weight_hh_l0 (G*H, H)`,
//! `bias_ih_l0`, `bias_hh_l0 (G*H)`, gate order i, f, g, o for the LSTM (`G = 4`) and r, z, n for the
//! GRU (`G = 3`); uniform initialisation in `±1/sqrt(H)`.
//!
//! Why not candle_nn's cells: they run ~15 kernels per layer and step, and their backward slices the
//! stacked input at every step (O(T^2) zero-padded gradients). Here, on the CPU in f32 and f64, one
//! custom op runs the whole layer, in parallel over the batch (its rows are independent): one GEMM
//! projects the inputs of all steps (`x W_ih^T + b`), then each step takes one small GEMM
//! `h_{t-1} W_hh^T` and a fused gate kernel (branch-free sigmoid and tanh that vectorise in f32, with
//! AVX2 where the CPU has it). The forward keeps the gate activations (and the LSTM's cell states);
//! the backward walks the steps back with one GEMM `dA_t W_hh` per step, then one GEMM each for
//! `dW_ih`, `dW_hh` and `dx` over all steps. Other devices and dtypes run candle_nn's cells on the same
//! weights ([`Recurrent::forward_generic`]).

use super::conv_direct::{Kernel, TileFn};
use super::conv_gemm::Elem;
use super::conv_vec::RowProduct;
use super::cpu::{contiguous_slice, exp_f32, mm_strided, tanh_f32, uninit_vec};
use crate::{Error, Result};
use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp3, DType, Layout, Module, Shape, Tensor};
use candle_nn::rnn::{GRU, GRUConfig, LSTM, LSTMConfig, RNN};
use candle_nn::{Init, VarBuilder};
use gemm::Parallelism;
use rayon::prelude::*;
use std::ops::{Add, Mul, Sub};
use std::sync::OnceLock;

/// The recurrent cell type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecurrentCell {
    /// Long short-term memory.
    Lstm,
    /// Gated recurrent unit.
    Gru,
}

impl RecurrentCell {
    /// Gates per hidden unit (the row blocks of the weight matrices): 4 for the LSTM, 3 for the GRU.
    pub fn gates(self) -> usize {
        match self {
            RecurrentCell::Lstm => 4,
            RecurrentCell::Gru => 3,
        }
    }
}

/// Candle's per-step cells on the same weights (devices other than the CPU, other dtypes).
#[derive(Debug, Clone)]
enum Generic {
    Lstm(LSTM),
    Gru(GRU),
}

/// One recurrent layer over whole sequences: `(B, T, F)` -> `(B, T, H)`.
#[derive(Debug, Clone)]
pub struct Recurrent {
    cell: RecurrentCell,
    hidden: usize,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Tensor,
    b_hh: Tensor,
    generic: Generic,
}

/// Builds an LSTM or GRU layer with `in_dim` input features and `hidden` units, its weights under `vb`
/// (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, PyTorch's names, gate order and
/// initialisation).
pub fn recurrent(cell: RecurrentCell, in_dim: usize, hidden: usize, vb: VarBuilder) -> Result<Recurrent> {
    if in_dim == 0 || hidden == 0 {
        return Err(Error::Config(format!(
            "recurrent layer needs input and hidden sizes of at least 1, got {in_dim}, {hidden}"
        )));
    }
    let bound = 1.0 / (hidden as f64).sqrt();
    let init = Init::Uniform { lo: -bound, up: bound };
    let generic = match cell {
        RecurrentCell::Lstm => Generic::Lstm(candle_nn::rnn::lstm(
            in_dim,
            hidden,
            LSTMConfig {
                w_ih_init: init,
                w_hh_init: init,
                b_ih_init: Some(init),
                b_hh_init: Some(init),
                ..Default::default()
            },
            vb.clone(),
        )?),
        RecurrentCell::Gru => Generic::Gru(candle_nn::rnn::gru(
            in_dim,
            hidden,
            GRUConfig { w_ih_init: init, w_hh_init: init, b_ih_init: Some(init), b_hh_init: Some(init) },
            vb.clone(),
        )?),
    };
    // The same tensors again, by name: a variable-backed builder hands out the stored variable.
    let g = cell.gates() * hidden;
    let w_ih = vb.get_with_hints((g, in_dim), "weight_ih_l0", init)?;
    let w_hh = vb.get_with_hints((g, hidden), "weight_hh_l0", init)?;
    let b_ih = vb.get_with_hints(g, "bias_ih_l0", init)?;
    let b_hh = vb.get_with_hints(g, "bias_hh_l0", init)?;
    Ok(Recurrent { cell, hidden, w_ih, w_hh, b_ih, b_hh, generic })
}

impl Recurrent {
    /// The cell type.
    pub fn cell(&self) -> RecurrentCell {
        self.cell
    }

    /// Hidden units.
    pub fn hidden_size(&self) -> usize {
        self.hidden
    }

    /// The same layer through candle_nn's per-step cells (what runs on devices other than the CPU and
    /// for dtypes other than f32/f64; the reference of the fused path's tests).
    pub fn forward_generic(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let x = x.contiguous()?;
        let hs: Vec<Tensor> = match &self.generic {
            Generic::Lstm(l) => l.seq(&x)?.into_iter().map(|s| s.h).collect(),
            Generic::Gru(g) => g.seq(&x)?.into_iter().map(|s| s.h).collect(),
        };
        Tensor::stack(&hs, 1)
    }
}

impl Module for Recurrent {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (_, t, f) = x.dims3()?;
        let in_dim = self.w_ih.dim(1)?;
        if f != in_dim || t == 0 {
            candle_core::bail!("recurrent layer expects (B, T >= 1, {in_dim}) input, got {:?}", x.dims());
        }
        let fused = x.device().is_cpu()
            && matches!(x.dtype(), DType::F32 | DType::F64)
            && [&self.w_ih, &self.w_hh, &self.b_ih, &self.b_hh].iter().all(|w| w.dtype() == x.dtype());
        if !fused {
            return self.forward_generic(x);
        }
        let w = Tensor::cat(&[&self.w_ih, &self.w_hh], 1)?;
        let bias = Tensor::cat(&[&self.b_ih, &self.b_hh], 0)?;
        x.contiguous()?.apply_op3(&w, &bias, Recurrence { cell: self.cell, saved: OnceLock::new() })
    }
}

// -------------------------------------------------------------------------------------------------
// Element math

/// What the gate kernels need of an element type.
trait Gate: Elem + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> {
    fn sigmoid(x: Self) -> Self;
    fn tanh(x: Self) -> Self;
    fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [Self]>;
    fn storage(v: Vec<Self>) -> CpuStorage;
    fn save(s: Saved<Self>) -> SavedAny;
    fn saved(s: &SavedAny) -> Option<&Saved<Self>>;
}

impl Gate for f32 {
    #[inline(always)]
    fn sigmoid(x: f32) -> f32 {
        1.0 / (1.0 + exp_f32(-x))
    }
    #[inline(always)]
    fn tanh(x: f32) -> f32 {
        tanh_f32(x)
    }
    fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [f32]> {
        match s {
            CpuStorage::F32(v) => contiguous_slice(v, l, "recurrence"),
            _ => candle_core::bail!("recurrence: operands of one dtype (f32 or f64) expected"),
        }
    }
    fn storage(v: Vec<f32>) -> CpuStorage {
        CpuStorage::F32(v)
    }
    fn save(s: Saved<f32>) -> SavedAny {
        SavedAny::F32(s)
    }
    fn saved(s: &SavedAny) -> Option<&Saved<f32>> {
        match s {
            SavedAny::F32(s) => Some(s),
            SavedAny::F64(_) => None,
        }
    }
}

impl Gate for f64 {
    #[inline(always)]
    fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }
    #[inline(always)]
    fn tanh(x: f64) -> f64 {
        x.tanh()
    }
    fn slice<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [f64]> {
        match s {
            CpuStorage::F64(v) => contiguous_slice(v, l, "recurrence"),
            _ => candle_core::bail!("recurrence: operands of one dtype (f32 or f64) expected"),
        }
    }
    fn storage(v: Vec<f64>) -> CpuStorage {
        CpuStorage::F64(v)
    }
    fn save(s: Saved<f64>) -> SavedAny {
        SavedAny::F64(s)
    }
    fn saved(s: &SavedAny) -> Option<&Saved<f64>> {
        match s {
            SavedAny::F64(s) => Some(s),
            SavedAny::F32(_) => None,
        }
    }
}

// -------------------------------------------------------------------------------------------------
// Kernels
//
// All buffers are `(B, T, ...)` row-major; a parallel chunk holds `nb` consecutive batch rows and all
// their steps. The weight operand `w = [W_ih | W_hh]` is `(G*H, F + H)`. The per-row gate kernels are
// not inlined: as functions of their own, their slice arguments are known not to alias, and LLVM
// vectorises their loops without runtime overlap checks (see `simd_kernel!`).

/// What the forward keeps for the backward.
struct Saved<T> {
    /// Gate activations: LSTM `[i, f, g, o]`, GRU `[r, z, n]` (`G*H` per step).
    acts: Vec<T>,
    /// LSTM: cell states `c_t`; GRU: `(W_hh h_{t-1} + b_hh)` of the n gate (`H` per step).
    state: Vec<T>,
    /// LSTM: `tanh(c_t)`; GRU: empty.
    tanh_c: Vec<T>,
}

enum SavedAny {
    F32(Saved<f32>),
    F64(Saved<f64>),
}

/// Batch, steps, input features, hidden units, gates.
#[derive(Debug, Clone, Copy)]
struct Dims {
    b: usize,
    t: usize,
    f: usize,
    h: usize,
    g: usize,
}

impl Dims {
    /// Rows of the weight matrices.
    fn gh(&self) -> usize {
        self.g * self.h
    }
    /// Columns of `[W_ih | W_hh]`.
    fn wc(&self) -> usize {
        self.f + self.h
    }
    /// Batch rows per parallel chunk: one chunk per thread.
    fn rows(&self) -> usize {
        self.b.div_ceil(rayon::current_num_threads().max(1)).max(1)
    }
}

/// `dst (m x n, rows `rs_dst` apart) [+]= a (m x k, rows `rs_a` apart) * b (k x n, strides given)`.
#[allow(clippy::too_many_arguments)]
fn gemm_rows<T: Elem>(
    (m, n, k): (usize, usize, usize),
    dst: &mut [T],
    rs_dst: usize,
    accumulate: bool,
    a: &[T],
    rs_a: usize,
    b: &[T],
    (rs_b, cs_b): (usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(dst.len() >= (m - 1) * rs_dst + n);
    if k == 0 {
        if !accumulate {
            dst.chunks_mut(rs_dst).take(m).for_each(|r| r[..n].fill(T::default()));
        }
        return;
    }
    assert!(a.len() >= (m - 1) * rs_a + k && b.len() > (k - 1) * rs_b + (n - 1) * cs_b);
    // SAFETY: the asserts bound every element read or written; `dst` is a unique borrow, so it
    // aliases neither `a` nor `b`.
    unsafe {
        mm_strided(
            m,
            n,
            k,
            (dst.as_mut_ptr(), rs_dst as isize),
            accumulate,
            (a.as_ptr(), rs_a as isize, 1),
            (b.as_ptr(), rs_b as isize, cs_b as isize),
            Parallelism::None,
        )
    }
}

/// `dst (m x n, rows `rs_dst` apart) += a^T b` for row-major `a (k x m)` and `b (k x n, rows `rs_b`
/// apart)`: a weight gradient summed over all steps.
fn gemm_tn<T: Elem>((m, n, k): (usize, usize, usize), dst: &mut [T], rs_dst: usize, a: &[T], b: &[T], rs_b: usize) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    assert!(dst.len() >= (m - 1) * rs_dst + n && a.len() >= k * m && b.len() >= (k - 1) * rs_b + n);
    // SAFETY: sizes checked above; `dst` is a unique borrow.
    unsafe {
        mm_strided(
            m,
            n,
            k,
            (dst.as_mut_ptr(), rs_dst as isize),
            true,
            (a.as_ptr(), 1, m as isize),
            (b.as_ptr(), rs_b as isize, 1),
            Parallelism::None,
        )
    }
}

/// `h_{t-1}` for every step of a chunk of hidden states (zero at `t = 0`).
fn shifted<T: Elem>(d: Dims, hs: &[T]) -> Vec<T> {
    let (t, h) = (d.t, d.h);
    let mut out = vec![T::default(); hs.len()];
    for (o, i) in out.chunks_mut(t * h).zip(hs.chunks(t * h)) {
        o[h..].copy_from_slice(&i[..(t - 1) * h]);
    }
    out
}

/// Column sums of a row-major matrix with `acc.len()` columns, added to `acc`.
fn add_col_sums<T: Elem>(acc: &mut [T], m: &[T]) {
    for row in m.chunks(acc.len()) {
        acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v);
    }
}

/// `dst (rows x G*H) = x (rows x F) W_ih^T (+ bias)`, one row per (batch row, step).
fn project_inputs<T: Elem>(d: Dims, x: &[T], w: &[T], bias: Option<&[T]>, dst: &mut [T]) {
    let gh = d.gh();
    if let Some(bias) = bias {
        dst.chunks_mut(gh).for_each(|r| r.copy_from_slice(bias));
    }
    gemm_rows((dst.len() / gh, gh, d.f), dst, gh, bias.is_some(), x, d.f, w, (1, d.wc()));
}

/// One LSTM step for one batch row: pre-activations `a = [i, f, g, o]` less the bias `b`
/// (overwritten with the activations), previous cell state; writes `c_t`, `tanh(c_t)`, `h_t`.
/// The bias is added here rather than copied into every row before the input projection: that
/// fill was 5 % of the LSTM's inference.
#[inline(always)]
fn lstm_cell_body<T: Gate>(a: &mut [T], b: &[T], c_prev: &[T], c: &mut [T], tc: &mut [T], hout: &mut [T]) {
    let h = c.len();
    let (ai, rest) = a.split_at_mut(h);
    let (af, rest) = rest.split_at_mut(h);
    let (ag, ao) = rest.split_at_mut(h);
    let (bi, rest) = b.split_at(h);
    let (bf, rest) = rest.split_at(h);
    let (bg, bo) = rest.split_at(h);
    let (ao, bo, c_prev, tc, hout) = (&mut ao[..h], &bo[..h], &c_prev[..h], &mut tc[..h], &mut hout[..h]);
    for j in 0..h {
        let i = T::sigmoid(ai[j] + bi[j]);
        let f = T::sigmoid(af[j] + bf[j]);
        let g = T::tanh(ag[j] + bg[j]);
        let o = T::sigmoid(ao[j] + bo[j]);
        let cj = f * c_prev[j] + i * g;
        let t = T::tanh(cj);
        (ai[j], af[j], ag[j], ao[j]) = (i, f, g, o);
        (c[j], tc[j], hout[j]) = (cj, t, o * t);
    }
}

/// The LSTM backward of one step for one batch row: from the activations, `c_{t-1}`, `tanh(c_t)`,
/// the output gradient `gh` plus `dh` (from step `t + 1`) and `dc` (in: from `t + 1`; out: to `t - 1`),
/// writes the pre-activation gradient `da`.
#[inline(always)]
fn lstm_cell_bwd_body<T: Gate>(acts: &[T], c_prev: &[T], tc: &[T], gh: &[T], dh: &[T], dc: &mut [T], da: &mut [T]) {
    let h = dc.len();
    let one = T::ONE;
    let (i_, rest) = acts.split_at(h);
    let (f_, rest) = rest.split_at(h);
    let (g_, o_) = rest.split_at(h);
    let (dai, rest) = da.split_at_mut(h);
    let (daf, rest) = rest.split_at_mut(h);
    let (dag, dao) = rest.split_at_mut(h);
    let (o_, c_prev, tc, gh, dh, dao) = (&o_[..h], &c_prev[..h], &tc[..h], &gh[..h], &dh[..h], &mut dao[..h]);
    for j in 0..h {
        let (i, f, g, o) = (i_[j], f_[j], g_[j], o_[j]);
        let dht = gh[j] + dh[j];
        let t = tc[j];
        let dct = dc[j] + dht * o * (one - t * t);
        dao[j] = dht * t * (o * (one - o));
        dai[j] = dct * g * (i * (one - i));
        daf[j] = dct * c_prev[j] * (f * (one - f));
        dag[j] = dct * i * (one - g * g);
        dc[j] = dct * f;
    }
}

/// One GRU step for one batch row: input projection `gx = W_ih x_t + b_ih`, hidden projection
/// `hh = W_hh h_{t-1} + b_hh`, `h_{t-1}`; writes the activations `[r, z, n]`, the n part of `hh` and `h_t`.
#[inline(always)]
fn gru_cell_body<T: Gate>(gx: &[T], hh: &[T], h_prev: &[T], acts: &mut [T], hhn: &mut [T], hout: &mut [T]) {
    let h = hout.len();
    let one = T::ONE;
    let (ar, rest) = acts.split_at_mut(h);
    let (az, an) = rest.split_at_mut(h);
    let (an, hhn, h_prev) = (&mut an[..h], &mut hhn[..h], &h_prev[..h]);
    let (gx, hh) = (&gx[..3 * h], &hh[..3 * h]);
    for j in 0..h {
        let r = T::sigmoid(gx[j] + hh[j]);
        let z = T::sigmoid(gx[h + j] + hh[h + j]);
        let hn = hh[2 * h + j];
        let n = T::tanh(gx[2 * h + j] + r * hn);
        (ar[j], az[j], an[j], hhn[j]) = (r, z, n, hn);
        hout[j] = z * h_prev[j] + (one - z) * n;
    }
}

/// The GRU backward of one step for one batch row: from the activations, the n part of `hh`,
/// `h_{t-1}`, the output gradient `gh` plus `dh` (in: from `t + 1`; out: the direct part `z dh` of the
/// gradient to `h_{t-1}`), writes the gradients of the input projection `dgx` and of `hh`.
#[inline(always)]
fn gru_cell_bwd_body<T: Gate>(
    acts: &[T],
    hhn: &[T],
    h_prev: &[T],
    gh: &[T],
    dh: &mut [T],
    dgx: &mut [T],
    dhh: &mut [T],
) {
    let h = dh.len();
    let one = T::ONE;
    let (acts, hhn, h_prev, gh) = (&acts[..3 * h], &hhn[..h], &h_prev[..h], &gh[..h]);
    let (dgx, dhh) = (&mut dgx[..3 * h], &mut dhh[..3 * h]);
    for j in 0..h {
        let (r, z, n) = (acts[j], acts[h + j], acts[2 * h + j]);
        let dht = gh[j] + dh[j];
        let dan = dht * (one - z) * (one - n * n);
        let dar = dan * hhn[j] * (r * (one - r));
        let daz = dht * (h_prev[j] - n) * (z * (one - z));
        (dgx[j], dgx[h + j], dgx[2 * h + j]) = (dar, daz, dan);
        (dhh[j], dhh[h + j], dhh[2 * h + j]) = (dar, daz, dan * r);
        dh[j] = dht * z;
    }
}

simd_kernel!(
    /// [`lstm_cell_body`], vectorised.
    lstm_cell<T: Gate> => lstm_cell_body(a: &mut [T], b: &[T], c_prev: &[T], c: &mut [T], tc: &mut [T], hout: &mut [T])
);
simd_kernel!(
    /// [`lstm_cell_bwd_body`], vectorised.
    lstm_cell_bwd<T: Gate> => lstm_cell_bwd_body(
        acts: &[T], c_prev: &[T], tc: &[T], gh: &[T], dh: &[T], dc: &mut [T], da: &mut [T],
    )
);
simd_kernel!(
    /// [`gru_cell_body`], vectorised.
    gru_cell<T: Gate> => gru_cell_body(gx: &[T], hh: &[T], h_prev: &[T], acts: &mut [T], hhn: &mut [T], hout: &mut [T])
);
simd_kernel!(
    /// [`gru_cell_bwd_body`], vectorised.
    gru_cell_bwd<T: Gate> => gru_cell_bwd_body(
        acts: &[T], hhn: &[T], h_prev: &[T], gh: &[T], dh: &mut [T], dgx: &mut [T], dhh: &mut [T],
    )
);

/// Output columns per panel of the packed recurrent weights (two AVX2 vectors of f32).
const PANEL: usize = 16;
/// Batch rows per register block of the recurrent product.
const BLOCK_ROWS: usize = 4;

/// `W_hh^T` `(H x G*H)` in panels of [`PANEL`] columns, each `H` rows of `PANEL` contiguous values
/// (zero past `G*H`): packed once per sequence for [`recurrent_product`]. Every step's product
/// through `gemm` packed the same matrix again (a 32 x 256 x 64 product per thread and step).
fn pack_recurrent<T: Elem>(d: Dims, w: &[T]) -> Vec<T> {
    let (h, gh) = (d.h, d.gh());
    let mut packed = vec![T::default(); gh.div_ceil(PANEL) * h * PANEL];
    for j in 0..gh {
        for k in 0..h {
            packed[(j / PANEL) * h * PANEL + k * PANEL + j % PANEL] = w[j * d.wc() + d.f + k];
        }
    }
    packed
}

/// `c (m x G*H, rows rs_c apart) += a (m x H, rows rs_a apart) W_hh^T` from the packed weights:
/// blocks of [`BLOCK_ROWS`] rows x [`PANEL`] columns accumulated in registers over `k`. A tail
/// block recomputes the last row in its unused slots instead of branching, and stores only the
/// rows it owns. `FMA` chooses fused multiply-adds (the AVX2 + FMA build) or separate ones.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn recurrent_product_body<T: Gate, const FMA: bool>(
    packed: &[T],
    h: usize,
    gh: usize,
    a: &[T],
    rs_a: usize,
    m: usize,
    c: &mut [T],
    rs_c: usize,
) {
    if m == 0 || h == 0 {
        return;
    }
    for (pi, panel) in packed.chunks_exact(h * PANEL).enumerate() {
        let (j0, nj) = (pi * PANEL, PANEL.min(gh - pi * PANEL));
        for i in (0..m).step_by(BLOCK_ROWS) {
            let rows: [&[T]; BLOCK_ROWS] = std::array::from_fn(|r| &a[(i + r).min(m - 1) * rs_a..][..h]);
            let mut acc = [[T::default(); PANEL]; BLOCK_ROWS];
            for (k, b) in panel.chunks_exact(PANEL).enumerate() {
                for (acc_r, row) in acc.iter_mut().zip(&rows) {
                    let av = row[k];
                    for (s, &bv) in acc_r.iter_mut().zip(b) {
                        *s = if FMA { T::mul_add(av, bv, *s) } else { av * bv + *s };
                    }
                }
            }
            for (r, acc_r) in acc.iter().enumerate().take(BLOCK_ROWS.min(m - i)) {
                let dst = &mut c[(i + r) * rs_c + j0..][..nj];
                dst.iter_mut().zip(acc_r).for_each(|(d, &v)| *d += v);
            }
        }
    }
}

/// A sequence's recurrent product `c += h_{t-1} W_hh^T`, set up once: on the channel-vectorised
/// kernel's 4-vector tile where this CPU has one and the gates fill it ([`RowProduct`]), else
/// [`recurrent_product`] on `W_hh^T` packed in panels. All give the same bits (the same fused
/// multiply-adds in the same order, then one add into `c`).
struct StepProduct<T> {
    rows: Option<RowProduct<T>>,
    tile: Option<ProductTile<T>>,
    packed: Vec<T>,
    h: usize,
    gh: usize,
}

impl<T: Gate> StepProduct<T> {
    fn new(d: Dims, w: &[T]) -> Self {
        let (h, gh) = (d.h, d.gh());
        let rows = T::vec_kernel().and_then(|k| RowProduct::new(&k, h, gh, |kk, j| w[j * d.wc() + d.f + kk]));
        if rows.is_some() {
            return StepProduct { rows, tile: None, packed: Vec::new(), h, gh };
        }
        StepProduct { rows, tile: ProductTile::new(h), packed: pack_recurrent(d, w), h, gh }
    }

    /// `c[i * rs_c..][..gh] += a[i * rs_a..][..h] W_hh^T` for `i < m`.
    fn run(&mut self, a: &[T], rs_a: usize, m: usize, c: &mut [T], rs_c: usize) {
        match self.rows.as_mut() {
            Some(rp) => row_product(rp, (a, rs_a), m, (c, rs_c)),
            None => recurrent_product(self.tile.as_mut(), &self.packed, self.h, self.gh, a, rs_a, m, c, rs_c),
        }
    }
}

simd_kernel!(
    /// [`RowProduct::run`], its sums into `c` vectorised.
    row_product<T: Gate> => row_product_body(rp: &mut RowProduct<T>, a: (&[T], usize), m: usize, c: (&mut [T], usize))
);

#[inline(always)]
fn row_product_body<T: Gate>(rp: &mut RowProduct<T>, (a, rs_a): (&[T], usize), m: usize, (c, rs_c): (&mut [T], usize)) {
    rp.run(a, rs_a, m, c, rs_c)
}

/// The recurrent product: on the direct convolution's 16-wide tile where this CPU has one
/// ([`ProductTile`], set up once per sequence by the caller), else [`recurrent_product_body`] compiled for AVX2 + FMA when the
/// CPU has both, else the portable build.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn recurrent_product<T: Gate>(
    tile: Option<&mut ProductTile<T>>,
    packed: &[T],
    h: usize,
    gh: usize,
    a: &[T],
    rs_a: usize,
    m: usize,
    c: &mut [T],
    rs_c: usize,
) {
    if let Some(tile) = tile {
        return tile.run(packed, h, gh, a, rs_a, m, c, rs_c);
    }
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        fn fast<T: Gate>(packed: &[T], h: usize, gh: usize, a: &[T], rs_a: usize, m: usize, c: &mut [T], rs_c: usize) {
            recurrent_product_body::<T, true>(packed, h, gh, a, rs_a, m, c, rs_c)
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports AVX2 and FMA.
            return unsafe { fast(packed, h, gh, a, rs_a, m, c, rs_c) };
        }
    }
    recurrent_product_body::<T, false>(packed, h, gh, a, rs_a, m, c, rs_c)
}

/// [`recurrent_product_body`] on a direct-convolution tile `PANEL` wide (`mr` rows): the rows
/// of `a` are the tile's broadcast operand (transposed, `mr` at a time), the panels its vector
/// operand at offsets `k * PANEL`. The same fused multiply-adds in the same order as the AVX2 +
/// FMA body, so the result is bit for bit the same; the intrinsic tile keeps its accumulators in
/// place, where LLVM's build of the body copied all eight of them between registers every step.
/// Set up once per sequence (the kernel choice, the panel offsets and the buffers).
struct ProductTile<T> {
    mr: usize,
    tile: TileFn<T>,
    /// `k * PANEL` for `k < h`.
    offs: Vec<usize>,
    /// A block of `mr` rows of `a`, transposed: `ap[k * mr + r]`.
    ap: Vec<T>,
    /// The tiles' output for `mr` rows, all panels side by side (sized on first use).
    tmp: Vec<T>,
}

impl<T: Gate> ProductTile<T> {
    /// The tile of this CPU's direct-convolution build for rows of `h` values, if it has one
    /// `PANEL` wide.
    fn new(h: usize) -> Option<Self> {
        T::direct_kernel().and_then(|k| Self::with_kernel(&k, h))
    }

    fn with_kernel(kern: &Kernel<T>, h: usize) -> Option<Self> {
        let (mr, tile) = kern.tile_of_width(PANEL)?;
        Some(ProductTile {
            mr,
            tile,
            offs: (0..h).map(|k| k * PANEL).collect(),
            ap: vec![T::default(); h * mr],
            tmp: Vec::new(),
        })
    }

    /// [`recurrent_product_body`]'s product, `h` as given to [`ProductTile::new`].
    #[allow(clippy::too_many_arguments)]
    fn run(&mut self, packed: &[T], h: usize, gh: usize, a: &[T], rs_a: usize, m: usize, c: &mut [T], rs_c: usize) {
        tile_product(self, packed, (h, gh), (a, rs_a), m, (c, rs_c))
    }
}

simd_kernel!(
    /// [`tile_product_body`], vectorised: in the baseline build the sums of the tiles' outputs
    /// into `c` ran four lanes wide, half of this function's 15 % of an LSTM inference profile.
    tile_product<T: Gate> => tile_product_body(
        tp: &mut ProductTile<T>, packed: &[T], dims: (usize, usize), a: (&[T], usize), m: usize, c: (&mut [T], usize),
    )
);

/// [`ProductTile::run`]; `a` and `c` with their row strides.
#[inline(always)]
fn tile_product_body<T: Gate>(
    tp: &mut ProductTile<T>,
    packed: &[T],
    (h, gh): (usize, usize),
    (a, rs_a): (&[T], usize),
    m: usize,
    (c, rs_c): (&mut [T], usize),
) {
    assert_eq!(tp.offs.len(), h);
    if m == 0 || h == 0 {
        return;
    }
    let mr = tp.mr;
    let ld = gh.next_multiple_of(PANEL);
    if tp.tmp.len() < mr * ld {
        tp.tmp.resize(mr * ld, T::default());
    }
    for i in (0..m).step_by(mr) {
        let rows = mr.min(m - i);
        // ap[k * mr + r] = a[i + r][k]; rows past m repeat the last (computed, not stored).
        for r in 0..mr {
            let src = &a[(i + r.min(rows - 1)) * rs_a..][..h];
            tp.ap.iter_mut().skip(r).step_by(mr).zip(src).for_each(|(d, &v)| *d = v);
        }
        for (pi, panel) in packed.chunks_exact(h * PANEL).enumerate() {
            // SAFETY: the tile reads panel[offs[k]..][..PANEL] (within its h * PANEL values)
            // and ap's h * mr values, and writes `rows` rows of PANEL, ld apart, to tmp from
            // column pi * PANEL (mr rows of ld = the panels' width).
            unsafe { (tp.tile)(tp.ap.as_ptr(), &tp.offs, panel.as_ptr(), tp.tmp[pi * PANEL..].as_mut_ptr(), ld, rows) }
        }
        // Whole rows at a time: the rows of `c` are far apart (an LSTM's steps of one sequence
        // are `T * 4H` values apart, a multiple of 4 KiB for T = 48, H = 64), and adding one
        // panel of every row in turn made each load wait on the previous row's store
        // (4 KiB aliasing).
        for (r, acc) in tp.tmp.chunks_exact(ld).take(rows).enumerate() {
            let dst = &mut c[(i + r) * rs_c..][..gh];
            dst.iter_mut().zip(acc).for_each(|(d, &v)| *d += v);
        }
    }
}

/// LSTM forward over one chunk (`x`, `hs` and the saved buffers: its rows, all steps).
#[allow(clippy::too_many_arguments)]
fn lstm_fwd_rows<T: Gate>(
    d: Dims,
    x: &[T],
    w: &[T],
    bias: &[T],
    hs: &mut [T],
    acts: &mut [T],
    cs: &mut [T],
    tcs: &mut [T],
) {
    let (t_, h, gh) = (d.t, d.h, d.gh());
    let nb = hs.len() / (t_ * h);
    let bsum: Vec<T> = bias[..gh].iter().zip(&bias[gh..]).map(|(&a, &b)| a + b).collect();
    project_inputs(d, x, w, None, acts);
    let mut product = StepProduct::new(d, w);
    let zeros = vec![T::default(); h];
    for t in 0..t_ {
        if t > 0 {
            // a_t += h_{t-1} W_hh^T
            product.run(&hs[(t - 1) * h..], t_ * h, nb, &mut acts[t * gh..], t_ * gh);
        }
        for r in 0..nb {
            let o = (r * t_ + t) * h;
            let (before, after) = cs.split_at_mut(o);
            let c_prev = if t == 0 { &zeros[..] } else { &before[o - h..] };
            let a = &mut acts[(r * t_ + t) * gh..][..gh];
            lstm_cell(a, &bsum, c_prev, &mut after[..h], &mut tcs[o..o + h], &mut hs[o..o + h]);
        }
    }
}

/// GRU forward over one chunk.
fn gru_fwd_rows<T: Gate>(d: Dims, x: &[T], w: &[T], bias: &[T], hs: &mut [T], acts: &mut [T], hhns: &mut [T]) {
    let (t_, h, gh) = (d.t, d.h, d.gh());
    let nb = hs.len() / (t_ * h);
    let (bi, bh) = bias.split_at(gh);
    // SAFETY: the input projection writes every row.
    let mut gx = unsafe { uninit_vec::<T>(nb * t_ * gh) };
    project_inputs(d, x, w, Some(bi), &mut gx);
    let mut hh = vec![T::default(); nb * gh];
    let mut product = StepProduct::new(d, w);
    let zeros = vec![T::default(); h];
    for t in 0..t_ {
        hh.chunks_mut(gh).for_each(|row| row.copy_from_slice(bh));
        if t > 0 {
            // hh = b_hh + h_{t-1} W_hh^T
            product.run(&hs[(t - 1) * h..], t_ * h, nb, &mut hh, gh);
        }
        for r in 0..nb {
            let o = (r * t_ + t) * h;
            let og = (r * t_ + t) * gh;
            let (before, after) = hs.split_at_mut(o);
            let h_prev = if t == 0 { &zeros[..] } else { &before[o - h..] };
            let hh_r = &hh[r * gh..(r + 1) * gh];
            gru_cell(&gx[og..og + gh], hh_r, h_prev, &mut acts[og..og + gh], &mut hhns[o..o + h], &mut after[..h]);
        }
    }
}

/// The whole forward: hidden states `(B, T, H)` and what the backward needs.
fn recurrence_fwd<T: Gate>(cell: RecurrentCell, d: Dims, x: &[T], w: &[T], bias: &[T]) -> (Vec<T>, Saved<T>) {
    let (t, h, gh, rows) = (d.t, d.h, d.gh(), d.rows());
    // SAFETY (all four buffers): the forward writes every step of every row: the input projection
    // fills `acts` (the GRU cell then overwrites it), and each step's cell writes its rows of the
    // hidden states, the cell state or GRU candidate, and tanh(c).
    let mut hs = unsafe { uninit_vec::<T>(d.b * t * h) };
    let mut acts = unsafe { uninit_vec::<T>(d.b * t * gh) };
    let mut state = unsafe { uninit_vec::<T>(d.b * t * h) };
    let chunks = hs
        .par_chunks_mut(rows * t * h)
        .zip(acts.par_chunks_mut(rows * t * gh))
        .zip(x.par_chunks(rows * t * d.f))
        .zip(state.par_chunks_mut(rows * t * h));
    match cell {
        RecurrentCell::Lstm => {
            // SAFETY: as above, every step of every row writes its tanh(c).
            let mut tanh_c = unsafe { uninit_vec::<T>(d.b * t * h) };
            chunks
                .zip(tanh_c.par_chunks_mut(rows * t * h))
                .for_each(|((((hs, acts), x), cs), tcs)| lstm_fwd_rows(d, x, w, bias, hs, acts, cs, tcs));
            (hs, Saved { acts, state, tanh_c })
        }
        RecurrentCell::Gru => {
            chunks.for_each(|(((hs, acts), x), hhn)| gru_fwd_rows(d, x, w, bias, hs, acts, hhn));
            (hs, Saved { acts, state, tanh_c: Vec::new() })
        }
    }
}

/// The rows `r0..r0+nb` of a `(B, T, n)` buffer.
fn rows_of<T>(v: &[T], d: Dims, r0: usize, nb: usize, n: usize) -> &[T] {
    &v[r0 * d.t * n..(r0 + nb) * d.t * n]
}

/// Length of the packed gradients `[d W (G*H, F + H), d b_ih (G*H), d b_hh (G*H), d x (B, T, F)]`.
fn packed_len(d: Dims) -> usize {
    d.gh() * d.wc() + 2 * d.gh() + d.b * d.t * d.f
}

/// The backward over all rows, packed as [`packed_len`] says (`d x` zero unless `need_dx`).
fn recurrence_bwd<T: Gate>(
    cell: RecurrentCell,
    d: Dims,
    (grad, x, w, hs): (&[T], &[T], &[T], &[T]),
    s: &Saved<T>,
    need_dx: bool,
) -> Vec<T> {
    let (t_, f, h, gh, wc, rows) = (d.t, d.f, d.h, d.gh(), d.wc(), d.rows());
    let n_params = gh * wc + 2 * gh;
    let mut out = vec![T::default(); packed_len(d)];
    let (dparams, dx) = out.split_at_mut(n_params);
    let partial = dx
        .par_chunks_mut(rows * t_ * f)
        .enumerate()
        .map(|(ci, dx)| {
            let r0 = ci * rows;
            let nb = dx.len() / (t_ * f);
            let x = rows_of(x, d, r0, nb, f);
            let gr = rows_of(grad, d, r0, nb, h);
            let acts = rows_of(&s.acts, d, r0, nb, gh);
            let state = rows_of(&s.state, d, r0, nb, h);
            let hprev = shifted(d, rows_of(hs, d, r0, nb, h));
            let w_hh = &w[f..];
            // Gradient of the input projection (`W_ih x + b_ih`) and, for the GRU, of the hidden one.
            let mut dgx = vec![T::default(); nb * t_ * gh];
            let mut dh = vec![T::default(); nb * h];
            let mut acc = vec![T::default(); n_params];
            let dhh = match cell {
                RecurrentCell::Lstm => {
                    let tcs = rows_of(&s.tanh_c, d, r0, nb, h);
                    let mut dc = vec![T::default(); nb * h];
                    let zeros = vec![T::default(); h];
                    for t in (0..t_).rev() {
                        for r in 0..nb {
                            let o = (r * t_ + t) * h;
                            let og = (r * t_ + t) * gh;
                            let c_prev = if t == 0 { &zeros[..] } else { &state[o - h..o] };
                            let (dh_r, dc_r) = (&dh[r * h..(r + 1) * h], &mut dc[r * h..(r + 1) * h]);
                            let da = &mut dgx[og..og + gh];
                            lstm_cell_bwd(&acts[og..og + gh], c_prev, &tcs[o..o + h], &gr[o..o + h], dh_r, dc_r, da);
                        }
                        if t > 0 {
                            // dh_{t-1} = dA_t W_hh
                            gemm_rows((nb, h, gh), &mut dh, h, false, &dgx[t * gh..], t_ * gh, w_hh, (wc, 1));
                        }
                    }
                    None
                }
                RecurrentCell::Gru => {
                    let mut dhh = vec![T::default(); nb * t_ * gh];
                    for t in (0..t_).rev() {
                        for r in 0..nb {
                            let o = (r * t_ + t) * h;
                            let og = (r * t_ + t) * gh;
                            let dh_r = &mut dh[r * h..(r + 1) * h];
                            let (dgx_r, dhh_r) = (&mut dgx[og..og + gh], &mut dhh[og..og + gh]);
                            let (a, hn, hp) = (&acts[og..og + gh], &state[o..o + h], &hprev[o..o + h]);
                            gru_cell_bwd(a, hn, hp, &gr[o..o + h], dh_r, dgx_r, dhh_r);
                        }
                        if t > 0 {
                            // dh_{t-1} = z dh_t + dhh_t W_hh
                            gemm_rows((nb, h, gh), &mut dh, h, true, &dhh[t * gh..], t_ * gh, w_hh, (wc, 1));
                        }
                    }
                    Some(dhh)
                }
            };
            // The LSTM's hidden projection has the same gradient as its input projection.
            let dhh = dhh.as_deref().unwrap_or(&dgx);
            let n = nb * t_;
            gemm_tn((gh, f, n), &mut acc, wc, &dgx, x, f);
            gemm_tn((gh, h, n), &mut acc[f..], wc, dhh, &hprev, h);
            add_col_sums(&mut acc[gh * wc..gh * wc + gh], &dgx);
            add_col_sums(&mut acc[gh * wc + gh..], dhh);
            if need_dx {
                // dx = dA W_ih
                gemm_rows((n, f, gh), dx, f, false, &dgx, gh, w, (wc, 1));
            }
            acc
        })
        .collect::<Vec<_>>();
    // Summed in chunk order, so that the result does not depend on how rayon scheduled the chunks.
    for p in partial {
        dparams.iter_mut().zip(&p).for_each(|(x, &y)| *x += y);
    }
    out
}

// -------------------------------------------------------------------------------------------------
// Custom ops

/// The layer: `(x (B, T, F), [W_ih | W_hh] (G*H, F + H), [b_ih, b_hh] (2*G*H))` -> `h (B, T, H)`.
/// Keeps the activations for its backward.
struct Recurrence {
    cell: RecurrentCell,
    saved: OnceLock<SavedAny>,
}

/// Checks the operand shapes and returns the dimensions.
fn dims(cell: RecurrentCell, x: &Layout, w: &Layout, bias: &Layout) -> candle_core::Result<Dims> {
    let (b, t, f) = x.shape().dims3()?;
    let (gh, wc) = w.shape().dims2()?;
    let g = cell.gates();
    if gh % g != 0 || wc != f + gh / g || bias.shape().dims() != [2 * gh] {
        candle_core::bail!(
            "recurrence: inconsistent shapes x {:?}, W {:?}, biases {:?}",
            x.dims(),
            w.dims(),
            bias.dims()
        );
    }
    Ok(Dims { b, t, f, h: gh / g, g })
}

impl Recurrence {
    fn fwd<T: Gate>(
        &self,
        d: Dims,
        (s1, l1): (&CpuStorage, &Layout),
        (s2, l2): (&CpuStorage, &Layout),
        (s3, l3): (&CpuStorage, &Layout),
    ) -> candle_core::Result<CpuStorage> {
        let (hs, saved) = recurrence_fwd(self.cell, d, T::slice(s1, l1)?, T::slice(s2, l2)?, T::slice(s3, l3)?);
        // Set once: candle runs a custom op's forward once per application.
        let _ = self.saved.set(T::save(saved));
        Ok(T::storage(hs))
    }
}

impl CustomOp3 for Recurrence {
    fn name(&self) -> &'static str {
        match self.cell {
            RecurrentCell::Lstm => "scidl-lstm",
            RecurrentCell::Gru => "scidl-gru",
        }
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let d = dims(self.cell, l1, l2, l3)?;
        let st = match s1.dtype() {
            DType::F32 => self.fwd::<f32>(d, (s1, l1), (s2, l2), (s3, l3))?,
            DType::F64 => self.fwd::<f64>(d, (s1, l1), (s2, l2), (s3, l3))?,
            other => candle_core::bail!("recurrence: f32 or f64 expected, got {other:?}"),
        };
        Ok((st, Shape::from((d.b, d.t, d.h))))
    }
    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        bias: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let Some(saved) = self.saved.get() else {
            candle_core::bail!("recurrence backward: the forward kept no activations")
        };
        let d = dims(self.cell, x.layout(), w.layout(), bias.layout())?;
        let need_dx = x.track_op();
        // Operands: [grad, h] stacked (both (B, T, H)), x, W.
        let gh_stack = Tensor::cat(&[&grad.contiguous()?, res], 0)?;
        let op = RecurrenceGrad { cell: self.cell, d, saved, need_dx };
        let packed = gh_stack.apply_op3_no_bwd(x, w, &op)?;
        let (gh, wc) = (d.gh(), d.wc());
        let dw = packed.narrow(0, 0, gh * wc)?.reshape((gh, wc))?;
        let db = packed.narrow(0, gh * wc, 2 * gh)?;
        let dx =
            if need_dx { Some(packed.narrow(0, gh * wc + 2 * gh, d.b * d.t * d.f)?.reshape(x.shape())?) } else { None };
        Ok((dx, Some(dw), Some(db)))
    }
}

/// The backward: `([grad of h; h] (2B, T, H), x, W)` -> packed gradients (see [`packed_len`]).
struct RecurrenceGrad<'a> {
    cell: RecurrentCell,
    d: Dims,
    saved: &'a SavedAny,
    need_dx: bool,
}

impl RecurrenceGrad<'_> {
    fn bwd<T: Gate>(
        &self,
        (s1, l1): (&CpuStorage, &Layout),
        (s2, l2): (&CpuStorage, &Layout),
        (s3, l3): (&CpuStorage, &Layout),
    ) -> candle_core::Result<CpuStorage> {
        let d = self.d;
        let Some(saved) = T::saved(self.saved) else { candle_core::bail!("recurrence backward: dtype changed") };
        let n = d.b * d.t * d.h;
        let gh_stack = T::slice(s1, l1)?;
        if gh_stack.len() != 2 * n || saved.acts.len() != d.b * d.t * d.gh() {
            candle_core::bail!(
                "recurrence backward: inconsistent shapes {:?}, {:?}, {:?}",
                l1.dims(),
                l2.dims(),
                l3.dims()
            );
        }
        let (grad, hs) = gh_stack.split_at(n);
        let operands = (grad, T::slice(s2, l2)?, T::slice(s3, l3)?, hs);
        Ok(T::storage(recurrence_bwd(self.cell, d, operands, saved, self.need_dx)))
    }
}

impl CustomOp3 for RecurrenceGrad<'_> {
    fn name(&self) -> &'static str {
        "scidl-recurrence-grad"
    }
    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let st = match s1.dtype() {
            DType::F32 => self.bwd::<f32>((s1, l1), (s2, l2), (s3, l3))?,
            DType::F64 => self.bwd::<f64>((s1, l1), (s2, l2), (s3, l3))?,
            other => candle_core::bail!("recurrence backward: f32 or f64 expected, got {other:?}"),
        };
        Ok((st, Shape::from(packed_len(self.d))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::ParamStore;
    use crate::test_util::deviation;
    use candle_core::{Device, Var};

    fn input(shape: &[usize], dtype: DType) -> Var {
        let n: usize = shape.iter().product();
        let v: Vec<f64> = (0..n).map(|k| (k as f64 * 0.37) % 1.3 - 0.6).collect();
        Var::from_tensor(&Tensor::from_vec(v, shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap()).unwrap()
    }

    fn objective(y: &Tensor) -> Tensor {
        let n = y.elem_count();
        let c: Vec<f64> = (0..n).map(|k| (k as f64 * 0.71 + 0.2).cos()).collect();
        let c = Tensor::from_vec(c, y.dims(), &Device::Cpu).unwrap().to_dtype(y.dtype()).unwrap();
        (y * c).unwrap().sum_all().unwrap()
    }

    /// Two stacked layers on odd shapes (B = 3, T = 7, F = 5, H = 6, and H = 16, whose 64 LSTM
    /// gates fill the AVX-512 row product's tile): the fused recurrence against candle_nn's cells,
    /// forward and the gradients of the input and of every weight and bias. The batch is split
    /// unevenly across threads (2 + 1 rows on two threads, 1 + 1 + 1 on three).
    #[test]
    fn fused_recurrence_matches_candle_nn_cells() {
        for (threads, hid) in [(2, 6), (3, 6), (2, 16)] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            for cell in [RecurrentCell::Lstm, RecurrentCell::Gru] {
                for (dtype, tol) in [(DType::F32, 1e-5), (DType::F64, 1e-10)] {
                    let store = ParamStore::new(7, &Device::Cpu);
                    let vb = store.var_builder().set_dtype(dtype);
                    let l1 = recurrent(cell, 5, hid, vb.pp("layer0")).unwrap();
                    let l2 = recurrent(cell, hid, hid, vb.pp("layer1")).unwrap();
                    let x = input(&[3, 7, 5], dtype);
                    let fused = pool.install(|| l2.forward(&l1.forward(&x).unwrap()).unwrap());
                    let generic = l2.forward_generic(&l1.forward_generic(&x).unwrap()).unwrap();
                    let tag = format!("{cell:?} {dtype:?} H {hid}, {threads} threads");
                    assert_eq!(fused.dims(), [3, 7, hid], "{tag}");
                    let d = deviation(&fused, &generic);
                    assert!(d < tol, "{tag}: forward deviates by {d:e}");
                    let gf = pool.install(|| objective(&fused).backward().unwrap());
                    let gg = objective(&generic).backward().unwrap();
                    let mut checked = 0;
                    for (name, v) in store.all().iter().map(|(n, v)| (n.as_str(), v)).chain([("x", &x)]) {
                        let a = gf.get(v.as_tensor()).unwrap_or_else(|| panic!("{tag}: no gradient for {name}"));
                        let d = deviation(a, gg.get(v.as_tensor()).unwrap());
                        assert!(d < tol, "{tag}: gradient of {name} deviates by {d:e}");
                        checked += 1;
                    }
                    assert_eq!(checked, 9, "{tag}");
                }
            }
        }
    }

    /// The f32 sigmoid and tanh of the gate kernels against libm, over the range where they matter
    /// and at the extremes (saturation, no NaN or infinity, NaN propagated).
    #[test]
    fn vectorised_f32_gate_functions_match_libm() {
        let (mut worst_s, mut worst_t, mut at) = (0f64, 0f64, 0f32);
        for k in -20_000..=20_000 {
            let x = k as f32 * 1e-3;
            let s = 1.0 / (1.0 + (-(x as f64)).exp());
            worst_s = worst_s.max((<f32 as Gate>::sigmoid(x) as f64 - s).abs() / s);
            let t = (x as f64).tanh();
            if x != 0.0 {
                let e = (<f32 as Gate>::tanh(x) as f64 - t).abs() / t.abs();
                if e > worst_t {
                    (worst_t, at) = (e, x);
                }
            }
        }
        eprintln!("relative errors: sigmoid {worst_s:e}, tanh {worst_t:e} (at {at})");
        assert!(worst_s < 5e-7 && worst_t < 5e-7, "relative errors: sigmoid {worst_s:e}, tanh {worst_t:e} (at {at})");
        for (x, s, t) in
            [(1e3f32, 1.0, 1.0), (-1e3, 0.0, -1.0), (f32::INFINITY, 1.0, 1.0), (f32::NEG_INFINITY, 0.0, -1.0)]
        {
            assert!((<f32 as Gate>::sigmoid(x) - s).abs() < 1e-30, "sigmoid({x})");
            assert_eq!(<f32 as Gate>::tanh(x), t, "tanh({x})");
        }
        assert!(<f32 as Gate>::sigmoid(f32::NAN).is_nan() && <f32 as Gate>::tanh(f32::NAN).is_nan());
        assert_eq!(<f32 as Gate>::tanh(0.0), 0.0);
    }

    /// An input that needs no gradient (the first layer's data) gets none, and the weights still get
    /// candle_nn's gradients.
    #[test]
    fn untracked_input_gets_no_gradient() {
        for cell in [RecurrentCell::Lstm, RecurrentCell::Gru] {
            let store = ParamStore::new(1, &Device::Cpu);
            let l = recurrent(cell, 4, 5, store.var_builder().set_dtype(DType::F64)).unwrap();
            let x = input(&[2, 6, 4], DType::F64).as_tensor().detach();
            let gf = objective(&l.forward(&x).unwrap()).backward().unwrap();
            let gg = objective(&l.forward_generic(&x).unwrap()).backward().unwrap();
            assert!(gf.get(&x).is_none());
            for (name, v) in store.all() {
                let d = deviation(gf.get(v.as_tensor()).unwrap(), gg.get(v.as_tensor()).unwrap());
                assert!(d < 1e-10, "{cell:?}: gradient of {name} deviates by {d:e}");
            }
        }
    }

    /// The AVX2 build of every gate kernel returns the bits of the baseline build (odd width: the
    /// vector loops and their scalar tails).
    #[test]
    fn simd_kernels_match_baseline_bit_for_bit() {
        let h = 37;
        let v = |n: usize, a: f32, s: f32| (0..n).map(|k| (k as f32 * a).sin() * s).collect::<Vec<f32>>();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
        let (pre, c_prev, gh, dh) = (v(4 * h, 0.731, 6.0), v(h, 0.37, 2.0), v(h, 0.53, 1.0), v(h, 0.29, 0.5));
        type LstmFwd = fn(&mut [f32], &[f32], &[f32], &mut [f32], &mut [f32], &mut [f32]);
        let bias = v(4 * h, 0.17, 0.8);
        let lstm = |f: LstmFwd| {
            let (mut a, mut c, mut tc, mut ho) = (pre.clone(), vec![0.0; h], vec![0.0; h], vec![0.0; h]);
            f(&mut a, &bias, &c_prev, &mut c, &mut tc, &mut ho);
            [a, c, tc, ho].map(|x| bits(&x))
        };
        assert_eq!(lstm(lstm_cell::<f32>), lstm(lstm_cell_body::<f32>));
        let acts = v(4 * h, 0.41, 0.9).iter().map(|x| x.abs()).collect::<Vec<f32>>();
        type LstmBwd = fn(&[f32], &[f32], &[f32], &[f32], &[f32], &mut [f32], &mut [f32]);
        let lstm_bwd = |f: LstmBwd| {
            let (mut dc, mut da) = (v(h, 0.17, 0.3), vec![0.0; 4 * h]);
            f(&acts, &c_prev, &dh, &gh, &dh, &mut dc, &mut da);
            [dc, da].map(|x| bits(&x))
        };
        assert_eq!(lstm_bwd(lstm_cell_bwd::<f32>), lstm_bwd(lstm_cell_bwd_body::<f32>));
        let hh = v(3 * h, 0.61, 3.0);
        type GruFwd = fn(&[f32], &[f32], &[f32], &mut [f32], &mut [f32], &mut [f32]);
        let gru = |f: GruFwd| {
            let (mut a, mut hn, mut ho) = (vec![0.0; 3 * h], vec![0.0; h], vec![0.0; h]);
            f(&pre[..3 * h], &hh, &c_prev, &mut a, &mut hn, &mut ho);
            [a, hn, ho].map(|x| bits(&x))
        };
        assert_eq!(gru(gru_cell::<f32>), gru(gru_cell_body::<f32>));
        type GruBwd = fn(&[f32], &[f32], &[f32], &[f32], &mut [f32], &mut [f32], &mut [f32]);
        let gru_bwd = |f: GruBwd| {
            let (mut d, mut dgx, mut dhh) = (dh.clone(), vec![0.0; 3 * h], vec![0.0; 3 * h]);
            f(&acts[..3 * h], &gh, &c_prev, &gh, &mut d, &mut dgx, &mut dhh);
            [d, dgx, dhh].map(|x| bits(&x))
        };
        assert_eq!(gru_bwd(gru_cell_bwd::<f32>), gru_bwd(gru_cell_bwd_body::<f32>));
    }

    /// The packed recurrent product against a plain triple loop: several row blocks and a tail,
    /// partial panels, strided rows, and both the fused and the separate multiply-add builds.
    #[test]
    fn recurrent_product_matches_plain_loop() {
        for &(m, f, h, g) in &[(9usize, 3usize, 7usize, 4usize), (4, 1, 16, 3), (1, 2, 5, 4), (13, 4, 64, 4)] {
            let d = Dims { b: m, t: 1, f, h, g };
            let (gh, wc) = (d.gh(), d.wc());
            let w: Vec<f64> = (0..gh * wc).map(|i| ((i * 7 % 13) as f64 - 6.0) * 0.11).collect();
            let (rs_a, rs_c) = (h + 2, gh + 3);
            let a: Vec<f64> = (0..m * rs_a).map(|i| ((i * 5 % 11) as f64 - 5.0) * 0.07).collect();
            let c0: Vec<f64> = (0..m * rs_c).map(|i| (i % 3) as f64).collect();
            let mut want = c0.clone();
            for i in 0..m {
                for j in 0..gh {
                    want[i * rs_c + j] += (0..h).map(|k| a[i * rs_a + k] * w[j * wc + f + k]).sum::<f64>();
                }
            }
            let packed = pack_recurrent(d, &w);
            for fma in [false, true] {
                let mut c = c0.clone();
                if fma {
                    recurrent_product_body::<f64, true>(&packed, h, gh, &a, rs_a, m, &mut c, rs_c);
                } else {
                    recurrent_product_body::<f64, false>(&packed, h, gh, &a, rs_a, m, &mut c, rs_c);
                }
                let err = c.iter().zip(&want).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                assert!(err < 1e-12, "{:?} fma {fma}: {err}", (m, f, h, g));
            }
        }
    }

    /// The recurrent product on each direct-convolution build with a panel-wide tile gives the
    /// fused body's result bit for bit: row blocks with a tail, partial panels, strided rows.
    #[test]
    fn recurrent_product_tiles_match_fused_body_bitwise() {
        fn check<T: Gate + From<f32> + PartialEq + std::fmt::Debug + super::super::conv_direct::Kernels>() -> usize {
            let mut runs = 0;
            for kern in T::kernels() {
                if kern.tile_of_width(PANEL).is_none() {
                    continue;
                }
                for &(m, f, h, g) in &[(9usize, 3usize, 7usize, 4usize), (20, 1, 16, 3), (1, 2, 5, 4), (33, 4, 64, 4)] {
                    let d = Dims { b: m, t: 1, f, h, g };
                    let (gh, wc) = (d.gh(), d.wc());
                    let w: Vec<T> = (0..gh * wc).map(|i| T::from(((i * 7 % 13) as f32 - 6.0) * 0.11)).collect();
                    let (rs_a, rs_c) = (h + 2, gh + 3);
                    let a: Vec<T> = (0..m * rs_a).map(|i| T::from(((i * 5 % 11) as f32 - 5.0) * 0.07)).collect();
                    let c0: Vec<T> = (0..m * rs_c).map(|i| T::from((i % 3) as f32 * 0.3)).collect();
                    let packed = pack_recurrent(d, &w);
                    let (mut want, mut got) = (c0.clone(), c0);
                    // Without a tile, the fused body (every build here has AVX2 + FMA).
                    recurrent_product(None, &packed, h, gh, &a, rs_a, m, &mut want, rs_c);
                    let mut tile = ProductTile::with_kernel(&kern, h).expect("a tile PANEL wide");
                    tile.run(&packed, h, gh, &a, rs_a, m, &mut got, rs_c);
                    assert_eq!(got, want, "{:?} mr {}", (m, f, h, g), tile.mr);
                    runs += 1;
                }
            }
            runs
        }
        let runs = check::<f32>() + check::<f64>();
        // Every x86-64 CPU with AVX2 has an f32 tile 16 wide.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            assert!(runs >= 4);
        }
    }

    #[test]
    fn bad_input_shapes_error() {
        let store = ParamStore::new(0, &Device::Cpu);
        let l = recurrent(RecurrentCell::Lstm, 4, 3, store.var_builder()).unwrap();
        assert!(l.forward(&Tensor::zeros((2, 5, 3), DType::F32, &Device::Cpu).unwrap()).is_err());
        assert!(l.forward(&Tensor::zeros((2, 0, 4), DType::F32, &Device::Cpu).unwrap()).is_err());
        assert!(l.forward(&Tensor::zeros((2, 4), DType::F32, &Device::Cpu).unwrap()).is_err());
        assert!(recurrent(RecurrentCell::Gru, 0, 3, store.var_builder()).is_err());
    }
}
