//! The rig: how jobrig reaches devices — emulated ones in CI, real boards on a lab bench.
//!
//! Modelled on labgrid's split: *resources* (what is wired: a thing name, an MQTT endpoint, a
//! serial port, a probe) come from `rigs/*.toml`, parsed raw and then validated; *drivers* act on
//! them.

pub mod config;
pub mod console;
pub mod faults;
pub mod observer;
pub mod probe;
pub mod test_document;
