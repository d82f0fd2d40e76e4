//! `bench-server`: the httpbin-compatible target of the IO models. See the library docs.
//!
//! `bench-server [--bind 127.0.0.1:0] [--threads N]`: prints `http://ADDR` on the first line of
//! stdout and serves until SIGTERM or Ctrl-C. Exit 0 after a clean shutdown, 1 on failure, 2 on
//! bad arguments.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(version, about = "httpbin-compatible HTTP target for concbench")]
struct Args {
    /// Address to bind; port 0 picks a free port. Binding beyond loopback exposes the server.
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: SocketAddr,
    /// Runtime worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Also stop when stdin reaches its end (the runner starts the server so, so that it never
    /// outlives the runner).
    #[arg(long, hide = true)]
    until_stdin_closes: bool,
}

fn main() -> ExitCode {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // `Targets` reads `warn`, `io_tokio=debug,warn` and the like without a regex engine, which
    // keeps regex out of every binary's build (`EnvFilter` needs one).
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new()
                .with_default(tracing_subscriber::filter::LevelFilter::WARN)
        });
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .finish()
        .with(filter)
        .try_init();
    let args = Args::parse();
    let opts = concbench_server::Options {
        bind: args.bind,
        threads: args.threads,
        watch_stdin: args.until_stdin_closes,
    };
    match concbench_server::run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
