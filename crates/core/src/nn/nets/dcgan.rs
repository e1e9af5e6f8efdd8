//! DCGAN generator and discriminator (Radford et al., 2016, "Unsupervised representation learning
//! with deep convolutional generative adversarial networks") for small images, with the shapes of
//! the MNIST-sized GAN: G `z (N, 100)` -> fc(128*7*7) + BN + ReLU -> `(N, 128, 7, 7)` ->
//! convT(128->64, 4, s2, p1) + BN + ReLU -> `(N, 64, 14, 14)` -> convT(64->1, 4, s2, p1) + tanh ->
//! `(N, 1, 28, 28)`; D `(N, 1, 28, 28)` -> conv(1->64, 4, s2, p1) + LeakyReLU(0.2) -> `(N, 64, 14, 14)`
//! -> conv(64->128, 4, s2, p1) + BN + LeakyReLU(0.2) -> `(N, 128, 7, 7)` -> flatten -> fc(6272->1) ->
//! logits `(N, 1)`.
//!
//! The layers, their biases (the convolutions before batch norm keep theirs, as in PyTorch's
//! defaults), the initialisation (PyTorch's: uniform in `±1/sqrt(fan_in)` for weights and biases,
//! batch-norm scale 1 and shift 0) and the parameter names follow the `nn.Sequential` models `g` and
//! `d` of the PyTorch reference benchmark (`torch_ref.py`), so `m.g.state_dict()` names (`0.weight`,
//! `1.running_mean`, `4.weight`, ...) are the names in the [`crate::nn::ParamStore`] (PyTorch's
//! `num_batches_tracked` buffers excepted).

use crate::nn::blocks::{ConvNd, conv_nd};
use crate::nn::layers::ConvTranspose2d;
use crate::nn::layers::{Act, BatchNorm, BatchNormConfig, batch_norm1d, batch_norm2d};
use crate::{Error, Result};
use candle_core::{Module, Tensor};
use candle_nn::{ConvTranspose2dConfig, Linear, ModuleT, VarBuilder};

/// Configuration of a DCGAN [`Generator`] and [`Discriminator`] pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DcganConfig {
    /// Length of the latent vector `z` (100 in the paper).
    pub latent: usize,
    /// Channels at half resolution; the quarter-resolution maps have twice as many (64 -> 128).
    pub base_channels: usize,
    /// Channels of the images (1 for MNIST-like data).
    pub image_channels: usize,
    /// Height and width of the square images; must be divisible by 4 (28 -> 14 -> 7).
    pub image_size: usize,
}

impl Default for DcganConfig {
    /// The 28x28 grey-image GAN: latent 100, 64 base channels, 1 image channel.
    fn default() -> Self {
        Self { latent: 100, base_channels: 64, image_channels: 1, image_size: 28 }
    }
}

impl DcganConfig {
    fn validate(&self) -> Result<()> {
        if self.latent == 0 || self.base_channels == 0 || self.image_channels == 0 {
            return Err(Error::Config(format!("DCGAN sizes must be at least 1, got {self:?}")));
        }
        if self.image_size < 4 || !self.image_size.is_multiple_of(4) {
            return Err(Error::Config(format!(
                "DCGAN image_size must be a positive multiple of 4, got {}",
                self.image_size
            )));
        }
        Ok(())
    }

    /// Side of the quarter-resolution feature maps (7 for 28x28 images).
    fn quarter(&self) -> usize {
        self.image_size / 4
    }
}

/// PyTorch's default initialisation of a layer's weight and bias: uniform in `±1/sqrt(fan_in)`.
fn torch_uniform(fan_in: usize) -> candle_nn::Init {
    let bound = 1.0 / (fan_in as f64).sqrt();
    candle_nn::Init::Uniform { lo: -bound, up: bound }
}

/// `nn.Linear(c_in, c_out)` with PyTorch's initialisation.
fn torch_linear(c_in: usize, c_out: usize, vb: VarBuilder) -> Result<Linear> {
    let init = torch_uniform(c_in);
    let w = vb.get_with_hints((c_out, c_in), "weight", init)?;
    let b = vb.get_with_hints(c_out, "bias", init)?;
    Ok(Linear::new(w, Some(b)))
}

/// `nn.ConvTranspose2d(c_in, c_out, 4, stride 2, padding 1)`: weight `(C_in, C_out, 4, 4)`, fan-in
/// `C_out * 16` as PyTorch computes it for transposed convolutions.
fn up_conv(c_in: usize, c_out: usize, vb: VarBuilder) -> Result<ConvTranspose2d> {
    let init = torch_uniform(c_out * 16);
    let w = vb.get_with_hints((c_in, c_out, 4, 4), "weight", init)?;
    let b = vb.get_with_hints(c_out, "bias", init)?;
    Ok(ConvTranspose2d::new(w, Some(b), ConvTranspose2dConfig { padding: 1, stride: 2, ..Default::default() }))
}

/// The discriminator's activation: LeakyReLU with slope 0.2.
const LEAK: Act = Act::LeakyRelu(0.2);

/// The DCGAN generator: latent vectors `(N, latent)` -> images `(N, C, S, S)` in `[-1, 1]`.
#[derive(Debug, Clone)]
pub struct Generator {
    fc: Linear,
    fc_bn: BatchNorm,
    up1: ConvTranspose2d,
    up1_bn: BatchNorm,
    up2: ConvTranspose2d,
    latent: usize,
    channels: usize,
    quarter: usize,
}

impl Generator {
    /// Builds the generator; parameter names follow PyTorch's `nn.Sequential` indices
    /// (`0` fc, `1` BatchNorm1d, `4` convT, `5` BatchNorm2d, `7` convT).
    pub fn new(cfg: &DcganConfig, vb: VarBuilder) -> Result<Self> {
        cfg.validate()?;
        let (c, q) = (2 * cfg.base_channels, cfg.quarter());
        let bn = BatchNormConfig::default();
        Ok(Self {
            fc: torch_linear(cfg.latent, c * q * q, vb.pp("0"))?,
            fc_bn: batch_norm1d(c * q * q, bn, vb.pp("1"))?,
            up1: up_conv(c, cfg.base_channels, vb.pp("4"))?,
            up1_bn: batch_norm2d(cfg.base_channels, bn, vb.pp("5"))?,
            up2: up_conv(cfg.base_channels, cfg.image_channels, vb.pp("7"))?,
            latent: cfg.latent,
            channels: c,
            quarter: q,
        })
    }
}

impl ModuleT for Generator {
    fn forward_t(&self, z: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (n, l) = z.dims2()?;
        if l != self.latent {
            candle_core::bail!("DCGAN generator expects latent vectors (N, {}), got {:?}", self.latent, z.dims());
        }
        let h = self.fc_bn.forward_act(&self.fc.forward(z)?, train, Act::Relu).map_err(candle_core::Error::wrap)?;
        let h = h.reshape((n, self.channels, self.quarter, self.quarter))?;
        let h = self.up1_bn.forward_act(&self.up1.forward(&h)?, train, Act::Relu).map_err(candle_core::Error::wrap)?;
        self.up2.forward_act(&h, Act::Tanh).map_err(candle_core::Error::wrap)
    }
}

/// The DCGAN discriminator: images `(N, C, S, S)` -> real/fake logits `(N, 1)`.
#[derive(Debug, Clone)]
pub struct Discriminator {
    conv1: ConvNd,
    conv2: ConvNd,
    conv2_bn: BatchNorm,
    fc: Linear,
    image_channels: usize,
    image_size: usize,
}

impl Discriminator {
    /// Builds the discriminator; parameter names follow PyTorch's `nn.Sequential` indices
    /// (`0` conv, `2` conv, `3` BatchNorm2d, `6` fc).
    pub fn new(cfg: &DcganConfig, vb: VarBuilder) -> Result<Self> {
        cfg.validate()?;
        let (b, q) = (cfg.base_channels, cfg.quarter());
        Ok(Self {
            conv1: conv_nd(2, cfg.image_channels, b, 4, 1, 2, true, vb.pp("0"))?,
            conv2: conv_nd(2, b, 2 * b, 4, 1, 2, true, vb.pp("2"))?,
            conv2_bn: batch_norm2d(2 * b, BatchNormConfig::default(), vb.pp("3"))?,
            fc: torch_linear(2 * b * q * q, 1, vb.pp("6"))?,
            image_channels: cfg.image_channels,
            image_size: cfg.image_size,
        })
    }
}

impl ModuleT for Discriminator {
    fn forward_t(&self, x: &Tensor, train: bool) -> candle_core::Result<Tensor> {
        let (_, c, h, w) = x.dims4()?;
        if (c, h, w) != (self.image_channels, self.image_size, self.image_size) {
            candle_core::bail!(
                "DCGAN discriminator expects images (N, {}, {s}, {s}), got {:?}",
                self.image_channels,
                x.dims(),
                s = self.image_size
            );
        }
        let h = self.conv1.forward_act(x, LEAK)?;
        let h = self.conv2_bn.forward_act(&self.conv2.forward(&h)?, train, LEAK).map_err(candle_core::Error::wrap)?;
        self.fc.forward(&h.flatten_from(1)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::ParamStore;
    use candle_core::{Device, Var};

    /// Trainable parameters of torch_ref.py's `Dcgan` (the shared benchmark folder, bench/torch_ref.py), computed with
    /// PyTorch 2.15.0: `sum(p.numel() for p in Dcgan().g.parameters())` and the same for `.d`.
    const TORCH_G_PARAMS: usize = 778_305;
    const TORCH_D_PARAMS: usize = 138_817;

    fn randn(shape: &[usize], seed: u64) -> Tensor {
        use rand::Rng;
        let mut r = crate::rng::rng_for(seed);
        let v: Vec<f32> = (0..shape.iter().product::<usize>()).map(|_| r.random_range(-2.0f32..2.0)).collect();
        Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
    }

    #[test]
    fn dcgan_shapes_range_and_parameter_counts_match_pytorch() {
        let cfg = DcganConfig::default();
        let (gs, ds) = (ParamStore::new(1, &Device::Cpu), ParamStore::new(2, &Device::Cpu));
        let g = Generator::new(&cfg, gs.var_builder()).unwrap();
        let d = Discriminator::new(&cfg, ds.var_builder()).unwrap();
        assert_eq!(gs.num_trainable(), TORCH_G_PARAMS);
        assert_eq!(ds.num_trainable(), TORCH_D_PARAMS);
        let z = randn(&[64, 100], 3);
        for train in [true, false] {
            let img = g.forward_t(&z, train).unwrap();
            assert_eq!(img.dims(), &[64, 1, 28, 28]);
            let (lo, hi) = (
                img.min_all().unwrap().to_scalar::<f32>().unwrap(),
                img.max_all().unwrap().to_scalar::<f32>().unwrap(),
            );
            assert!((-1.0..=1.0).contains(&lo) && (-1.0..=1.0).contains(&hi) && lo < hi, "range [{lo}, {hi}]");
            assert_eq!(d.forward_t(&img, train).unwrap().dims(), &[64, 1]);
        }
        // Running statistics are buffers, the names are PyTorch's Sequential indices.
        let names: Vec<String> = gs.all().into_iter().map(|(k, _)| k).collect();
        for k in ["0.weight", "1.running_mean", "4.weight", "5.running_var", "7.bias"] {
            assert!(names.iter().any(|n| n == k), "{k} missing from {names:?}");
        }
        assert!(ds.get("6.weight").is_some_and(|w| w.dims() == [1, 6272]));
    }

    #[test]
    fn dcgan_rejects_bad_configs_and_inputs() {
        let vb = ParamStore::new(0, &Device::Cpu).var_builder();
        assert!(Generator::new(&DcganConfig { image_size: 30, ..Default::default() }, vb.clone()).is_err());
        let cfg = DcganConfig { latent: 8, base_channels: 4, image_channels: 3, image_size: 16 };
        let g = Generator::new(&cfg, vb.pp("g")).unwrap();
        let d = Discriminator::new(&cfg, vb.pp("d")).unwrap();
        let img = g.forward_t(&randn(&[2, 8], 0), true).unwrap();
        assert_eq!(img.dims(), &[2, 3, 16, 16]);
        assert_eq!(d.forward_t(&img, true).unwrap().dims(), &[2, 1]);
        assert!(g.forward_t(&randn(&[2, 9], 0), false).is_err());
        assert!(d.forward_t(&randn(&[2, 1, 16, 16], 0), false).is_err());
    }

    /// Candle's transposed-convolution backward (kernel 4, stride 2, padding 1, the DCGAN upsampler)
    /// against central differences in f64.
    #[test]
    fn dcgan_conv_transpose_k4_s2_p1_gradients() {
        let dev = Device::Cpu;
        let f = |n: usize, a: f64| {
            Tensor::from_vec((0..n).map(|k| (k as f64 * a).sin()).collect::<Vec<_>>(), n, &dev).unwrap()
        };
        let x = Var::from_tensor(&f(2 * 3 * 3 * 3, 0.37).reshape((2, 3, 3, 3)).unwrap()).unwrap();
        let w = Var::from_tensor(&f(3 * 2 * 16, 0.53).reshape((3, 2, 4, 4)).unwrap()).unwrap();
        let coeff = f(2 * 2 * 6 * 6, 0.71).reshape((2, 2, 6, 6)).unwrap();
        let obj =
            |x: &Tensor, w: &Tensor| x.conv_transpose2d(w, 1, 0, 2, 1).unwrap().mul(&coeff).unwrap().sum_all().unwrap();
        let grads = obj(x.as_tensor(), w.as_tensor()).backward().unwrap();
        for (name, v, other_is_x) in [("x", &x, false), ("w", &w, true)] {
            let g: Vec<f64> = grads.get(v.as_tensor()).unwrap().flatten_all().unwrap().to_vec1().unwrap();
            let base: Vec<f64> = v.as_tensor().flatten_all().unwrap().to_vec1().unwrap();
            for j in 0..base.len() {
                let eval = |d: f64| {
                    let mut p = base.clone();
                    p[j] += d;
                    let t = Tensor::from_vec(p, v.dims(), &dev).unwrap();
                    let s = if other_is_x { obj(x.as_tensor(), &t) } else { obj(&t, w.as_tensor()) };
                    s.to_scalar::<f64>().unwrap()
                };
                let num = (eval(1e-6) - eval(-1e-6)) / 2e-6;
                assert!((num - g[j]).abs() < 1e-6 * (1.0 + num.abs()), "d/d{name}[{j}]: autograd {} vs {num}", g[j]);
            }
        }
    }
}
