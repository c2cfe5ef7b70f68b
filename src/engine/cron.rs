//! Maintenance-window schedules: AWS EventBridge cron expressions and the
//! schedulingConfig date-time strings that go with them, all in UTC.
//!
//! croner does the calendar search, but it is not handed the user's text. Every
//! field is first checked against the EventBridge grammar here and rewritten
//! into a form croner reads unambiguously: numeric values only, ranges and
//! increments expanded into explicit lists, `?` turned into `*`. This keeps
//! EventBridge's rules (1 = SUNDAY, years 1970-2199, `1/10` meaning "from 1
//! every 10", no `/` in day-of-week) in one place instead of depending on how
//! croner happens to read a shorthand, and it lets us reject anything croner
//! would accept but evaluate differently from AWS.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

use super::time::Timestamp;

/// EventBridge's documented year range; croner's own range is 1-5000.
const MIN_YEAR: u32 = 1970;
const MAX_YEAR: u32 = 2199;

/// Longest piece of user input quoted back in an error message, so a
/// pathological input cannot produce a pathological message.
const QUOTE_LIMIT: usize = 48;

const EXPECTED_FORM: &str = "cron(minutes hours day-of-month month day-of-week year)";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    #[error("cron expression must have the form {EXPECTED_FORM}")]
    MissingWrapper,

    #[error("cron expression must have exactly 6 fields ({EXPECTED_FORM}), but {found} were given")]
    FieldCount { found: usize },

    #[error("the {field} field `{value}` is invalid: {reason}")]
    InvalidField {
        field: &'static str,
        value: String,
        reason: String,
    },

    #[error("the {field} field `{value}` uses a feature this emulator does not support: {reason}")]
    Unsupported {
        field: &'static str,
        value: String,
        reason: String,
    },

    #[error(
        "one of the day-of-month and day-of-week fields must be `?`; a value or `*` cannot be given in both"
    )]
    NoDayFieldIsAny,

    #[error(
        "the day-of-month and day-of-week fields cannot both be `?`; one of them must give the days"
    )]
    BothDayFieldsAreAny,

    #[error("the cron expression was accepted but could not be compiled into a schedule: {0}")]
    Compile(String),

    #[error(
        "`{value}` is not a valid date and time: {reason}; expected YYYY-MM-DDTHH:MM in UTC, for example 2024-03-01T14:30"
    )]
    InvalidDateTime { value: String, reason: String },
}

/// A maintenance-window start expression in AWS EventBridge form, UTC.
#[derive(Debug, Clone)]
pub struct MaintenanceCron {
    expr: String,
    schedule: Cron,
}

impl MaintenanceCron {
    /// Accepts `cron(m h dom mon dow y)` (6 fields, the `cron(` `)` wrapper required, surrounding whitespace tolerated).
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let inner = expr
            .trim()
            .strip_prefix("cron(")
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or(CronError::MissingWrapper)?;
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let &[minutes, hours, dom, month, dow, year] = fields.as_slice() else {
            return Err(CronError::FieldCount {
                found: fields.len(),
            });
        };

        let minutes = render(&parse_list(&MINUTES, minutes)?);
        let hours = render(&parse_list(&HOURS, hours)?);
        let dom = parse_day_of_month(dom)?;
        let month = render(&parse_list(&MONTH, month)?);
        let dow = parse_day_of_week(dow)?;
        let year = render(&parse_list(&YEAR, year)?);

        let (dom, dow) = match (dom, dow) {
            (DayField::Any, DayField::Any) => return Err(CronError::BothDayFieldsAreAny),
            (DayField::Days(_), DayField::Days(_)) => return Err(CronError::NoDayFieldIsAny),
            // croner treats a `*` day field as "don't care", which is exactly `?`.
            (DayField::Any, DayField::Days(dow)) => ("*".to_string(), dow),
            (DayField::Days(dom), DayField::Any) => (dom, "*".to_string()),
        };

        // The leading `0` is croner's seconds field: starts are always on the minute.
        let pattern = format!("0 {minutes} {hours} {dom} {month} {dow} {year}");
        let schedule = CronParser::builder()
            .seconds(Seconds::Required)
            .year(Year::Required)
            .alternative_weekdays(true)
            .build()
            .parse(&pattern)
            .map_err(|e| CronError::Compile(e.to_string()))?;

        Ok(MaintenanceCron {
            expr: expr.to_string(),
            schedule,
        })
    }

    /// The expression as given.
    pub fn as_str(&self) -> &str {
        &self.expr
    }

    /// The first start time >= `t` (minute resolution: starts are always at :00 seconds). None if none exists (e.g. year list in the past).
    pub fn next_start_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        // Nothing can match before 1970, and starting there keeps croner's
        // search away from the far ends of chrono's range.
        let from = ceil_to_minute(t.millis())?.max(0);
        let from = DateTime::<Utc>::from_timestamp_millis(from)?;
        if year_after_range(from.year()) {
            return None;
        }
        // croner reports "no match before its year 5000 limit" as an error,
        // which here simply means the schedule has no further start.
        let found = self.schedule.find_next_occurrence(&from, true).ok()?;
        if year_after_range(found.year()) {
            return None;
        }
        Some(Timestamp::from_millis(found.timestamp_millis()))
    }

    /// The first `n` starts >= t.
    pub fn next_starts(&self, t: Timestamp, n: usize) -> Vec<Timestamp> {
        // `n` comes from callers and may be huge; only reserve what a short
        // listing needs and let the schedule's end stop the loop.
        let mut starts = Vec::with_capacity(n.min(64));
        let mut from = t;
        while starts.len() < n {
            let Some(start) = self.next_start_at_or_after(from) else {
                break;
            };
            starts.push(start);
            from = start.plus_minutes(1);
            if from == start {
                // Saturated at the end of the timeline.
                break;
            }
        }
        starts
    }

    /// If `t` lies inside a window [start, start + duration_minutes) of this schedule, that window's (start, end).
    /// Windows may have started up to `duration_minutes` before `t`; windows do not merge.
    ///
    /// When windows overlap (starts closer together than the duration), the
    /// earliest-started window that still contains `t` is returned: it is the
    /// one `t` has been inside the longest.
    pub fn window_containing(
        &self,
        t: Timestamp,
        duration_minutes: u32,
    ) -> Option<(Timestamp, Timestamp)> {
        if duration_minutes == 0 {
            return None;
        }
        let span = i64::from(duration_minutes).checked_mul(Timestamp::MILLIS_PER_MINUTE)?;
        // A window containing `t` started after `t - span` (the end is exclusive).
        let earliest = t.millis().checked_sub(span)?.checked_add(1)?;
        let start = self.next_start_at_or_after(Timestamp::from_millis(earliest))?;
        (start <= t).then(|| (start, start.plus_minutes(i64::from(duration_minutes))))
    }
}

/// Parse a schedulingConfig startTime/endTime string. AWS documents "YYYY-MM-DD for the date and HH:MM for the time"
/// (e.g. `2024-03-01T14:30`). Accept: `YYYY-MM-DDTHH:MM`, optional `:SS`, optional fractional seconds, optional
/// trailing `Z` or `+HH:MM`/`-HH:MM` offset; a space instead of `T` is also accepted. No zone means UTC.
pub fn parse_date_time(s: &str) -> Result<Timestamp, CronError> {
    let fail = |reason: &str| CronError::InvalidDateTime {
        value: quote(s),
        reason: reason.to_string(),
    };
    let text = s.trim();
    if text.is_empty() {
        return Err(fail("it is empty"));
    }
    // Working on bytes: every accepted character is ASCII, and any other byte
    // simply fails to match, so multi-byte input can never split a character.
    let mut cur = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let shape = "it does not have the shape YYYY-MM-DDTHH:MM";

    let year = cur.number(4).ok_or_else(|| fail(shape))?;
    cur.expect(b'-').ok_or_else(|| fail(shape))?;
    let month = cur.number(2).ok_or_else(|| fail(shape))?;
    cur.expect(b'-').ok_or_else(|| fail(shape))?;
    let day = cur.number(2).ok_or_else(|| fail(shape))?;
    match cur.next() {
        Some(b'T' | b't' | b' ') => {}
        _ => {
            return Err(fail(
                "the date must be followed by `T` (or a space) and HH:MM",
            ));
        }
    }
    let hour = cur.number(2).ok_or_else(|| fail(shape))?;
    cur.expect(b':').ok_or_else(|| fail(shape))?;
    let minute = cur.number(2).ok_or_else(|| fail(shape))?;

    let mut second = 0;
    let mut milli = 0;
    if cur.peek() == Some(b':') {
        cur.pos += 1;
        second = cur
            .number(2)
            .ok_or_else(|| fail("seconds must be two digits after `:`"))?;
        if cur.peek() == Some(b'.') {
            cur.pos += 1;
            milli = cur
                .fraction_millis()
                .ok_or_else(|| fail("fractional seconds must have at least one digit"))?;
        }
    }

    let offset_minutes: i64 = match cur.next() {
        None => 0,
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let bad_offset = "a time zone offset must have the form +HH:MM or -HH:MM";
            let oh = cur.number(2).ok_or_else(|| fail(bad_offset))?;
            cur.expect(b':').ok_or_else(|| fail(bad_offset))?;
            let om = cur.number(2).ok_or_else(|| fail(bad_offset))?;
            if oh > 23 || om > 59 {
                return Err(fail("the time zone offset is out of range"));
            }
            let magnitude = i64::from(oh * 60 + om);
            if sign == b'+' { magnitude } else { -magnitude }
        }
        Some(_) => {
            return Err(fail(
                "only `Z` or a +HH:MM/-HH:MM offset may follow the time",
            ));
        }
    };
    if cur.peek().is_some() {
        return Err(fail("there is unexpected text after the time zone"));
    }

    let date = i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(|| fail("that calendar date does not exist"))?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err(fail("that time of day does not exist"));
    }
    let local = date
        .and_hms_milli_opt(hour, minute, second, milli)
        .ok_or_else(|| fail("that time of day does not exist"))?
        .and_utc()
        .timestamp_millis();
    // A local time of +02:00 is two hours ahead of UTC, so the offset is subtracted.
    let utc = offset_minutes
        .checked_mul(Timestamp::MILLIS_PER_MINUTE)
        .and_then(|offset| local.checked_sub(offset))
        .ok_or_else(|| fail("it is out of range"))?;
    Ok(Timestamp::from_millis(utc))
}

/// Format as AWS shows `scheduledJobRollouts[].startTime` in this emulator: `YYYY-MM-DDTHH:MM` in UTC.
///
/// Seconds are dropped, not rounded. A timestamp outside the calendar's range
/// (hundreds of thousands of years away) is shown as its millisecond count.
pub fn format_date_time(t: Timestamp) -> String {
    match DateTime::<Utc>::from_timestamp_millis(t.millis()) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M").to_string(),
        None => format!("{}ms", t.millis()),
    }
}

fn ceil_to_minute(ms: i64) -> Option<i64> {
    let rem = ms.rem_euclid(Timestamp::MILLIS_PER_MINUTE);
    if rem == 0 {
        Some(ms)
    } else {
        ms.checked_add(Timestamp::MILLIS_PER_MINUTE - rem)
    }
}

fn year_after_range(year: i32) -> bool {
    i64::from(year) > i64::from(MAX_YEAR)
}

/// A byte cursor for the fixed-width date-time grammar.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// Exactly `width` ASCII digits.
    fn number(&mut self, width: usize) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos.checked_add(width)?)?;
        let mut value = 0u32;
        for &d in digits {
            if !d.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(d - b'0');
        }
        self.pos += width;
        Some(value)
    }

    /// One or more digits after the decimal point; precision beyond the
    /// millisecond is dropped because timestamps are milliseconds.
    fn fraction_millis(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut millis = 0u32;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            if self.pos - start < 3 {
                millis = millis * 10 + u32::from(d - b'0');
            }
            self.pos += 1;
        }
        match self.pos - start {
            0 => None,
            1 => Some(millis * 100),
            2 => Some(millis * 10),
            _ => Some(millis),
        }
    }
}

/// What one EventBridge field may hold.
struct FieldSpec {
    name: &'static str,
    min: u32,
    max: u32,
    /// Three-letter names for `min`, `min + 1`, ...; empty if the field has none.
    names: &'static [&'static str],
    /// EventBridge allows `/` everywhere except day-of-week.
    increments: bool,
}

const MINUTES: FieldSpec = FieldSpec {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
    increments: true,
};
const HOURS: FieldSpec = FieldSpec {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
    increments: true,
};
const DAY_OF_MONTH: FieldSpec = FieldSpec {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
    increments: true,
};
const MONTH: FieldSpec = FieldSpec {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    increments: true,
};
const DAY_OF_WEEK: FieldSpec = FieldSpec {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    increments: false,
};
const YEAR: FieldSpec = FieldSpec {
    name: "year",
    min: MIN_YEAR,
    max: MAX_YEAR,
    names: &[],
    increments: true,
};

/// A day-of-month or day-of-week field: `?`, or croner text for the days it selects.
enum DayField {
    Any,
    Days(String),
}

fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_LIMIT {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(QUOTE_LIMIT).collect();
        short.push('…');
        short
    }
}

fn invalid(spec: &FieldSpec, text: &str, reason: impl Into<String>) -> CronError {
    CronError::InvalidField {
        field: spec.name,
        value: quote(text),
        reason: reason.into(),
    }
}

fn unsupported(spec: &FieldSpec, text: &str, reason: impl Into<String>) -> CronError {
    CronError::Unsupported {
        field: spec.name,
        value: quote(text),
        reason: reason.into(),
    }
}

/// One value: a number in the field's range, or (month, day-of-week) a name.
fn parse_value(spec: &FieldSpec, field: &str, token: &str) -> Result<u32, CronError> {
    if token.is_empty() {
        return Err(invalid(spec, field, "a value is missing"));
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        return match token.parse::<u32>() {
            Ok(v) if (spec.min..=spec.max).contains(&v) => Ok(v),
            _ => Err(invalid(
                spec,
                field,
                format!(
                    "{} is outside the allowed range {}-{}",
                    quote(token),
                    spec.min,
                    spec.max
                ),
            )),
        };
    }
    let upper = token.to_ascii_uppercase();
    if let Some(index) = spec.names.iter().position(|name| *name == upper) {
        // `index` is below 12, so the conversion cannot fail.
        return Ok(spec.min + u32::try_from(index).unwrap_or(0));
    }
    let expected = if spec.names.is_empty() {
        format!("a number from {} to {}", spec.min, spec.max)
    } else {
        format!(
            "a number from {} to {} or a name {}-{}",
            spec.min,
            spec.max,
            spec.names.first().unwrap_or(&""),
            spec.names.last().unwrap_or(&""),
        )
    };
    Err(invalid(
        spec,
        field,
        format!("`{}` is not {expected}", quote(token)),
    ))
}

/// A comma list of `*`, `N`, `N-M`, `*/S`, `N/S` and `N-M/S` items, as the set of values it selects.
fn parse_list(spec: &FieldSpec, field: &str) -> Result<BTreeSet<u32>, CronError> {
    let mut values = BTreeSet::new();
    for item in field.split(',') {
        if item.is_empty() {
            return Err(invalid(spec, field, "the list has an empty item"));
        }
        let (range, step) = match item.split_once('/') {
            None => (item, None),
            Some(_) if !spec.increments => {
                return Err(invalid(
                    spec,
                    field,
                    format!(
                        "the `/` increment is not allowed in the {} field",
                        spec.name
                    ),
                ));
            }
            Some((range, step)) => {
                let span = spec.max - spec.min + 1;
                match step.parse::<u32>() {
                    Ok(s)
                        if step.bytes().all(|b| b.is_ascii_digit()) && (1..=span).contains(&s) =>
                    {
                        (range, Some(s))
                    }
                    _ => {
                        return Err(invalid(
                            spec,
                            field,
                            format!(
                                "the increment after `/` must be a whole number from 1 to {span}"
                            ),
                        ));
                    }
                }
            }
        };
        let (low, high) = if range == "*" {
            (spec.min, spec.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (parse_value(spec, field, a)?, parse_value(spec, field, b)?);
            if a > b {
                // Quartz wraps such ranges around; AWS does not document it, so
                // refusing is safer than guessing.
                return Err(unsupported(
                    spec,
                    field,
                    format!(
                        "the range {a}-{b} runs backwards; wrap-around ranges are not supported"
                    ),
                ));
            }
            (a, b)
        } else {
            let v = parse_value(spec, field, range)?;
            // EventBridge reads `1/10` as "from 1, every 10" to the end of the field.
            (v, if step.is_some() { spec.max } else { v })
        };
        let step = step.unwrap_or(1);
        let mut v = low;
        while v <= high {
            values.insert(v);
            v += step;
        }
    }
    Ok(values)
}

/// croner text for an explicit value set.
fn render(values: &BTreeSet<u32>) -> String {
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_day_of_month(field: &str) -> Result<DayField, CronError> {
    let spec = &DAY_OF_MONTH;
    let upper = field.to_ascii_uppercase();
    match upper.as_str() {
        "?" => return Ok(DayField::Any),
        "L" | "LW" => return Ok(DayField::Days(upper)),
        _ => {}
    }
    if upper.contains('?') {
        return Err(invalid(spec, field, "`?` must be the whole field"));
    }
    if let Some(day) = upper.strip_suffix('W') {
        if day.bytes().all(|b| b.is_ascii_digit()) {
            let day = parse_value(spec, field, day)?;
            return Ok(DayField::Days(format!("{day}W")));
        }
        return Err(unsupported(
            spec,
            field,
            "`W` takes a single day, as in 15W, and cannot be combined with other values",
        ));
    }
    if upper.contains('L') || upper.contains('W') {
        return Err(unsupported(
            spec,
            field,
            "`L` and `W` must be used alone (L, LW or a day such as 15W); lists and L-n offsets are not supported",
        ));
    }
    if upper.contains('#') {
        return Err(invalid(
            spec,
            field,
            "`#` is only allowed in the day-of-week field",
        ));
    }
    Ok(DayField::Days(render(&parse_list(spec, field)?)))
}

fn parse_day_of_week(field: &str) -> Result<DayField, CronError> {
    let spec = &DAY_OF_WEEK;
    let upper = field.to_ascii_uppercase();
    match upper.as_str() {
        "?" => return Ok(DayField::Any),
        // EventBridge: "L in day-of-week specifies the last day of the week",
        // i.e. Saturday (7); croner would accept a bare L here and never match.
        "L" => return Ok(DayField::Days("7".to_string())),
        _ => {}
    }
    if upper.contains('?') {
        return Err(invalid(spec, field, "`?` must be the whole field"));
    }
    if let Some((day, nth)) = upper.split_once('#') {
        if day.contains([',', '-', '*', '/']) || nth.contains([',', '-', '*', '/', '#']) {
            return Err(invalid(
                spec,
                field,
                "with `#` the field must hold a single expression such as 3#2",
            ));
        }
        let day = parse_value(spec, field, day)?;
        return match nth.parse::<u32>() {
            Ok(n) if nth.bytes().all(|b| b.is_ascii_digit()) && (1..=5).contains(&n) => {
                Ok(DayField::Days(format!("{day}#{n}")))
            }
            _ => Err(invalid(
                spec,
                field,
                "the number after `#` must be the week of the month, 1 to 5",
            )),
        };
    }
    if let Some(day) = upper.strip_suffix('L') {
        if day.contains([',', '-', '*', '/', 'L']) {
            return Err(unsupported(
                spec,
                field,
                "`L` takes a single weekday, as in 6L for the last Friday, and cannot be combined with other values",
            ));
        }
        let day = parse_value(spec, field, day)?;
        return Ok(DayField::Days(format!("{day}L")));
    }
    if upper.contains('L') {
        return Err(unsupported(
            spec,
            field,
            "`L` must be used alone or after a single weekday, as in 6L",
        ));
    }
    Ok(DayField::Days(render(&parse_list(spec, field)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Timelike, Weekday};

    fn at(s: &str) -> Timestamp {
        parse_date_time(s).unwrap()
    }

    fn cron(expr: &str) -> MaintenanceCron {
        MaintenanceCron::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn shown(ts: &[Timestamp]) -> Vec<String> {
        ts.iter().map(|t| format_date_time(*t)).collect()
    }

    fn utc(t: Timestamp) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_millis(t.millis()).unwrap()
    }

    // 2024-03-06 is a Wednesday.
    const WEDNESDAY_NOON: &str = "2024-03-06T12:00";

    const NEXT_SEVEN_MONDAYS_0200: [&str; 7] = [
        "2024-03-11T02:00",
        "2024-03-18T02:00",
        "2024-03-25T02:00",
        "2024-04-01T02:00",
        "2024-04-08T02:00",
        "2024-04-15T02:00",
        "2024-04-22T02:00",
    ];

    #[test]
    fn weekly_monday_schedule_gives_the_next_seven_mondays_at_0200() {
        let c = cron("cron(0 2 ? * MON *)");
        let starts = c.next_starts(at(WEDNESDAY_NOON), 7);
        assert_eq!(shown(&starts), NEXT_SEVEN_MONDAYS_0200);
        for s in starts {
            assert_eq!(utc(s).weekday(), Weekday::Mon);
            assert_eq!(s.millis() % Timestamp::MILLIS_PER_MINUTE, 0);
        }
    }

    #[test]
    fn numeric_weekday_two_is_monday() {
        let c = cron("cron(0 2 ? * 2 *)");
        assert_eq!(
            shown(&c.next_starts(at(WEDNESDAY_NOON), 7)),
            NEXT_SEVEN_MONDAYS_0200
        );
    }

    #[test]
    fn numeric_weekday_one_is_sunday_and_seven_is_saturday() {
        let sundays = cron("cron(0 2 ? * 1 *)").next_starts(at(WEDNESDAY_NOON), 3);
        assert_eq!(
            shown(&sundays),
            ["2024-03-10T02:00", "2024-03-17T02:00", "2024-03-24T02:00"]
        );
        assert!(sundays.iter().all(|s| utc(*s).weekday() == Weekday::Sun));
        let saturday = cron("cron(0 2 ? * 7 *)").next_start_at_or_after(at(WEDNESDAY_NOON));
        assert_eq!(
            saturday.map(format_date_time).as_deref(),
            Some("2024-03-09T02:00")
        );
    }

    #[test]
    fn weekday_names_are_case_insensitive_and_ranges_work() {
        let c = cron("cron(0 9 ? * mon-fri *)");
        let starts = c.next_starts(at(WEDNESDAY_NOON), 5);
        assert_eq!(
            shown(&starts),
            [
                "2024-03-07T09:00",
                "2024-03-08T09:00",
                "2024-03-11T09:00",
                "2024-03-12T09:00",
                "2024-03-13T09:00"
            ]
        );
        let numeric = cron("cron(0 9 ? * 2-6 *)").next_starts(at(WEDNESDAY_NOON), 5);
        assert_eq!(starts, numeric);
    }

    #[test]
    fn daily_schedule_with_dom_star_and_dow_any() {
        let c = cron("cron(30 23 * * ? *)");
        assert_eq!(
            shown(&c.next_starts(at(WEDNESDAY_NOON), 3)),
            ["2024-03-06T23:30", "2024-03-07T23:30", "2024-03-08T23:30"]
        );
        let swapped = cron("cron(30 23 ? * * *)");
        assert_eq!(
            c.next_starts(at(WEDNESDAY_NOON), 10),
            swapped.next_starts(at(WEDNESDAY_NOON), 10)
        );
    }

    #[test]
    fn year_field_limits_starts_to_that_year() {
        let c = cron("cron(0 0 1 * ? 2027)");
        let starts = c.next_starts(at(WEDNESDAY_NOON), 100);
        assert_eq!(starts.len(), 12);
        assert_eq!(format_date_time(starts[0]), "2027-01-01T00:00");
        assert_eq!(format_date_time(starts[11]), "2027-12-01T00:00");
        assert!(starts.iter().all(|s| utc(*s).year() == 2027));
        assert_eq!(c.next_start_at_or_after(at("2028-01-01T00:00")), None);
    }

    #[test]
    fn year_list_in_the_past_has_no_start() {
        let c = cron("cron(0 0 1 * ? 2020,2021)");
        assert_eq!(c.next_start_at_or_after(at(WEDNESDAY_NOON)), None);
        assert!(c.next_starts(at(WEDNESDAY_NOON), 5).is_empty());
    }

    #[test]
    fn year_increments_count_from_1970_not_from_year_one() {
        // croner alone would read */2 in the year field from year 1 (odd years).
        let c = cron("cron(0 0 1 1 ? */2)");
        let starts = c.next_starts(at("2025-06-01T00:00"), 2);
        assert_eq!(shown(&starts), ["2026-01-01T00:00", "2028-01-01T00:00"]);
    }

    #[test]
    fn star_year_stops_at_2199() {
        let c = cron("cron(0 0 1 1 ? *)");
        assert_eq!(
            c.next_start_at_or_after(at("2199-01-01T00:00"))
                .map(format_date_time)
                .as_deref(),
            Some("2199-01-01T00:00")
        );
        assert_eq!(c.next_start_at_or_after(at("2199-01-01T00:01")), None);
        assert_eq!(c.next_start_at_or_after(at("2500-01-01T00:00")), None);
    }

    #[test]
    fn times_before_1970_find_the_first_start_in_1970() {
        let c = cron("cron(0 0 1 1 ? *)");
        assert_eq!(
            c.next_start_at_or_after(at("1900-06-01T00:00"))
                .map(format_date_time)
                .as_deref(),
            Some("1970-01-01T00:00")
        );
    }

    #[test]
    fn minute_increment_starts_from_the_given_minute() {
        // The AWS docs: 1/10 in minutes is the 1st, 11th, 21st ... minute.
        let c = cron("cron(1/10 3 * * ? *)");
        let starts = c.next_starts(at("2024-03-06T03:00"), 7);
        assert_eq!(
            shown(&starts),
            [
                "2024-03-06T03:01",
                "2024-03-06T03:11",
                "2024-03-06T03:21",
                "2024-03-06T03:31",
                "2024-03-06T03:41",
                "2024-03-06T03:51",
                "2024-03-07T03:01"
            ]
        );
        let ranged = cron("cron(10-30/10,*/30 3 * * ? *)");
        assert_eq!(
            shown(&ranged.next_starts(at("2024-03-06T03:00"), 4)),
            [
                "2024-03-06T03:00",
                "2024-03-06T03:10",
                "2024-03-06T03:20",
                "2024-03-06T03:30"
            ]
        );
    }

    #[test]
    fn month_names_and_lists() {
        let c = cron("cron(0 0 1 jan,Jul ? *)");
        assert_eq!(
            shown(&c.next_starts(at(WEDNESDAY_NOON), 3)),
            ["2024-07-01T00:00", "2025-01-01T00:00", "2025-07-01T00:00"]
        );
    }

    #[test]
    fn last_day_of_month() {
        let c = cron("cron(0 0 L * ? *)");
        assert_eq!(
            shown(&c.next_starts(at("2024-01-15T00:00"), 3)),
            ["2024-01-31T00:00", "2024-02-29T00:00", "2024-03-31T00:00"]
        );
    }

    #[test]
    fn last_weekday_of_month() {
        // 2024-03-31 is a Sunday, so the last weekday is Friday the 29th.
        let c = cron("cron(0 0 LW * ? *)");
        assert_eq!(
            c.next_start_at_or_after(at("2024-03-01T00:00"))
                .map(format_date_time)
                .as_deref(),
            Some("2024-03-29T00:00")
        );
    }

    #[test]
    fn nearest_weekday_to_a_day_of_month() {
        // 2024-06-15 is a Saturday (-> Friday 14th); 2024-09-15 is a Sunday (-> Monday 16th).
        let c = cron("cron(0 6 15W * ? 2024)");
        let starts = c.next_starts(at("2024-06-01T00:00"), 4);
        assert_eq!(
            shown(&starts),
            [
                "2024-06-14T06:00",
                "2024-07-15T06:00",
                "2024-08-15T06:00",
                "2024-09-16T06:00"
            ]
        );
    }

    #[test]
    fn last_friday_of_month() {
        let c = cron("cron(0 0 ? * 6L *)");
        let starts = c.next_starts(at("2024-03-01T00:00"), 3);
        assert_eq!(
            shown(&starts),
            ["2024-03-29T00:00", "2024-04-26T00:00", "2024-05-31T00:00"]
        );
        assert_eq!(
            starts,
            cron("cron(0 0 ? * FRIL *)").next_starts(at("2024-03-01T00:00"), 3)
        );
    }

    #[test]
    fn bare_l_in_day_of_week_is_saturday() {
        let c = cron("cron(0 0 ? * L *)");
        assert_eq!(
            c.next_start_at_or_after(at(WEDNESDAY_NOON))
                .map(format_date_time)
                .as_deref(),
            Some("2024-03-09T00:00")
        );
    }

    #[test]
    fn nth_weekday_of_month() {
        let first_monday = cron("cron(0 0 ? * 2#1 *)");
        assert_eq!(
            shown(&first_monday.next_starts(at("2024-03-01T00:00"), 3)),
            ["2024-03-04T00:00", "2024-04-01T00:00", "2024-05-06T00:00"]
        );
        let second_tuesday = cron("cron(0 0 ? * TUE#2 *)");
        assert_eq!(
            second_tuesday
                .next_start_at_or_after(at("2024-03-01T00:00"))
                .map(format_date_time)
                .as_deref(),
            Some("2024-03-12T00:00")
        );
        // Fifth Friday: March 2024 has one (29th), April does not, May does (31st).
        let fifth_friday = cron("cron(0 0 ? * 6#5 *)");
        assert_eq!(
            shown(&fifth_friday.next_starts(at("2024-03-01T00:00"), 2)),
            ["2024-03-29T00:00", "2024-05-31T00:00"]
        );
    }

    #[test]
    fn day_that_never_exists_has_no_start() {
        let c = cron("cron(0 0 31 2 ? *)");
        assert_eq!(c.next_start_at_or_after(at(WEDNESDAY_NOON)), None);
    }

    #[test]
    fn next_start_at_an_exact_start_returns_that_start() {
        let c = cron("cron(0 2 ? * MON *)");
        let start = at("2024-03-11T02:00");
        assert_eq!(c.next_start_at_or_after(start), Some(start));
        assert_eq!(
            c.next_start_at_or_after(start.plus_millis(1)),
            Some(at("2024-03-18T02:00"))
        );
    }

    #[test]
    fn starts_are_on_whole_minutes_even_from_odd_instants() {
        let c = cron("cron(* * * * ? *)");
        let t = at("2024-03-06T12:00:30.250");
        assert_eq!(c.next_start_at_or_after(t), Some(at("2024-03-06T12:01")));
    }

    #[test]
    fn as_str_returns_the_expression_as_given() {
        let expr = "  cron(0 2 ? * MON *) ";
        assert_eq!(cron(expr).as_str(), expr);
    }

    #[test]
    fn surrounding_and_inner_whitespace_is_tolerated() {
        let c = cron("\t cron( 0  2 ? *  MON * )\n");
        assert_eq!(
            shown(&c.next_starts(at(WEDNESDAY_NOON), 1)),
            ["2024-03-11T02:00"]
        );
    }

    #[test]
    fn window_contains_a_time_inside_it() {
        let c = cron("cron(0 2 ? * MON *)");
        assert_eq!(
            c.window_containing(at("2024-03-11T02:30"), 60),
            Some((at("2024-03-11T02:00"), at("2024-03-11T03:00")))
        );
    }

    #[test]
    fn window_contains_its_exact_start() {
        let c = cron("cron(0 2 ? * MON *)");
        assert_eq!(
            c.window_containing(at("2024-03-11T02:00"), 60),
            Some((at("2024-03-11T02:00"), at("2024-03-11T03:00")))
        );
    }

    #[test]
    fn window_does_not_contain_its_exact_end() {
        let c = cron("cron(0 2 ? * MON *)");
        assert_eq!(c.window_containing(at("2024-03-11T03:00"), 60), None);
        assert!(
            c.window_containing(at("2024-03-11T02:59:59.999"), 60)
                .is_some()
        );
        assert_eq!(c.window_containing(at("2024-03-11T01:59:59.999"), 60), None);
    }

    #[test]
    fn window_of_1430_minutes_spans_midnight() {
        let c = cron("cron(0 22 * * ? *)");
        let expected = Some((at("2024-03-06T22:00"), at("2024-03-07T21:50")));
        assert_eq!(c.window_containing(at("2024-03-06T23:59"), 1430), expected);
        assert_eq!(c.window_containing(at("2024-03-07T00:00"), 1430), expected);
        assert_eq!(c.window_containing(at("2024-03-07T03:00"), 1430), expected);
        assert_eq!(
            c.window_containing(at("2024-03-07T21:49:59"), 1430),
            expected
        );
        // The ten minutes between one window's end and the next start.
        assert_eq!(c.window_containing(at("2024-03-07T21:50"), 1430), None);
        assert_eq!(c.window_containing(at("2024-03-07T21:59"), 1430), None);
        assert_eq!(
            c.window_containing(at("2024-03-07T22:00"), 1430),
            Some((at("2024-03-07T22:00"), at("2024-03-08T21:50")))
        );
    }

    #[test]
    fn overlapping_windows_do_not_merge_and_the_earliest_is_reported() {
        let c = cron("cron(0 * * * ? *)");
        assert_eq!(
            c.window_containing(at("2024-03-06T01:10"), 90),
            Some((at("2024-03-06T00:00"), at("2024-03-06T01:30")))
        );
        assert_eq!(
            c.window_containing(at("2024-03-06T01:30"), 90),
            Some((at("2024-03-06T01:00"), at("2024-03-06T02:30")))
        );
    }

    #[test]
    fn zero_minute_window_contains_nothing() {
        let c = cron("cron(0 2 ? * MON *)");
        assert_eq!(c.window_containing(at("2024-03-11T02:00"), 0), None);
    }

    #[test]
    fn timestamps_outside_the_calendar_do_not_panic() {
        let c = cron("cron(0 2 ? * MON *)");
        for ms in [i64::MIN, i64::MIN + 1, -1, i64::MAX - 1, i64::MAX] {
            let t = Timestamp::from_millis(ms);
            let _ = c.next_start_at_or_after(t);
            let _ = c.next_starts(t, 3);
            for d in [0, 1, 1430, u32::MAX] {
                let _ = c.window_containing(t, d);
            }
            let _ = format_date_time(t);
        }
        assert_eq!(
            c.next_start_at_or_after(Timestamp::from_millis(i64::MAX)),
            None
        );
        assert_eq!(
            format_date_time(Timestamp::from_millis(i64::MAX)),
            format!("{}ms", i64::MAX)
        );
    }

    fn rejects(expr: &str) -> CronError {
        match MaintenanceCron::parse(expr) {
            Ok(_) => panic!("{expr} was accepted"),
            Err(e) => e,
        }
    }

    #[test]
    fn rejects_a_missing_wrapper() {
        assert_eq!(rejects("0 2 ? * MON *"), CronError::MissingWrapper);
        assert_eq!(rejects("cron(0 2 ? * MON *"), CronError::MissingWrapper);
        assert_eq!(rejects("rate(5 minutes)"), CronError::MissingWrapper);
        assert_eq!(
            rejects("0 2 ? * MON *").to_string(),
            "cron expression must have the form cron(minutes hours day-of-month month day-of-week year)"
        );
    }

    #[test]
    fn rejects_five_fields() {
        assert_eq!(
            rejects("cron(0 2 ? * MON)"),
            CronError::FieldCount { found: 5 }
        );
    }

    #[test]
    fn rejects_seven_fields() {
        assert_eq!(
            rejects("cron(0 0 2 ? * MON *)"),
            CronError::FieldCount { found: 7 }
        );
    }

    #[test]
    fn rejects_star_in_both_day_fields() {
        assert_eq!(rejects("cron(0 2 * * * *)"), CronError::NoDayFieldIsAny);
        assert_eq!(rejects("cron(0 2 1 * MON *)"), CronError::NoDayFieldIsAny);
    }

    #[test]
    fn rejects_question_mark_in_both_day_fields() {
        assert_eq!(rejects("cron(0 2 ? * ? *)"), CronError::BothDayFieldsAreAny);
    }

    #[test]
    fn rejects_minute_60() {
        let e = rejects("cron(60 2 ? * MON *)");
        assert!(
            matches!(
                &e,
                CronError::InvalidField {
                    field: "minutes",
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "the minutes field `60` is invalid: 60 is outside the allowed range 0-59"
        );
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(rejects("garbage"), CronError::MissingWrapper);
        assert!(matches!(
            rejects("cron(a b c d e f)"),
            CronError::InvalidField { .. }
        ));
        assert!(matches!(
            rejects("cron(0 2 ? * FUNDAY *)"),
            CronError::InvalidField {
                field: "day-of-week",
                ..
            }
        ));
    }

    #[test]
    fn rejects_out_of_range_values_in_every_field() {
        for (expr, field) in [
            ("cron(0 24 * * ? *)", "hours"),
            ("cron(0 0 0 * ? *)", "day-of-month"),
            ("cron(0 0 32 * ? *)", "day-of-month"),
            ("cron(0 0 1 13 ? *)", "month"),
            ("cron(0 0 1 0 ? *)", "month"),
            ("cron(0 0 ? * 0 *)", "day-of-week"),
            ("cron(0 0 ? * 8 *)", "day-of-week"),
            ("cron(0 0 1 * ? 1969)", "year"),
            ("cron(0 0 1 * ? 2200)", "year"),
        ] {
            match rejects(expr) {
                CronError::InvalidField { field: f, .. } => assert_eq!(f, field, "{expr}"),
                e => panic!("{expr}: {e:?}"),
            }
        }
    }

    #[test]
    fn rejects_malformed_lists_ranges_and_increments() {
        for expr in [
            "cron(1,,2 0 * * ? *)",
            "cron(1, 0 * * ? *)",
            "cron(*/0 0 * * ? *)",
            "cron(*/61 0 * * ? *)",
            "cron(/5 0 * * ? *)",
            "cron(5/ 0 * * ? *)",
            "cron(1-2-3 0 * * ? *)",
            "cron(0 0 ? * MON/2 *)",
            "cron(0 0 ? * */2 *)",
            "cron(? 0 * * ? *)",
            "cron(0 0 1,? * ? *)",
            "cron(0 0 1 * #2 *)",
            "cron(0 0 1#2 * ? *)",
            "cron(0 0 ? * 2#0 *)",
            "cron(0 0 ? * 2#6 *)",
            "cron(0 0 ? * 3#1,6#3 *)",
            "cron(0 0 ? * L# *)",
            "cron(0 0 W * ? *)",
            "cron(0 0 0W * ? *)",
        ] {
            assert!(MaintenanceCron::parse(expr).is_err(), "{expr} was accepted");
        }
    }

    #[test]
    fn rejects_unsupported_quartz_forms_clearly() {
        for expr in [
            "cron(0 0 L-3 * ? *)",
            "cron(0 0 1,L * ? *)",
            "cron(0 0 1-15W * ? *)",
            "cron(0 22-2 * * ? *)",
            "cron(0 0 ? * FRI-MON *)",
            "cron(0 0 ? * 2-6L *)",
        ] {
            match rejects(expr) {
                CronError::Unsupported { .. } => {}
                e => panic!("{expr}: {e:?}"),
            }
        }
    }

    #[test]
    fn error_messages_quote_long_input_briefly() {
        let long = format!("cron({} 0 * * ? *)", "9".repeat(10_000));
        let message = rejects(&long).to_string();
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn odd_inputs_never_panic() {
        let long_list = format!("cron({} 0 * * ? *)", vec!["1"; 5000].join(","));
        let long_garbage = "x".repeat(100_000);
        let deep_parens = format!("{}{}", "cron(".repeat(1000), ")".repeat(1000));
        let inputs: Vec<String> = [
            "",
            " ",
            "cron",
            "cron(",
            "cron()",
            "cron( )",
            ")",
            "()",
            "cron(      )",
            "cron(0 2 ? * MON *))",
            "CRON(0 2 ? * MON *)",
            "cron(０ ２ ? * MON *)",
            "cron(0 2 ? * MÖN *)",
            "cron(0 2 ? * MON 🕑)",
            "🕑",
            "cron(ǅ ǅ ǅ ǅ ǅ ǅ)",
            "cron(0 2 ? * ß *)",
            "cron(99999999999999999999999 0 * * ? *)",
            "cron(0-99999999999999999999/1 0 * * ? *)",
            "cron(*/99999999999999999999 0 * * ? *)",
            "cron(0 0 ? * 2#99999999999999999999 *)",
            "cron(0 0 99999999999999999999W * ? *)",
            "cron(0 0 ? * 99999999999999999999L *)",
            "cron(- - - - - -)",
            "cron(, , , , , ,)",
            "cron(/ / / / / /)",
            "cron(# # # # # #)",
            "cron(L L L L L L)",
            "cron(W W W W W W)",
            "cron(? ? ? ? ? ?)",
            "cron(* * * * * *)",
            "cron(* * ? * * *)",
            "cron(* * * * ? *)",
            "cron(0 0 LW * ? 2199)",
            "cron(59 23 31 12 ? 2199)",
            "cron(0 0 1 1 ? 1970)",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([long_list, long_garbage, deep_parens])
        .collect();
        for input in &inputs {
            if let Ok(c) = MaintenanceCron::parse(input) {
                for t in [
                    Timestamp::from_millis(0),
                    at(WEDNESDAY_NOON),
                    at("2199-12-31T23:59"),
                    Timestamp::from_millis(i64::MAX),
                ] {
                    let _ = c.next_starts(t, 3);
                    let _ = c.window_containing(t, 1430);
                }
            }
            let _ = parse_date_time(input);
        }
    }

    #[test]
    fn latest_possible_start_is_found() {
        let c = cron("cron(59 23 31 12 ? 2199)");
        assert_eq!(
            c.next_start_at_or_after(Timestamp::from_millis(0)),
            Some(at("2199-12-31T23:59"))
        );
    }

    #[test]
    fn parses_date_and_hour_minute() {
        let t = at("2024-03-01T14:30");
        let dt = utc(t);
        assert_eq!(
            (
                dt.year(),
                dt.month(),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            ),
            (2024, 3, 1, 14, 30, 0)
        );
        assert_eq!(t, Timestamp::from_secs(1_709_303_400));
    }

    #[test]
    fn parses_every_accepted_form() {
        let base = Timestamp::from_secs(1_709_303_400); // 2024-03-01T14:30:00Z
        for (text, expected) in [
            ("2024-03-01T14:30", base),
            ("2024-03-01 14:30", base),
            ("2024-03-01t14:30", base),
            ("2024-03-01T14:30Z", base),
            ("2024-03-01T14:30z", base),
            ("2024-03-01T14:30:00", base),
            ("2024-03-01T14:30:00Z", base),
            ("2024-03-01T14:30:45", base.plus_secs(45)),
            ("2024-03-01T14:30:45.5", base.plus_millis(45_500)),
            ("2024-03-01T14:30:45.25Z", base.plus_millis(45_250)),
            ("2024-03-01T14:30:45.123", base.plus_millis(45_123)),
            ("2024-03-01T14:30:45.123456789Z", base.plus_millis(45_123)),
            ("2024-03-01T14:30+00:00", base),
            ("2024-03-01T14:30-00:00", base),
            ("2024-03-01 14:30:00.000+00:00", base),
            ("  2024-03-01T14:30  ", base),
        ] {
            assert_eq!(parse_date_time(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn converts_offsets_to_utc() {
        assert_eq!(at("2024-03-01T16:30+02:00"), at("2024-03-01T14:30Z"));
        assert_eq!(at("2024-03-01T09:00-05:30"), at("2024-03-01T14:30Z"));
        // An offset can move the instant across midnight and the year boundary.
        assert_eq!(at("2024-01-01T01:00+03:00"), at("2023-12-31T22:00"));
        assert_eq!(at("2023-12-31T23:30:15-01:00"), at("2024-01-01T00:30:15"));
    }

    #[test]
    fn rejects_bad_date_times() {
        for text in [
            "2024-13-01T00:00",
            "2024-02-30T00:00",
            "2023-02-29T00:00",
            "2024-03-01T24:00",
            "2024-03-01T12:60",
            "2024-03-01T12:00:60",
            "tomorrow",
            "",
            "   ",
            "2024-03-01",
            "2024-03-01T",
            "2024-03-01T14",
            "2024-03-01T14:3",
            "2024-3-01T14:30",
            "24-03-01T14:30",
            "2024/03/01T14:30",
            "2024-03-01X14:30",
            "2024-03-01T14:30.5",
            "2024-03-01T14:30:00.",
            "2024-03-01T14:30:00.Z",
            "2024-03-01T14:30+",
            "2024-03-01T14:30+0200",
            "2024-03-01T14:30+02",
            "2024-03-01T14:30+24:00",
            "2024-03-01T14:30+02:60",
            "2024-03-01T14:30ZZ",
            "2024-03-01T14:30 UTC",
            "２０２４-03-01T14:30",
            "2024-03-01T14:30é",
            "+2024-03-01T14:30",
        ] {
            match parse_date_time(text) {
                Err(CronError::InvalidDateTime { .. }) => {}
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let message = parse_date_time("2024-13-01T00:00").unwrap_err().to_string();
        assert!(message.contains("2024-13-01T00:00"), "{message}");
        assert!(message.contains("YYYY-MM-DDTHH:MM"), "{message}");
    }

    #[test]
    fn formats_as_date_and_hour_minute_in_utc() {
        assert_eq!(
            format_date_time(Timestamp::from_secs(1_709_303_400)),
            "2024-03-01T14:30"
        );
        assert_eq!(
            format_date_time(Timestamp::from_millis(0)),
            "1970-01-01T00:00"
        );
        // Seconds are dropped, not rounded up.
        assert_eq!(
            format_date_time(Timestamp::from_millis(1_709_303_459_999)),
            "2024-03-01T14:30"
        );
    }

    #[test]
    fn format_and_parse_round_trip() {
        for text in [
            "2024-03-01T14:30",
            "1970-01-01T00:00",
            "2199-12-31T23:59",
            "2024-02-29T00:01",
            "1969-07-20T20:17",
        ] {
            let t = at(text);
            assert_eq!(format_date_time(t), text);
            assert_eq!(parse_date_time(&format_date_time(t)), Ok(t));
        }
        let with_seconds = at("2024-03-01T14:30:45.678");
        assert_eq!(
            parse_date_time(&format_date_time(with_seconds)),
            Ok(at("2024-03-01T14:30"))
        );
    }
}
