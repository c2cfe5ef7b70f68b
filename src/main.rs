//! `jobrig`: run the conformance job (for now, the engine's self-check scenarios on the virtual
//! clock), or measure the engine.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "jobrig",
    version,
    about = "AWS IoT Jobs conformance harness and emulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the built-in scenarios against the embedded emulator on its virtual clock (default).
    Check,
    /// Measure the engine in-process, or `jobrig serve` on the wire.
    Bench {
        #[command(subcommand)]
        what: BenchCommand,
    },
    /// Run the emulator on the wire: AWS HTTP planes, MQTT broker with the Jobs API, admin API.
    Serve(Box<ServeArgs>),
}

#[derive(Subcommand)]
enum BenchCommand {
    /// N things in one group, a CONTINUOUS job with an exponential rollout, every execution
    /// started and finished in-process.
    Engine {
        #[arg(long, default_value_t = 100_000)]
        things: u32,
    },
    /// DescribeJobExecution over HTTP keep-alive against a `jobrig serve` child process.
    Http {
        #[arg(long, default_value_t = 1)]
        clients: usize,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// MQTT: the start-next round trip of one device over TCP and over WebSocket, then a fleet of
    /// devices each completing one job execution, against a `jobrig serve` child process.
    Mqtt {
        #[arg(long, default_value_t = 1000)]
        round_trips: usize,
        #[arg(long, default_value_t = 10_000)]
        devices: usize,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// HTTP listener (control plane, data plane, admin API); port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:4566")]
    http: std::net::SocketAddr,
    /// MQTT listener; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:1883")]
    mqtt: std::net::SocketAddr,
    /// MQTT TLS listener requiring client certificates signed by the CA (e.g. 127.0.0.1:8883).
    #[arg(long)]
    mqtts: Option<std::net::SocketAddr>,
    /// HTTPS counterpart of --http (planes, admin API, wss://.../mqtt), certificate from the CA.
    #[arg(long)]
    https: Option<std::net::SocketAddr>,
    /// Attach to this broker (mqtt://HOST:PORT) instead of running one.
    #[arg(long, conflicts_with_all = ["mqtts"])]
    broker: Option<String>,
    /// Write the CA (ca.pem, ca.key) and a certificate and key per --thing into DIR.
    #[arg(long, value_name = "DIR")]
    certs: Option<std::path::PathBuf>,
    /// A thing to issue a client certificate for (repeatable; with --certs).
    #[arg(long = "thing", value_name = "NAME")]
    things: Vec<String>,
    /// Use this CA certificate (PEM) instead of generating one (with --ca-key).
    #[arg(long, requires = "ca_key")]
    ca_cert: Option<std::path::PathBuf>,
    /// The CA's private key (PEM, PKCS#8).
    #[arg(long, requires = "ca_cert")]
    ca_key: Option<std::path::PathBuf>,
    /// Another name the TLS server certificate is valid for (repeatable).
    #[arg(long = "tls-name", value_name = "NAME")]
    tls_names: Vec<String>,
    /// A client may only use its own `$aws/things/<client id>/...` topics (like an AWS IoT policy).
    #[arg(long)]
    per_thing_auth: bool,
    /// virtual (moves only through the admin API), jumpable (real time that can jump), system.
    #[arg(long, default_value = "system", value_parser = ["virtual", "jumpable", "system"])]
    clock: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    #[arg(long, default_value = "123456789012")]
    account_id: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Check) {
        Command::Check => jobrig::selfcheck::run_and_print(),
        Command::Serve(args) => serve(args),
        Command::Bench { what } => bench(what),
    }
}

fn serve(args: Box<ServeArgs>) -> ExitCode {
    let args = *args;
    use jobrig::clock::ClockMode;
    let ca = match (args.ca_cert, args.ca_key) {
        (Some(cert), Some(key)) => jobrig::serve::CaSource::Load { cert, key },
        _ => jobrig::serve::CaSource::Generate,
    };
    let cfg = jobrig::serve::ServeConfig {
        http: args.http,
        // An external broker replaces jobrig's own.
        mqtt: args.broker.is_none().then_some(args.mqtt),
        mqtts: args.mqtts,
        https: args.https,
        tls: jobrig::serve::TlsOptions {
            ca,
            certs_dir: args.certs,
            things: args.things,
            server_names: args.tls_names,
        },
        broker: args.broker,
        per_thing_auth: args.per_thing_auth,
        clock: ClockMode::parse(&args.clock).unwrap_or(ClockMode::System),
        region: args.region,
        account_id: args.account_id,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match jobrig::serve::start(cfg).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("jobrig serve: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", running.ready_line());
        wait_for_signal().await;
        running.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// SIGINT or SIGTERM: the two ways a supervisor or a person stops the server.
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn bench(what: BenchCommand) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: Result<(), String> = runtime.block_on(async move {
        match what {
            BenchCommand::Engine { things } => {
                let report = jobrig::bench::engine_rollout(things).map_err(|e| e.to_string())?;
                println!("{report}");
            }
            BenchCommand::Http { clients, seconds } => {
                let report = jobrig::bench::http::describe_execution(clients, seconds)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("{report}");
            }
            BenchCommand::Mqtt {
                round_trips,
                devices,
            } => {
                use jobrig::bench::mqtt::Path;
                for path in [Path::Tcp, Path::WebSocket] {
                    let rt = jobrig::bench::mqtt::start_next_round_trip(round_trips, path)
                        .await
                        .map_err(|e| e.to_string())?;
                    println!("{rt}");
                }
                let fleet = jobrig::bench::mqtt::fleet(devices)
                    .await
                    .map_err(|e| e.to_string())?;
                println!("{fleet}");
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}
