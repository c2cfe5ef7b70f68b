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
    /// Benchmark the engine: N things in one group, a CONTINUOUS job with an exponential rollout,
    /// every execution started and finished in-process.
    Bench {
        #[arg(long, default_value_t = 100_000)]
        things: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Check) {
        Command::Check => jobrig::selfcheck::run_and_print(),
        Command::Bench { things } => match jobrig::bench::engine_rollout(things) {
            Ok(report) => {
                println!("{report}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("bench failed: {e}");
                ExitCode::FAILURE
            }
        },
    }
}
