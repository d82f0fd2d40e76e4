//! The job list every IO model runs, the target it runs against, and where bodies go.
//!
//! Request `i` is a GET of `endpoints[i % endpoints.len()]` with `{i}` replaced by `i`, on the
//! target's base URL. Every model sends the same requests with the same headers.

use std::fs::File;
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, bail};
use concbench_core::config::{Client, IoConfig, Sink};
use concbench_core::skew::Skew;

/// The `User-Agent` every client sends, so echoed bodies are byte-identical across models.
pub const USER_AGENT: &str = concat!("concbench/", env!("CARGO_PKG_VERSION"));
/// The bound on the reachability check before the measured window.
const REACH: Duration = Duration::from_secs(5);

/// An HTTP server to send the requests to.
#[derive(Debug, Clone)]
pub struct Target {
    /// The base URL as given, without a trailing `/`, e.g. `http://127.0.0.1:8080`.
    pub base: String,
    /// `host:port`, the `Host` header.
    pub authority: String,
    /// A path prefix from the base URL (`""` when it has none).
    pub prefix: String,
    /// The resolved address.
    pub addr: SocketAddr,
}

impl Target {
    /// Parses and resolves an `http://host[:port][/prefix]` base URL.
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let Some(rest) = url.strip_prefix("http://") else {
            bail!("target {url:?} is not an http:// URL (TLS is not supported)");
        };
        let rest = rest.trim_end_matches('/');
        let (authority, prefix) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        anyhow::ensure!(!authority.is_empty(), "target {url:?} has no host");
        let with_port = if authority
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        let addr = with_port
            .to_socket_addrs()
            .with_context(|| format!("resolving the target {url}"))?
            .next()
            .with_context(|| format!("the target {url} resolves to no address"))?;
        Ok(Self {
            base: format!("http://{authority}{prefix}"),
            authority: authority.to_string(),
            prefix: prefix.to_string(),
            addr,
        })
    }

    /// Fails with a message naming the target unless a TCP connection opens within a few seconds.
    pub fn check_reachable(&self, timeout: Duration) -> anyhow::Result<()> {
        TcpStream::connect_timeout(&self.addr, timeout.min(REACH))
            .map(drop)
            .with_context(|| format!("target {} ({}) is unreachable", self.base, self.addr))
    }
}

/// Everything a model needs to send the requests.
#[derive(Debug)]
pub struct Plan {
    /// Where the requests go.
    pub target: Target,
    /// Number of requests.
    pub requests: usize,
    /// Bound on each request, connecting included.
    pub timeout: Duration,
    /// Reuse connections.
    pub keep_alive: bool,
    /// Where bodies go.
    pub sink: BodySink,
    /// The clients' buffer size per connection, bytes (`None`: the libraries' defaults).
    pub buffer: Option<usize>,
    /// Open loop: requests per second on a fixed schedule (`None`: closed loop).
    pub rate: Option<f64>,
    /// The async models' client.
    pub client: Client,
    /// The client's CPU work per response (`io.spin_rounds`, `io.heavy_share`, `io.heavy_factor`).
    pub skew: Skew,
    endpoints: Vec<String>,
}

impl Plan {
    /// The plan of `io` against `target`.
    pub fn new(io: &IoConfig, target: Target, sink: BodySink) -> Self {
        Self {
            target,
            requests: io.requests,
            timeout: Duration::from_millis(io.timeout_ms),
            keep_alive: io.keep_alive,
            sink,
            buffer: (io.buffer_kib > 0).then(|| io.buffer_kib * 1024),
            rate: (io.rate > 0.0).then_some(io.rate),
            client: io.client,
            skew: io.skew(),
            endpoints: io.endpoints.clone(),
        }
    }

    /// The path and query of request `i`, including the target's prefix.
    pub fn path(&self, i: usize) -> String {
        let endpoint = &self.endpoints[i % self.endpoints.len()];
        format!(
            "{}{}",
            self.target.prefix,
            endpoint.replace("{i}", &i.to_string())
        )
    }

    /// The full URL of request `i`.
    pub fn url(&self, i: usize) -> String {
        format!("http://{}{}", self.target.authority, self.path(i))
    }
}

/// Where response bodies go: nowhere (counted only), or appended to one file.
#[derive(Debug, Default)]
pub struct BodySink {
    file: Option<(Mutex<File>, PathBuf)>,
    _temp: Option<tempfile::TempPath>,
    failure: OnceLock<String>,
}

impl BodySink {
    /// The sink `sink` asks for; `File` creates a temporary file, removed when the sink drops.
    pub fn create(sink: Sink) -> anyhow::Result<Self> {
        match sink {
            Sink::Discard => Ok(Self::default()),
            Sink::File => {
                let temp = tempfile::Builder::new()
                    .prefix("concbench-bodies-")
                    .tempfile()
                    .context("creating the body sink file")?
                    .into_temp_path();
                let mut sink = Self::append_to(&temp)?;
                sink._temp = Some(temp);
                Ok(sink)
            }
        }
    }

    /// A sink appending to an existing file (worker processes share their parent's).
    pub fn append_to(path: &Path) -> anyhow::Result<Self> {
        let file = File::options()
            .append(true)
            .open(path)
            .with_context(|| format!("opening the body sink {}", path.display()))?;
        Ok(Self {
            file: Some((Mutex::new(file), path.to_owned())),
            ..Self::default()
        })
    }

    /// True when bodies are kept.
    pub fn keeps_bodies(&self) -> bool {
        self.file.is_some()
    }

    /// The file bodies go to, if any.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(_, p)| p.as_path())
    }

    /// Appends one body; the first failure is kept and reported by [`BodySink::check`].
    pub fn write(&self, body: &[u8]) {
        let Some((file, path)) = &self.file else { return };
        let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(err) = file.write_all(body) {
            let _ = self
                .failure
                .set(format!("appending a body to {}: {err}", path.display()));
        }
    }

    /// Fails if any body could not be written.
    pub fn check(&self) -> anyhow::Result<()> {
        match self.failure.get() {
            Some(failure) => bail!("the body sink failed: {failure}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_base_urls() {
        let t = Target::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            (t.base.as_str(), t.authority.as_str(), t.prefix.as_str()),
            ("http://127.0.0.1:8080", "127.0.0.1:8080", "")
        );
        assert_eq!(t.addr, "127.0.0.1:8080".parse().unwrap());
        let t = Target::parse("http://127.0.0.1/bin").unwrap();
        assert_eq!((t.addr.port(), t.prefix.as_str()), (80, "/bin"));
        assert!(
            Target::parse("https://127.0.0.1")
                .unwrap_err()
                .to_string()
                .contains("TLS")
        );
        assert!(Target::parse("http:///x").is_err());
    }

    #[test]
    fn job_list_cycles_endpoints_and_fills_the_index() {
        let io = IoConfig {
            endpoints: vec!["/get".into(), "/anything/{i}?q={i}".into()],
            ..IoConfig::default()
        };
        let plan = Plan::new(
            &io,
            Target::parse("http://127.0.0.1:9/p").unwrap(),
            BodySink::default(),
        );
        assert_eq!(plan.path(0), "/p/get");
        assert_eq!(plan.path(3), "/p/anything/3?q=3");
        assert_eq!(plan.url(4), "http://127.0.0.1:9/p/get");
    }

    #[test]
    fn file_sink_appends_every_body() {
        let sink = BodySink::create(Sink::File).unwrap();
        sink.write(b"ab");
        sink.write(b"cd");
        sink.check().unwrap();
        let path = sink.path().unwrap().to_owned();
        assert_eq!(std::fs::read(&path).unwrap(), b"abcd");
        drop(sink);
        assert!(!path.exists(), "the temporary file is removed with the sink");
    }
}
