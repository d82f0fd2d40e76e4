//! The httpbin subset: what each path answers.
//!
//! | path | answer |
//! |---|---|
//! | `/get` | httpbin's JSON echo: `args`, `headers`, `origin`, `url` (GET and HEAD only) |
//! | `/anything[/...]` | the echo plus `method`, `data`, `files`, `form`, `json`, for any method |
//! | `/delay/{s}` | the echo after `s` seconds (fractional, capped at [`MAX_DELAY_S`]) |
//! | `/status/{code}` | an empty response with that status (100–599) |
//! | `/bytes/{n}` | `n` pseudo-random bytes (capped at [`MAX_BYTES`]), seeded by `?seed=` (default 0) |
//! | `/health` | `ok` |

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Map, Value, json};

/// httpbin's cap on `/delay`, in seconds.
pub const MAX_DELAY_S: f64 = 10.0;
/// httpbin's cap on `/bytes`: 100 KiB.
pub const MAX_BYTES: usize = 100 * 1024;
/// The largest request body `/anything` reads.
const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// A response with a fully buffered body.
pub type Reply = Response<Full<Bytes>>;

/// Answers one request.
pub async fn handle(req: Request<Incoming>, peer: SocketAddr) -> Reply {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').splitn(2, '/').collect();
    match segments.as_slice() {
        ["get"] if req.method() == Method::GET || req.method() == Method::HEAD => fast_echo(&req, peer),
        ["get"] => text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n"),
        ["anything"] | ["anything", _] => anything(req, peer).await,
        ["delay", secs] => delay(secs, &req, peer).await,
        ["status", code] => status(code),
        ["bytes", n] => random_bytes(n, req.uri().query()),
        ["health"] => text(StatusCode::OK, "ok\n"),
        _ => text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

async fn anything(req: Request<Incoming>, peer: SocketAddr) -> Reply {
    let mut body = echo(&req, peer);
    let method = req.method().to_string();
    let data = match Limited::new(req.into_body(), MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large or broken\n",
            );
        }
    };
    let data = String::from_utf8_lossy(&data).into_owned();
    let parsed = serde_json::from_str::<Value>(&data).unwrap_or(Value::Null);
    let fields = body.as_object_mut().expect("echo is an object");
    fields.insert("method".into(), method.into());
    fields.insert("data".into(), data.into());
    fields.insert("files".into(), json!({}));
    fields.insert("form".into(), json!({}));
    fields.insert("json".into(), parsed);
    json_reply(StatusCode::OK, &body)
}

async fn delay(secs: &str, req: &Request<Incoming>, peer: SocketAddr) -> Reply {
    let Some(secs) = secs.parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0) else {
        return text(
            StatusCode::BAD_REQUEST,
            "delay must be a non-negative number of seconds\n",
        );
    };
    tokio::time::sleep(Duration::from_secs_f64(secs.min(MAX_DELAY_S))).await;
    fast_echo(req, peer)
}

fn status(code: &str) -> Reply {
    match code
        .parse::<u16>()
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
    {
        Some(code) if (100..600).contains(&code.as_u16()) => {
            let mut reply = Response::new(Full::new(Bytes::new()));
            *reply.status_mut() = code;
            reply
        }
        _ => text(StatusCode::BAD_REQUEST, "invalid status code\n"),
    }
}

fn random_bytes(n: &str, query: Option<&str>) -> Reply {
    let Ok(n) = n.parse::<usize>() else {
        return text(StatusCode::BAD_REQUEST, "n must be a non-negative integer\n");
    };
    let seed = query_pairs(query)
        .find(|(k, _)| k == "seed")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut reply = Response::new(Full::new(Bytes::from(pseudo_random(n.min(MAX_BYTES), seed))));
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    reply
}

/// `n` bytes of SplitMix64 output from `seed`: the same bytes for the same seed, everywhere.
pub fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// httpbin's echo: `args`, `headers` (names in Title-Case), `origin` and `url`.
fn echo<B>(req: &Request<B>, peer: SocketAddr) -> Value {
    let mut args = Map::new();
    for (key, value) in query_pairs(req.uri().query()) {
        match args.get_mut(&key) {
            None => {
                args.insert(key, Value::String(value));
            }
            Some(Value::Array(list)) => list.push(Value::String(value)),
            Some(first) => *first = Value::Array(vec![first.take(), Value::String(value)]),
        }
    }
    let mut headers = Map::new();
    for (name, value) in req.headers() {
        headers.insert(
            title_case(name.as_str()),
            String::from_utf8_lossy(value.as_bytes()).into(),
        );
    }
    json!({
        "args": args,
        "headers": headers,
        "origin": peer.ip().to_string(),
        "url": request_url(req),
    })
}

/// [`echo`] written straight to bytes, laid out as `serde_json::to_vec_pretty` lays it out (keys
/// sorted, two-space indent), without building a `Value`: `/get` and `/delay` are the hot paths of
/// the benchmarks. A test checks that both give the same document.
fn fast_echo<B>(req: &Request<B>, peer: SocketAddr) -> Reply {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(b"{\n  \"args\": ");
    let mut args: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in query_pairs(req.uri().query()) {
        match args.iter_mut().find(|(k, _)| *k == key) {
            Some((_, values)) => values.push(value),
            None => args.push((key, vec![value])),
        }
    }
    args.sort_by(|a, b| a.0.cmp(&b.0));
    write_object(&mut out, args.iter().map(|(k, v)| (k.as_str(), v.as_slice())));
    out.extend_from_slice(b",\n  \"headers\": ");
    let mut headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                title_case(name.as_str()),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.sort_by(|a, b| a.0.cmp(&b.0)); // stable, so a repeated name keeps its order
    headers.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            std::mem::swap(later, earlier); // the last value wins, as in `echo`
        }
        same
    });
    write_object(
        &mut out,
        headers.iter().map(|(k, v)| (k.as_str(), std::slice::from_ref(v))),
    );
    out.extend_from_slice(b",\n  \"origin\": ");
    write_str(&mut out, &peer.ip().to_string());
    out.extend_from_slice(b",\n  \"url\": ");
    write_str(&mut out, &request_url(req));
    out.extend_from_slice(b"\n}\n");
    let mut reply = Response::new(Full::new(Bytes::from(out)));
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

/// A JSON object at nesting level 1; a key with several values becomes a list.
fn write_object<'a>(out: &mut Vec<u8>, entries: impl Iterator<Item = (&'a str, &'a [String])>) {
    let mut first = true;
    for (key, values) in entries {
        out.extend_from_slice(if first { b"{\n    " } else { b",\n    " });
        first = false;
        write_str(out, key);
        out.extend_from_slice(b": ");
        if let [one] = values {
            write_str(out, one);
        } else {
            for (n, value) in values.iter().enumerate() {
                out.extend_from_slice(if n == 0 { b"[\n      " } else { b",\n      " });
                write_str(out, value);
            }
            out.extend_from_slice(b"\n    ]");
        }
    }
    out.extend_from_slice(if first { b"{}" } else { b"\n  }" });
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

/// The URL as the client asked for it, from the `Host` header and the request target.
fn request_url<B>(req: &Request<B>) -> String {
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let path_and_query = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
    format!("http://{host}{path_and_query}")
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The decoded `key=value` pairs of a query string, in order.
fn query_pairs(query: Option<&str>) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
}

/// Decodes `%XX` escapes and `+` as a space; a broken escape stays as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                match (
                    bytes.get(i + 1).and_then(|b| hex(*b)),
                    bytes.get(i + 2).and_then(|b| hex(*b)),
                ) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn json_reply(status: StatusCode, body: &Value) -> Reply {
    let mut bytes = serde_json::to_vec_pretty(body).expect("a JSON value always serialises");
    bytes.push(b'\n');
    let mut reply = Response::new(Full::new(Bytes::from(bytes)));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    reply
}

fn text(status: StatusCode, body: &'static str) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%C3%A9"), "é");
    }

    #[test]
    fn title_cases_header_names() {
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("x-a--b"), "X-A--B");
    }

    #[test]
    fn random_bytes_are_seeded_and_sized() {
        assert_eq!(pseudo_random(13, 7), pseudo_random(13, 7));
        assert_ne!(pseudo_random(16, 7), pseudo_random(16, 8));
        assert_eq!(pseudo_random(1025, 0).len(), 1025);
    }

    #[test]
    fn repeated_args_become_lists() {
        let req = Request::get("/get?a=1&b=x&a=2").body(()).unwrap();
        let v = echo(&req, "127.0.0.1:1".parse().unwrap());
        assert_eq!(v["args"], json!({"a": ["1", "2"], "b": "x"}));
        assert_eq!(v["origin"], "127.0.0.1");
        assert_eq!(v["url"], "http://localhost/get?a=1&b=x&a=2");
    }

    #[test]
    fn fast_echo_is_the_same_document_as_echo() {
        let peer = "127.0.0.1:1".parse().unwrap();
        for uri in ["/get", "/get?a=1&b=%22q%22&a=2&a=3&c=", "/delay/0?x=\u{e9}"] {
            let req = Request::get(uri)
                .header("host", "h:1")
                .header("x-two", "first")
                .header("x-two", "second")
                .header("accept", "*/*")
                .body(())
                .unwrap();
            let fast = futures_body(fast_echo(&req, peer));
            let mut slow = serde_json::to_vec_pretty(&echo(&req, peer)).unwrap();
            slow.push(b'\n');
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(slow).unwrap(),
                "{uri}"
            );
        }
    }

    fn futures_body(reply: Reply) -> Vec<u8> {
        let body = reply.into_body();
        let frame = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(body.collect())
            .unwrap();
        frame.to_bytes().to_vec()
    }

    #[test]
    fn status_codes() {
        assert_eq!(status("503").status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(status("99").status(), StatusCode::BAD_REQUEST);
        assert_eq!(status("600").status(), StatusCode::BAD_REQUEST);
        assert_eq!(status("x").status(), StatusCode::BAD_REQUEST);
    }
}
