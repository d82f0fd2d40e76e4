//! ureq over may's sockets: a [`Connector`] whose [`Transport`] reads and writes a
//! `may::net::TcpStream`, so that a request blocks its coroutine, not its thread. ureq's own TCP
//! transport does the same over `std::net::TcpStream`; this one follows its timeouts (each read
//! and write bounded by what is left of the request's) and its check of an idle pooled
//! connection (a non-blocking peek: nothing waiting means still open).

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use ureq::Error;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, LazyBuffers, NextTimeout, Transport,
};

/// Opens may sockets.
#[derive(Debug, Default)]
pub struct MayConnector;

impl Connector<()> for MayConnector {
    type Out = MayTransport;

    fn connect(&self, details: &ConnectionDetails, _chained: Option<()>) -> Result<Option<Self::Out>, Error> {
        let addr: SocketAddr = *details.addrs.first().ok_or(Error::HostNotFound)?;
        let stream = match details.timeout.not_zero() {
            Some(limit) => may::net::TcpStream::connect_timeout(&addr, *limit),
            None => may::net::TcpStream::connect(addr),
        }
        .map_err(|e| match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(details.timeout.reason),
            _ => Error::Io(e),
        })?;
        if details.config.no_delay() {
            stream.set_nodelay(true)?;
        }
        let config = details.config;
        Ok(Some(MayTransport {
            stream,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
        }))
    }
}

/// One connection on a may socket.
#[derive(Debug)]
pub struct MayTransport {
    stream: may::net::TcpStream,
    buffers: LazyBuffers,
}

/// `timeout` as the socket takes it; an exhausted one is the request's timeout.
fn limit(timeout: NextTimeout) -> Result<Option<std::time::Duration>, Error> {
    if timeout.after.is_zero() {
        return Err(Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|t| *t))
}

/// A socket timeout is the request's; anything else is an IO error.
fn io_error(e: io::Error, timeout: NextTimeout) -> Error {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(timeout.reason),
        _ => Error::Io(e),
    }
}

impl Transport for MayTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        self.stream.set_write_timeout(limit(timeout)?)?;
        let output = &self.buffers.output()[..amount];
        self.stream.write_all(output).map_err(|e| io_error(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        self.stream.set_read_timeout(limit(timeout)?)?;
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match self.stream.read(input) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| io_error(e, timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // may keeps its sockets non-blocking: a peek with nothing waiting says WouldBlock.
        let mut byte = [0u8];
        matches!(self.stream.inner().peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
    }
}

/// Resolves without ureq's resolver thread: with a timeout set, ureq's default resolver starts
/// a thread per lookup and blocks on a channel for it, which here blocks a may worker and, the
/// first run showed, serialised the coroutines (9,500 req/s against io-tokio's 76,000, at a
/// median latency of 0.14 ms). An IP literal (what bench-server's URL holds) is parsed with no
/// system call; a host name is looked up on the calling thread, blocking it.
#[derive(Debug, Default)]
pub struct MayResolver;

impl ureq::unversioned::resolver::Resolver for MayResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        _config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, Error> {
        use std::net::ToSocketAddrs;
        let host = uri.host().ok_or(Error::HostNotFound)?;
        let port = uri
            .port_u16()
            .or_else(|| match uri.scheme_str() {
                Some("https") => Some(443),
                Some("http") => Some(80),
                _ => None,
            })
            .ok_or(Error::HostNotFound)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let mut out = self.empty(); // room for 16, as ureq keeps
        for addr in (host, port).to_socket_addrs()?.take(16) {
            out.push(addr);
        }
        if out.is_empty() {
            return Err(Error::HostNotFound);
        }
        Ok(out)
    }
}
