//! jobrig: a conformance harness for the AWS IoT Jobs protocol, and the emulator it runs against.
//!
//! The emulator's heart is [`engine::Engine`], a sans-IO state machine driven by operations and a
//! clock ([`clock::Clock`]); [`emulator::Emulator`] pairs the two so that job time can be jumped.

pub mod bench;
pub mod clock;
pub mod emulator;
pub mod engine;
pub mod rig;
pub mod selfcheck;
pub mod serve;
