//! Rig files: the shipped rigs load, and every class of mistake is reported with the file, the key
//! and a fix.

use std::path::{Path, PathBuf};

use jobrig::rig::config::{
    self, BehaviourProfile, ConsoleDialect, DeviceKind, MqttConnection, Problem, RigError,
    SerialPortPath,
};

const FILE: &str = "rigs/bad.toml";

/// Parses `text` as if read from `rigs/bad.toml` and returns the error and its message.
fn rejected(text: &str) -> (RigError, String) {
    match config::parse(Path::new(FILE), text) {
        Ok(rig) => panic!("expected an error, got {rig:?}"),
        Err(e) => {
            let message = e.to_string();
            (e, message)
        }
    }
}

/// The message names the file, the key and the fix, and the first issue has the expected class.
fn assert_reported(text: &str, key: &str, fix: &str, class: fn(&Problem) -> bool) {
    let (err, message) = rejected(text);
    let line = message
        .lines()
        .find(|l| l.contains(&format!(" {key}: ")))
        .unwrap_or_else(|| panic!("no line for key {key} in:\n{message}"));
    assert!(line.contains(FILE), "file not named: {line}");
    assert!(
        line.contains("fix:") && line.contains(fix),
        "fix {fix:?} not in: {line}"
    );
    let issue = err
        .issues()
        .iter()
        .find(|i| i.key == key)
        .expect("issue for the key");
    assert!(
        class(&issue.problem),
        "unexpected class {:?}",
        issue.problem
    );
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rigs")
        .join(name)
}

#[test]
fn every_shipped_rig_file_loads_and_validates() {
    // Issue 4 item 1: rigs/*.toml as shipped are valid rig files.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rigs");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).expect("rigs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            config::load(&path).unwrap_or_else(|e| panic!("{e}"));
            loaded += 1;
        }
    }
    assert!(
        loaded >= 3,
        "expected the three shipped rigs, found {loaded}"
    );
}

#[test]
fn the_emulated_rig_has_a_device_for_every_faulty_profile() {
    // Issue 4 item 1: emulated.toml has several devices, at least one per behaviour profile.
    let rig = config::load(&shipped("emulated.toml")).expect("emulated.toml");
    for profile in BehaviourProfile::ALL {
        let has = rig
            .devices
            .iter()
            .any(|d| d.kind == DeviceKind::Emulated { profile });
        assert!(has, "no device with profile {profile}");
    }
    assert!(
        rig.devices
            .iter()
            .all(|d| d.mqtt == MqttConnection::Emulator)
    );
}

#[test]
fn the_pty_board_takes_its_port_at_run_time() {
    // Issue 4 item 1: pty-board.toml is a serial board whose port is given at run time.
    let rig = config::load(&shipped("pty-board.toml")).expect("pty-board.toml");
    let DeviceKind::Serial(serial) = &rig.devices[0].kind else {
        panic!("not serial: {:?}", rig.devices[0].kind)
    };
    assert_eq!(serial.port, SerialPortPath::Auto);
    assert_eq!(serial.console, ConsoleDialect::Jobrig);
}

#[test]
fn the_example_board_resolves_relative_paths_against_the_rig_file() {
    // Issue 4 item 1: a real board by probe and serial; firmware and TLS paths are relative to the file.
    let path = shipped("example-board.toml");
    let rig = config::load(&path).expect("example-board.toml");
    let dir = path.parent().expect("dir");
    let DeviceKind::Probe { probe, console } = &rig.devices[0].kind else {
        panic!("not probe: {:?}", rig.devices[0].kind)
    };
    assert_eq!(probe.chip, "nRF52840_xxAA");
    assert_eq!(
        probe.firmware.as_deref(),
        Some(dir.join("../firmware/jobrig-test-app.elf").as_path())
    );
    assert!(console.is_some(), "the serial console is kept");
    let MqttConnection::Endpoint {
        port,
        tls: Some(tls),
        ..
    } = &rig.devices[0].mqtt
    else {
        panic!("no TLS endpoint: {:?}", rig.devices[0].mqtt)
    };
    assert_eq!(*port, 8883);
    assert_eq!(tls.ca, dir.join("../certs/ca.pem"));
}

#[test]
fn a_missing_key_names_the_key_and_what_to_add() {
    // Issue 4 item 1: a missing required key is reported with the key and an example to add.
    let text = "[[devices]]\nkind = \"emulated\"\n";
    assert_reported(text, "devices[0].thing_name", "add thing_name = ", |p| {
        *p == Problem::MissingKey
    });
}

#[test]
fn a_wrong_type_names_the_key_the_type_and_a_valid_value() {
    // Issue 4 item 1: a value of the wrong type (baud as a string) is reported with a valid example.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = \"emulated\"\n\
                [[devices]]\nthing_name = \"b\"\nkind = \"emulated\"\n\
                [[devices]]\nthing_name = \"c\"\nkind = \"serial\"\n\
                [devices.serial]\nport = \"/dev/ttyUSB0\"\nbaud = \"fast\"\n";
    assert_reported(
        text,
        "devices[2].serial.baud",
        "use a positive integer such as 115200",
        |p| {
            matches!(
                p,
                Problem::WrongType {
                    expected: "an integer",
                    found: "string"
                }
            )
        },
    );
}

#[test]
fn an_unknown_key_is_reported_with_the_key_it_probably_meant() {
    // Issue 4 item 1: typos are errors, not silently ignored, and the nearest known key is suggested.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = \"serial\"\n\
                [devices.serial]\nport = \"/dev/ttyUSB0\"\nbuad = 9600\n";
    assert_reported(
        text,
        "devices[0].serial.buad",
        "did you mean `baud`?",
        |p| *p == Problem::UnknownKey,
    );
}

#[test]
fn an_unknown_kind_lists_the_kinds() {
    // Issue 4 item 1: kind must be emulated, serial, probe or external.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = \"jtag\"\n";
    let fix = "use one of \"emulated\", \"serial\", \"probe\", \"external\"";
    assert_reported(text, "devices[0].kind", fix, |p| {
        *p == Problem::UnknownKind("jtag".into())
    });
}

#[test]
fn an_unknown_profile_lists_the_profiles() {
    // Issue 4 item 1: an emulated device's profile must be one of the reference agent's profiles.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = \"emulated\"\n\
                [devices.emulated]\nprofile = \"sloppy\"\n";
    assert_reported(
        text,
        "devices[0].emulated.profile",
        "\"ignores-cancel\"",
        |p| *p == Problem::UnknownProfile("sloppy".into()),
    );
}

#[test]
fn a_duplicate_thing_name_names_both_devices() {
    // Issue 4 item 1: thing names are unique within a rig; the second use points at the first.
    let text = "[[devices]]\nthing_name = \"same\"\nkind = \"external\"\n\
                [[devices]]\nthing_name = \"same\"\nkind = \"external\"\n";
    let (_, message) = rejected(text);
    assert!(
        message.contains("devices[0].thing_name"),
        "first use not named: {message}"
    );
    assert_reported(
        text,
        "devices[1].thing_name",
        "give every device its own thing name",
        |p| matches!(p, Problem::DuplicateThingName { .. }),
    );
}

#[test]
fn an_invalid_thing_name_states_the_aws_rule() {
    // Issue 4 item 1: thing names follow AWS rules (1-128 of [a-zA-Z0-9:_-]).
    let text = "[[devices]]\nthing_name = \"board #1\"\nkind = \"external\"\n";
    assert_reported(
        text,
        "devices[0].thing_name",
        "use 1 to 128 letters, digits",
        |p| matches!(p, Problem::InvalidThingName { .. }),
    );
}

#[test]
fn a_serial_device_without_a_port_is_told_to_add_one() {
    // Issue 4 item 1: a serial device needs serial.port (a path, or "auto").
    let text =
        "[[devices]]\nthing_name = \"a\"\nkind = \"serial\"\n[devices.serial]\nbaud = 9600\n";
    assert_reported(
        text,
        "devices[0].serial.port",
        "add port = \"/dev/ttyACM0\"",
        |p| *p == Problem::MissingKey,
    );
}

#[test]
fn a_probe_device_without_a_chip_is_told_to_add_one() {
    // Issue 4 item 1: a probe device needs probe.chip, a probe-rs chip name.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = \"probe\"\n[devices.probe]\nselector = \"1366:1015\"\n";
    assert_reported(
        text,
        "devices[0].probe.chip",
        "add chip = \"nRF52840_xxAA\"",
        |p| *p == Problem::MissingKey,
    );
}

#[test]
fn an_empty_device_list_is_an_error() {
    // Issue 4 item 1: a rig with no devices cannot run anything.
    assert_reported(
        "devices = []\n",
        "devices",
        "add one or more [[devices]] tables",
        |p| *p == Problem::EmptyDeviceList,
    );
}

#[test]
fn an_unreadable_file_names_the_file_and_what_to_check() {
    // Issue 4 item 1: a rig file that cannot be read is named, with the shipped rigs as a hint.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rigs/no-such-rig.toml");
    let err = config::load(&path).expect_err("missing file");
    assert!(matches!(err, RigError::Unreadable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("rigs/no-such-rig.toml"), "{message}");
    assert!(message.contains("fix: check the path"), "{message}");
}

#[test]
fn a_toml_syntax_error_names_the_line() {
    // Issue 4 item 1: a TOML syntax error gives the file, the line and column, and the fix.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = emulated\n";
    let (err, message) = rejected(text);
    let RigError::Syntax { line, .. } = err else {
        panic!("not a syntax error: {err:?}")
    };
    assert_eq!(line, 3);
    assert!(message.starts_with("rigs/bad.toml:3:"), "{message}");
    assert!(
        message.contains("fix: correct the TOML on line 3"),
        "{message}"
    );
}

#[test]
fn a_section_the_kind_does_not_use_is_an_error() {
    // Issue 4 item 1: a [devices.serial] on an emulated device is flagged, not ignored.
    let text =
        "[[devices]]\nthing_name = \"a\"\nkind = \"emulated\"\n[devices.serial]\nport = \"auto\"\n";
    assert_reported(text, "devices[0].serial", "set kind = \"serial\"", |p| {
        matches!(p, Problem::NotForKind { kind: "emulated" })
    });
}

#[test]
fn a_client_certificate_without_its_key_is_an_error() {
    // Issue 4 item 1: TLS client material comes as a cert and key pair.
    let text = "[[devices]]\nthing_name = \"a\"\nkind = \"external\"\n\
                [devices.mqtt]\nhost = \"h\"\nport = 8883\n\
                [devices.mqtt.tls]\nca = \"ca.pem\"\ncert = \"d.pem\"\n";
    assert_reported(text, "devices[0].mqtt.tls.key", "add key = ", |p| {
        *p == Problem::MissingKey
    });
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    // Issue 4 item 1: validation does not stop at the first mistake, so one edit round fixes a file.
    let text = "colour = 1\n[[devices]]\nthing_name = \"bad name\"\nkind = \"serial\"\n\
                [devices.serial]\nbaud = -5\n";
    let (err, _) = rejected(text);
    let keys: Vec<&str> = err.issues().iter().map(|i| i.key.as_str()).collect();
    for key in [
        "colour",
        "devices[0].thing_name",
        "devices[0].serial.port",
        "devices[0].serial.baud",
    ] {
        assert!(keys.contains(&key), "{key} not in {keys:?}");
    }
}
