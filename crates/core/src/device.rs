//! Choosing the compute device and the CPU thread count at run time.

use crate::{Error, Result};
use candle_core::Device;

/// Parses `cpu`, `cuda` or `cuda:N` into a Candle device.
///
/// `cuda` needs a build with the `cuda` feature; otherwise the error says so.
pub fn parse_device(spec: &str) -> Result<Device> {
    let spec = spec.trim().to_ascii_lowercase();
    if spec == "cpu" {
        return Ok(Device::Cpu);
    }
    let ordinal = if spec == "cuda" || spec == "gpu" {
        0
    } else if let Some(n) = spec.strip_prefix("cuda:") {
        n.parse::<usize>().map_err(|_| Error::Config(format!("device `{spec}`: expected cuda:N with N a GPU index")))?
    } else {
        return Err(Error::Config(format!("device `{spec}`: expected cpu, cuda or cuda:N")));
    };
    if !candle_core::utils::cuda_is_available() {
        return Err(Error::Config(format!(
            "device `{spec}`: this scidl was built without CUDA (rebuild with `--features cuda`)"
        )));
    }
    Ok(Device::new_cuda(ordinal)?)
}

/// Sets the number of CPU threads used by Candle's kernels and by rayon.
///
/// Candle re-reads `/proc/cpuinfo` on every GEMM unless `RAYON_NUM_THREADS` is set, so this is
/// worth calling once at start-up even with the default count. Call it before any tensor work.
///
/// It also keeps freed tensor buffers in the process (see [`keep_freed_memory`]), and runs
/// Candle's own element-wise kernels on the calling thread unless `CANDLE_NUM_THREADS` says
/// otherwise. Candle 0.11 parallelises those through a second thread pool beside rayon's, whose
/// workers spin for 25 000 rounds after every op before they sleep; with scidl's heavy kernels
/// (convolutions, recurrences, batch norm) on rayon, the spinning took a core away from them: 14 %
/// of a U-Net training step's samples on the 2-core VM, and a single-threaded Candle pool ran
/// the U-Nets, the DCGAN and the LSTM 5-20 % faster (`docs/performance.md`).
pub fn set_cpu_threads(n: usize) {
    let n = n.max(1);
    // SAFETY: called at start-up by the binaries before any other thread exists.
    unsafe {
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
        if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
            std::env::set_var("CANDLE_NUM_THREADS", "1");
        }
    }
    let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    keep_freed_memory();
}

/// Tells glibc's allocator to serve buffers up to 32 MiB from its heap (not fresh `mmap`s) and
/// not to hand freed memory back to the kernel below 1 GiB. Every tensor op allocates its output,
/// so a training step frees and re-requests hundreds of MiB of same-sized buffers; with glibc's
/// defaults many of them come back as new pages that the kernel must fault in and zero, which cost
/// 22-30 % of a plain Candle CNN step on a 2-core VM (team profile notes). The price is a process
/// that keeps its peak heap. No effect on other C libraries.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; called at start-up.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TOP_PAD, 16 << 20);
    }
}

/// A short human description of a device, for reports.
pub fn describe(device: &Device) -> String {
    match device {
        Device::Cpu => format!("cpu ({} threads)", candle_core::utils::get_num_threads()),
        Device::Cuda(_) => "cuda".to_string(),
        Device::Metal(_) => "metal".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_and_rejects_garbage() {
        assert!(parse_device("CPU").unwrap().is_cpu());
        assert!(parse_device("tpu").is_err());
        assert!(parse_device("cuda:x").is_err());
    }
}
