//! A `jobrig serve` child process for wire benchmarks: the server measured in its own process,
//! as users run it, with a virtual clock and OS-chosen ports.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpStream;

pub struct ServerProcess {
    child: Child,
    pub http: SocketAddr,
    pub mqtt: SocketAddr,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot start jobrig serve: {0}")]
    Spawn(String),
    #[error("HTTP {status} from {what}: {body}")]
    Http {
        what: String,
        status: u16,
        body: String,
    },
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("MQTT: {0}")]
    Mqtt(String),
    #[error("{0}")]
    Other(String),
}

impl ServerProcess {
    pub fn start() -> Result<Self, BenchError> {
        let exe = std::env::current_exe().map_err(|e| BenchError::Spawn(e.to_string()))?;
        let mut child = Command::new(exe)
            .args([
                "serve",
                "--http",
                "127.0.0.1:0",
                "--mqtt",
                "127.0.0.1:0",
                "--clock",
                "virtual",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| BenchError::Spawn(e.to_string()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| BenchError::Spawn("no stdout".into()))?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| BenchError::Spawn(e.to_string()))?;
        let ready: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| BenchError::Spawn(format!("bad ready line {line:?}: {e}")))?;
        let addr = |k: &str| -> Result<SocketAddr, BenchError> {
            ready[k]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| BenchError::Spawn(format!("no {k} address in {line:?}")))
        };
        let (http, mqtt) = (addr("http")?, addr("mqtt")?);
        Ok(ServerProcess { child, http, mqtt })
    }

    /// Peak resident set size of the server process (Linux `VmHWM`).
    pub fn peak_rss_mib(&self) -> Option<f64> {
        super::engine::peak_rss_mib_of(&self.child.id().to_string())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive HTTP/1.1 connection that speaks just enough HTTP for the benchmarks.
pub struct HttpConn {
    reader: AsyncBufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    host: String,
    buf: Vec<u8>,
}

/// The SigV4 credential scope that routes a request to a plane (signatures are not verified).
pub fn auth_header(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
    )
}

impl HttpConn {
    pub async fn connect(addr: SocketAddr) -> Result<Self, BenchError> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(HttpConn {
            reader: AsyncBufReader::new(r),
            writer: w,
            host: addr.to_string(),
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends one request and reads the whole response; returns (status, body).
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        service: &str,
        body: &str,
    ) -> Result<(u16, Vec<u8>), BenchError> {
        self.buf.clear();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            auth_header(service),
            body.len()
        );
        self.buf.extend_from_slice(head.as_bytes());
        self.buf.extend_from_slice(body.as_bytes());
        self.writer.write_all(&self.buf).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| BenchError::Other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            self.reader.read_line(&mut line).await?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).await?;
        Ok((status, body))
    }

    /// As [`HttpConn::request`], failing on any status but 200.
    pub async fn ok(
        &mut self,
        method: &str,
        path: &str,
        service: &str,
        body: &str,
    ) -> Result<Vec<u8>, BenchError> {
        let (status, reply) = self.request(method, path, service, body).await?;
        if status != 200 {
            return Err(BenchError::Http {
                what: format!("{method} {path}"),
                status,
                body: String::from_utf8_lossy(&reply).into_owned(),
            });
        }
        Ok(reply)
    }
}
