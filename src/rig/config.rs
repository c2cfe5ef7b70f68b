//! Rig files (`rigs/*.toml`): the *resources* of a rig — which devices exist, how each is reached.
//!
//! A file is read in two passes, as probe-rs's smoke-tester reads its board files: serde turns the
//! TOML into raw structs whose leaves are untyped [`toml::Value`]s, then a validator turns those into
//! a typed [`Rig`]. Keeping the leaves untyped means serde never stops at the first wrong type: the
//! validator sees the whole file and reports every problem with the file, the key path (for example
//! `devices[2].serial.baud`) and what would fix it. Whether paths exist and ports answer is left to
//! `jobrig rig check`, which runs on the bench; this module only checks what the file says.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Value;

use crate::engine::validate::THING_NAME_MAX;

/// Baud rate used when a serial section gives none: the common default of dev boards.
pub const DEFAULT_BAUD: u32 = 115_200;

/// The value of `serial.port` meaning "the port is provided at run time" (a pseudo-terminal the
/// virtual board creates), not written in the file.
pub const AUTO_PORT: &str = "auto";

// ---------------------------------------------------------------- typed rig

/// A validated rig: the devices one run controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rig {
    /// The file it was read from; relative paths inside it were resolved against its directory.
    pub source: PathBuf,
    /// Free text for humans (`description = "..."`).
    pub description: Option<String>,
    /// At least one device, thing names unique.
    pub devices: Vec<Device>,
}

impl Rig {
    /// The device with this thing name.
    pub fn device(&self, thing_name: &str) -> Option<&Device> {
        self.devices
            .iter()
            .find(|d| d.thing_name.as_str() == thing_name)
    }

    /// Devices carrying a capability tag, in file order.
    pub fn with_capability<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Device> + 'a {
        self.devices
            .iter()
            .filter(move |d| d.capabilities.contains(tag))
    }
}

/// One device of a rig.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub thing_name: ThingName,
    pub kind: DeviceKind,
    pub mqtt: MqttConnection,
    /// Free-form tags scenarios select devices by (`reboot`, `ota`, ...).
    pub capabilities: BTreeSet<String>,
}

/// An AWS IoT thing name: 1..128 characters of `[a-zA-Z0-9:_-]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ThingName(String);

impl ThingName {
    /// Checks the AWS thing-name rules; the error says which one is broken.
    pub fn new(name: &str) -> Result<Self, String> {
        let len = name.chars().count();
        if len == 0 || len > THING_NAME_MAX {
            return Err(format!(
                "thing names are 1 to {THING_NAME_MAX} characters, this one has {len}"
            ));
        }
        if let Some(bad) = name.chars().find(|c| !is_thing_name_char(*c)) {
            return Err(format!(
                "thing names may only contain letters, digits, ':', '_' and '-', not {bad:?}"
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ThingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_thing_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-')
}

/// How jobrig reaches a device, with what the kind needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceKind {
    /// The in-tree reference agent, run by jobrig itself with a behaviour profile.
    Emulated { profile: BehaviourProfile },
    /// A board whose console is a serial port.
    Serial(SerialConfig),
    /// A board on a debug probe, optionally with a serial console too.
    Probe {
        probe: ProbeConfig,
        console: Option<SerialConfig>,
    },
    /// A device jobrig cannot touch: it only talks MQTT (someone else powers and flashes it).
    External,
}

impl DeviceKind {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Emulated { .. } => "emulated",
            Self::Serial(_) => "serial",
            Self::Probe { .. } => "probe",
            Self::External => "external",
        }
    }
}

/// Every `kind = "..."` a rig file may use.
pub const KINDS: [&str; 4] = ["emulated", "serial", "probe", "external"];

/// Behaviour profiles of the reference agent: compliant, and faulty ones that each break one
/// device requirement so that device scenarios are shown able to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BehaviourProfile {
    Compliant,
    IgnoresCancel,
    NeverStarts,
    NeverFinishes,
    StaleVersion,
    CrashesMidJob,
    RejectsEverything,
    TouchesOtherThingsTopics,
    DoubleStart,
}

impl BehaviourProfile {
    pub const ALL: [Self; 9] = [
        Self::Compliant,
        Self::IgnoresCancel,
        Self::NeverStarts,
        Self::NeverFinishes,
        Self::StaleVersion,
        Self::CrashesMidJob,
        Self::RejectsEverything,
        Self::TouchesOtherThingsTopics,
        Self::DoubleStart,
    ];

    /// The spelling used in rig files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Compliant => "compliant",
            Self::IgnoresCancel => "ignores-cancel",
            Self::NeverStarts => "never-starts",
            Self::NeverFinishes => "never-finishes",
            Self::StaleVersion => "stale-version",
            Self::CrashesMidJob => "crashes-mid-job",
            Self::RejectsEverything => "rejects-everything",
            Self::TouchesOtherThingsTopics => "touches-other-things-topics",
            Self::DoubleStart => "double-start",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for BehaviourProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A serial console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialConfig {
    pub port: SerialPortPath,
    pub baud: u32,
    pub console: ConsoleDialect,
}

/// Where the serial port is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialPortPath {
    /// `port = "auto"`: given at run time (the pseudo-terminal the virtual board creates).
    Auto,
    /// A device path such as `/dev/ttyACM0` or `COM3`, used as written.
    Path(PathBuf),
}

/// What the board prints and understands on its console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleDialect {
    /// jobrig's small console protocol (`status`, `version`, `reset`, `jobs`), as the virtual
    /// board answers it.
    Jobrig,
    /// Log lines only: jobrig captures them and matches patterns, but sends no commands.
    Raw,
}

/// Every `console = "..."` a rig file may use.
pub const CONSOLE_DIALECTS: [&str; 2] = ["jobrig", "raw"];

/// A debug probe and the chip behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeConfig {
    /// probe-rs selector `VID:PID[:SERIAL]`; `None` means "the only probe attached".
    pub selector: Option<String>,
    /// probe-rs chip name, e.g. `nRF52840_xxAA`.
    pub chip: String,
    /// ELF to flash before a run; `None` when the board is flashed by other means.
    pub firmware: Option<PathBuf>,
}

/// Where the device's MQTT client connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MqttConnection {
    /// No `[devices.mqtt]`: the broker of the emulator jobrig starts for the run.
    Emulator,
    /// An explicit endpoint, e.g. the emulator on a fixed lab address that a board's firmware was
    /// built for.
    Endpoint {
        host: String,
        port: u16,
        tls: Option<TlsMaterial>,
    },
}

/// PEM files for a TLS connection. The client certificate and key come as a pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsMaterial {
    pub ca: PathBuf,
    pub client: Option<(PathBuf, PathBuf)>,
}

// ---------------------------------------------------------------- errors

/// Why a rig file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RigError {
    #[error(
        "{}: cannot read the rig file: {source}; fix: check the path (shipped rigs are rigs/emulated.toml, rigs/pty-board.toml, rigs/example-board.toml) and that the file is readable",
        .file.display()
    )]
    Unreadable {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{}:{line}:{column}: TOML syntax error: {message}; fix: correct the TOML on line {line} (see https://toml.io)",
        .file.display()
    )]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}", render_issues(.file, .issues))]
    Invalid { file: PathBuf, issues: Vec<Issue> },
}

impl RigError {
    /// The problems found by validation (empty for unreadable files and syntax errors).
    pub fn issues(&self) -> &[Issue] {
        match self {
            Self::Invalid { issues, .. } => issues,
            _ => &[],
        }
    }
}

fn render_issues(file: &Path, issues: &[Issue]) -> String {
    let mut out = format!(
        "{}: {} problem(s) in the rig file",
        file.display(),
        issues.len()
    );
    for issue in issues {
        out.push_str(&format!("\n  {}: {issue}", file.display()));
    }
    out
}

/// One problem at one key of a rig file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Key path such as `devices[2].serial.baud`.
    pub key: String,
    pub problem: Problem,
    /// What to write instead.
    pub fix: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; fix: {}", self.key, self.problem, self.fix)
    }
}

/// The class of a rig-file problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("missing key")]
    MissingKey,
    #[error("expected {expected}, found {found}")]
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    #[error("unknown key")]
    UnknownKey,
    #[error("unknown device kind {0:?}")]
    UnknownKind(String),
    #[error("unknown behaviour profile {0:?}")]
    UnknownProfile(String),
    #[error("thing name {name:?} is already used by {first}")]
    DuplicateThingName { name: String, first: String },
    #[error("invalid thing name {name:?}: {reason}")]
    InvalidThingName { name: String, reason: String },
    #[error("the rig has no devices")]
    EmptyDeviceList,
    #[error("section not used by a {kind} device")]
    NotForKind { kind: &'static str },
    #[error("invalid value: {0}")]
    InvalidValue(String),
}

// ---------------------------------------------------------------- raw structs

// Every leaf is a `toml::Value` so that deserialising a table cannot fail: types are checked by
// the validator, which knows the key path and a fix. `rest` collects unknown keys (typos).

#[derive(Deserialize)]
struct RawRig {
    description: Option<Value>,
    devices: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawDevice {
    thing_name: Option<Value>,
    kind: Option<Value>,
    capabilities: Option<Value>,
    emulated: Option<Value>,
    serial: Option<Value>,
    probe: Option<Value>,
    mqtt: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawEmulated {
    profile: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawSerial {
    port: Option<Value>,
    baud: Option<Value>,
    console: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawProbe {
    selector: Option<Value>,
    chip: Option<Value>,
    firmware: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawMqtt {
    host: Option<Value>,
    port: Option<Value>,
    tls: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct RawTls {
    ca: Option<Value>,
    cert: Option<Value>,
    key: Option<Value>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

const RIG_KEYS: &[&str] = &["description", "devices"];
const DEVICE_KEYS: &[&str] = &[
    "thing_name",
    "kind",
    "capabilities",
    "emulated",
    "serial",
    "probe",
    "mqtt",
];
const EMULATED_KEYS: &[&str] = &["profile"];
const SERIAL_KEYS: &[&str] = &["port", "baud", "console"];
const PROBE_KEYS: &[&str] = &["selector", "chip", "firmware"];
const MQTT_KEYS: &[&str] = &["host", "port", "tls"];
const TLS_KEYS: &[&str] = &["ca", "cert", "key"];

// ---------------------------------------------------------------- entry points

/// Reads and validates a rig file.
pub fn load(file: &Path) -> Result<Rig, RigError> {
    let text = std::fs::read_to_string(file).map_err(|source| RigError::Unreadable {
        file: file.to_path_buf(),
        source,
    })?;
    parse(file, &text)
}

/// Validates rig-file text; `file` names it in errors and anchors its relative paths.
pub fn parse(file: &Path, text: &str) -> Result<Rig, RigError> {
    let raw: RawRig = toml::from_str(text).map_err(|e| syntax_error(file, text, &e))?;
    validate(file, raw)
}

fn syntax_error(file: &Path, text: &str, err: &toml::de::Error) -> RigError {
    let offset = err.span().map_or(0, |s| s.start);
    let (line, column) = line_and_column(text, offset);
    RigError::Syntax {
        file: file.to_path_buf(),
        line,
        column,
        message: err.message().trim().to_owned(),
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn validate(file: &Path, raw: RawRig) -> Result<Rig, RigError> {
    let base = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut v = Validator {
        issues: Vec::new(),
        base,
    };
    v.unknown_keys("", &raw.rest, RIG_KEYS);
    let description = raw
        .description
        .and_then(|d| v.string("description", d, "a quoted string"));
    let devices = v.devices(raw.devices);
    if v.issues.is_empty() {
        Ok(Rig {
            source: file.to_path_buf(),
            description,
            devices,
        })
    } else {
        Err(RigError::Invalid {
            file: file.to_path_buf(),
            issues: v.issues,
        })
    }
}

// ---------------------------------------------------------------- validator

struct Validator {
    issues: Vec<Issue>,
    /// Directory of the rig file: relative firmware and certificate paths are taken from there,
    /// so a rig works whatever directory jobrig runs in.
    base: PathBuf,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

impl Validator {
    fn push(&mut self, key: &str, problem: Problem, fix: impl Into<String>) {
        self.issues.push(Issue {
            key: key.to_owned(),
            problem,
            fix: fix.into(),
        });
    }

    fn missing(&mut self, key: &str, fix: impl Into<String>) {
        self.push(key, Problem::MissingKey, fix);
    }

    fn wrong_type(&mut self, key: &str, expected: &'static str, found: &Value, example: &str) {
        let problem = Problem::WrongType {
            expected,
            found: found.type_str(),
        };
        self.push(key, problem, format!("use {example}"));
    }

    fn unknown_keys(&mut self, prefix: &str, rest: &BTreeMap<String, Value>, known: &[&str]) {
        for key in rest.keys() {
            let fix = match closest(key, known) {
                Some(near) => format!(
                    "did you mean `{near}`? Known keys here: {}",
                    known.join(", ")
                ),
                None => format!("remove it; known keys here: {}", known.join(", ")),
            };
            self.push(&join(prefix, key), Problem::UnknownKey, fix);
        }
    }

    /// Deserialises a sub-table into its raw struct, reporting a non-table value.
    fn table<T: DeserializeOwned>(&mut self, key: &str, value: Value, example: &str) -> Option<T> {
        if !value.is_table() {
            self.wrong_type(key, "a table", &value, example);
            return None;
        }
        match value.try_into::<T>() {
            Ok(raw) => Some(raw),
            // Unreachable with all-`Value` raw structs, but a future typed field must not panic.
            Err(e) => {
                self.push(key, Problem::InvalidValue(e.message().to_owned()), example);
                None
            }
        }
    }

    fn string(&mut self, key: &str, value: Value, example: &str) -> Option<String> {
        match value {
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(key, "a string", &other, example);
                None
            }
        }
    }

    fn required_string(
        &mut self,
        key: &str,
        value: Option<Value>,
        example: &str,
    ) -> Option<String> {
        match value {
            None => {
                self.missing(key, format!("add {example}"));
                None
            }
            Some(v) => {
                let s = self.string(key, v, example)?;
                if s.trim().is_empty() {
                    self.push(
                        key,
                        Problem::InvalidValue("empty string".into()),
                        format!("use {example}"),
                    );
                    return None;
                }
                Some(s)
            }
        }
    }

    fn path(&mut self, key: &str, value: Value, example: &str) -> Option<PathBuf> {
        let s = self.string(key, value, example)?;
        if s.is_empty() {
            self.push(
                key,
                Problem::InvalidValue("empty path".into()),
                format!("use {example}"),
            );
            return None;
        }
        Some(self.base.join(s))
    }

    fn devices(&mut self, value: Option<Value>) -> Vec<Device> {
        let example = "one or more [[devices]] tables (see rigs/emulated.toml)";
        let list = match value {
            None => {
                self.missing("devices", format!("add {example}"));
                return Vec::new();
            }
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.wrong_type("devices", "an array of tables", &other, example);
                return Vec::new();
            }
        };
        if list.is_empty() {
            self.push(
                "devices",
                Problem::EmptyDeviceList,
                format!("add {example}"),
            );
        }
        let mut devices = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (i, value) in list.into_iter().enumerate() {
            let key = format!("devices[{i}]");
            let (name, device) = self.device(&key, value);
            // Duplicates are checked even on devices with other problems, so one round fixes all.
            if let Some(name) = name {
                let name_key = format!("{key}.thing_name");
                if let Some(first) = seen.get(name.as_str()) {
                    let problem = Problem::DuplicateThingName {
                        name: name.as_str().to_owned(),
                        first: first.clone(),
                    };
                    self.push(&name_key, problem, "give every device its own thing name");
                    continue;
                }
                seen.insert(name.as_str().to_owned(), name_key);
            }
            devices.extend(device);
        }
        devices
    }

    /// The thing name is returned on its own as well, for the duplicate check.
    fn device(&mut self, key: &str, value: Value) -> (Option<ThingName>, Option<Device>) {
        let Some(raw) = self.table::<RawDevice>(key, value, "a [[devices]] table") else {
            return (None, None);
        };
        self.unknown_keys(key, &raw.rest, DEVICE_KEYS);
        let thing_name = self.thing_name(&join(key, "thing_name"), raw.thing_name);
        let capabilities = self.capabilities(&join(key, "capabilities"), raw.capabilities);
        let mqtt = self.mqtt(&join(key, "mqtt"), raw.mqtt);
        let sections = Sections {
            emulated: raw.emulated,
            serial: raw.serial,
            probe: raw.probe,
        };
        let kind = self.kind(key, raw.kind, sections);
        let device = match (thing_name.clone(), kind, mqtt, capabilities) {
            (Some(thing_name), Some(kind), Some(mqtt), Some(capabilities)) => Some(Device {
                thing_name,
                kind,
                mqtt,
                capabilities,
            }),
            _ => None,
        };
        (thing_name, device)
    }

    fn thing_name(&mut self, key: &str, value: Option<Value>) -> Option<ThingName> {
        let example = "thing_name = \"lab-board-1\"";
        let name = self.required_string(key, value, example)?;
        match ThingName::new(&name) {
            Ok(t) => Some(t),
            Err(reason) => {
                let fix = "use 1 to 128 letters, digits, ':', '_' or '-', e.g. thing_name = \"lab-board-1\"";
                self.push(key, Problem::InvalidThingName { name, reason }, fix);
                None
            }
        }
    }

    fn capabilities(&mut self, key: &str, value: Option<Value>) -> Option<BTreeSet<String>> {
        let example = "capabilities = [\"reboot\", \"ota\"]";
        let list = match value {
            None => return Some(BTreeSet::new()),
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.wrong_type(key, "an array of strings", &other, example);
                return None;
            }
        };
        let mut tags = BTreeSet::new();
        let mut ok = true;
        for (i, item) in list.into_iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            match self.string(&item_key, item, example) {
                Some(tag) if is_tag(&tag) => {
                    tags.insert(tag);
                }
                Some(tag) => {
                    ok = false;
                    let problem = Problem::InvalidValue(format!("capability tag {tag:?}"));
                    self.push(
                        &item_key,
                        problem,
                        "use lower-case letters, digits and '-', e.g. \"reboot\"",
                    );
                }
                None => ok = false,
            }
        }
        ok.then_some(tags)
    }

    fn kind(&mut self, key: &str, value: Option<Value>, s: Sections) -> Option<DeviceKind> {
        let kind_key = join(key, "kind");
        let example = "kind = \"emulated\" (or \"serial\", \"probe\", \"external\")";
        let name = self.required_string(&kind_key, value, example)?;
        match name.as_str() {
            "emulated" => {
                s.reject(self, key, &["serial", "probe"], "emulated");
                let profile = self.emulated(&join(key, "emulated"), s.emulated)?;
                Some(DeviceKind::Emulated { profile })
            }
            "serial" => {
                s.reject(self, key, &["emulated", "probe"], "serial");
                let serial_key = join(key, "serial");
                let serial = self.required_section(
                    &serial_key,
                    s.serial,
                    "serial",
                    "[devices.serial] with port = \"/dev/ttyACM0\"",
                )?;
                Some(DeviceKind::Serial(self.serial(&serial_key, serial)?))
            }
            "probe" => {
                s.reject(self, key, &["emulated"], "probe");
                let probe_key = join(key, "probe");
                let probe = self.required_section(
                    &probe_key,
                    s.probe,
                    "probe",
                    "[devices.probe] with chip = \"nRF52840_xxAA\"",
                );
                let console = s.serial.and_then(|v| self.serial(&join(key, "serial"), v));
                Some(DeviceKind::Probe {
                    probe: self.probe(&probe_key, probe?)?,
                    console,
                })
            }
            "external" => {
                s.reject(self, key, &["emulated", "serial", "probe"], "external");
                Some(DeviceKind::External)
            }
            _ => {
                let fix = format!("use one of {}", quoted(&KINDS));
                self.push(&kind_key, Problem::UnknownKind(name), fix);
                None
            }
        }
    }

    fn required_section(
        &mut self,
        key: &str,
        value: Option<Value>,
        what: &str,
        example: &str,
    ) -> Option<Value> {
        if value.is_none() {
            self.missing(
                key,
                format!("a {what} device needs its section: add {example}"),
            );
        }
        value
    }

    fn emulated(&mut self, key: &str, value: Option<Value>) -> Option<BehaviourProfile> {
        let example = "[devices.emulated] with profile = \"compliant\"";
        // Without a section the device is the compliant agent: the common case needs no boilerplate.
        let Some(value) = value else {
            return Some(BehaviourProfile::Compliant);
        };
        let raw: RawEmulated = self.table(key, value, example)?;
        self.unknown_keys(key, &raw.rest, EMULATED_KEYS);
        let profile_key = join(key, "profile");
        let Some(value) = raw.profile else {
            return Some(BehaviourProfile::Compliant);
        };
        let name = self.string(&profile_key, value, "profile = \"compliant\"")?;
        let profile = BehaviourProfile::from_name(&name);
        if profile.is_none() {
            let names: Vec<&str> = BehaviourProfile::ALL.iter().map(|p| p.name()).collect();
            let fix = format!("use one of {}", quoted(&names));
            self.push(&profile_key, Problem::UnknownProfile(name), fix);
        }
        profile
    }

    fn serial(&mut self, key: &str, value: Value) -> Option<SerialConfig> {
        let raw: RawSerial = self.table(key, value, "a [devices.serial] table")?;
        self.unknown_keys(key, &raw.rest, SERIAL_KEYS);
        let port_example = "port = \"/dev/ttyACM0\" (or \"auto\" to give it at run time)";
        let port = self
            .required_string(&join(key, "port"), raw.port, port_example)
            .map(|p| match p.as_str() {
                AUTO_PORT => SerialPortPath::Auto,
                _ => SerialPortPath::Path(PathBuf::from(p)),
            });
        let baud = self.baud(&join(key, "baud"), raw.baud);
        let console = self.console(&join(key, "console"), raw.console);
        Some(SerialConfig {
            port: port?,
            baud: baud?,
            console: console?,
        })
    }

    fn baud(&mut self, key: &str, value: Option<Value>) -> Option<u32> {
        let example = "a positive integer such as 115200";
        match value {
            None => Some(DEFAULT_BAUD),
            Some(Value::Integer(n)) => match u32::try_from(n) {
                Ok(b) if b > 0 => Some(b),
                _ => {
                    self.push(
                        key,
                        Problem::InvalidValue(format!("baud {n}")),
                        format!("use {example}"),
                    );
                    None
                }
            },
            Some(other) => {
                self.wrong_type(key, "an integer", &other, example);
                None
            }
        }
    }

    fn console(&mut self, key: &str, value: Option<Value>) -> Option<ConsoleDialect> {
        let fix = format!("use one of {}", quoted(&CONSOLE_DIALECTS));
        let Some(value) = value else {
            return Some(ConsoleDialect::Jobrig);
        };
        match self.string(key, value, "console = \"jobrig\"")?.as_str() {
            "jobrig" => Some(ConsoleDialect::Jobrig),
            "raw" => Some(ConsoleDialect::Raw),
            other => {
                self.push(
                    key,
                    Problem::InvalidValue(format!("console dialect {other:?}")),
                    fix,
                );
                None
            }
        }
    }

    fn probe(&mut self, key: &str, value: Value) -> Option<ProbeConfig> {
        let raw: RawProbe = self.table(key, value, "a [devices.probe] table")?;
        self.unknown_keys(key, &raw.rest, PROBE_KEYS);
        let chip = self.required_string(
            &join(key, "chip"),
            raw.chip,
            "chip = \"nRF52840_xxAA\" (a probe-rs chip name; `probe-rs chip list` shows them)",
        );
        let selector = match raw.selector {
            None => Some(None),
            Some(v) => self.selector(&join(key, "selector"), v).map(Some),
        };
        let firmware = match raw.firmware {
            None => Some(None),
            Some(v) => self
                .path(
                    &join(key, "firmware"),
                    v,
                    "firmware = \"firmware/app.elf\" (relative to the rig file)",
                )
                .map(Some),
        };
        Some(ProbeConfig {
            selector: selector?,
            chip: chip?,
            firmware: firmware?,
        })
    }

    fn selector(&mut self, key: &str, value: Value) -> Option<String> {
        let example = "selector = \"1366:1015\" or \"1366:1015:000683517592\" (VID:PID[:SERIAL] in hex, as `probe-rs list` prints)";
        let s = self.string(key, value, example)?;
        if is_probe_selector(&s) {
            Some(s)
        } else {
            self.push(
                key,
                Problem::InvalidValue(format!("probe selector {s:?}")),
                format!("use {example}"),
            );
            None
        }
    }

    fn mqtt(&mut self, key: &str, value: Option<Value>) -> Option<MqttConnection> {
        let Some(value) = value else {
            return Some(MqttConnection::Emulator);
        };
        let raw: RawMqtt = self.table(key, value, "a [devices.mqtt] table with host and port")?;
        self.unknown_keys(key, &raw.rest, MQTT_KEYS);
        let host = self.required_string(&join(key, "host"), raw.host, "host = \"192.168.1.10\"");
        let port = self.port(&join(key, "port"), raw.port);
        let tls = match raw.tls {
            None => Some(None),
            Some(v) => self.tls(&join(key, "tls"), v).map(Some),
        };
        Some(MqttConnection::Endpoint {
            host: host?,
            port: port?,
            tls: tls?,
        })
    }

    fn port(&mut self, key: &str, value: Option<Value>) -> Option<u16> {
        let example = "an integer from 1 to 65535 such as 8883";
        match value {
            None => {
                self.missing(key, format!("add port = 8883 ({example})"));
                None
            }
            Some(Value::Integer(n)) => match u16::try_from(n) {
                Ok(p) if p > 0 => Some(p),
                _ => {
                    self.push(
                        key,
                        Problem::InvalidValue(format!("port {n}")),
                        format!("use {example}"),
                    );
                    None
                }
            },
            Some(other) => {
                self.wrong_type(key, "an integer", &other, example);
                None
            }
        }
    }

    fn tls(&mut self, key: &str, value: Value) -> Option<TlsMaterial> {
        let raw: RawTls = self.table(
            key,
            value,
            "a [devices.mqtt.tls] table with ca, cert and key",
        )?;
        self.unknown_keys(key, &raw.rest, TLS_KEYS);
        let ca_key = join(key, "ca");
        let ca = match raw.ca {
            None => {
                self.missing(
                    &ca_key,
                    "add ca = \"certs/ca.pem\" (the CA that signed the broker's certificate)",
                );
                None
            }
            Some(v) => self.path(&ca_key, v, "ca = \"certs/ca.pem\""),
        };
        let cert = raw
            .cert
            .map(|v| self.path(&join(key, "cert"), v, "cert = \"certs/device.pem\""));
        let pem_key = raw
            .key
            .map(|v| self.path(&join(key, "key"), v, "key = \"certs/device.key\""));
        let client = match (cert, pem_key) {
            (None, None) => Some(None),
            (Some(c), Some(k)) => Some(Some((c?, k?))),
            (Some(_), None) => {
                self.missing(
                    &join(key, "key"),
                    "add key = \"certs/device.key\": a client certificate needs its private key",
                );
                None
            }
            (None, Some(_)) => {
                self.missing(
                    &join(key, "cert"),
                    "add cert = \"certs/device.pem\": a private key needs its client certificate",
                );
                None
            }
        };
        Some(TlsMaterial {
            ca: ca?,
            client: client?,
        })
    }
}

/// The kind-specific sections of a device, checked once the kind is known.
struct Sections {
    emulated: Option<Value>,
    serial: Option<Value>,
    probe: Option<Value>,
}

impl Sections {
    /// Reports sections the kind does not use: a `[devices.serial]` on an emulated device is a
    /// mistake (a wrong kind, most likely), not something to ignore silently.
    fn reject(&self, v: &mut Validator, key: &str, names: &[&str], kind: &'static str) {
        for name in names {
            let present = match *name {
                "emulated" => self.emulated.is_some(),
                "serial" => self.serial.is_some(),
                _ => self.probe.is_some(),
            };
            if present {
                let fix = format!(
                    "remove [devices.{name}], or set kind = \"{name}\" if that is what the device is"
                );
                v.push(&join(key, name), Problem::NotForKind { kind }, fix);
            }
        }
    }
}

fn is_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// probe-rs selectors: `VID:PID` or `VID:PID:SERIAL`, VID and PID hexadecimal 16-bit.
fn is_probe_selector(s: &str) -> bool {
    let mut parts = s.splitn(3, ':');
    let hex16 =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && u16::from_str_radix(p, 16).is_ok());
    let vid = parts.next();
    let pid = parts.next();
    let serial_ok = parts.next().is_none_or(|s| !s.is_empty());
    hex16(vid) && hex16(pid) && serial_ok
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known key nearest to a typo, if it is near enough to be a plausible intent.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_matched_to_the_nearest_known_key() {
        // Issue 4: unknown-key errors suggest the key the author most likely meant.
        assert_eq!(closest("buad", SERIAL_KEYS), Some("baud"));
        assert_eq!(closest("thingname", DEVICE_KEYS), Some("thing_name"));
        assert_eq!(closest("zzzzzz", SERIAL_KEYS), None);
    }

    #[test]
    fn probe_selectors_are_vid_pid_with_an_optional_serial() {
        // Issue 4: a probe selector is validated in probe-rs's VID:PID[:SERIAL] form.
        assert!(is_probe_selector("1366:1015"));
        assert!(is_probe_selector("1366:1015:000683517592"));
        assert!(!is_probe_selector("1366"));
        assert!(!is_probe_selector("xyz:1015"));
        assert!(!is_probe_selector("1366:1015:"));
    }

    #[test]
    fn thing_names_follow_the_aws_rules() {
        // Issue 4: thing names are 1..128 of [a-zA-Z0-9:_-], as AWS IoT requires.
        assert!(ThingName::new("a:b_c-1").is_ok());
        assert!(ThingName::new("").is_err());
        assert!(ThingName::new(&"x".repeat(129)).is_err());
        assert!(ThingName::new("has space").is_err());
    }

    #[test]
    fn syntax_positions_are_one_based() {
        // Issue 4: TOML syntax errors report a 1-based line and column.
        assert_eq!(line_and_column("a\nbc", 3), (2, 2));
        assert_eq!(line_and_column("abc", 0), (1, 1));
    }
}
