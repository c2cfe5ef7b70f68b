//! The serial console driver against a real pseudo-terminal: a `PtyBoard` thread on the master
//! end answers `status`, `version` and `reset` per docs/console-protocol.md, and the real
//! `SerialConsole` opens the slave end by path, as it would open `/dev/ttyUSB0`.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jobrig::rig::console::{Console, ConsoleError, Direction, SerialConsole};
use regex::Regex;
use serialport::{SerialPort, TTYPort};

/// Safety net for replies that do arrive; tests pass as soon as the line is there.
const REPLY: Duration = Duration::from_secs(5);
/// How long a silent board is listened to before the typed timeout is expected.
const SILENCE: Duration = Duration::from_millis(200);
const BAUD: u32 = 115_200;
const THING: &str = "pty-board-1";

/// A virtual board on the master end of a pseudo-terminal pair.
struct PtyBoard {
    path: String,
    stop: Arc<AtomicBool>,
    print: mpsc::Sender<Vec<u8>>,
    /// Every command line the board received, for assertions about what reached it.
    heard: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
    /// The slave end `pair()` opened: kept open so the master never reads EIO while no console
    /// is attached.
    _slave: TTYPort,
}

struct BoardState {
    answers: bool,
    boots: u32,
    booted: Instant,
    partial: Vec<u8>,
}

impl PtyBoard {
    fn start() -> Self {
        Self::spawn(true)
    }

    /// A board that reads commands and never answers.
    fn silent() -> Self {
        Self::spawn(false)
    }

    fn spawn(answers: bool) -> Self {
        let (mut master, slave) = TTYPort::pair().expect("a pseudo-terminal pair");
        let path = slave.name().expect("the slave end has a path");
        master
            .set_timeout(Duration::from_millis(20))
            .expect("set the master's read timeout");
        let stop = Arc::new(AtomicBool::new(false));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let (print, printed) = mpsc::channel::<Vec<u8>>();
        let state = BoardState {
            answers,
            boots: 1,
            booted: Instant::now(),
            partial: Vec::new(),
        };
        let thread = {
            let (stop, heard) = (stop.clone(), heard.clone());
            std::thread::spawn(move || run(master, state, &stop, &heard, &printed))
        };
        Self {
            path,
            stop,
            print,
            heard,
            thread: Some(thread),
            _slave: slave,
        }
    }

    /// Makes the board print raw bytes now, unsolicited.
    fn print(&self, bytes: &[u8]) {
        self.print.send(bytes.to_vec()).expect("board thread alive");
    }

    fn heard(&self) -> Vec<String> {
        self.heard.lock().unwrap().clone()
    }

    fn console(&self) -> SerialConsole {
        SerialConsole::open(&self.path, BAUD).expect("open the pty slave as a serial port")
    }
}

impl Drop for PtyBoard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut master: TTYPort,
    mut state: BoardState,
    stop: &AtomicBool,
    heard: &Mutex<Vec<String>>,
    printed: &mpsc::Receiver<Vec<u8>>,
) {
    let mut buf = [0u8; 256];
    while !stop.load(Ordering::Relaxed) {
        while let Ok(bytes) = printed.try_recv() {
            let _ = master.write_all(&bytes);
        }
        let n = match master.read(&mut buf) {
            Ok(n) => n,
            Err(_) => continue, // read timeout: poll the stop flag and the print queue
        };
        for &byte in &buf[..n] {
            if byte != b'\n' {
                state.partial.push(byte);
                continue;
            }
            let raw = std::mem::take(&mut state.partial);
            let line = String::from_utf8_lossy(&raw)
                .trim_end_matches('\r')
                .to_owned();
            heard.lock().unwrap().push(line.clone());
            if state.answers {
                for reply in answer(&mut state, line.trim()) {
                    let _ = master.write_all(format!("{reply}\r\n").as_bytes());
                }
            }
        }
    }
}

/// The console protocol of docs/console-protocol.md, without a Jobs agent behind it.
fn answer(state: &mut BoardState, line: &str) -> Vec<String> {
    let mut words = line.split_whitespace();
    let (Some(command), rest) = (words.next(), words.next()) else {
        return Vec::new(); // an empty line is ignored
    };
    if rest.is_some() && command != "jobs" {
        return vec![format!("error bad-arguments {command} takes no arguments")];
    }
    match command {
        "status" => vec![format!(
            "status thing={THING} state=idle mqtt=disconnected uptime_ms={} boots={}",
            state.booted.elapsed().as_millis(),
            state.boots
        )],
        "version" => vec!["version protocol=1 firmware=pty-board-0.1.0 build=test".to_owned()],
        "reset" => {
            state.boots += 1;
            state.booted = Instant::now();
            vec![
                "reset ok".to_owned(),
                format!("boot protocol=1 thing={THING} boots={}", state.boots),
            ]
        }
        "jobs" => vec!["error not-ready jobs: no Jobs agent runs on this board".to_owned()],
        other => vec![format!("error unknown-command {other}")],
    }
}

fn re(s: &str) -> Regex {
    Regex::new(s).unwrap()
}

// Issue 4: a command sent through the real serial driver gets its reply, matched with captures.
#[test]
fn status_command_is_answered_and_captured() {
    let board = PtyBoard::start();
    let mut console = board.console();
    console.send_line("status").unwrap();
    let m = console
        .expect(
            &re(r"^status thing=(?P<thing>\S+) state=(\S+) .* boots=(\d+)$"),
            REPLY,
        )
        .unwrap();
    assert_eq!(m.get("thing"), Some(THING));
    assert_eq!(m.groups[1].as_deref(), Some("idle"));
    assert_eq!(m.groups[2].as_deref(), Some("1"));
    assert_eq!(board.heard(), ["status"]);
}

// Issue 4: reset is acknowledged and followed by a boot banner counting the boots.
#[test]
fn reset_is_acknowledged_then_the_board_boots_again() {
    let board = PtyBoard::start();
    let mut console = board.console();
    console.send_line("reset").unwrap();
    console.expect(&re("^reset ok$"), REPLY).unwrap();
    let boot = console.expect(&re(r"^boot .*boots=(\d+)$"), REPLY).unwrap();
    assert_eq!(boot.groups[0].as_deref(), Some("2"));
}

// Issue 4: a silent board ends expect with the typed timeout, bounded by the given timeout.
#[test]
fn a_silent_board_gives_a_typed_timeout() {
    let board = PtyBoard::silent();
    let mut console = board.console();
    console.send_line("version").unwrap();
    let started = Instant::now();
    let err = console.expect(&re("^version"), SILENCE).unwrap_err();
    let waited = started.elapsed();
    let ConsoleError::Timeout {
        pattern,
        waited: reported,
        ..
    } = &err
    else {
        panic!("expected a timeout, got {err}");
    };
    assert_eq!(pattern, "^version");
    assert!(*reported >= SILENCE && waited < SILENCE * 10, "{waited:?}");
    assert!(err.to_string().contains(&board.path), "{err}");
}

// Issue 4: a reply arriving in pieces is matched only as the whole, assembled line.
#[test]
fn a_partial_line_is_assembled_before_it_is_matched() {
    let board = PtyBoard::silent();
    let mut console = board.console();
    board.print(b"version protocol=1 firm");
    let early = console.expect(&re("^version"), SILENCE).unwrap_err();
    assert!(matches!(early, ConsoleError::Timeout { .. }), "{early}");
    board.print(b"ware=x build=y\r\n");
    let m = console
        .expect(
            &re("^version protocol=1 firmware=(\\S+) build=(\\S+)$"),
            REPLY,
        )
        .unwrap();
    assert_eq!(m.line, "version protocol=1 firmware=x build=y");
    assert_eq!(console.log().len(), 1, "{:?}", console.log());
}

// Issue 4: the log holds every line of both directions, in order, with rising timestamps.
#[test]
fn the_log_holds_both_directions_in_order() {
    let board = PtyBoard::start();
    let mut console = board.console();
    console.send_line("version").unwrap();
    console.expect(&re("^version "), REPLY).unwrap();
    console.send_line("frobnicate").unwrap();
    console
        .expect(&re("^error unknown-command frobnicate$"), REPLY)
        .unwrap();
    let log = console.log();
    let seen: Vec<_> = log.iter().map(|l| (l.direction, l.text.as_str())).collect();
    assert_eq!(
        seen,
        [
            (Direction::Sent, "version"),
            (
                Direction::Received,
                "version protocol=1 firmware=pty-board-0.1.0 build=test"
            ),
            (Direction::Sent, "frobnicate"),
            (Direction::Received, "error unknown-command frobnicate"),
        ]
    );
    assert!(log.windows(2).all(|w| w[0].at <= w[1].at));
}

// Issue 4: invalid UTF-8 from the board is logged lossily and the console keeps working.
#[test]
fn garbage_bytes_are_logged_lossily_and_do_not_break_the_console() {
    let board = PtyBoard::start();
    let mut console = board.console();
    board.print(&[0xff, 0xfe, 0x00, b'\r', b'\n']);
    let garbage = console.expect(&re("^\u{fffd}"), REPLY).unwrap();
    assert_eq!(garbage.line, "\u{fffd}\u{fffd}\u{0}");
    console.send_line("status").unwrap();
    console.expect(&re("^status "), REPLY).unwrap();
    assert_eq!(console.log()[0].direction, Direction::Received);
}

// Issue 4: opening a port that does not exist is a typed error naming the port.
#[test]
fn a_missing_port_is_a_typed_error_naming_it() {
    let err = SerialConsole::open("/dev/ttyJOBRIG-does-not-exist", BAUD).unwrap_err();
    assert!(matches!(err, ConsoleError::NoSuchPort { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/dev/ttyJOBRIG-does-not-exist"),
        "{err}"
    );
}

// Issue 4: a port already held by one console is reported busy to a second one.
#[test]
fn a_port_held_by_another_console_is_busy() {
    let board = PtyBoard::start();
    let _first = board.console();
    let err = SerialConsole::open(&board.path, BAUD).unwrap_err();
    assert!(matches!(err, ConsoleError::Busy { .. }), "{err:?}");
    assert!(err.to_string().contains(&board.path), "{err}");
}

// Issue 4: a board that disappears (pty master closed, cable pulled) is a typed I/O error, not a hang.
#[test]
fn a_board_that_goes_away_is_a_typed_io_error() {
    let board = PtyBoard::start();
    let mut console = board.console();
    drop(board);
    let err = console.expect(&re("^status "), REPLY).unwrap_err();
    assert!(matches!(err, ConsoleError::Io { .. }), "{err:?}");
}
