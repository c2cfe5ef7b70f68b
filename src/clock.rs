//! Emulator time, owned per emulator instance (never tokio's global pause, which would freeze
//! every concurrent scenario).
//!
//! - *virtual*: time moves only when told; a 7-day timeout costs nothing.
//! - *jumpable*: runs at wall-clock rate but can jump forward (hardware rigs).
//! - *system*: the wall clock (a local stand-in for AWS).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::engine::Timestamp;

/// The default start of virtual time: 2026-01-01T00:00:00Z, so runs are reproducible.
pub const VIRTUAL_EPOCH: Timestamp = Timestamp::from_secs(1_767_225_600);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    Virtual,
    Jumpable,
    System,
}

impl ClockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockMode::Virtual => "virtual",
            ClockMode::Jumpable => "jumpable",
            ClockMode::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "virtual" => Some(ClockMode::Virtual),
            "jumpable" => Some(ClockMode::Jumpable),
            "system" => Some(ClockMode::System),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error(
        "the system clock cannot be moved; start the emulator with a virtual or jumpable clock"
    )]
    NotMovable,
    #[error("time cannot go backwards: {target} is before the current time {now}")]
    Backwards { now: Timestamp, target: Timestamp },
}

#[derive(Clone, Debug)]
pub struct Clock {
    mode: ClockMode,
    /// Virtual: the current time. Jumpable: the offset added to the wall clock, in ms.
    value: i64,
}

fn wall_now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}

impl Clock {
    pub fn virtual_at(start: Timestamp) -> Self {
        Clock {
            mode: ClockMode::Virtual,
            value: start.millis(),
        }
    }

    pub fn jumpable() -> Self {
        Clock {
            mode: ClockMode::Jumpable,
            value: 0,
        }
    }

    pub fn system() -> Self {
        Clock {
            mode: ClockMode::System,
            value: 0,
        }
    }

    pub fn new(mode: ClockMode) -> Self {
        match mode {
            ClockMode::Virtual => Self::virtual_at(VIRTUAL_EPOCH),
            ClockMode::Jumpable => Self::jumpable(),
            ClockMode::System => Self::system(),
        }
    }

    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    pub fn now(&self) -> Timestamp {
        match self.mode {
            ClockMode::Virtual => Timestamp::from_millis(self.value),
            ClockMode::Jumpable => wall_now().plus_millis(self.value),
            ClockMode::System => wall_now(),
        }
    }

    /// Moves the clock to `target` (virtual: sets it; jumpable: jumps the offset).
    pub fn set(&mut self, target: Timestamp) -> Result<(), ClockError> {
        let now = self.now();
        if target < now {
            return Err(ClockError::Backwards { now, target });
        }
        match self.mode {
            ClockMode::Virtual => self.value = target.millis(),
            ClockMode::Jumpable => self.value += target.millis() - now.millis(),
            ClockMode::System => return Err(ClockError::NotMovable),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_moves_only_when_told() {
        let mut c = Clock::virtual_at(Timestamp::from_secs(100));
        assert_eq!(c.now(), Timestamp::from_secs(100));
        c.set(Timestamp::from_secs(160)).unwrap();
        assert_eq!(c.now(), Timestamp::from_secs(160));
        assert!(matches!(
            c.set(Timestamp::from_secs(10)),
            Err(ClockError::Backwards { .. })
        ));
    }

    #[test]
    fn jumpable_time_jumps_forward_by_the_requested_amount() {
        let mut c = Clock::jumpable();
        let before = c.now();
        c.set(before.plus_secs(7 * 24 * 3600)).unwrap();
        let after = c.now();
        assert!(after.millis() - before.millis() >= 7 * 24 * 3600 * 1000);
        assert!(after.millis() - before.millis() < 7 * 24 * 3600 * 1000 + 5_000);
    }

    #[test]
    fn the_system_clock_cannot_be_moved() {
        let mut c = Clock::system();
        let t = c.now().plus_secs(60);
        assert_eq!(c.set(t), Err(ClockError::NotMovable));
    }
}
