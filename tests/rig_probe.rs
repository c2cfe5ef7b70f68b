//! The probe driver (issue 4 item 5) on a machine without a debug probe: listing, typed attach
//! errors, firmware identity from real files, and probe-rs's fake probe for core control.

use std::path::{Path, PathBuf};
use std::process::Command;

use jobrig::rig::config::ProbeConfig;
use jobrig::rig::probe::{
    self, ElfFile, FirmwareId, FirmwareIdentity, Flasher, ProbeError, Reset, Rtt, RttLog,
};
use probe_rs::probe::fake_probe::FakeProbe;

/// A chip in probe-rs's built-in database that its own fake-probe test attaches to.
const FAKE_CHIP: &str = "nrf51822_xxAC";
/// An ST-Link V2 selector: well-formed, but nothing is attached on this machine.
const ABSENT_PROBE: &str = "0483:3748";

/// A fresh path in the temp dir, unique per test process and name.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("jobrig-rig-probe-{}-{name}", std::process::id()))
}

/// A valid 32-bit little-endian ARM ELF header with no sections or segments (so no build-id
/// note), followed by a payload that makes the file's hash specific to this test.
fn elf_without_build_id() -> Vec<u8> {
    let mut elf = vec![0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    elf.extend_from_slice(&2u16.to_le_bytes()); // e_type: executable
    elf.extend_from_slice(&0x28u16.to_le_bytes()); // e_machine: ARM
    elf.extend_from_slice(&1u32.to_le_bytes()); // e_version
    elf.extend_from_slice(&0u32.to_le_bytes()); // e_entry
    elf.extend_from_slice(&0u32.to_le_bytes()); // e_phoff: no program headers
    elf.extend_from_slice(&0u32.to_le_bytes()); // e_shoff: no section headers
    elf.extend_from_slice(&0x0500_0000u32.to_le_bytes()); // e_flags: EABI5
    for half in [52u16, 32, 0, 40, 0, 0] {
        // e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx
        elf.extend_from_slice(&half.to_le_bytes());
    }
    assert_eq!(elf.len(), 52);
    elf.extend_from_slice(b"jobrig firmware payload");
    elf
}

/// Runs a command and returns its stdout as text.
fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().expect(program);
    assert!(out.status.success(), "{program} {args:?} failed");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// The build-id `readelf -n` reports for `path`.
fn readelf_build_id(path: &Path) -> String {
    let notes = run("readelf", &["-n", path.to_str().expect("utf-8 path")]);
    notes
        .lines()
        .find_map(|line| line.trim().strip_prefix("Build ID: "))
        .expect("readelf shows a build-id")
        .trim()
        .to_owned()
}

fn fake_session() -> probe::ProbeSession {
    probe::attach_opened(
        FakeProbe::with_mocked_core().into_probe(),
        "fake",
        FAKE_CHIP,
    )
    .expect("attach to the fake probe")
}

#[test]
fn listing_probes_without_hardware_returns_empty() {
    // Issue 4: with no debug probe attached (this machine), listing is empty, not an error.
    assert_eq!(probe::list_probes(), vec![]);
}

#[test]
fn attaching_without_a_probe_says_to_connect_one_or_emulate() {
    // Issue 4: attaching by selector with no probe attached gives the typed NoProbe error.
    let err = probe::attach(ABSENT_PROBE, FAKE_CHIP).expect_err("no probe is attached");
    assert!(
        matches!(&err, ProbeError::NoProbe { selector } if selector == ABSENT_PROBE),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(shown.contains("no debug probe found"), "{shown}");
    assert!(shown.contains("use an emulated device"), "{shown}");
}

#[test]
fn unknown_chip_is_a_typed_error_that_says_how_to_find_names() {
    // Issue 4: an unknown chip name is diagnosed from the target database, even with no probe.
    let err = probe::attach(ABSENT_PROBE, "nrf52840_typo").expect_err("unknown chip");
    let ProbeError::UnknownChip { chip, similar } = &err else {
        panic!("expected UnknownChip, got {err:?}");
    };
    assert_eq!(chip, "nrf52840_typo");
    assert!(
        similar.iter().any(|name| name.starts_with("nRF52840")),
        "{similar:?}"
    );
    assert!(err.to_string().contains("probe-rs chip list"), "{err}");
}

#[test]
fn rig_probe_without_selector_and_no_probe_attached_says_to_connect_one() {
    // Issue 4: a rig's [devices.probe] with no selector means "the only probe"; none is a NoProbe.
    let config = ProbeConfig {
        selector: None,
        chip: FAKE_CHIP.to_owned(),
        firmware: None,
    };
    let err = probe::attach_config(&config).expect_err("no probe is attached");
    assert!(matches!(err, ProbeError::NoProbe { .. }), "{err:?}");
    assert!(err.to_string().contains("no selector"), "{err}");
}

#[test]
fn rig_probe_with_selector_and_unknown_chip_names_the_chip() {
    // Issue 4: a rig file's chip typo is caught from the database before any USB access.
    let config = ProbeConfig {
        selector: Some(ABSENT_PROBE.to_owned()),
        chip: "stm32f4O7vg".to_owned(),
        firmware: None,
    };
    let err = probe::attach_config(&config).expect_err("unknown chip");
    assert!(
        matches!(&err, ProbeError::UnknownChip { chip, .. } if chip == "stm32f4O7vg"),
        "{err:?}"
    );
}

#[test]
fn malformed_selector_is_a_typed_error() {
    // Issue 4: a selector that is not VID:PID[:SERIAL] is rejected before any USB access.
    let err = probe::attach("stlink", FAKE_CHIP).expect_err("bad selector");
    assert!(matches!(err, ProbeError::BadSelector { .. }), "{err:?}");
}

#[test]
fn firmware_identity_of_a_real_elf_is_its_gnu_build_id() {
    // Issue 4: firmware identity is the GNU build-id note, the same hex readelf prints.
    let ls = Path::new("/bin/ls");
    let id = ElfFile.firmware_identity(ls).expect("identity of /bin/ls");
    assert_eq!(id, FirmwareId::BuildId(readelf_build_id(ls)));
}

#[test]
fn firmware_identity_without_build_id_falls_back_to_sha256_of_the_file() {
    // Issue 4: an ELF without a build-id note is identified by the SHA-256 of the whole file.
    let path = scratch("no-build-id.elf");
    std::fs::write(&path, elf_without_build_id()).expect("write ELF");
    let id = probe::firmware_identity(&path);
    let sum = run("sha256sum", &[path.to_str().expect("utf-8 path")]);
    let _ = std::fs::remove_file(&path);
    let expected = sum.split_whitespace().next().expect("sha256sum output");
    assert_eq!(
        id.expect("identity"),
        FirmwareId::Sha256(expected.to_owned())
    );
}

#[test]
fn firmware_identity_of_a_non_elf_file_is_a_typed_error() {
    // Issue 4: a .bin or text file passed as firmware gives NotElf naming the path.
    let path = scratch("firmware.bin");
    std::fs::write(&path, b"not an elf at all\n").expect("write file");
    let err = probe::firmware_identity(&path).expect_err("not ELF");
    let _ = std::fs::remove_file(&path);
    assert!(
        matches!(&err, ProbeError::NotElf { path: p, .. } if p == &path),
        "{err:?}"
    );
}

#[test]
fn firmware_identity_of_a_truncated_elf_is_a_typed_error() {
    // Issue 4: a damaged ELF (magic right, headers cut off) gives BadElf, never a panic.
    let path = scratch("truncated.elf");
    let ls = std::fs::read("/bin/ls").expect("read /bin/ls");
    std::fs::write(&path, &ls[..100]).expect("write truncated ELF");
    let err = probe::firmware_identity(&path).expect_err("truncated");
    let _ = std::fs::remove_file(&path);
    assert!(matches!(err, ProbeError::BadElf { .. }), "{err:?}");
}

#[test]
fn firmware_identity_of_a_missing_file_is_a_typed_error() {
    // Issue 4: a firmware path that does not exist gives ReadFirmware naming the path.
    let path = scratch("does-not-exist.elf");
    let err = probe::firmware_identity(&path).expect_err("missing");
    assert!(
        matches!(&err, ProbeError::ReadFirmware { path: p, .. } if p == &path),
        "{err:?}"
    );
    assert!(err.to_string().contains("does-not-exist.elf"), "{err}");
}

#[test]
fn fake_probe_attaches_and_resets_halts_and_resumes_the_core() {
    // Issue 4: through probe-rs's fake probe, attach by chip name, then reset/halt/resume work.
    let mut session = fake_session();
    assert_eq!((session.selector(), session.chip()), ("fake", FAKE_CHIP));
    session.reset().expect("reset");
    session.halt().expect("halt");
    session.resume().expect("resume");
}

#[test]
fn fake_probe_rejects_an_unknown_chip() {
    // Issue 4: an already opened probe is checked against the target database too.
    let probe = FakeProbe::with_mocked_core().into_probe();
    let err = probe::attach_opened(probe, "fake", "no_such_chip").expect_err("unknown chip");
    assert!(matches!(err, ProbeError::UnknownChip { .. }), "{err:?}");
}

#[test]
fn flashing_a_missing_elf_is_a_typed_error_naming_chip_and_path() {
    // Issue 4: a flash failure names the probe, the chip and the file.
    let mut session = fake_session();
    let path = scratch("missing-firmware.elf");
    let err = session.flash_elf(&path).expect_err("missing file");
    assert!(
        matches!(&err, ProbeError::Flash { chip, path: p, .. } if chip == FAKE_CHIP && p == &path),
        "{err:?}"
    );
}

#[test]
fn rtt_without_a_control_block_is_a_typed_error() {
    // Issue 4: firmware without RTT (the fake core's RAM is all zeros) gives the typed Rtt error.
    let mut session = fake_session();
    let mut log = RttLog::new();
    let err = session.poll_rtt(&mut log).expect_err("no RTT block");
    assert!(
        matches!(&err, ProbeError::Rtt { chip, source, .. } if chip == FAKE_CHIP && matches!(**source, probe_rs::rtt::Error::ControlBlockNotFound)),
        "{err:?}"
    );
    assert!(log.lines().is_empty());
}
