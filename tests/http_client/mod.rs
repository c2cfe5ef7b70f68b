//! A tiny HTTP/1.1 client over `TcpStream`, so the wire tests control every byte and header, and a
//! few setup helpers shared by the AWS-plane tests.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use jobrig::engine::{CreateJobRequest, CreateThingRequest};
use jobrig::serve::service::Service;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How a request is addressed: which SigV4 scope it carries, or which Host it names.
#[derive(Clone, Copy, Debug)]
pub enum Sign<'a> {
    /// `Credential=.../us-east-1/iot/aws4_request`
    Control,
    /// `Credential=.../us-east-1/iot-jobs-data/aws4_request`
    Data,
    /// Signed for some other service.
    Service(&'a str),
    /// No `Authorization`; `Host: <addr>`.
    Unsigned,
    /// No `Authorization`; this `Host`.
    Host(&'a str),
    /// Signed for `service`, sent to `host`.
    SignedAt { service: &'a str, host: &'a str },
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an AWS error: status, `x-amzn-ErrorType` code and a `{"message"}` body.
    pub fn assert_error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "status of {}", self.text());
        assert_eq!(
            self.header("x-amzn-ErrorType"),
            Some(code),
            "error type of {}",
            self.text()
        );
        let body = self.json();
        let message = body["message"]
            .as_str()
            .unwrap_or_else(|| panic!("no message in {body}"));
        assert!(!message.is_empty());
        message.to_string()
    }
}

fn auth(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef"
    )
}

/// Sends one request on a fresh connection and reads the whole reply.
pub async fn request(
    addr: SocketAddr,
    sign: Sign<'_>,
    method: &str,
    path: &str,
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    let host = match sign {
        Sign::Host(h) | Sign::SignedAt { host: h, .. } => h.to_string(),
        _ => addr.to_string(),
    };
    head.push_str(&format!("Host: {host}\r\n"));
    let service = match sign {
        Sign::Control => Some("iot"),
        Sign::Data => Some("iot-jobs-data"),
        Sign::Service(s) | Sign::SignedAt { service: s, .. } => Some(s),
        Sign::Unsigned | Sign::Host(_) => None,
    };
    if let Some(s) = service {
        head.push_str(&format!("Authorization: {}\r\n", auth(s)));
    }
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body);
    send_raw(addr, &raw).await
}

pub async fn control(addr: SocketAddr, method: &str, path: &str, body: &str) -> Reply {
    request(addr, Sign::Control, method, path, body.as_bytes()).await
}

pub async fn data(addr: SocketAddr, method: &str, path: &str, body: &str) -> Reply {
    request(addr, Sign::Data, method, path, body.as_bytes()).await
}

/// Writes `raw` as is and reads until the server closes the connection. The write may be cut
/// short by a server that answers early (e.g. a refused oversized body); the reply still counts.
pub async fn send_raw(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let _ = s.write_all(raw).await;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    parse_reply(&buf)
}

fn parse_reply(buf: &[u8]) -> Reply {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("incomplete reply: {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &buf[split + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_line = String::from_utf8_lossy(&rest[..eol]).into_owned();
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("0").trim(), 16)
            .expect("chunk size");
        rest = &rest[eol + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
    out
}

/// Safety net only: every test finishes long before this.
pub async fn within<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("safety net: the test finished in time")
}

/// Creates a thing in-process and returns its ARN.
pub fn thing(svc: &Service, name: &str) -> String {
    svc.call(|e, now| {
        e.create_thing(
            now,
            CreateThingRequest {
                thing_name: name.into(),
                ..Default::default()
            },
        )
    })
    .0
    .expect("create thing")
    .thing_arn
}

/// Creates a snapshot job for the given targets in-process.
pub fn job(svc: &Service, id: &str, targets: &[&str], document: &str) {
    svc.call(|e, now| {
        e.create_job(
            now,
            CreateJobRequest {
                job_id: id.into(),
                targets: Some(targets.iter().map(|t| t.to_string()).collect()),
                document: Some(document.into()),
                ..Default::default()
            },
        )
    })
    .0
    .expect("create job");
}
