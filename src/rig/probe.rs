//! The probe driver: a real board on the bench, reached through a debug probe with probe-rs.
//!
//! A rig names a probe by its selector (`VID:PID[:SERIAL]`, as `probe-rs list` prints it) and a
//! chip by its name in probe-rs's built-in target database. [`list_probes`] shows what is
//! attached; [`attach`] (or [`attach_config`] for a rig file's `[devices.probe]`) opens a
//! [`ProbeSession`], which offers the capabilities a conformance run needs, each behind a small
//! trait so that tests and emulated devices can stand in:
//! - [`Flasher`]: write an ELF to the chip's flash;
//! - [`Reset`]: reset, halt and resume the core;
//! - [`Rtt`]: drain the firmware's RTT up-channels into a timestamped [`RttLog`];
//! - [`FirmwareIdentity`]: which firmware an ELF is (GNU build-id, else SHA-256 of the file),
//!   read from the file alone so a report can name the firmware even without a probe.
//!
//! Every probe-rs call here is blocking (USB transfers); async callers should run them in
//! `tokio::task::spawn_blocking`. Device time is real time: RTT timestamps are wall-clock
//! offsets, unlike job time, which is the emulator's.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use object::{FileKind, Object};
use probe_rs::config::{Registry, RegistryError};
use probe_rs::flashing::{ElfLoader, ElfOptions, FileDownloadError};
use probe_rs::probe::list::Lister;
use probe_rs::probe::{DebugProbeInfo, DebugProbeSelector, Probe};
use probe_rs::{Permissions, Session};
use sha2::{Digest, Sha256};

use crate::rig::config::ProbeConfig;

/// How long a halt request may take before the core is declared unresponsive; a healthy core
/// halts within microseconds, so this only catches a wedged or unpowered target.
const HALT_TIMEOUT: Duration = Duration::from_millis(500);
/// Index of the core that runs the firmware: jobrig's devices are single-core MCUs (or boot
/// the application on core 0).
const MAIN_CORE: usize = 0;
/// At most this many similar chip names are listed in an unknown-chip error, to keep it
/// readable; `probe-rs chip list` shows them all.
const MAX_SUGGESTIONS: usize = 10;
/// Shortest prefix of an unknown chip name used to look for similar names; shorter ones (e.g.
/// "st") match hundreds of unrelated chips.
const MIN_PREFIX: usize = 3;
/// Bytes read from one RTT up-channel per poll; firmware buffers are typically 1 KiB.
const RTT_CHUNK: usize = 1024;
/// Stands for the selector in errors when the rig file gives none.
const ANY_PROBE: &str = "(any; the rig file gives no selector)";

/// What went wrong talking to a debug probe or reading a firmware file.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(
        "no debug probe found for selector {selector}: `probe-rs list` shows none attached; \
         connect one (and check USB permissions / udev rules) or use an emulated device"
    )]
    NoProbe { selector: String },
    #[error(
        "several debug probes are attached ({}) and the rig gives no selector; set \
         selector = \"VID:PID:SERIAL\" in the device's [devices.probe] table",
        attached.join(", ")
    )]
    SeveralProbes { attached: Vec<String> },
    #[error(
        "could not open debug probe {selector}: {source}; attached probes: [{}]; pick one of \
         these selectors or check the probe is not in use by another program",
        attached.join(", ")
    )]
    Open {
        selector: String,
        attached: Vec<String>,
        source: Box<probe_rs::probe::DebugProbeError>,
    },
    #[error(
        "invalid probe selector {selector:?}: {reason}; write it as VID:PID[:SERIAL] in hex, \
         exactly as `probe-rs list` prints it (e.g. 0483:374b or 1366:1015:000683123456)"
    )]
    BadSelector { selector: String, reason: String },
    #[error(
        "unknown chip {chip:?}: it is not in probe-rs's built-in target database{}; \
         run `probe-rs chip list` to find the exact name",
        similar_names(similar)
    )]
    UnknownChip { chip: String, similar: Vec<String> },
    #[error(
        "chip name {chip:?} is ambiguous: {detail}; use the full variant name from \
         `probe-rs chip list`"
    )]
    AmbiguousChip { chip: String, detail: String },
    #[error(
        "could not attach to chip {chip} through probe {selector}: {source}; check wiring, \
         target power and that the chip name matches the board"
    )]
    Attach {
        selector: String,
        chip: String,
        source: Box<probe_rs::Error>,
    },
    #[error(
        "flashing {} to chip {chip} through probe {selector} failed: {source}; check the ELF \
         was built for this chip and that the target is powered",
        path.display()
    )]
    Flash {
        selector: String,
        chip: String,
        path: PathBuf,
        source: Box<FileDownloadError>,
    },
    #[error(
        "could not {action} the core of chip {chip} through probe {selector}: {source}; \
         check the target is powered and the probe still connected"
    )]
    Core {
        selector: String,
        chip: String,
        action: &'static str,
        source: Box<probe_rs::Error>,
    },
    #[error(
        "RTT on chip {chip} through probe {selector} failed: {source}; check the firmware \
         initialises RTT (e.g. rtt-target / SEGGER RTT) and is running"
    )]
    Rtt {
        selector: String,
        chip: String,
        source: Box<probe_rs::rtt::Error>,
    },
    #[error(
        "could not read firmware file {}: {source}; check the path in the rig file",
        path.display()
    )]
    ReadFirmware {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "firmware file {} is not an ELF file (found {kind}); pass the ELF the build \
         produced, not a .bin/.hex image",
        path.display()
    )]
    NotElf { path: PathBuf, kind: String },
    #[error(
        "firmware file {} is a damaged ELF file: {source}; rebuild it",
        path.display()
    )]
    BadElf {
        path: PathBuf,
        source: Box<object::Error>,
    },
}

/// Formats the "similar names" tail of [`ProbeError::UnknownChip`].
fn similar_names(similar: &[String]) -> String {
    if similar.is_empty() {
        String::new()
    } else {
        format!(" (similar names: {})", similar.join(", "))
    }
}

/// One attached debug probe, as [`list_probes`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeInfo {
    /// The selector that opens exactly this probe: `VID:PID[:SERIAL]`.
    pub selector: String,
    /// The probe's human-readable name (e.g. "STLink V3").
    pub name: String,
}

impl From<&DebugProbeInfo> for ProbeInfo {
    fn from(info: &DebugProbeInfo) -> Self {
        Self {
            selector: DebugProbeSelector::from(info).to_string(),
            name: info.identifier.clone(),
        }
    }
}

/// Lists the debug probes attached to this machine; empty (not an error) when there are none.
pub fn list_probes() -> Vec<ProbeInfo> {
    Lister::new()
        .list_all()
        .iter()
        .map(ProbeInfo::from)
        .collect()
}

/// Opens the probe named by `selector` and attaches to `chip` on it.
///
/// The chip name is checked against the built-in target database first, so a typo is reported
/// as [`ProbeError::UnknownChip`] even when no probe is attached.
pub fn attach(selector: &str, chip: &str) -> Result<ProbeSession, ProbeError> {
    let parsed = parse_selector(selector)?;
    let registry = Registry::from_builtin_families();
    check_chip(&registry, chip)?;
    let probe = open_probe(&parsed)?;
    attach_probe(probe, &parsed.to_string(), chip, &registry)
}

/// Attaches to the probe and chip a rig file names; with no selector, to the only probe
/// attached (several attached is [`ProbeError::SeveralProbes`], so a bench never silently
/// flashes the wrong board).
pub fn attach_config(config: &ProbeConfig) -> Result<ProbeSession, ProbeError> {
    match &config.selector {
        Some(selector) => attach(selector, &config.chip),
        None => attach_only(&config.chip),
    }
}

/// Attaches to `chip` through the only probe attached.
pub fn attach_only(chip: &str) -> Result<ProbeSession, ProbeError> {
    let registry = Registry::from_builtin_families();
    check_chip(&registry, chip)?;
    let selector = match Lister::new().list_all().as_slice() {
        [] => {
            return Err(ProbeError::NoProbe {
                selector: ANY_PROBE.to_owned(),
            });
        }
        [only] => DebugProbeSelector::from(only),
        several => {
            return Err(ProbeError::SeveralProbes {
                attached: several
                    .iter()
                    .map(|info| ProbeInfo::from(info).selector)
                    .collect(),
            });
        }
    };
    let probe = open_probe(&selector)?;
    attach_probe(probe, &selector.to_string(), chip, &registry)
}

/// Attaches to `chip` through an already opened probe (e.g. probe-rs's fake probe in tests);
/// `label` names the probe in errors.
pub fn attach_opened(probe: Probe, label: &str, chip: &str) -> Result<ProbeSession, ProbeError> {
    let registry = Registry::from_builtin_families();
    check_chip(&registry, chip)?;
    attach_probe(probe, label, chip, &registry)
}

fn parse_selector(selector: &str) -> Result<DebugProbeSelector, ProbeError> {
    DebugProbeSelector::from_str(selector).map_err(|e| ProbeError::BadSelector {
        selector: selector.to_owned(),
        reason: e.to_string(),
    })
}

/// Fails with a typed error unless `chip` names exactly one target in `registry`.
fn check_chip(registry: &Registry, chip: &str) -> Result<(), ProbeError> {
    match registry.get_target_by_name(chip) {
        Ok(_) => Ok(()),
        Err(RegistryError::ChipNotUnique(_, detail)) => Err(ProbeError::AmbiguousChip {
            chip: chip.to_owned(),
            detail,
        }),
        Err(_) => Err(ProbeError::UnknownChip {
            chip: chip.to_owned(),
            similar: similar_chips(registry, chip),
        }),
    }
}

/// Chip names sharing the longest prefix of `chip` that matches any, to hint at the intended
/// spelling ("nrf52840_typo" suggests the nRF52840 variants, not every nRF5).
fn similar_chips(registry: &Registry, chip: &str) -> Vec<String> {
    let chars: Vec<char> = chip.chars().collect();
    for len in (MIN_PREFIX..=chars.len()).rev() {
        let prefix: String = chars.iter().take(len).collect();
        let mut names = registry.search_chips(&prefix);
        if !names.is_empty() {
            names.sort();
            names.dedup();
            names.truncate(MAX_SUGGESTIONS);
            return names;
        }
    }
    Vec::new()
}

fn open_probe(selector: &DebugProbeSelector) -> Result<Probe, ProbeError> {
    let lister = Lister::new();
    lister.open(selector.clone()).map_err(|source| {
        let attached: Vec<String> = lister
            .list_all()
            .iter()
            .map(|info| ProbeInfo::from(info).selector)
            .collect();
        // With nothing attached the probe-rs error ("probe not found") hides the real fix.
        if attached.is_empty() {
            ProbeError::NoProbe {
                selector: selector.to_string(),
            }
        } else {
            ProbeError::Open {
                selector: selector.to_string(),
                attached,
                source: Box::new(source),
            }
        }
    })
}

fn attach_probe(
    probe: Probe,
    label: &str,
    chip: &str,
    registry: &Registry,
) -> Result<ProbeSession, ProbeError> {
    let session = probe
        .attach_with_registry(chip, Permissions::default(), registry)
        .map_err(|source| ProbeError::Attach {
            selector: label.to_owned(),
            chip: chip.to_owned(),
            source: Box::new(source),
        })?;
    Ok(ProbeSession {
        session,
        selector: label.to_owned(),
        chip: chip.to_owned(),
        rtt: None,
    })
}

/// Writes firmware to a device.
pub trait Flasher {
    /// Flashes the ELF at `elf` (its loadable sections) and leaves the core reset.
    fn flash_elf(&mut self, elf: &Path) -> Result<(), ProbeError>;
}

/// Controls whether a device's core runs.
pub trait Reset {
    /// Resets the core and lets it run from the reset vector.
    fn reset(&mut self) -> Result<(), ProbeError>;
    /// Stops the core where it is.
    fn halt(&mut self) -> Result<(), ProbeError>;
    /// Lets a halted core run on.
    fn resume(&mut self) -> Result<(), ProbeError>;
}

/// Reads a device's log output.
pub trait Rtt {
    /// Drains every RTT up-channel once into `log`; returns how many bytes were read.
    fn poll_rtt(&mut self, log: &mut RttLog) -> Result<usize, ProbeError>;
}

/// Says which firmware an ELF file is.
pub trait FirmwareIdentity {
    /// Identifies the ELF at `elf`.
    fn firmware_identity(&self, elf: &Path) -> Result<FirmwareId, ProbeError>;
}

/// A firmware's identity: its GNU build-id when the linker wrote one, else a file hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirmwareId {
    /// The `NT_GNU_BUILD_ID` note, lowercase hex (as `readelf -n` prints it).
    BuildId(String),
    /// SHA-256 of the whole file, lowercase hex; changes with any byte, including debug info.
    Sha256(String),
}

impl fmt::Display for FirmwareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BuildId(hex) => write!(f, "build-id:{hex}"),
            Self::Sha256(hex) => write!(f, "sha256:{hex}"),
        }
    }
}

/// Reads firmware identity from the file alone; needs no probe.
#[derive(Debug, Clone, Copy, Default)]
pub struct ElfFile;

impl FirmwareIdentity for ElfFile {
    fn firmware_identity(&self, elf: &Path) -> Result<FirmwareId, ProbeError> {
        firmware_identity(elf)
    }
}

/// Identifies the ELF at `path`: GNU build-id if present, else SHA-256 of the file.
pub fn firmware_identity(path: &Path) -> Result<FirmwareId, ProbeError> {
    let data = std::fs::read(path).map_err(|source| ProbeError::ReadFirmware {
        path: path.to_owned(),
        source,
    })?;
    identity_of_bytes(path, &data)
}

fn identity_of_bytes(path: &Path, data: &[u8]) -> Result<FirmwareId, ProbeError> {
    let kind = FileKind::parse(data).map_err(|_| ProbeError::NotElf {
        path: path.to_owned(),
        kind: "an unrecognised format".to_owned(),
    })?;
    if !matches!(kind, FileKind::Elf32 | FileKind::Elf64) {
        return Err(ProbeError::NotElf {
            path: path.to_owned(),
            kind: format!("{kind:?}"),
        });
    }
    let bad_elf = |source| ProbeError::BadElf {
        path: path.to_owned(),
        source: Box::new(source),
    };
    let file = object::File::parse(data).map_err(bad_elf)?;
    Ok(match file.build_id().map_err(bad_elf)? {
        Some(id) if !id.is_empty() => FirmwareId::BuildId(hex(id)),
        _ => FirmwareId::Sha256(hex(&Sha256::digest(data))),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One line of device output read over RTT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttLine {
    /// When the line's last byte was read, since the log started (wall clock).
    pub at: Duration,
    /// The up-channel's number.
    pub channel: usize,
    /// The up-channel's name as the firmware declared it (often "Terminal"), if any.
    pub channel_name: Option<String>,
    /// The line without its line ending; invalid UTF-8 is replaced, never rejected.
    pub text: String,
}

/// A timestamped log of RTT output, split into lines per channel.
///
/// Pure bookkeeping (no probe): [`RttLog::push`] takes bytes and a timestamp, so line splitting
/// is testable without hardware. A line is timestamped when its newline arrives.
#[derive(Debug, Clone)]
pub struct RttLog {
    started: Instant,
    lines: Vec<RttLine>,
    /// Bytes of each channel's unfinished line, by channel number.
    partial: Vec<(usize, Vec<u8>)>,
}

impl Default for RttLog {
    fn default() -> Self {
        Self::new()
    }
}

impl RttLog {
    /// An empty log whose timestamps count from now.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            lines: Vec::new(),
            partial: Vec::new(),
        }
    }

    /// Time since the log started, for [`RttLog::push`].
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Appends bytes read from `channel` at `at`; each completed line becomes an [`RttLine`].
    pub fn push(&mut self, channel: usize, name: Option<&str>, bytes: &[u8], at: Duration) {
        let pending = self.pending(channel);
        pending.extend_from_slice(bytes);
        let mut rest = std::mem::take(pending);
        let mut completed = Vec::new();
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = rest.drain(..=end).collect();
            completed.push(line_text(&line));
        }
        *self.pending(channel) = rest;
        self.lines.extend(completed.into_iter().map(|text| RttLine {
            at,
            channel,
            channel_name: name.map(str::to_owned),
            text,
        }));
    }

    /// The completed lines so far, oldest first.
    pub fn lines(&self) -> &[RttLine] {
        &self.lines
    }

    /// Removes and returns the completed lines so far.
    pub fn take_lines(&mut self) -> Vec<RttLine> {
        std::mem::take(&mut self.lines)
    }

    fn pending(&mut self, channel: usize) -> &mut Vec<u8> {
        let index = match self.partial.iter().position(|(c, _)| *c == channel) {
            Some(index) => index,
            None => {
                self.partial.push((channel, Vec::new()));
                self.partial.len() - 1
            }
        };
        &mut self.partial[index].1
    }
}

/// Decodes a raw line, dropping its `\n` or `\r\n`.
fn line_text(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

/// An attached chip: a probe-rs session plus the names errors need.
pub struct ProbeSession {
    session: Session,
    selector: String,
    chip: String,
    /// Found on the first [`Rtt::poll_rtt`]; kept because finding it scans target RAM.
    rtt: Option<probe_rs::rtt::Rtt>,
}

impl fmt::Debug for ProbeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProbeSession")
            .field("selector", &self.selector)
            .field("chip", &self.chip)
            .field("rtt_attached", &self.rtt.is_some())
            .finish_non_exhaustive()
    }
}

impl ProbeSession {
    /// The probe's selector (or label, for a probe opened by the caller).
    pub fn selector(&self) -> &str {
        &self.selector
    }

    /// The chip name this session attached to.
    pub fn chip(&self) -> &str {
        &self.chip
    }

    fn core_error(
        &self,
        action: &'static str,
    ) -> impl FnOnce(probe_rs::Error) -> ProbeError + use<> {
        let (selector, chip) = (self.selector.clone(), self.chip.clone());
        move |source| ProbeError::Core {
            selector,
            chip,
            action,
            source: Box::new(source),
        }
    }

    fn rtt_error(&self) -> impl FnOnce(probe_rs::rtt::Error) -> ProbeError + use<> {
        let (selector, chip) = (self.selector.clone(), self.chip.clone());
        move |source| ProbeError::Rtt {
            selector,
            chip,
            source: Box::new(source),
        }
    }

    /// Runs `action` on the main core, naming `what` in the error.
    fn with_core<T>(
        &mut self,
        what: &'static str,
        action: impl FnOnce(&mut probe_rs::Core<'_>) -> Result<T, probe_rs::Error>,
    ) -> Result<T, ProbeError> {
        let to_error = self.core_error(what);
        let result = self
            .session
            .core(MAIN_CORE)
            .and_then(|mut core| action(&mut core));
        result.map_err(to_error)
    }
}

impl Flasher for ProbeSession {
    fn flash_elf(&mut self, elf: &Path) -> Result<(), ProbeError> {
        let loader = ElfLoader(ElfOptions::default());
        probe_rs::flashing::download_file(&mut self.session, elf, loader).map_err(|source| {
            ProbeError::Flash {
                selector: self.selector.clone(),
                chip: self.chip.clone(),
                path: elf.to_owned(),
                source: Box::new(source),
            }
        })?;
        // Flashing leaves the core halted in the flash algorithm; the RTT block moves with it.
        self.rtt = None;
        self.reset()
    }
}

impl Reset for ProbeSession {
    fn reset(&mut self) -> Result<(), ProbeError> {
        self.with_core("reset", |core| core.reset())
    }

    fn halt(&mut self) -> Result<(), ProbeError> {
        self.with_core("halt", |core| core.halt(HALT_TIMEOUT).map(drop))
    }

    fn resume(&mut self) -> Result<(), ProbeError> {
        self.with_core("resume", |core| core.run())
    }
}

impl Rtt for ProbeSession {
    fn poll_rtt(&mut self, log: &mut RttLog) -> Result<usize, ProbeError> {
        let to_core_error = self.core_error("reach");
        let (to_attach_error, to_read_error) = (self.rtt_error(), self.rtt_error());
        let mut core = self.session.core(MAIN_CORE).map_err(to_core_error)?;
        let rtt = match &mut self.rtt {
            Some(rtt) => rtt,
            None => self
                .rtt
                .insert(probe_rs::rtt::Rtt::attach(&mut core).map_err(to_attach_error)?),
        };
        drain_up_channels(rtt, &mut core, log).map_err(to_read_error)
    }
}

impl FirmwareIdentity for ProbeSession {
    fn firmware_identity(&self, elf: &Path) -> Result<FirmwareId, ProbeError> {
        firmware_identity(elf)
    }
}

/// Reads every up-channel until it is empty, so one poll returns all buffered output.
fn drain_up_channels(
    rtt: &mut probe_rs::rtt::Rtt,
    core: &mut probe_rs::Core<'_>,
    log: &mut RttLog,
) -> Result<usize, probe_rs::rtt::Error> {
    let mut buf = [0u8; RTT_CHUNK];
    let mut total = 0;
    for channel in rtt.up_channels() {
        loop {
            let n = channel.read(core, &mut buf)?;
            if n == 0 {
                break;
            }
            let read = buf.get(..n).unwrap_or(&buf);
            log.push(channel.number(), channel.name(), read, log.elapsed());
            total += n;
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn rtt_log_splits_lines_across_reads_and_stamps_them_when_complete() {
        // Issue 4: RTT output becomes a timestamped log of whole lines, however reads split it.
        let mut log = RttLog::new();
        log.push(0, Some("Terminal"), b"boot ", at(1));
        assert!(log.lines().is_empty());
        log.push(0, Some("Terminal"), b"ok\r\njob 7\nrest", at(5));
        let texts: Vec<_> = log
            .lines()
            .iter()
            .map(|l| (l.at, l.text.as_str()))
            .collect();
        assert_eq!(texts, vec![(at(5), "boot ok"), (at(5), "job 7")]);
        assert_eq!(log.lines()[0].channel_name.as_deref(), Some("Terminal"));
    }

    #[test]
    fn rtt_log_keeps_channels_apart() {
        // Issue 4: bytes of one RTT channel never complete another channel's line.
        let mut log = RttLog::new();
        log.push(0, None, b"a", at(1));
        log.push(1, Some("defmt"), b"b\n", at(2));
        log.push(0, None, b"c\n", at(3));
        let got: Vec<_> = log
            .take_lines()
            .into_iter()
            .map(|l| (l.channel, l.text))
            .collect();
        assert_eq!(got, vec![(1, "b".to_owned()), (0, "ac".to_owned())]);
        assert!(log.lines().is_empty());
    }

    #[test]
    fn rtt_log_replaces_invalid_utf8_instead_of_failing() {
        // Issue 4: device bytes are never trusted — bad UTF-8 is logged, not a panic or error.
        let mut log = RttLog::new();
        log.push(0, None, b"x\xff\n", at(0));
        assert_eq!(log.lines()[0].text, "x\u{fffd}");
    }

    #[test]
    fn selector_parsing_rejects_garbage_with_a_typed_error() {
        // Issue 4: a malformed selector in a rig file names the expected VID:PID[:SERIAL] form.
        let err = parse_selector("not-a-probe").err();
        assert!(
            matches!(&err, Some(ProbeError::BadSelector { selector, .. }) if selector == "not-a-probe"),
            "{err:?}"
        );
        let shown = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(shown.contains("VID:PID[:SERIAL]"), "{shown}");
    }

    #[test]
    fn firmware_id_display_names_its_kind() {
        // Issue 4: reports show which identity was used — a build-id or the hash fallback.
        assert_eq!(FirmwareId::BuildId("ab".into()).to_string(), "build-id:ab");
        assert_eq!(FirmwareId::Sha256("cd".into()).to_string(), "sha256:cd");
    }
}
