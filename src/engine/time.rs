//! Emulator time: milliseconds since the Unix epoch, UTC.
//!
//! Job time is always emulator time, never the wall clock: the engine is handed `now` by its caller.

use std::fmt;

/// An instant of emulator time, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MILLIS_PER_SECOND: i64 = 1_000;
    pub const MILLIS_PER_MINUTE: i64 = 60_000;

    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    pub const fn from_secs(secs: i64) -> Self {
        Timestamp(secs.saturating_mul(Self::MILLIS_PER_SECOND))
    }

    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Whole seconds, rounded down: the unit of the data plane and of MQTT payloads.
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(Self::MILLIS_PER_SECOND)
    }

    /// Fractional seconds: the unit of control-plane timestamps (rest-json epoch seconds).
    pub fn secs_f64(self) -> f64 {
        self.0 as f64 / Self::MILLIS_PER_SECOND as f64
    }

    pub const fn plus_millis(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }

    pub const fn plus_secs(self, secs: i64) -> Self {
        self.plus_millis(secs.saturating_mul(Self::MILLIS_PER_SECOND))
    }

    pub const fn plus_minutes(self, minutes: i64) -> Self {
        self.plus_millis(minutes.saturating_mul(Self::MILLIS_PER_MINUTE))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(dt) => write!(f, "{}", dt.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(f, "{}ms", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_plane_seconds_round_down_and_control_plane_keeps_millis() {
        let t = Timestamp::from_millis(1_560_787_022_733);
        assert_eq!(t.secs(), 1_560_787_022);
        assert!((t.secs_f64() - 1_560_787_022.733).abs() < 1e-6);
    }

    #[test]
    fn displays_as_iso_8601_utc() {
        assert_eq!(
            Timestamp::from_secs(0).to_string(),
            "1970-01-01T00:00:00.000Z"
        );
    }
}
