//! `jobrig bench http`: DescribeJobExecution on the data plane over keep-alive connections.

use std::fmt;
use std::time::{Duration, Instant};

use super::server::{BenchError, HttpConn, ServerProcess};

#[derive(Debug)]
pub struct HttpReport {
    pub clients: usize,
    pub requests: u64,
    pub wall: Duration,
    pub median_us: f64,
    pub p99_us: f64,
}

impl HttpReport {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64()
    }
}

impl fmt::Display for HttpReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DescribeJobExecution, {} keep-alive client(s): {} requests in {:.2} s = {:.0} req/s (median {:.0} µs, p99 {:.0} µs)",
            self.clients,
            self.requests,
            self.wall.as_secs_f64(),
            self.per_second(),
            self.median_us,
            self.p99_us
        )
    }
}

/// Sets up one thing with one job, then has `clients` connections describe its execution for
/// `seconds` of wall time.
pub async fn describe_execution(clients: usize, seconds: f64) -> Result<HttpReport, BenchError> {
    let server = ServerProcess::start()?;
    let mut setup = HttpConn::connect(server.http).await?;
    setup.ok("POST", "/things/bench-dev", "iot", "{}").await?;
    let arn = "arn:aws:iot:us-east-1:123456789012:thing/bench-dev";
    let job = format!(r#"{{"targets":["{arn}"],"document":"{{\"operation\":\"bench\"}}"}}"#);
    setup.ok("PUT", "/jobs/bench-job", "iot", &job).await?;
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients.max(1) {
        let addr = server.http;
        tasks.push(tokio::spawn(async move {
            let mut conn = HttpConn::connect(addr).await?;
            let mut latencies = Vec::with_capacity(100_000);
            while Instant::now() < deadline {
                let t = Instant::now();
                conn.ok(
                    "GET",
                    "/things/bench-dev/jobs/bench-job",
                    "iot-jobs-data",
                    "",
                )
                .await?;
                latencies.push(t.elapsed().as_micros() as u64);
            }
            Ok::<_, BenchError>(latencies)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        let lat = t.await.map_err(|e| BenchError::Other(e.to_string()))??;
        all.extend(lat);
    }
    let wall = started.elapsed();
    let requests = all.len() as u64;
    let (median_us, p99_us) = super::percentiles(all);
    Ok(HttpReport {
        clients: clients.max(1),
        requests,
        wall,
        median_us,
        p99_us,
    })
}
