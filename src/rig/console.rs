//! The console driver: a board's serial console as labgrid's `ConsoleProtocol` — send a line,
//! expect a pattern within a timeout, keep a timestamped log of both directions.
//!
//! [`Console`] is the capability trait; [`SerialConsole`] implements it over a serial port (a
//! real `/dev/ttyUSB0` or the slave end of a pseudo-terminal), [`FakeConsole`] over scripted
//! replies for tests of code that drives consoles. What a board answers is specified in
//! `docs/console-protocol.md`.
//!
//! **Line-based.** Received bytes are split at `\n` (a trailing `\r` is dropped); `expect`
//! matches one complete line at a time, so a reply split across reads is assembled before it is
//! matched and a pattern never sees half a line. Lines that do not match are skipped (they stay in
//! the log). A board that never ends a line is cut every [`MAX_LINE`] bytes so memory stays
//! bounded. Bytes that are not UTF-8 are logged lossily (U+FFFD) — a console is device input and
//! never makes the driver panic.
//!
//! Console time is wall time: a board runs in real time. Job time stays on the emulator's clock.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use regex::Regex;

/// A received line longer than this is cut and logged as it is, so a board printing garbage
/// without newlines cannot grow the buffer without bound.
pub const MAX_LINE: usize = 4096;
/// Largest chunk read from the port at once.
const CHUNK: usize = 1024;
/// Lines quoted in a timeout error, so the message shows what the board said instead.
const QUOTED_LINES: usize = 5;

/// What a console can do: labgrid's `ConsoleProtocol`, reduced to what jobrig's scenarios use.
pub trait Console {
    /// Sends `line` followed by `\n`. A line containing `\r` or `\n` is refused: it would be two
    /// commands to the board but one entry in the log.
    fn send_line(&mut self, line: &str) -> Result<(), ConsoleError>;

    /// Waits until a received line matches `pattern`, at most `timeout`. Lines before the match
    /// are consumed and skipped; lines after it stay for the next `expect`.
    fn expect(&mut self, pattern: &Regex, timeout: Duration) -> Result<Match, ConsoleError>;

    /// Every line sent and received since the console was opened, in order.
    fn log(&self) -> &[LogLine];
}

/// Which way a logged line went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From jobrig to the board.
    Sent,
    /// From the board to jobrig.
    Received,
}

/// One line of the console log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogLine {
    /// Wall time since the console was opened.
    pub at: Duration,
    pub direction: Direction,
    /// The line without its terminator; invalid UTF-8 replaced by U+FFFD.
    pub text: String,
}

/// A line that matched an [`Console::expect`] pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The whole received line.
    pub line: String,
    /// The text the pattern matched (capture group 0).
    pub matched: String,
    /// Capture groups by index (1 is the first group); `None` where a group did not take part.
    pub groups: Vec<Option<String>>,
    /// Named capture groups that took part in the match.
    pub named: BTreeMap<String, String>,
}

impl Match {
    fn from_captures(pattern: &Regex, line: &str, caps: &regex::Captures<'_>) -> Self {
        let text = |m: Option<regex::Match<'_>>| m.map(|m| m.as_str().to_owned());
        let named = pattern
            .capture_names()
            .flatten()
            .filter_map(|name| Some((name.to_owned(), text(caps.name(name))?)))
            .collect();
        Self {
            line: line.to_owned(),
            matched: text(caps.get(0)).unwrap_or_default(),
            groups: (1..caps.len()).map(|i| text(caps.get(i))).collect(),
            named,
        }
    }

    /// The named group `name`, if it took part in the match.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.named.get(name).map(String::as_str)
    }
}

/// Errors of a console, each naming the port and what would fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(
        "serial port {port} does not exist; check the `serial.port` of the rig file, that the \
         board is plugged in, and `ls /dev/tty*` for its actual name"
    )]
    NoSuchPort { port: PathBuf },
    #[error(
        "permission denied opening serial port {port}; add the user to the group owning it \
         (often `dialout` or `uucp`) and log in again, or fix the udev rule for the board"
    )]
    PermissionDenied { port: PathBuf },
    #[error(
        "serial port {port} is busy: another program holds it open exclusively; close that \
         program (a terminal such as minicom or screen, another jobrig) and retry"
    )]
    Busy { port: PathBuf },
    #[error("serial port {port} could not be opened at {baud} baud: {source}")]
    Open {
        port: PathBuf,
        baud: u32,
        source: serialport::Error,
    },
    #[error(
        "cannot send {line:?} to {port}: a console line must not contain a carriage return or \
         newline; send each command with its own send_line"
    )]
    InvalidLine { port: String, line: String },
    #[error(
        "no line from {port} matched /{pattern}/ within {waited:?}; last lines received: \
         {last:?}, unfinished line: {unfinished:?} — check that the board is powered, runs at \
         the rig file's baud and answers the console protocol, or raise the timeout"
    )]
    Timeout {
        port: String,
        pattern: String,
        waited: Duration,
        last: Vec<String>,
        /// Bytes received after the last newline: a prompt or a reply missing its terminator.
        unfinished: String,
    },
    #[error(
        "serial port {port} failed while {doing}: {source}; the board may have been unplugged \
         or the pseudo-terminal closed — reopen the console"
    )]
    Io {
        port: String,
        doing: &'static str,
        source: io::Error,
    },
}

/// The part shared by every console: the log, the bytes of an unfinished line, and received
/// lines not yet consumed by `expect`.
#[derive(Debug)]
struct Lines {
    opened: Instant,
    log: Vec<LogLine>,
    partial: Vec<u8>,
    unread: VecDeque<String>,
}

impl Lines {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            log: Vec::new(),
            partial: Vec::new(),
            unread: VecDeque::new(),
        }
    }

    fn record(&mut self, direction: Direction, text: String) {
        self.log.push(LogLine {
            at: self.opened.elapsed(),
            direction,
            text,
        });
    }

    fn sent(&mut self, line: &str) {
        self.record(Direction::Sent, line.to_owned());
    }

    fn received(&mut self, line: String) {
        self.record(Direction::Received, line.clone());
        self.unread.push_back(line);
    }

    /// Adds raw bytes from the board, completing lines at `\n`.
    fn feed(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if byte == b'\n' {
                self.finish_line();
            } else {
                self.partial.push(byte);
                if self.partial.len() >= MAX_LINE {
                    self.finish_line();
                }
            }
        }
    }

    fn finish_line(&mut self) {
        let mut bytes = std::mem::take(&mut self.partial);
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        self.received(String::from_utf8_lossy(&bytes).into_owned());
    }

    /// Consumes unread lines up to and including the first that matches `pattern`.
    fn take_match(&mut self, pattern: &Regex) -> Option<Match> {
        while let Some(line) = self.unread.pop_front() {
            if let Some(caps) = pattern.captures(&line) {
                return Some(Match::from_captures(pattern, &line, &caps));
            }
        }
        None
    }

    fn timeout(&self, port: &str, pattern: &Regex, waited: Duration) -> ConsoleError {
        let received = self
            .log
            .iter()
            .filter(|l| l.direction == Direction::Received);
        let mut last: Vec<String> = received
            .rev()
            .take(QUOTED_LINES)
            .map(|l| l.text.clone())
            .collect();
        last.reverse();
        ConsoleError::Timeout {
            port: port.to_owned(),
            pattern: pattern.as_str().to_owned(),
            waited,
            last,
            unfinished: String::from_utf8_lossy(&self.partial).into_owned(),
        }
    }
}

fn check_line(port: &str, line: &str) -> Result<(), ConsoleError> {
    if line.contains(['\r', '\n']) {
        return Err(ConsoleError::InvalidLine {
            port: port.to_owned(),
            line: line.to_owned(),
        });
    }
    Ok(())
}

/// A console over a serial port: 8N1, no flow control, opened exclusively.
pub struct SerialConsole {
    name: String,
    port: Box<dyn serialport::SerialPort>,
    lines: Lines,
}

impl std::fmt::Debug for SerialConsole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialConsole")
            .field("port", &self.name)
            .field("logged", &self.lines.log.len())
            .finish_non_exhaustive()
    }
}

impl SerialConsole {
    /// Opens `path` at `baud`. Exclusive, so two jobrig runs cannot interleave on one board.
    pub fn open(path: impl AsRef<Path>, baud: u32) -> Result<Self, ConsoleError> {
        let path = path.as_ref();
        let port = serialport::new(path.to_string_lossy(), baud)
            .open()
            .map_err(|e| open_error(path, baud, e))?;
        Ok(Self {
            name: path.display().to_string(),
            port,
            lines: Lines::new(),
        })
    }

    /// The port path this console was opened on.
    pub fn port_name(&self) -> &str {
        &self.name
    }

    fn io_error(&self, doing: &'static str, source: io::Error) -> ConsoleError {
        ConsoleError::Io {
            port: self.name.clone(),
            doing,
            source,
        }
    }

    /// Reads what arrives within `wait` (at least 1 ms, as a zero timeout would not wait at all).
    fn read_some(&mut self, wait: Duration) -> Result<(), ConsoleError> {
        let wait = wait.max(Duration::from_millis(1));
        self.port
            .set_timeout(wait)
            .map_err(|e| self.io_error("setting the read timeout", e.into()))?;
        let mut buf = [0u8; CHUNK];
        match self.port.read(&mut buf) {
            Ok(n) => {
                self.lines.feed(&buf[..n]);
                Ok(())
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(self.io_error("reading", e)),
        }
    }
}

/// Sorts serialport's open errors into the cases a user can act on.
fn open_error(path: &Path, baud: u32, e: serialport::Error) -> ConsoleError {
    let port = path.to_path_buf();
    match e.kind() {
        serialport::ErrorKind::Io(io::ErrorKind::NotFound) => ConsoleError::NoSuchPort { port },
        serialport::ErrorKind::Io(io::ErrorKind::PermissionDenied) => {
            ConsoleError::PermissionDenied { port }
        }
        // serialport reports EBUSY (TIOCEXCL) and a held flock as NoDevice.
        serialport::ErrorKind::NoDevice => ConsoleError::Busy { port },
        _ if !path.exists() => ConsoleError::NoSuchPort { port },
        _ => ConsoleError::Open {
            port,
            baud,
            source: e,
        },
    }
}

impl Console for SerialConsole {
    fn send_line(&mut self, line: &str) -> Result<(), ConsoleError> {
        check_line(&self.name, line)?;
        let mut bytes = Vec::with_capacity(line.len() + 1);
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
        self.port
            .write_all(&bytes)
            .and_then(|()| self.port.flush())
            .map_err(|e| self.io_error("writing", e))?;
        self.lines.sent(line);
        Ok(())
    }

    fn expect(&mut self, pattern: &Regex, timeout: Duration) -> Result<Match, ConsoleError> {
        let start = Instant::now();
        loop {
            if let Some(found) = self.lines.take_match(pattern) {
                return Ok(found);
            }
            let waited = start.elapsed();
            let Some(left) = timeout.checked_sub(waited).filter(|d| !d.is_zero()) else {
                return Err(self.lines.timeout(&self.name, pattern, waited));
            };
            self.read_some(left)?;
        }
    }

    fn log(&self) -> &[LogLine] {
        &self.lines.log
    }
}

/// A console with scripted replies, for tests of code that drives a [`Console`].
///
/// A sent line equal to a scripted command makes the fake "receive" that command's reply lines;
/// other sent lines get no answer. `expect` never waits: time does not pass for a fake, so a
/// pattern with no matching line fails at once with the same [`ConsoleError::Timeout`] a silent
/// board would give.
#[derive(Debug)]
pub struct FakeConsole {
    replies: BTreeMap<String, Vec<String>>,
    lines: Lines,
}

impl Default for FakeConsole {
    fn default() -> Self {
        Self::new()
    }
}

impl FakeConsole {
    /// The name fake consoles use in errors.
    pub const NAME: &'static str = "fake console";

    pub fn new() -> Self {
        Self {
            replies: BTreeMap::new(),
            lines: Lines::new(),
        }
    }

    /// Scripts `reply` for every later `send_line(command)`.
    pub fn reply<I, S>(mut self, command: &str, reply: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let lines = reply.into_iter().map(Into::into).collect();
        self.replies.insert(command.to_owned(), lines);
        self
    }

    /// Makes the board "print" raw bytes now, unsolicited (a boot banner, a log line, garbage).
    pub fn receive(&mut self, bytes: &[u8]) {
        self.lines.feed(bytes);
    }
}

impl Console for FakeConsole {
    fn send_line(&mut self, line: &str) -> Result<(), ConsoleError> {
        check_line(Self::NAME, line)?;
        self.lines.sent(line);
        let reply = self.replies.get(line).cloned().unwrap_or_default();
        for text in reply {
            self.lines.received(text);
        }
        Ok(())
    }

    fn expect(&mut self, pattern: &Regex, _timeout: Duration) -> Result<Match, ConsoleError> {
        self.lines
            .take_match(pattern)
            .ok_or_else(|| self.lines.timeout(Self::NAME, pattern, Duration::ZERO))
    }

    fn log(&self) -> &[LogLine] {
        &self.lines.log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(s: &str) -> Regex {
        Regex::new(s).unwrap()
    }

    // Issue 4: a reply split across reads is matched only once its line is complete.
    #[test]
    fn partial_bytes_become_one_line_at_the_newline() {
        let mut lines = Lines::new();
        lines.feed(b"versi");
        assert!(lines.take_match(&re("^version")).is_none());
        lines.feed(b"on jobrig-console/1\r\n");
        let m = lines.take_match(&re("^version (\\S+)$")).unwrap();
        assert_eq!(m.groups, vec![Some("jobrig-console/1".to_owned())]);
        assert_eq!(lines.log.len(), 1);
    }

    // Issue 4: garbage from a board is logged lossily, never a panic.
    #[test]
    fn invalid_utf8_is_logged_with_replacement_characters() {
        let mut lines = Lines::new();
        lines.feed(&[0xff, 0xfe, b'o', b'k', b'\n']);
        assert_eq!(lines.log[0].text, "\u{fffd}\u{fffd}ok");
    }

    // Issue 4: a board that never ends a line cannot grow memory without bound.
    #[test]
    fn an_endless_line_is_cut_at_max_line() {
        let mut lines = Lines::new();
        lines.feed(&vec![b'x'; MAX_LINE * 2 + 3]);
        assert_eq!(lines.log.len(), 2);
        assert_eq!(lines.partial.len(), 3);
    }

    // Issue 4: expect skips lines that do not match and leaves later lines for the next expect.
    #[test]
    fn expect_skips_non_matching_lines_and_keeps_later_ones() {
        let mut lines = Lines::new();
        lines.feed(b"log noise\nstatus thing=a\nversion x\n");
        assert_eq!(
            lines.take_match(&re("^status")).unwrap().line,
            "status thing=a"
        );
        assert_eq!(lines.take_match(&re("^version")).unwrap().line, "version x");
    }

    // Issue 4: the fake console answers scripted commands and times out like a silent board.
    #[test]
    fn fake_console_replies_to_scripted_commands_only() {
        let mut fake = FakeConsole::new().reply("status", ["status thing=dev-1 state=idle"]);
        fake.send_line("status").unwrap();
        let m = fake
            .expect(&re("thing=(?P<thing>\\S+)"), Duration::from_secs(1))
            .unwrap();
        assert_eq!(m.get("thing"), Some("dev-1"));
        fake.send_line("version").unwrap();
        let err = fake
            .expect(&re("^version"), Duration::from_secs(1))
            .unwrap_err();
        assert!(matches!(err, ConsoleError::Timeout { .. }), "{err}");
        let directions: Vec<_> = fake.log().iter().map(|l| l.direction).collect();
        assert_eq!(
            directions,
            [Direction::Sent, Direction::Received, Direction::Sent]
        );
    }

    // Issue 4: a timeout quotes the last lines and an unfinished one (a prompt with no newline).
    #[test]
    fn a_timeout_quotes_what_the_board_said_instead() {
        let mut fake = FakeConsole::new();
        fake.receive(b"log booting\nlogin: ");
        let err = fake
            .expect(&re("^status"), Duration::from_secs(1))
            .unwrap_err();
        let ConsoleError::Timeout {
            last, unfinished, ..
        } = &err
        else {
            panic!("expected a timeout, got {err}");
        };
        assert_eq!(last, &["log booting"]);
        assert_eq!(unfinished, "login: ");
    }

    // Issue 4: a line with an embedded newline is refused instead of becoming two commands.
    #[test]
    fn a_line_with_a_newline_is_refused() {
        let mut fake = FakeConsole::new();
        let err = fake.send_line("status\nreset").unwrap_err();
        assert!(matches!(err, ConsoleError::InvalidLine { .. }), "{err}");
        assert!(fake.log().is_empty());
    }
}
