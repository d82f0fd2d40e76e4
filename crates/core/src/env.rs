//! The machine and the build, for the report's `env` block.

use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

use crate::report::Env;

/// Reads the machine's description; done before the measured window opens.
pub fn collect() -> Env {
    let refresh = RefreshKind::nothing()
        .with_cpu(CpuRefreshKind::nothing())
        .with_memory(MemoryRefreshKind::nothing().with_ram());
    let (cpu_model, cores, mem) = match System::new_with_specifics(refresh) {
        Ok(sys) => (
            sys.cpus()
                .first()
                .map(|c| c.brand().trim().to_string())
                .unwrap_or_default(),
            sys.cpus().len() as u64,
            sys.total_memory() / (1024 * 1024),
        ),
        Err(_) => (String::new(), 0, 0),
    };
    let cores = if cores == 0 {
        std::thread::available_parallelism().map_or(0, |n| n.get() as u64)
    } else {
        cores
    };
    Env {
        os: System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.into()),
        kernel: System::kernel_version().unwrap_or_default(),
        cpu_model,
        cores_logical: cores,
        cores_usable: Some(crate::config::cores() as u64),
        mem_total_mib: mem,
        host: System::host_name().unwrap_or_default(),
        rustc: env!("CONCBENCH_RUSTC").into(),
        git_sha: env!("CONCBENCH_GIT_SHA").into(),
        profile: env!("CONCBENCH_PROFILE").into(),
        python: None,
    }
}
