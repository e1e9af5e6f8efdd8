//! `scidl-bench`: training and inference throughput of scidl on the five model shapes of the PyTorch
//! reference benchmark (`torch_ref.py`, see `benches/vs-pytorch.sh`), printing the same JSON lines:
//! `{"model", "device", "threads", "train_steps_per_s", "infer_batches_per_s"}`.
//!
//! Each model is built as in the reference (same layers, shapes, batch sizes, losses and optimisers,
//! PyTorch's default initialisation) on random inputs from a seeded generator. A train step is the
//! forward pass in training mode, the loss, the backward pass and the optimiser update (AdamW, lr
//! 1e-3, for the supervised models; for the GAN a discriminator update on real and detached fake
//! images, then a generator update, both Adam lr 2e-4, betas (0.5, 0.999)). An inference batch is
//! one forward pass in evaluation mode (the generator only for the GAN). After `--warmup` untimed
//! calls, `--steps` calls are timed with a monotonic clock, the device synchronised before and after.
//!
//! One difference from the reference, by design: scidl's U-Net convolutions that feed a batch norm
//! have no bias (batch norm cancels it exactly), 704 parameters fewer than PyTorch's U-Nets.

use anyhow::{Context, Result, bail};
use candle_core::{DType, Device, Tensor};
use candle_nn::ModuleT;
use clap::Parser;
use rand::Rng;
use scidl_core::loss::{bce_with_logits, cross_entropy, mse};
use scidl_core::nn::ParamStore;
use scidl_core::nn::nets::{
    DcganConfig, Discriminator, Generator, RecurrentCell, SeqModel, SeqModelConfig, SeqOutput, UNet, UNetConfig,
    UpMode, Vgg, VggConfig,
};
use scidl_core::optim::{Optimizer, OptimizerConfig};
use scidl_core::rng;
use std::process::ExitCode;
use std::time::Instant;

/// The benchmark's models, in the reference's order.
const MODELS: [&str; 5] = ["cnn_fmnist_b64", "unet2d_128_b4", "unet3d_32_b2", "lstm_forecast_b64", "dcgan_b64"];

/// Command-line arguments (the reference's, plus `--seed`).
#[derive(Parser, Debug)]
#[command(name = "scidl-bench", about = "scidl throughput on the PyTorch reference benchmark's models (JSON lines)")]
struct Args {
    /// CPU threads for Candle and rayon (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// `cpu` or `cuda` (`cuda:N`); CUDA needs a build with `--features cuda`.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Timed calls per measurement.
    #[arg(long, default_value_t = 20)]
    steps: usize,
    /// Untimed calls before each measurement.
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    /// Run only this model (cnn_fmnist_b64, unet2d_128_b4, unet3d_32_b2, lstm_forecast_b64, dcgan_b64).
    #[arg(long)]
    only: Option<String>,
    /// Seed of the weights and the random inputs.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// One output line, fields in the reference's order.
#[derive(serde::Serialize)]
struct Report<'a> {
    model: &'a str,
    device: &'a str,
    threads: usize,
    train_steps_per_s: f64,
    infer_batches_per_s: f64,
}

/// What every measurement needs.
struct Bench {
    device: Device,
    steps: usize,
    warmup: usize,
    seed: u64,
}

impl Bench {
    /// Calls per second of `f` over `steps` timed calls after `warmup` untimed ones.
    fn timed(&self, mut f: impl FnMut() -> Result<()>) -> Result<f64> {
        for _ in 0..self.warmup {
            f()?;
        }
        self.device.synchronize()?;
        let t = Instant::now();
        for _ in 0..self.steps {
            f()?;
        }
        self.device.synchronize()?;
        Ok(self.steps as f64 / t.elapsed().as_secs_f64())
    }

    /// Standard normal values (Box-Muller on a ChaCha stream keyed by the seed and `what`), f32.
    fn randn(&self, shape: &[usize], what: &str) -> Result<Tensor> {
        let mut r = rng::rng_for(rng::mix(self.seed, rng::hash_str(what)));
        let n: usize = shape.iter().product();
        let v: Vec<f32> = (0..n)
            .map(|_| {
                let (u1, u2): (f64, f64) = (1.0 - r.random::<f64>(), r.random::<f64>());
                ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
            })
            .collect();
        Ok(Tensor::from_vec(v, shape, &self.device)?)
    }

    /// Uniform class indices in `0..classes`, i64.
    fn labels(&self, shape: &[usize], classes: i64, what: &str) -> Result<Tensor> {
        let mut r = rng::rng_for(rng::mix(self.seed, rng::hash_str(what)));
        let v: Vec<i64> = (0..shape.iter().product::<usize>()).map(|_| r.random_range(0..classes)).collect();
        Ok(Tensor::from_vec(v, shape, &self.device)?)
    }

    /// A fresh parameter store for one model.
    fn store(&self, what: &str) -> ParamStore {
        ParamStore::new(rng::mix(self.seed, rng::hash_str(what)), &self.device)
    }

    /// Train-step and inference rates of a supervised model under AdamW (lr 1e-3, PyTorch defaults).
    fn supervised(
        &self,
        model: &dyn ModuleT,
        store: &ParamStore,
        x: &Tensor,
        y: &Tensor,
        loss: fn(&Tensor, &Tensor) -> scidl_core::Result<Tensor>,
    ) -> Result<(f64, f64)> {
        let cfg = OptimizerConfig::AdamW { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8, weight_decay: 0.01 };
        let mut opt = Optimizer::new(cfg, store.trainable())?;
        let train = self.timed(|| {
            let l = loss(&model.forward_t(x, true)?, y)?;
            Ok(opt.backward_step(&l)?)
        })?;
        let infer = self.timed(|| {
            model.forward_t(x, false)?;
            Ok(())
        })?;
        Ok((train, infer))
    }

    /// Train-step (discriminator then generator update) and generator inference rates of the DCGAN.
    fn gan(&self) -> Result<(f64, f64)> {
        let cfg = DcganConfig { latent: 100, base_channels: 64, image_channels: 1, image_size: 28 };
        let (gs, ds) = (self.store("dcgan.g"), self.store("dcgan.d"));
        let g = Generator::new(&cfg, gs.var_builder())?;
        let d = Discriminator::new(&cfg, ds.var_builder())?;
        let adam = OptimizerConfig::Adam { lr: 2e-4, betas: (0.5, 0.999), eps: 1e-8, weight_decay: 0.0 };
        let (mut og, mut od) = (Optimizer::new(adam.clone(), gs.trainable())?, Optimizer::new(adam, ds.trainable())?);
        let z = self.randn(&[64, 100], "dcgan.z")?;
        let real = self.randn(&[64, 1, 28, 28], "dcgan.real")?;
        let ones = Tensor::ones((64, 1), DType::F32, &self.device)?;
        let zeros = Tensor::zeros((64, 1), DType::F32, &self.device)?;
        let train = self.timed(|| {
            let fake = g.forward_t(&z, true)?;
            let ld = (bce_with_logits(&d.forward_t(&real, true)?, &ones)?
                + bce_with_logits(&d.forward_t(&fake.detach(), true)?, &zeros)?)?;
            od.backward_step(&ld)?;
            let lg = bce_with_logits(&d.forward_t(&fake, true)?, &ones)?;
            Ok(og.backward_step(&lg)?)
        })?;
        let infer = self.timed(|| {
            g.forward_t(&z, false)?;
            Ok(())
        })?;
        Ok((train, infer))
    }

    /// The U-Net of the reference: channels (16, 32, 64, 128), batch norm, transposed-conv up, 1 -> 2.
    fn unet(&self, spatial: usize, batch: usize, side: usize, name: &str) -> Result<(f64, f64)> {
        let cfg = UNetConfig {
            spatial_dims: spatial,
            in_channels: 1,
            out_channels: 2,
            channels: vec![16, 32, 64, 128],
            batch_norm: true,
            up: UpMode::Transpose,
        };
        let store = self.store(name);
        let net = UNet::new(&cfg, store.var_builder())?;
        let mut xs = vec![batch, 1];
        xs.extend(std::iter::repeat_n(side, spatial));
        let mut ys = vec![batch];
        ys.extend(std::iter::repeat_n(side, spatial));
        let x = self.randn(&xs, &format!("{name}.x"))?;
        let y = self.labels(&ys, 2, &format!("{name}.y"))?;
        self.supervised(&net, &store, &x, &y, cross_entropy)
    }

    /// Runs one model by name.
    fn run(&self, name: &str) -> Result<(f64, f64)> {
        match name {
            "cnn_fmnist_b64" => {
                let store = self.store(name);
                let net = Vgg::new(&VggConfig::small_28(10), store.var_builder())?;
                let x = self.randn(&[64, 1, 28, 28], "cnn.x")?;
                let y = self.labels(&[64], 10, "cnn.y")?;
                self.supervised(&net, &store, &x, &y, cross_entropy)
            }
            "unet2d_128_b4" => self.unet(2, 4, 128, name),
            "unet3d_32_b2" => self.unet(3, 2, 32, name),
            "lstm_forecast_b64" => {
                let cfg = SeqModelConfig {
                    cell: RecurrentCell::Lstm,
                    input_size: 4,
                    hidden_size: 64,
                    num_layers: 2,
                    dropout: 0.0,
                    output_size: 12,
                    output: SeqOutput::SeqToOne,
                };
                let store = self.store(name);
                let net = SeqModel::new(&cfg, store.var_builder())?;
                let x = self.randn(&[64, 48, 4], "lstm.x")?;
                let y = self.randn(&[64, 12], "lstm.y")?;
                self.supervised(&net, &store, &x, &y, mse)
            }
            "dcgan_b64" => self.gan(),
            other => bail!("unknown model `{other}`; expected one of {}", MODELS.join(", ")),
        }
    }
}

/// Rounds to 3 decimals, as the reference prints.
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scidl-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Measures the selected models and prints one JSON line each.
fn run(args: Args) -> Result<()> {
    let threads = args.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    scidl_core::device::set_cpu_threads(threads);
    if args.steps == 0 {
        bail!("--steps must be at least 1");
    }
    if let Some(only) = &args.only
        && !MODELS.contains(&only.as_str())
    {
        bail!("unknown model `{only}`; expected one of {}", MODELS.join(", "));
    }
    let device = scidl_core::device::parse_device(&args.device)?;
    let bench = Bench { device, steps: args.steps, warmup: args.warmup, seed: args.seed };
    for name in MODELS {
        if args.only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let (train, infer) = bench.run(name).with_context(|| format!("benchmark {name}"))?;
        let line = Report {
            model: name,
            device: &args.device,
            threads,
            train_steps_per_s: round3(train),
            infer_batches_per_s: round3(infer),
        };
        println!("{}", serde_json::to_string(&line)?);
    }
    Ok(())
}
