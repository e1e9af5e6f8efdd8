//! 3-D convolution and transposed convolution, built from Candle's 2-D kernels so that Candle's
//! autograd provides the backward pass and every device Candle supports runs them.
//!
//! `conv3d`: the `kD` depth taps are gathered into the channel axis (`(N*D_out, kD*C_in, H, W)`) and
//! convolved once with the kernel reshaped to `(C_out, kD*C_in/groups, kH, kW)`.
//! `conv_transpose3d`: one 2-D transposed convolution produces all `kD` depth taps, which are
//! spread along depth with the stride (zero insertion), shifted by `kd * dilation`, summed and cropped.
//! Shapes follow PyTorch: input `(N, C_in, D, H, W)`, weight `(C_out, C_in/groups, kD, kH, kW)` for
//! `conv3d` and `(C_in, C_out, kD, kH, kW)` for `conv_transpose3d`.

use super::fused::{Act, bias_act};
use crate::{Error, Result};
use candle_core::{D, Module, Tensor};
use candle_nn::VarBuilder;

/// Hyper-parameters of a 3-D convolution. Height and width share stride and dilation (Candle's
/// 2-D kernels take one value for both); depth has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Conv3dConfig {
    /// Zero padding (depth, height, width).
    pub padding: [usize; 3],
    /// Stride (depth, height and width).
    pub stride: [usize; 2],
    /// Dilation (depth, height and width).
    pub dilation: [usize; 2],
    /// Channel groups.
    pub groups: usize,
}

impl Default for Conv3dConfig {
    fn default() -> Self {
        Self { padding: [0; 3], stride: [1; 2], dilation: [1; 2], groups: 1 }
    }
}

impl Conv3dConfig {
    /// Same padding in all dims, unit stride and dilation.
    pub fn padded(p: usize) -> Self {
        Self { padding: [p; 3], ..Self::default() }
    }
}

/// Pads `(.., H, W)` for Candle's `conv2d` (kernel `kh x kw`, stride `s`, dilation `dl`) and returns
/// the equal padding left to `conv2d` itself.
///
/// Candle 0.11's `conv2d` backward derives the output padding of the input gradient from the height
/// alone and applies it to the width as well, so when the rows and the columns that no window reaches
/// (`(n + 2p - span) % s`) differ in number, backward fails with a shape mismatch (e.g. H = 5, W = 6,
/// k = 3, p = 1, s = 2). Then all the padding is applied here and the unreached rows and columns
/// are cropped (their gradient is zero), which leaves nothing unreached in either dim.
fn pad_hw(x: &Tensor, ph: usize, pw: usize, (kh, kw): (usize, usize), s: usize, dl: usize) -> Result<(Tensor, usize)> {
    let (h, w) = (x.dim(D::Minus2)?, x.dim(D::Minus1)?);
    let unreached =
        |n: usize, p: usize, k: usize| (n + 2 * p).checked_sub(dl * (k.max(1) - 1) + 1).map(|v| v % s.max(1));
    if let (Some(rh), Some(rw)) = (unreached(h, ph, kh), unreached(w, pw, kw))
        && rh != rw
    {
        let x = x.pad_with_zeros(D::Minus2, ph, ph)?.pad_with_zeros(D::Minus1, pw, pw)?;
        return Ok((x.narrow(D::Minus2, 0, h + 2 * ph - rh)?.narrow(D::Minus1, 0, w + 2 * pw - rw)?, 0));
    }
    // Candle pads H and W equally; pad the larger-than-common part explicitly.
    let common = ph.min(pw);
    let mut x = x.clone();
    if ph > common {
        x = x.pad_with_zeros(D::Minus2, ph - common, ph - common)?;
    }
    if pw > common {
        x = x.pad_with_zeros(D::Minus1, pw - common, pw - common)?;
    }
    Ok((x, common))
}

/// Whether the CPU GEMM kernels take these operands.
fn gemm_path(x: &Tensor, w: &Tensor) -> bool {
    x.device().is_cpu()
        && matches!(x.dtype(), candle_core::DType::F32 | candle_core::DType::F64)
        && w.dtype() == x.dtype()
}

/// Functional 3-D convolution (cross-correlation, as PyTorch's `conv3d`).
///
/// On the CPU (f32/f64, one group) it is one im2col + GEMM per image over all three dims
/// ([`super::conv_gemm::conv3d_gemm`]); elsewhere the depth taps are gathered into channels for a
/// 2-D convolution.
pub fn conv3d(x: &Tensor, w: &Tensor, cfg: &Conv3dConfig) -> Result<Tensor> {
    if cfg.groups.max(1) == 1 && x.rank() == 5 && w.rank() == 5 && x.dim(1)? == w.dim(1)? && gemm_path(x, w) {
        let [sd, s] = cfg.stride;
        let [dd, dl] = cfg.dilation;
        return super::conv_gemm::conv3d_gemm(x, w, cfg.padding, [sd, s, s], [dd, dl, dl]);
    }
    conv3d_taps(x, w, cfg)
}

/// [`conv3d`] through gathered depth taps and a 2-D convolution (devices other than the CPU,
/// groups; the reference of the GEMM path's test).
fn conv3d_taps(x: &Tensor, w: &Tensor, cfg: &Conv3dConfig) -> Result<Tensor> {
    let (n, c_in, d, h, wd) = x.dims5()?;
    let (c_out, c_in_g, kd, kh, kw) = w.dims5()?;
    let g = cfg.groups.max(1);
    if c_in != c_in_g * g || c_out % g != 0 {
        return Err(Error::Shape(format!(
            "conv3d: input has {c_in} channels, weight {:?} with {g} groups expects {}",
            w.dims(),
            c_in_g * g
        )));
    }
    let [pd, ph, pw] = cfg.padding;
    let [sd, s] = cfg.stride;
    let [dd, dl] = cfg.dilation;
    let span = dd * (kd - 1) + 1;
    if d + 2 * pd < span {
        return Err(Error::Shape(format!(
            "conv3d: depth {d} (+2*{pd} padding) is smaller than the kernel span {span}"
        )));
    }
    let d_out = (d + 2 * pd - span) / sd + 1;
    let x = if pd > 0 { x.pad_with_zeros(2, pd, pd)? } else { x.clone() };
    let idx: Vec<u32> = (0..kd).flat_map(|k| (0..d_out).map(move |o| (k * dd + o * sd) as u32)).collect();
    let idx = Tensor::from_vec(idx, kd * d_out, x.device())?;
    // (N, C_in, kD*D_out, H, W) -> (N, g, C_in/g, kD, D_out, H, W) -> (N, D_out, g, kD, C_in/g, H, W)
    let taps = x.index_select(&idx, 2)?.reshape(vec![n, g, c_in_g, kd, d_out, h, wd])?;
    let taps = taps.permute(vec![0, 4, 1, 3, 2, 5, 6])?.contiguous()?.reshape((n * d_out, c_in * kd, h, wd))?;
    let w2 = w.permute((0, 2, 1, 3, 4))?.contiguous()?.reshape((c_out, kd * c_in_g, kh, kw))?;
    let y = if g == 1
        && taps.device().is_cpu()
        && matches!(taps.dtype(), candle_core::DType::F32 | candle_core::DType::F64)
    {
        super::conv_gemm::conv2d(&taps, &w2, [ph, pw], [s, s], [dl, dl])?
    } else {
        let (taps, common) = pad_hw(&taps, ph, pw, (kh, kw), s, dl)?;
        taps.conv2d(&w2, common, s, dl, g)?
    };
    let (_, _, ho, wo) = y.dims4()?;
    Ok(y.reshape((n, d_out, c_out, ho, wo))?.permute((0, 2, 1, 3, 4))?.contiguous()?)
}

/// Hyper-parameters of a 3-D transposed convolution (one group).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConvTranspose3dConfig {
    /// Padding removed from each side of the output (depth, height+width).
    pub padding: [usize; 2],
    /// Extra size added to one side of the output (depth, height+width).
    pub output_padding: [usize; 2],
    /// Stride (depth, height+width).
    pub stride: [usize; 2],
    /// Dilation (depth, height+width).
    pub dilation: [usize; 2],
}

impl Default for ConvTranspose3dConfig {
    fn default() -> Self {
        Self { padding: [0; 2], output_padding: [0; 2], stride: [1; 2], dilation: [1; 2] }
    }
}

/// Functional 3-D transposed convolution (PyTorch's `conv_transpose3d` with one group).
///
/// On the CPU (f32/f64) it is the adjoint of the GEMM convolution
/// ([`super::conv_gemm::conv_transpose_gemm`]); elsewhere one 2-D transposed convolution makes all
/// depth taps, which are spread, shifted and summed.
pub fn conv_transpose3d(x: &Tensor, w: &Tensor, cfg: &ConvTranspose3dConfig) -> Result<Tensor> {
    let out_pad_below_stride = cfg.output_padding.iter().zip(&cfg.stride).all(|(o, s)| o < s);
    if x.rank() == 5 && w.rank() == 5 && x.dim(1)? == w.dim(0)? && out_pad_below_stride && gemm_path(x, w) {
        let ([pd, p], [opd, op], [sd, s], [dd, dl]) = (cfg.padding, cfg.output_padding, cfg.stride, cfg.dilation);
        return super::conv_gemm::conv_transpose_gemm(x, w, &[pd, p, p], &[opd, op, op], &[sd, s, s], &[dd, dl, dl]);
    }
    conv_transpose3d_taps(x, w, cfg)
}

/// [`conv_transpose3d`] through one 2-D transposed convolution (devices other than the CPU; the
/// reference of the GEMM path's test).
fn conv_transpose3d_taps(x: &Tensor, w: &Tensor, cfg: &ConvTranspose3dConfig) -> Result<Tensor> {
    let (n, c_in, d, h, wd) = x.dims5()?;
    let (c_in_w, c_out, kd, kh, kw) = w.dims5()?;
    if c_in != c_in_w {
        return Err(Error::Shape(format!("conv_transpose3d: input has {c_in} channels, weight {:?}", w.dims())));
    }
    let [pd, p] = cfg.padding;
    let [opd, op] = cfg.output_padding;
    let [sd, s] = cfg.stride;
    let [dd, dl] = cfg.dilation;
    let full = (d - 1) * sd + dd * (kd - 1) + 1 + opd;
    if full < 2 * pd + 1 {
        return Err(Error::Shape(format!("conv_transpose3d: padding {pd} removes the whole depth {full}")));
    }
    let d_out = full - 2 * pd;
    // All depth taps at once: weight (C_in, kD*C_out, kH, kW), input (N*D, C_in, H, W).
    let w2 = w.permute((0, 2, 1, 3, 4))?.contiguous()?.reshape((c_in, kd * c_out, kh, kw))?;
    let x2 = x.permute((0, 2, 1, 3, 4))?.contiguous()?.reshape((n * d, c_in, h, wd))?;
    let y = super::conv_gemm::conv_transpose2d(&x2, &w2, [p; 2], [op; 2], [s; 2], [dl; 2])?;
    let (_, _, ho, wo) = y.dims4()?;
    // (N, D, kD, C_out, Ho, Wo) -> (N, kD, C_out, D, Ho, Wo)
    let y = y.reshape(vec![n, d, kd, c_out, ho, wo])?.permute(vec![0, 2, 3, 1, 4, 5])?;
    let spread_len = (d - 1) * sd + 1;
    let mut acc: Option<Tensor> = None;
    for k in 0..kd {
        let mut t = y.narrow(1, k, 1)?.squeeze(1)?; // (N, C_out, D, Ho, Wo)
        if sd > 1 {
            let z = Tensor::zeros((n, c_out, d, sd - 1, ho, wo), t.dtype(), t.device())?;
            t = Tensor::cat(&[&t.unsqueeze(3)?, &z], 3)?
                .reshape((n, c_out, d * sd, ho, wo))?
                .narrow(2, 0, spread_len)?;
        }
        let before = k * dd;
        let after = full - spread_len - before;
        let t = t.pad_with_zeros(2, before, after)?;
        acc = Some(match acc {
            None => t,
            Some(a) => (a + t)?,
        });
    }
    let acc = acc.ok_or_else(|| Error::Shape("conv_transpose3d: kernel depth is 0".into()))?;
    Ok(acc.narrow(2, pd, d_out)?)
}

/// A 3-D convolution layer with optional bias.
#[derive(Debug, Clone)]
pub struct Conv3d {
    weight: Tensor,
    bias: Option<Tensor>,
    cfg: Conv3dConfig,
}

/// Builds a [`Conv3d`] with PyTorch's default initialisation (Kaiming uniform, `a = sqrt(5)`,
/// i.e. bound `1/sqrt(fan_in)` for weight and bias).
pub fn conv3d_layer(
    c_in: usize,
    c_out: usize,
    k: usize,
    cfg: Conv3dConfig,
    bias: bool,
    vb: VarBuilder,
) -> Result<Conv3d> {
    let g = cfg.groups.max(1);
    let fan_in = (c_in / g * k * k * k) as f64;
    let bound = 1.0 / fan_in.sqrt();
    let weight =
        vb.get_with_hints((c_out, c_in / g, k, k, k), "weight", candle_nn::Init::Uniform { lo: -bound, up: bound })?;
    let bias = if bias {
        Some(vb.get_with_hints(c_out, "bias", candle_nn::Init::Uniform { lo: -bound, up: bound })?)
    } else {
        None
    };
    Ok(Conv3d { weight, bias, cfg })
}

impl Conv3d {
    /// The kernel, `(C_out, C_in/groups, k, k, k)`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }
}

impl Module for Conv3d {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = conv3d(x, &self.weight, &self.cfg).map_err(candle_core::Error::wrap)?;
        // The bias through the fused op: its gradient is one per-channel pass, where Candle's
        // `broadcast_add` summed it with a strided reduction (8 % of a U-Net 3-D training step).
        bias_act(&y, self.bias.as_ref(), Act::Identity).map_err(candle_core::Error::wrap)
    }
}

/// A 3-D transposed convolution layer with bias.
#[derive(Debug, Clone)]
pub struct ConvTranspose3d {
    weight: Tensor,
    bias: Option<Tensor>,
    cfg: ConvTranspose3dConfig,
}

/// Builds a [`ConvTranspose3d`] (`weight: (C_in, C_out, k, k, k)`), PyTorch's default initialisation.
pub fn conv_transpose3d_layer(
    c_in: usize,
    c_out: usize,
    k: usize,
    cfg: ConvTranspose3dConfig,
    bias: bool,
    vb: VarBuilder,
) -> Result<ConvTranspose3d> {
    // PyTorch computes fan_in from weight.size(1) * receptive field for transposed convs.
    let bound = 1.0 / ((c_out * k * k * k) as f64).sqrt();
    let weight =
        vb.get_with_hints((c_in, c_out, k, k, k), "weight", candle_nn::Init::Uniform { lo: -bound, up: bound })?;
    let bias = if bias {
        Some(vb.get_with_hints(c_out, "bias", candle_nn::Init::Uniform { lo: -bound, up: bound })?)
    } else {
        None
    };
    Ok(ConvTranspose3d { weight, bias, cfg })
}

impl Module for ConvTranspose3d {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let y = conv_transpose3d(x, &self.weight, &self.cfg).map_err(candle_core::Error::wrap)?;
        // The bias through the fused op: its gradient is one per-channel pass, where Candle's
        // `broadcast_add` summed it with a strided reduction (8 % of a U-Net 3-D training step).
        bias_act(&y, self.bias.as_ref(), Act::Identity).map_err(candle_core::Error::wrap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::deviation;
    use candle_core::{DType, Device, Var};

    fn t(shape: &[usize], k: f64, dtype: DType) -> Var {
        let n: usize = shape.iter().product();
        let v: Vec<f64> = (0..n).map(|i| (i as f64 * k).sin() * 0.7 + 0.05).collect();
        Var::from_tensor(&Tensor::from_vec(v, shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap()).unwrap()
    }

    /// The 3-D GEMM convolution and its transposed form against the depth-tap paths on odd shapes
    /// (padding, stride and dilation in depth and in-plane): forward, input and weight gradients.
    #[test]
    fn gemm_paths_match_depth_tap_paths() {
        // (n, c, d, h, w, o, (kd, k), padding, stride, dilation); the last case is big enough for
        // the GEMM path to cut its 7 x 36 output rows into slabs of 33 rows, most of which start
        // and end inside a depth plane.
        type Case = (usize, usize, usize, usize, usize, usize, (usize, usize), [usize; 3], [usize; 2], [usize; 2]);
        let cases: [Case; 5] = [
            (2, 3, 5, 6, 7, 4, (3, 3), [1, 1, 1], [1, 1], [1, 1]),
            (1, 2, 7, 5, 6, 3, (2, 3), [0, 1, 2], [2, 2], [1, 1]),
            (2, 1, 6, 7, 5, 2, (3, 2), [2, 0, 1], [1, 2], [2, 1]),
            (3, 2, 4, 4, 4, 3, (1, 3), [0, 1, 1], [1, 1], [1, 2]),
            (1, 4, 7, 36, 36, 2, (3, 3), [1, 1, 1], [1, 1], [1, 1]),
        ];
        for (dtype, tol) in [(DType::F32, 1e-4), (DType::F64, 1e-10)] {
            for &(n, c, d, h, w, o, (kd, k), padding, stride, dilation) in &cases {
                let tag = format!("{dtype:?} {:?}", (n, c, d, h, w, o, kd, k, padding, stride, dilation));
                let x = t(&[n, c, d, h, w], 0.37, dtype);
                let wt = t(&[o, c, kd, k, k], 0.91, dtype);
                let cfg = Conv3dConfig { padding, stride, dilation, groups: 1 };
                let a = conv3d(x.as_tensor(), wt.as_tensor(), &cfg).unwrap();
                let b = conv3d_taps(x.as_tensor(), wt.as_tensor(), &cfg).unwrap();
                assert!(deviation(&a, &b) < tol, "{tag}: forward");
                let coeff = t(a.dims(), 0.53, dtype);
                let ga = (&a * coeff.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
                let gb = (&b * coeff.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
                for v in [&x, &wt] {
                    let e = deviation(ga.get(v.as_tensor()).unwrap(), gb.get(v.as_tensor()).unwrap());
                    assert!(e < tol * 10.0, "{tag}: gradient {e:e}");
                }
                // The transposed convolution maps the output shape back to the input's.
                let wt_t = t(&[c, o, kd, k, k], 0.29, dtype);
                let tcfg = ConvTranspose3dConfig {
                    padding: [padding[0], padding[1].min(k - 1)],
                    output_padding: [0, 0],
                    stride,
                    dilation,
                };
                let xt = t(&[n, c, d, h, w], 0.61, dtype);
                let a = conv_transpose3d(xt.as_tensor(), wt_t.as_tensor(), &tcfg).unwrap();
                let b = conv_transpose3d_taps(xt.as_tensor(), wt_t.as_tensor(), &tcfg).unwrap();
                assert_eq!(a.dims(), b.dims(), "{tag}: transposed shape");
                assert!(deviation(&a, &b) < tol, "{tag}: transposed forward");
                let coeff = t(a.dims(), 0.47, dtype);
                let ga = (&a * coeff.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
                let gb = (&b * coeff.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
                for v in [&xt, &wt_t] {
                    let e = deviation(ga.get(v.as_tensor()).unwrap(), gb.get(v.as_tensor()).unwrap());
                    assert!(e < tol * 10.0, "{tag}: transposed gradient {e:e}");
                }
            }
        }
    }

    /// The layers with a bias (fused on the CPU in f32) against the convolution plus Candle's
    /// `broadcast_add`: forward and the gradients of input, weight and bias.
    #[test]
    fn layers_with_bias_match_broadcast_add() {
        use crate::nn::ParamStore;
        let store = ParamStore::new(5, &Device::Cpu);
        let vb = store.var_builder();
        let cfg = Conv3dConfig { padding: [1, 1, 1], stride: [1, 1], dilation: [1, 1], groups: 1 };
        let conv = conv3d_layer(3, 4, 3, cfg, true, vb.pp("c")).unwrap();
        let tcfg = ConvTranspose3dConfig { padding: [0, 0], output_padding: [0, 0], stride: [2, 2], dilation: [1, 1] };
        let up = conv_transpose3d_layer(3, 2, 2, tcfg, true, vb.pp("t")).unwrap();
        let x = t(&[2, 3, 4, 5, 6], 0.37, DType::F32);
        let b5 = |b: &Var| b.as_tensor().reshape((1, (), 1, 1, 1)).unwrap();
        let (cw, cb) = (store.get("c.weight").unwrap(), store.get("c.bias").unwrap());
        let (tw, tb) = (store.get("t.weight").unwrap(), store.get("t.bias").unwrap());
        let cases = [
            (
                conv.forward(x.as_tensor()).unwrap(),
                conv3d(x.as_tensor(), cw.as_tensor(), &cfg).unwrap().broadcast_add(&b5(&cb)).unwrap(),
                [&x, &cw, &cb],
            ),
            (
                up.forward(x.as_tensor()).unwrap(),
                conv_transpose3d(x.as_tensor(), tw.as_tensor(), &tcfg).unwrap().broadcast_add(&b5(&tb)).unwrap(),
                [&x, &tw, &tb],
            ),
        ];
        for (k, (ours, plain, vars)) in cases.into_iter().enumerate() {
            assert!(deviation(&ours, &plain) < 1e-6, "layer {k}: forward");
            let coeff = t(ours.dims(), 0.53, DType::F32);
            let go = (&ours * coeff.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
            let gp = (&plain * coeff.as_tensor()).unwrap().sum_all().unwrap().backward().unwrap();
            for v in vars {
                let e = deviation(go.get(v.as_tensor()).unwrap(), gp.get(v.as_tensor()).unwrap());
                assert!(e < 1e-5, "layer {k}: gradient {e:e}");
            }
        }
    }
}
