//! What the IO models count: responses by status, errors by kind, body bytes, an HDR histogram of
//! latencies and an order-independent checksum over `(request index, outcome)`.

use std::collections::BTreeMap;
use std::time::Duration;

use concbench_core::report::{IoStats, OpenLoop, Work};
use concbench_core::seq::mix;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Why a request got no response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorKind {
    /// The connection could not be opened (refused, unreachable, no such host).
    Connect,
    /// `io.timeout_ms` passed before the whole response arrived.
    Timeout,
    /// The server closed or reset the connection mid-exchange.
    Reset,
    /// Anything else (protocol errors, local failures).
    Other,
    /// Open loop: never sent, because it was more than `io.timeout_ms` overdue when a worker
    /// reached it.
    Dropped,
}

impl ErrorKind {
    /// The name the report uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Reset => "reset",
            Self::Other => "other",
            Self::Dropped => "dropped",
        }
    }

    /// The kind of an IO error during an exchange.
    pub fn of_io(err: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        match err.kind() {
            K::ConnectionRefused | K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
                Self::Connect
            }
            K::TimedOut | K::WouldBlock => Self::Timeout,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => Self::Reset,
            _ => Self::Other,
        }
    }

    /// The kind of an IO error while opening a connection: a timeout stays one, all else is connect.
    pub fn of_connect(err: &std::io::Error) -> Self {
        match Self::of_io(err) {
            Self::Timeout => Self::Timeout,
            _ => Self::Connect,
        }
    }

    fn code(self) -> u64 {
        1000 + self as u64
    }
}

/// A response: its status and the body bytes received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// Body bytes received.
    pub bytes: u64,
}

/// The result of one request.
pub type Fetch = Result<Answer, ErrorKind>;

/// How long a request took, and (open loop) how it stood against its schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    /// From the actual send to the whole response.
    pub latency: Duration,
    /// Open loop only.
    pub scheduled: Option<Scheduled>,
}

/// A request of an open-loop run against its scheduled send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    /// Actual send less scheduled send (0 when sent on time).
    pub delay: Duration,
    /// From the schedule's start to the whole response.
    pub done_at: Duration,
}

impl Timing {
    /// A closed-loop request: its latency only.
    pub fn closed(latency: Duration) -> Self {
        Self {
            latency,
            scheduled: None,
        }
    }
}

/// Counters of one run, or of one worker's part of it. As JSON (how a worker process sends its
/// part to the parent) the histogram is the list of its recorded `(value, count)` buckets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HttpTally {
    requests: u64,
    ok: u64,
    status: BTreeMap<u16, u64>,
    errors: BTreeMap<ErrorKind, u64>,
    bytes: u64,
    checksum: u64,
    #[serde(with = "buckets")]
    latency_us: Histogram<u64>,
    /// Open loop: latency from the scheduled send (responses only).
    #[serde(with = "buckets")]
    corrected_us: Histogram<u64>,
    /// Open loop: send delay of every request sent.
    #[serde(with = "buckets")]
    delay_us: Histogram<u64>,
    /// Open loop: requests sent more than `OpenLoop::LATE_MS` late.
    late: u64,
    /// Open loop: the last response, from the schedule's start, µs.
    last_done_us: u64,
}

use concbench_core::latency::{histogram, summary as latency};

impl Default for HttpTally {
    fn default() -> Self {
        Self {
            requests: 0,
            ok: 0,
            status: BTreeMap::new(),
            errors: BTreeMap::new(),
            bytes: 0,
            checksum: 0,
            latency_us: histogram(),
            corrected_us: histogram(),
            delay_us: histogram(),
            late: 0,
            last_done_us: 0,
        }
    }
}

impl HttpTally {
    /// Counts request `index`; a response's latency goes into the histograms, an error's does
    /// not. An open-loop request's send delay is counted whatever its outcome.
    pub fn record(&mut self, index: usize, fetch: &Fetch, timing: Timing) {
        self.requests += 1;
        if let Some(at) = timing.scheduled {
            self.delay_us.saturating_record(micros(at.delay));
            self.late += u64::from(at.delay.as_secs_f64() * 1000.0 > OpenLoop::LATE_MS);
        }
        let code = match fetch {
            Ok(answer) => {
                *self.status.entry(answer.status).or_default() += 1;
                self.ok += u64::from((200..300).contains(&answer.status));
                self.bytes += answer.bytes;
                self.latency_us.saturating_record(micros(timing.latency).max(1));
                if let Some(at) = timing.scheduled {
                    let corrected = at.delay + timing.latency;
                    self.corrected_us.saturating_record(micros(corrected).max(1));
                    self.last_done_us = self.last_done_us.max(micros(at.done_at));
                }
                u64::from(answer.status)
            }
            Err(kind) => {
                *self.errors.entry(*kind).or_default() += 1;
                kind.code()
            }
        };
        self.checksum = self.checksum.wrapping_add(mix(((index as u64) << 16) ^ code));
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &HttpTally) {
        self.requests += other.requests;
        self.ok += other.ok;
        for (code, n) in &other.status {
            *self.status.entry(*code).or_default() += n;
        }
        for (kind, n) in &other.errors {
            *self.errors.entry(*kind).or_default() += n;
        }
        self.bytes += other.bytes;
        self.checksum = self.checksum.wrapping_add(other.checksum);
        for (mine, theirs) in [
            (&mut self.latency_us, &other.latency_us),
            (&mut self.corrected_us, &other.corrected_us),
            (&mut self.delay_us, &other.delay_us),
        ] {
            mine.add(theirs).expect("histograms with the same bounds add up");
        }
        self.late += other.late;
        self.last_done_us = self.last_done_us.max(other.last_done_us);
    }

    /// Requests counted, answered or not.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Responses with a 2xx status.
    pub fn ok(&self) -> u64 {
        self.ok
    }

    /// Responses by status code.
    pub fn status(&self) -> &BTreeMap<u16, u64> {
        &self.status
    }

    /// Errors by kind.
    pub fn errors(&self) -> &BTreeMap<ErrorKind, u64> {
        &self.errors
    }

    /// The work block of the report: requests, body bytes, checksum.
    pub fn work(&self) -> Work {
        Work {
            units: self.requests,
            bytes: self.bytes,
            checksum: format!("{:016x}", self.checksum),
        }
    }

    /// The io block of the report; rates are filled in by the harness once the wall time is known.
    pub fn stats(&self) -> IoStats {
        let responses: u64 = self.status.values().sum();
        let mut errors: BTreeMap<String, u64> = [
            ErrorKind::Connect,
            ErrorKind::Timeout,
            ErrorKind::Reset,
            ErrorKind::Other,
            ErrorKind::Dropped,
        ]
        .into_iter()
        .map(|k| (k.name().to_string(), 0))
        .collect();
        for (kind, n) in &self.errors {
            errors.insert(kind.name().into(), *n);
        }
        let dropped = self.errors.get(&ErrorKind::Dropped).copied().unwrap_or(0);
        IoStats {
            in_flight_max: 0,
            ok: self.ok,
            failed: self.requests - self.ok - dropped,
            status: self.status.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
            errors,
            bytes_received: self.bytes,
            responses,
            req_per_s: 0.0,
            bytes_per_s: 0.0,
            latency_ms: latency(&self.latency_us),
            open_loop: None,
        }
    }

    /// The open-loop block of a run of `requests` offered at `rate` requests per second.
    pub fn open_loop(&self, rate: f64, requests: usize) -> OpenLoop {
        let responses: u64 = self.status.values().sum();
        let span_s = self.last_done_us as f64 / 1e6;
        OpenLoop {
            offered_per_s: rate,
            achieved_per_s: if span_s > 0.0 {
                responses as f64 / span_s
            } else {
                0.0
            },
            schedule_s: requests as f64 / rate,
            late: self.late,
            dropped: self.errors.get(&ErrorKind::Dropped).copied().unwrap_or(0),
            corrected_ms: latency(&self.corrected_us),
            send_delay_ms: latency(&self.delay_us),
        }
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// A histogram as the `(value, count)` pairs of its recorded buckets.
mod buckets {
    use concbench_core::latency;
    use hdrhistogram::Histogram;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(h: &Histogram<u64>, s: S) -> Result<S::Ok, S::Error> {
        latency::buckets(h).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Histogram<u64>, D::Error> {
        Ok(latency::from_buckets(&Vec::<(u64, u64)>::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn sample(range: std::ops::Range<usize>) -> HttpTally {
        let mut t = HttpTally::default();
        for i in range {
            let fetch = match i % 4 {
                0 => Ok(Answer {
                    status: 200,
                    bytes: 10,
                }),
                1 => Ok(Answer {
                    status: 503,
                    bytes: 0,
                }),
                2 => Err(ErrorKind::Timeout),
                _ => Ok(Answer {
                    status: 204,
                    bytes: 0,
                }),
            };
            t.record(i, &fetch, Timing::closed(ms(i as u64 + 1)));
        }
        t
    }

    #[test]
    fn counts_statuses_errors_and_latencies() {
        let t = sample(0..8);
        let s = t.stats();
        assert_eq!((t.requests(), s.ok, s.failed, s.responses), (8, 4, 4, 6));
        assert_eq!(
            s.status,
            [("200".into(), 2), ("204".into(), 2), ("503".into(), 2)].into()
        );
        assert_eq!(s.errors["timeout"], 2);
        assert_eq!(s.errors["connect"], 0, "every kind is listed, zero or not");
        assert_eq!(s.bytes_received, 20);
        // Responses took 1, 2, 4, 5, 6, 8 ms; errors are not in the histogram.
        assert!((s.latency_ms.min - 1.0).abs() < 0.01, "{:?}", s.latency_ms);
        assert!((s.latency_ms.max - 8.0).abs() < 0.01, "{:?}", s.latency_ms);
        assert!(
            (s.latency_ms.mean - 26.0 / 6.0).abs() < 0.01,
            "{:?}",
            s.latency_ms
        );
    }

    #[test]
    fn merging_parts_equals_the_whole_in_any_order() {
        let whole = sample(0..100);
        let mut parts = sample(60..100);
        parts.merge(&sample(0..60));
        assert_eq!(parts.work(), whole.work());
        assert_eq!(parts.stats(), whole.stats());
    }

    #[test]
    fn json_round_trip_keeps_everything() {
        let t = sample(0..50);
        let json = serde_json::to_string(&t).unwrap();
        let back: HttpTally = serde_json::from_str(&json).unwrap();
        assert_eq!(back.work(), t.work());
        assert_eq!(back.stats(), t.stats());
    }

    #[test]
    fn checksum_sees_a_different_status_for_the_same_request() {
        let mut a = HttpTally::default();
        let mut b = HttpTally::default();
        a.record(
            3,
            &Ok(Answer {
                status: 200,
                bytes: 1,
            }),
            Timing::closed(ms(1)),
        );
        b.record(
            3,
            &Ok(Answer {
                status: 503,
                bytes: 1,
            }),
            Timing::closed(ms(1)),
        );
        assert_ne!(a.work().checksum, b.work().checksum);
        let mut c = HttpTally::default();
        c.record(
            4,
            &Ok(Answer {
                status: 200,
                bytes: 1,
            }),
            Timing::closed(ms(1)),
        );
        assert_ne!(a.work().checksum, c.work().checksum);
    }
}
