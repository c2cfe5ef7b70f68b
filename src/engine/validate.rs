//! Request validation, in the two voices AWS answers with.
//!
//! Model constraints (lengths, patterns, ranges, enums, required members) are checked the way AWS's
//! Coral front end checks them: every violation of a request is collected and reported in one
//! `N validation error(s) detected: ...` message (spec §1.4). Rules that live in the service itself
//! (rollout, abort, retry, timeout, scheduling cross-field rules, spec §6) answer with the service's
//! own sentence, quoted verbatim from the spec where a capture exists. Coral runs first, as on AWS, so
//! a request with both kinds of problem sees the Coral message.
//!
//! Every function here is pure: it reads a raw wire shape (config.rs) and returns either the
//! validated policy the engine acts on or an `InvalidRequest` error.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex, PoisonError};

use regex::Regex;

use super::config::*;
use super::cron::{MaintenanceCron, parse_date_time};
use super::error::*;
use super::status::TargetSelection;
use super::time::Timestamp;

// ---------------------------------------------------------------- patterns (Java spelling, as AWS prints them)

/// `JobId` and `JobTemplateId`: no `:`, unlike thing names.
pub const JOB_ID_PATTERN: &str = "[a-zA-Z0-9_-]+";
/// `ThingName`, `ThingGroupName`, `ThingTypeName`.
pub const THING_NAME_PATTERN: &str = "[a-zA-Z0-9:_-]+";
/// `JobDescription` and `Comment`: anything but control/format/unassigned characters.
pub const DESCRIPTION_PATTERN: &str = r"[^\p{C}]+";
/// `ReasonCode`. Java's `\p{Upper}`/`\p{Digit}` are ASCII-only, so `É` does not pass.
pub const REASON_CODE_PATTERN: &str = r"[\p{Upper}\p{Digit}_]+";
/// `NamespaceId`.
pub const NAMESPACE_ID_PATTERN: &str = "[a-zA-Z0-9_-]+";
/// `DetailsKey` (statusDetails keys).
pub const DETAILS_KEY_PATTERN: &str = "[a-zA-Z0-9:_-]+";
/// `DetailsValue` (statusDetails values).
pub const DETAILS_VALUE_PATTERN: &str = r"[^\p{C}]+";

// ---------------------------------------------------------------- limits

pub const JOB_ID_MAX: usize = 64;
pub const THING_NAME_MAX: usize = 128;
pub const DESCRIPTION_MAX: usize = 2028;
pub const REASON_CODE_MAX: usize = 128;
pub const DETAILS_KEY_MAX: usize = 128;
pub const DETAILS_VALUE_MAX: usize = 1024;
pub const DETAILS_MAX_PAIRS: usize = 10;
pub const MAX_RESULTS_MAX: i64 = 250;
pub const MAX_RESULTS_DEFAULT: usize = 250;
/// `inProgressTimeoutInMinutes` and `stepTimeoutInMinutes`: seven days.
pub const TIMEOUT_MAX_MINUTES: i64 = 10_080;
pub const RETRIES_MAX: i64 = 10;
pub const WINDOW_DURATION_MAX: i64 = 1430;
pub const CRON_MAX: usize = 256;
pub const DATE_TIME_MAX: usize = 64;
pub const TAG_KEY_MAX: usize = 128;
pub const TAG_VALUE_MAX: usize = 256;

/// Members the model types as Java `int`: AWS cannot even deserialize a larger number.
const JAVA_INT_MAX: i64 = i32::MAX as i64;

const MINUTE_MS: i64 = Timestamp::MILLIS_PER_MINUTE;
const DAY_MS: i64 = 24 * 60 * MINUTE_MS;
const SCHEDULE_MIN_LEAD_MS: i64 = 30 * MINUTE_MS;
const SCHEDULE_START_MAX_MS: i64 = 365 * DAY_MS;
const SCHEDULE_END_MAX_MS: i64 = 730 * DAY_MS;

// ---------------------------------------------------------------- service messages (verbatim, spec §2.4, §6)

const ROLLOUT_EMPTY: &str =
    "Provide MaximumPerMinute value or provide ExponentialRate and MaximumPerMinute";
const ROLLOUT_EXPONENTIAL_NEEDS_MAXIMUM: &str =
    "Provide MaximumPerMinute value when ExponentialRate is defined";
const ROLLOUT_CRITERIA_NEITHER: &str = "Provide either NumberOfNotifiedThings or NumberOfSucceededThings when RateIncreaseCriteria is defined";
const ROLLOUT_CRITERIA_BOTH: &str = "Provide only one of NumberOfNotifiedThings or NumberOfSucceededThings when RateIncreaseCriteria is defined";
const ROLLOUT_BASE_NOT_BELOW_MAXIMUM: &str =
    "Exponential rollout baseRatePerMinute should be less than maximumPerMinute.";
const RETRY_ALL_NOT_ALONE: &str = "A retryCriteria with failure type ALL must be used by itself.";
const RETRY_UPDATE_NONZERO: &str =
    "The number of retries cannot be updated to any number other than 0.";
const RETRY_UPDATE_NO_CONFIG: &str =
    "RetryConfig cannot be updated if the job has no RetryConfig defined during creation.";
const RETRY_UPDATE_TYPES_DIFFER: &str =
    "FailureTypes must match existing FailureTypes defined in RetryConfig.";
const WINDOWS_NEED_CONTINUOUS: &str =
    "TargetSelection is invalid. MaintenanceWindow cannot be used with SNAPSHOT job.";

// Not captured anywhere in the spec; worded in the service's style.
const ROLLOUT_FACTOR_DECIMALS: &str =
    "Provide an incrementFactor with at most one digit after the decimal point.";
const ABORT_THRESHOLD_DECIMALS: &str =
    "Provide a thresholdPercentage with at most two digits after the decimal point.";
const RETRY_DUPLICATE_TYPE: &str = "Each failure type can be used in only one retryCriteria.";
const RETRY_TOTAL_TOO_HIGH: &str =
    "The total number of retries across all failure types cannot exceed 10.";
const SCHEDULE_START_OUT_OF_RANGE: &str =
    "The startTime must be at least 30 minutes and at most 1 year after the current time.";
const SCHEDULE_END_OUT_OF_RANGE: &str =
    "The endTime must be at least 30 minutes and at most 2 years after the current time.";
const SCHEDULE_SPAN_OUT_OF_RANGE: &str =
    "The endTime must be at least 30 minutes and at most 2 years after the startTime.";

// ---------------------------------------------------------------- Violations

/// Collects Coral-style constraint violations so one request reports all of them:
/// one → `1 validation error detected: <clause>`, several → `N validation errors detected: <c1>; <c2>`.
///
/// Each clause reads `Value '<v>' at '<member>' failed to satisfy constraint: Member must ...`;
/// an absent required member reads `Value null at '<member>' failed to satisfy constraint: Member
/// must not be null`. Clauses keep the order in which members were checked.
// Choice: several failed constraints on one member give one clause each, length before pattern (e.g. an empty jobId reports both).
// Choice: lengths count Unicode scalar values; Java counts UTF-16 units, so astral characters (emoji) count 1 here and 2 on AWS.
// Choice: an offending value is echoed in full, however long, as Coral does.
#[derive(Debug, Default)]
pub struct Violations {
    clauses: Vec<String>,
}

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        let clause = match value {
            Some(v) => {
                format!("Value '{v}' at '{member}' failed to satisfy constraint: {constraint}")
            }
            None => format!("Value null at '{member}' failed to satisfy constraint: {constraint}"),
        };
        self.clauses.push(clause);
    }

    pub fn not_null(&mut self, member: &str) {
        self.push(None, member, "Member must not be null");
    }

    /// Java `String.matches` semantics: the whole value must match.
    pub fn pattern(&mut self, member: &str, value: &str, pattern: &str) {
        if !fully_matches(pattern, value) {
            self.push(
                Some(value),
                member,
                &format!("Member must satisfy regular expression pattern: {pattern}"),
            );
        }
    }

    pub fn length(&mut self, member: &str, value: &str, min: usize, max: Option<usize>) {
        let n = value.chars().count();
        if n < min {
            self.push(
                Some(value),
                member,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&max| n > max) {
            self.push(
                Some(value),
                member,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    pub fn range_i64(&mut self, member: &str, value: i64, min: Option<i64>, max: Option<i64>) {
        let shown = value.to_string();
        if let Some(min) = min.filter(|&min| value < min) {
            self.push(
                Some(&shown),
                member,
                &format!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&max| value > max) {
            self.push(
                Some(&shown),
                member,
                &format!("Member must have value less than or equal to {max}"),
            );
        }
    }

    /// The value is printed as Java prints a double (`101` → `101.0`); the bounds as the model
    /// writes them (`100`, `1.1`).
    pub fn range_f64(&mut self, member: &str, value: f64, min: Option<f64>, max: Option<f64>) {
        let shown = java_double(value);
        // NaN compares false with everything, so it would slip past both bounds: charge it to
        // the first bound there is.
        let nan = value.is_nan();
        let below = min.filter(|&min| value < min || nan);
        let above = max.filter(|&max| value > max || (nan && below.is_none()));
        if let Some(min) = below {
            self.push(
                Some(&shown),
                member,
                &format!("Member must have value greater than or equal to {min}"),
            );
        }
        if let Some(max) = above {
            self.push(
                Some(&shown),
                member,
                &format!("Member must have value less than or equal to {max}"),
            );
        }
    }

    pub fn enum_set(&mut self, member: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.push(
                Some(value),
                member,
                &format!(
                    "Member must satisfy enum value set: [{}]",
                    allowed.join(", ")
                ),
            );
        }
    }

    // Choice: a list is echoed as '[]' when empty and as '[<n> items]' otherwise; AWS prints its Java toString, which we cannot reproduce.
    pub fn list_length(&mut self, member: &str, len: usize, min: usize, max: Option<usize>) {
        let shown = if len == 0 {
            "[]".to_string()
        } else {
            format!("[{len} items]")
        };
        if len < min {
            self.push(
                Some(&shown),
                member,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = max.filter(|&max| len > max) {
            self.push(
                Some(&shown),
                member,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    pub fn into_result(self) -> EngineResult<()> {
        match self.clauses.len() {
            0 => Ok(()),
            1 => Err(EngineError::invalid(format!(
                "1 validation error detected: {}",
                self.clauses.join("; ")
            ))),
            n => Err(EngineError::invalid(format!(
                "{n} validation errors detected: {}",
                self.clauses.join("; ")
            ))),
        }
    }
}

/// Java's `Double.toString`: plain between 10^-3 and 10^7 with at least one fractional digit,
/// computerized scientific notation (`1.0E7`) outside that range.
fn java_double(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let magnitude = value.abs();
    if value == 0.0 || (1e-3..1e7).contains(&magnitude) {
        let plain = format!("{value}");
        return if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        };
    }
    let scientific = format!("{value:e}");
    match scientific.split_once('e') {
        Some((mantissa, exponent)) if mantissa.contains('.') => format!("{mantissa}E{exponent}"),
        Some((mantissa, exponent)) => format!("{mantissa}.0E{exponent}"),
        None => scientific,
    }
}

/// Java regex → Rust regex for the constructs the model's patterns use. Java's POSIX classes are
/// ASCII-only unless `UNICODE_CHARACTER_CLASS` is set (Coral does not set it), whereas Rust's
/// `\p{Upper}` is Unicode; they only ever appear inside brackets, so a textual swap is exact.
fn rust_dialect(java: &str) -> String {
    java.replace(r"\p{Upper}", "A-Z")
        .replace(r"\p{Lower}", "a-z")
        .replace(r"\p{Digit}", "0-9")
        .replace(r"\p{Alpha}", "a-zA-Z")
        .replace(r"\p{Alnum}", "a-zA-Z0-9")
}

/// Compiled patterns keyed by their Java spelling. Callers pass the module's constants, so the
/// cache holds as many entries as the model has patterns.
static PATTERNS: LazyLock<Mutex<HashMap<String, Option<Regex>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn fully_matches(java_pattern: &str, value: &str) -> bool {
    let compiled = {
        // A poisoned cache only means another thread panicked mid-insert; its entries are whole.
        let mut cache = PATTERNS.lock().unwrap_or_else(PoisonError::into_inner);
        match cache.get(java_pattern) {
            Some(compiled) => compiled.clone(),
            None => {
                let anchored = format!("^(?:{})$", rust_dialect(java_pattern));
                let compiled = Regex::new(&anchored).ok();
                cache.insert(java_pattern.to_string(), compiled.clone());
                compiled
            }
        }
    };
    match compiled {
        Some(re) => re.is_match(value),
        None => {
            // The pattern is ours, not the caller's input: a broken one is a bug to catch in tests.
            debug_assert!(false, "pattern {java_pattern:?} does not compile");
            false
        }
    }
}

// ---------------------------------------------------------------- scalar members

/// `JobId` / `JobTemplateId`: 1..64, `[a-zA-Z0-9_-]+`.
pub fn job_id(v: &mut Violations, member: &str, value: &str) {
    v.length(member, value, 1, Some(JOB_ID_MAX));
    v.pattern(member, value, JOB_ID_PATTERN);
}

/// `ThingName` / `ThingGroupName`: 1..128, `[a-zA-Z0-9:_-]+`.
pub fn thing_name(v: &mut Violations, member: &str, value: &str) {
    v.length(member, value, 1, Some(THING_NAME_MAX));
    v.pattern(member, value, THING_NAME_PATTERN);
}

/// `JobDescription` / `Comment`: ≤2028, no control characters. The model has no minimum length,
/// but `+` in the pattern still refuses an empty string.
pub fn description(v: &mut Violations, member: &str, value: &str) {
    v.length(member, value, 0, Some(DESCRIPTION_MAX));
    v.pattern(member, value, DESCRIPTION_PATTERN);
}

/// `ReasonCode`: ≤128, upper-case ASCII letters, digits and `_`.
pub fn reason_code(v: &mut Violations, member: &str, value: &str) {
    v.length(member, value, 0, Some(REASON_CODE_MAX));
    v.pattern(member, value, REASON_CODE_PATTERN);
}

/// `NamespaceId`: pattern only, the model gives no length.
pub fn namespace_id(v: &mut Violations, member: &str, value: &str) {
    v.pattern(member, value, NAMESPACE_ID_PATTERN);
}

/// A device's `statusDetails` map, reported the way Coral reports maps: one clause for all bad
/// keys, one for all bad values, each listing the whole constraint set of the shape.
// Choice: values are capped at 1024 characters (model history and docs; the 2019 limits table said 128) (spec §12.12).
// Choice: at most 10 pairs, enforced on every plane (CancelJobExecution doc and 2019 limits table), as a Coral length clause on the map.
// Choice: the map is echoed as Java prints a map, `{k=v, k2=v2}`, in key order; the pair-count clause comes before key and value clauses.
pub fn status_details(v: &mut Violations, member: &str, map: &StatusDetails) {
    if map.is_empty() {
        return;
    }
    let shown = java_map(map);
    if map.len() > DETAILS_MAX_PAIRS {
        v.push(
            Some(&shown),
            member,
            &format!("Member must have length less than or equal to {DETAILS_MAX_PAIRS}"),
        );
    }
    let entry_ok = |s: &str, max: usize, pattern: &str| {
        let n = s.chars().count();
        (1..=max).contains(&n) && fully_matches(pattern, s)
    };
    if !map
        .keys()
        .all(|k| entry_ok(k, DETAILS_KEY_MAX, DETAILS_KEY_PATTERN))
    {
        v.push(
            Some(&shown),
            member,
            &format!(
                "Map keys must satisfy constraint: [Member must have length less than or equal to {DETAILS_KEY_MAX}, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {DETAILS_KEY_PATTERN}]"
            ),
        );
    }
    if !map
        .values()
        .all(|val| entry_ok(val, DETAILS_VALUE_MAX, DETAILS_VALUE_PATTERN))
    {
        v.push(
            Some(&shown),
            member,
            &format!(
                "Map value must satisfy constraint: [Member must have length less than or equal to {DETAILS_VALUE_MAX}, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {DETAILS_VALUE_PATTERN}]"
            ),
        );
    }
}

fn java_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", pairs.join(", "))
}

/// `maxResults` of the control-plane list calls: 1..250.
// Choice: an absent maxResults pages by 250 (AWS documents no default; the maximum keeps small fleets on one page).
pub fn max_results(value: Option<i64>) -> EngineResult<usize> {
    let Some(n) = value else {
        return Ok(MAX_RESULTS_DEFAULT);
    };
    let mut v = Violations::new();
    v.range_i64("maxResults", n, Some(1), Some(MAX_RESULTS_MAX));
    v.into_result()?;
    Ok(usize::try_from(n).unwrap_or(MAX_RESULTS_DEFAULT))
}

/// What a device's `stepTimeoutInMinutes` asks of the step timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepTimeout {
    /// Not given: the current step timer, if any, stays.
    Unchanged,
    /// A new step timer of this many minutes (1..10080) replaces any current one.
    Set(u32),
    /// `-1` on UpdateJobExecution: discard the current step timer.
    Clear,
}

/// `stepTimeoutInMinutes`: 1..10080, and `-1` where `allow_clear` (UpdateJobExecution only).
// Choice: an out-of-range step timeout is a Coral clause at 'stepTimeoutInMinutes' with bounds 1..10080 (the model has no range and no capture exists); -1 where it is not allowed reads as below 1.
pub fn step_timeout(value: Option<i64>, allow_clear: bool) -> EngineResult<StepTimeout> {
    match value {
        None => Ok(StepTimeout::Unchanged),
        Some(-1) if allow_clear => Ok(StepTimeout::Clear),
        Some(n) => {
            let mut v = Violations::new();
            v.range_i64(
                "stepTimeoutInMinutes",
                n,
                Some(1),
                Some(TIMEOUT_MAX_MINUTES),
            );
            v.into_result()?;
            Ok(StepTimeout::Set(small(n)))
        }
    }
}

/// Narrows a value that validation has already bounded to a u32 range.
fn small(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Records a missing required member and passes the value through.
fn required<T: Copy>(v: &mut Violations, member: &str, value: Option<T>) -> Option<T> {
    if value.is_none() {
        v.not_null(member);
    }
    value
}

/// Whether `value` has at most `digits` digits after the decimal point, allowing for binary
/// representation error (`1.1 * 10` is `11.000000000000002`).
fn within_decimals(value: f64, digits: i32) -> bool {
    let scaled = value * 10f64.powi(digits);
    (scaled - scaled.round()).abs() < 1e-6
}

// ---------------------------------------------------------------- rollout (§6.1)

/// `jobExecutionsRolloutConfig` → how fast executions are created.
// Choice: maximumPerMinute is capped at 1000 as a Coral clause (3p capture), although today's model has no maximum.
// Choice: service rules are checked in this order: missing maximumPerMinute, rateIncreaseCriteria either/only-one, baseRatePerMinute < maximumPerMinute, incrementFactor decimals.
// Choice: an incrementFactor with more than one decimal digit (1.25) is rejected rather than rounded.
// Choice: numberOfNotifiedThings / numberOfSucceededThings above 2^31−1 get a Coral range clause (AWS fails to deserialize such an int).
pub fn rollout(raw: &JobExecutionsRolloutConfig) -> EngineResult<RolloutPolicy> {
    const AT: &str = "jobExecutionsRolloutConfig";
    let mut v = Violations::new();
    if let Some(m) = raw.maximum_per_minute {
        v.range_i64(&format!("{AT}.maximumPerMinute"), m, Some(1), Some(1000));
    }
    let exponential = raw
        .exponential_rate
        .as_ref()
        .map(|e| exponential_members(&mut v, e));
    v.into_result()?;

    let Some(maximum) = raw.maximum_per_minute else {
        let message = if raw.exponential_rate.is_some() {
            ROLLOUT_EXPONENTIAL_NEEDS_MAXIMUM
        } else {
            ROLLOUT_EMPTY
        };
        return Err(EngineError::invalid(message));
    };
    let exponential = match exponential.flatten() {
        None => None,
        Some((base, factor, criteria)) => {
            let criterion = match (
                criteria.number_of_notified_things,
                criteria.number_of_succeeded_things,
            ) {
                (Some(n), None) => RateCriterion::Notified(small(n)),
                (None, Some(n)) => RateCriterion::Succeeded(small(n)),
                (None, None) => return Err(EngineError::invalid(ROLLOUT_CRITERIA_NEITHER)),
                (Some(_), Some(_)) => return Err(EngineError::invalid(ROLLOUT_CRITERIA_BOTH)),
            };
            if base >= maximum {
                return Err(EngineError::invalid(ROLLOUT_BASE_NOT_BELOW_MAXIMUM));
            }
            if !within_decimals(factor, 1) {
                return Err(EngineError::invalid(ROLLOUT_FACTOR_DECIMALS));
            }
            Some(ExponentialPolicy {
                base_per_minute: small(base),
                increment_factor: factor,
                criterion,
            })
        }
    };
    Ok(RolloutPolicy {
        maximum_per_minute: small(maximum),
        exponential,
    })
}

/// Coral checks of `exponentialRate` (all three members required); the members when all are there.
fn exponential_members<'a>(
    v: &mut Violations,
    e: &'a ExponentialRolloutRate,
) -> Option<(i64, f64, &'a RateIncreaseCriteria)> {
    const AT: &str = "jobExecutionsRolloutConfig.exponentialRate";
    let base_at = format!("{AT}.baseRatePerMinute");
    let base = required(v, &base_at, e.base_rate_per_minute);
    if let Some(b) = base {
        v.range_i64(&base_at, b, Some(1), Some(1000));
    }
    let factor_at = format!("{AT}.incrementFactor");
    let factor = required(v, &factor_at, e.increment_factor);
    if let Some(f) = factor {
        v.range_f64(&factor_at, f, Some(1.1), Some(5.0));
    }
    let criteria_at = format!("{AT}.rateIncreaseCriteria");
    let criteria = e.rate_increase_criteria.as_ref();
    match criteria {
        None => v.not_null(&criteria_at),
        Some(c) => {
            if let Some(n) = c.number_of_notified_things {
                let at = format!("{criteria_at}.numberOfNotifiedThings");
                v.range_i64(&at, n, Some(1), Some(JAVA_INT_MAX));
            }
            if let Some(n) = c.number_of_succeeded_things {
                let at = format!("{criteria_at}.numberOfSucceededThings");
                v.range_i64(&at, n, Some(1), Some(JAVA_INT_MAX));
            }
        }
    }
    Some((base?, factor?, criteria?))
}

// ---------------------------------------------------------------- abort (§6.2)

const ABORT_FAILURE_TYPES: &[&str] = &["ALL", "TIMED_OUT", "FAILED", "REJECTED"];

/// `abortConfig` → the abort rules, in the order they are checked.
// Choice: criteriaList is required (model), so `abortConfig: {}` is a not-null clause.
// Choice: thresholdPercentage has no lower bound (the model has none); more than two decimal digits is rejected rather than rounded.
// Choice: several criteria for the same failure type are allowed and checked in list order.
pub fn abort(raw: &AbortConfig) -> EngineResult<Vec<AbortRule>> {
    const AT: &str = "abortConfig.criteriaList";
    let mut v = Violations::new();
    let list: &[AbortCriteria] = match &raw.criteria_list {
        None => {
            v.not_null(AT);
            &[]
        }
        Some(list) => {
            v.list_length(AT, list.len(), 1, None);
            list
        }
    };
    let mut rules = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let at = |member: &str| format!("{AT}.{}.member.{member}", i + 1);
        let failure_type = required(&mut v, &at("failureType"), c.failure_type.as_deref());
        let failure_type = failure_type.and_then(|s| {
            v.enum_set(&at("failureType"), s, ABORT_FAILURE_TYPES);
            FailureType::parse(s)
        });
        if let Some(action) = required(&mut v, &at("action"), c.action.as_deref()) {
            v.enum_set(&at("action"), action, &["CANCEL"]);
        }
        let threshold = required(&mut v, &at("thresholdPercentage"), c.threshold_percentage);
        if let Some(t) = threshold {
            v.range_f64(&at("thresholdPercentage"), t, None, Some(100.0));
        }
        let min_executed = required(
            &mut v,
            &at("minNumberOfExecutedThings"),
            c.min_number_of_executed_things,
        );
        if let Some(m) = min_executed {
            v.range_i64(
                &at("minNumberOfExecutedThings"),
                m,
                Some(1),
                Some(JAVA_INT_MAX),
            );
        }
        if let (Some(failure_type), Some(threshold_percentage), Some(min)) =
            (failure_type, threshold, min_executed)
        {
            rules.push(AbortRule {
                failure_type,
                threshold_percentage,
                min_executed: small(min),
            });
        }
    }
    v.into_result()?;
    if rules
        .iter()
        .any(|r| !within_decimals(r.threshold_percentage, 2))
    {
        return Err(EngineError::invalid(ABORT_THRESHOLD_DECIMALS));
    }
    Ok(rules)
}

// ---------------------------------------------------------------- retry (§6.3, §2.4)

const RETRY_FAILURE_TYPES: &[&str] = &["ALL", "TIMED_OUT", "FAILED"];

/// `jobExecutionsRetryConfig` on CreateJob / CreateJobTemplate → retry budgets.
// Choice: the enum set is printed [ALL, TIMED_OUT, FAILED], the captured abort order without REJECTED.
// Choice: the same failure type twice is rejected with our own sentence ('ALL must be used by itself' already covers ALL twice).
// Choice: FAILED + TIMED_OUT retries above 10 in total are rejected (docs: at most 10 per device for both together).
pub fn retry(raw: &JobExecutionsRetryConfig) -> EngineResult<RetryPolicy> {
    let criteria = retry_criteria(raw)?;
    let total: u32 = criteria.iter().map(|&(_, n)| n).sum();
    if i64::from(total) > RETRIES_MAX {
        return Err(EngineError::invalid(RETRY_TOTAL_TOO_HIGH));
    }
    Ok(policy_of(&criteria))
}

/// `jobExecutionsRetryConfig` on UpdateJob: only lowering to 0 the failure types the job already has.
// Choice: the given failure types must be exactly the existing ones (a subset is refused with the FailureTypes message).
// Choice: rules are checked in this order: Coral, ALL alone, no existing config, failure types, non-zero retries.
pub fn retry_update(
    existing: &RetryPolicy,
    raw: &JobExecutionsRetryConfig,
) -> EngineResult<RetryPolicy> {
    let criteria = retry_criteria(raw)?;
    if existing.is_empty() {
        return Err(EngineError::invalid(RETRY_UPDATE_NO_CONFIG));
    }
    let updated = policy_of(&criteria);
    let same_types = updated.failed.is_some() == existing.failed.is_some()
        && updated.timed_out.is_some() == existing.timed_out.is_some()
        && updated.all.is_some() == existing.all.is_some();
    if !same_types {
        return Err(EngineError::invalid(RETRY_UPDATE_TYPES_DIFFER));
    }
    if criteria.iter().any(|&(_, n)| n != 0) {
        return Err(EngineError::invalid(RETRY_UPDATE_NONZERO));
    }
    Ok(updated)
}

/// The checks create and update share: Coral, then ALL alone, then no duplicate type.
fn retry_criteria(raw: &JobExecutionsRetryConfig) -> EngineResult<Vec<(FailureType, u32)>> {
    const AT: &str = "jobExecutionsRetryConfig.criteriaList";
    let mut v = Violations::new();
    let list: &[RetryCriteria] = match &raw.criteria_list {
        None => {
            v.not_null(AT);
            &[]
        }
        Some(list) => {
            v.list_length(AT, list.len(), 1, Some(2));
            list
        }
    };
    let mut criteria = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let at = |member: &str| format!("{AT}.{}.member.{member}", i + 1);
        let failure_type = required(&mut v, &at("failureType"), c.failure_type.as_deref());
        let failure_type = failure_type.and_then(|s| {
            v.enum_set(&at("failureType"), s, RETRY_FAILURE_TYPES);
            FailureType::parse(s).filter(|&t| t != FailureType::Rejected)
        });
        let retries = required(&mut v, &at("numberOfRetries"), c.number_of_retries);
        if let Some(n) = retries {
            v.range_i64(&at("numberOfRetries"), n, Some(0), Some(RETRIES_MAX));
        }
        if let (Some(t), Some(n)) = (failure_type, retries) {
            criteria.push((t, small(n)));
        }
    }
    v.into_result()?;
    if criteria.len() > 1 && criteria.iter().any(|&(t, _)| t == FailureType::All) {
        return Err(EngineError::invalid(RETRY_ALL_NOT_ALONE));
    }
    if let [(a, _), (b, _)] = criteria.as_slice()
        && a == b
    {
        return Err(EngineError::invalid(RETRY_DUPLICATE_TYPE));
    }
    Ok(criteria)
}

fn policy_of(criteria: &[(FailureType, u32)]) -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    for &(t, n) in criteria {
        match t {
            FailureType::Failed => policy.failed = Some(n),
            FailureType::TimedOut => policy.timed_out = Some(n),
            FailureType::All => policy.all = Some(n),
            // Validation refuses REJECTED before a policy is built.
            FailureType::Rejected => {}
        }
    }
    policy
}

// ---------------------------------------------------------------- timeout (§6.4)

/// `timeoutConfig` → the in-progress timer in minutes (1..10080).
// Choice: `timeoutConfig: {}` is refused on CreateJob as well as UpdateJob (the capture is from UpdateJob), so Ok(None) is never returned.
pub fn timeout(raw: &TimeoutConfig) -> EngineResult<Option<u32>> {
    match raw.in_progress_timeout_in_minutes {
        Some(n) if (1..=TIMEOUT_MAX_MINUTES).contains(&n) => Ok(Some(small(n))),
        Some(n) => Err(EngineError::invalid(format!(
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be {n}."
        ))),
        None => Err(EngineError::invalid(
            "Provide valid timeout value, inProgressTimeoutInMinutes cannot be null.",
        )),
    }
}

// ---------------------------------------------------------------- presigned URLs (§2.3)

/// `presignedUrlConfig`: `roleArn` 20..2048, `expiresInSec` 60..3600 (default 3600).
// Choice: roleArn is optional, as in the model; the emulator signs nothing with it.
pub fn presigned(raw: &PresignedUrlConfig) -> EngineResult<PresignedPolicy> {
    let mut v = Violations::new();
    if let Some(arn) = &raw.role_arn {
        v.length("presignedUrlConfig.roleArn", arn, 20, Some(2048));
    }
    if let Some(secs) = raw.expires_in_sec {
        v.range_i64(
            "presignedUrlConfig.expiresInSec",
            secs,
            Some(60),
            Some(3600),
        );
    }
    v.into_result()?;
    Ok(match raw.expires_in_sec {
        Some(secs) => PresignedPolicy {
            expires_in_sec: u64::try_from(secs).unwrap_or(3600),
        },
        None => PresignedPolicy::default(),
    })
}

// ---------------------------------------------------------------- maintenance windows and scheduling (§6.5)

/// Top-level `maintenanceWindows` (CreateJobTemplate): cron 1..256 that parses, duration 1..1430.
// Choice: an unparseable cron is refused after all Coral checks, with our own sentence naming the member and the parser's reason.
pub fn maintenance_windows(raw: &[MaintenanceWindow]) -> EngineResult<Vec<WindowPolicy>> {
    let mut v = Violations::new();
    let members = window_members(&mut v, "maintenanceWindows", raw);
    v.into_result()?;
    parse_windows(members)
}

/// A window that passed its Coral checks: member path, cron text, duration.
type WindowMembers<'a> = (String, &'a str, u32);

fn window_members<'a>(
    v: &mut Violations,
    at: &str,
    raw: &'a [MaintenanceWindow],
) -> Vec<WindowMembers<'a>> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, w) in raw.iter().enumerate() {
        let start_at = format!("{at}.{}.member.startTime", i + 1);
        let start = required(v, &start_at, w.start_time.as_deref());
        if let Some(s) = start {
            v.length(&start_at, s, 1, Some(CRON_MAX));
        }
        let duration_at = format!("{at}.{}.member.durationInMinutes", i + 1);
        let duration = required(v, &duration_at, w.duration_in_minutes);
        if let Some(d) = duration {
            v.range_i64(&duration_at, d, Some(1), Some(WINDOW_DURATION_MAX));
        }
        if let (Some(s), Some(d)) = (start, duration) {
            out.push((start_at, s, small(d)));
        }
    }
    out
}

fn parse_windows(members: Vec<WindowMembers<'_>>) -> EngineResult<Vec<WindowPolicy>> {
    members
        .into_iter()
        .map(|(at, expr, duration_minutes)| {
            MaintenanceCron::parse(expr)
                .map(|cron| WindowPolicy {
                    cron,
                    duration_minutes,
                })
                .map_err(|e| {
                    EngineError::invalid(format!(
                        "The cron expression '{expr}' at '{at}' is invalid: {e}"
                    ))
                })
        })
        .collect()
}

/// `schedulingConfig` → absolute start/end on the emulator clock, end behaviour, windows.
// Choice: 1 year = 365 days and 2 years = 730 days, both bounds inclusive; "now + 30 minutes" is allowed exactly.
// Choice: without a startTime, only endTime's own bounds apply (the job starts now, so end − start is end − now).
// Choice: rules are checked in this order: Coral, windows with SNAPSHOT, unparseable times, startTime bounds, endTime bounds, end − start.
// Choice: an empty maintenanceWindows list is not "using" windows, so SNAPSHOT jobs may send `[]`.
// Choice: endBehavior without endTime is accepted and kept (it has no effect).
pub fn scheduling(
    raw: &SchedulingConfig,
    now: Timestamp,
    selection: TargetSelection,
) -> EngineResult<SchedulePolicy> {
    const AT: &str = "schedulingConfig";
    let mut v = Violations::new();
    if let Some(s) = &raw.start_time {
        v.length(&format!("{AT}.startTime"), s, 1, Some(DATE_TIME_MAX));
    }
    if let Some(s) = &raw.end_time {
        v.length(&format!("{AT}.endTime"), s, 1, Some(DATE_TIME_MAX));
    }
    if let Some(b) = &raw.end_behavior {
        v.enum_set(
            &format!("{AT}.endBehavior"),
            b,
            &["STOP_ROLLOUT", "CANCEL", "FORCE_CANCEL"],
        );
    }
    let windows = raw.maintenance_windows.as_deref().unwrap_or_default();
    let members = window_members(&mut v, &format!("{AT}.maintenanceWindows"), windows);
    v.into_result()?;

    if !windows.is_empty() && selection == TargetSelection::Snapshot {
        return Err(EngineError::invalid(WINDOWS_NEED_CONTINUOUS));
    }
    let start = raw
        .start_time
        .as_deref()
        .map(|s| date_time("startTime", s))
        .transpose()?;
    let end = raw
        .end_time
        .as_deref()
        .map(|s| date_time("endTime", s))
        .transpose()?;
    let earliest = now.plus_millis(SCHEDULE_MIN_LEAD_MS);
    if let Some(start) = start
        && (start < earliest || start > now.plus_millis(SCHEDULE_START_MAX_MS))
    {
        return Err(EngineError::invalid(SCHEDULE_START_OUT_OF_RANGE));
    }
    if let Some(end) = end {
        if end < earliest || end > now.plus_millis(SCHEDULE_END_MAX_MS) {
            return Err(EngineError::invalid(SCHEDULE_END_OUT_OF_RANGE));
        }
        if let Some(start) = start {
            let span = end.millis().saturating_sub(start.millis());
            if !(SCHEDULE_MIN_LEAD_MS..=SCHEDULE_END_MAX_MS).contains(&span) {
                return Err(EngineError::invalid(SCHEDULE_SPAN_OUT_OF_RANGE));
            }
        }
    }
    Ok(SchedulePolicy {
        start,
        end,
        end_behavior: raw.end_behavior.as_deref().and_then(EndBehavior::parse),
        windows: parse_windows(members)?,
    })
}

fn date_time(member: &str, value: &str) -> EngineResult<Timestamp> {
    parse_date_time(value).map_err(|_| {
        EngineError::invalid(format!(
            "The {member} '{value}' in schedulingConfig is not a valid date-time; use YYYY-MM-DDTHH:MM (UTC)."
        ))
    })
}

// ---------------------------------------------------------------- tags

/// `tags` on CreateJob / CreateJobTemplate / CreateThingGroup: `Key` 1..128, `Value` 0..256.
pub fn tags(v: &mut Violations, tags: &[Tag]) {
    for (i, tag) in tags.iter().enumerate() {
        v.length(
            &format!("tags.{}.member.Key", i + 1),
            &tag.key,
            1,
            Some(TAG_KEY_MAX),
        );
        if let Some(value) = &tag.value {
            v.length(
                &format!("tags.{}.member.Value", i + 1),
                value,
                0,
                Some(TAG_VALUE_MAX),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cron::format_date_time;

    /// A table row: the input, and the value or error message it must give.
    type Row<I, T> = (I, Outcome<T>);

    type Outcome<T> = Result<T, String>;

    /// (min, max) of a double range.
    type Bounds = (Option<f64>, Option<f64>);

    /// (start, end) of a schedule, in minutes after `NOW`.
    type Minutes = (Option<i64>, Option<i64>);

    /// `Ok(value)`, or the message of an `InvalidRequest` error.
    fn outcome<T>(r: EngineResult<T>) -> Result<T, String> {
        r.map_err(|e| {
            assert_eq!(e.kind, ErrorKind::InvalidRequest, "{}", e.message);
            e.message
        })
    }

    fn clause(value: &str, member: &str, constraint: &str) -> String {
        format!("Value '{value}' at '{member}' failed to satisfy constraint: {constraint}")
    }

    fn null(member: &str) -> String {
        format!("Value null at '{member}' failed to satisfy constraint: Member must not be null")
    }

    fn one(clause: String) -> String {
        format!("1 validation error detected: {clause}")
    }

    fn many(clauses: &[String]) -> String {
        format!(
            "{} validation errors detected: {}",
            clauses.len(),
            clauses.join("; ")
        )
    }

    fn ge(n: impl std::fmt::Display) -> String {
        format!("Member must have value greater than or equal to {n}")
    }

    fn le(n: impl std::fmt::Display) -> String {
        format!("Member must have value less than or equal to {n}")
    }

    fn len_ge(n: usize) -> String {
        format!("Member must have length greater than or equal to {n}")
    }

    fn len_le(n: usize) -> String {
        format!("Member must have length less than or equal to {n}")
    }

    fn pat(p: &str) -> String {
        format!("Member must satisfy regular expression pattern: {p}")
    }

    /// Runs a member checker over (value, expected) rows.
    fn member_rows(
        check: fn(&mut Violations, &str, &str),
        member: &str,
        rows: Vec<(String, Result<(), String>)>,
    ) {
        for (value, expected) in rows {
            let mut v = Violations::new();
            check(&mut v, member, &value);
            let shown: String = value.chars().take(40).collect();
            assert_eq!(outcome(v.into_result()), expected, "{member} = {shown:?}");
        }
    }

    // ------------------------------------------------------------ Violations

    #[test]
    fn no_violation_is_ok_and_one_is_reported_in_the_singular() {
        let v = Violations::new();
        assert!(v.is_empty());
        assert_eq!(outcome(v.into_result()), Ok(()));

        let mut v = Violations::new();
        v.not_null("status");
        assert!(!v.is_empty());
        assert_eq!(
            outcome(v.into_result()),
            Err(
                "1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null"
                    .to_string()
            )
        );
    }

    #[test]
    fn several_violations_are_counted_and_joined_with_semicolons() {
        let mut v = Violations::new();
        v.enum_set("targetSelection", "SOMETIMES", &["CONTINUOUS", "SNAPSHOT"]);
        v.range_i64("maxResults", 0, Some(1), Some(250));
        assert_eq!(
            outcome(v.into_result()),
            Err("2 validation errors detected: Value 'SOMETIMES' at 'targetSelection' failed to satisfy constraint: Member must satisfy enum value set: [CONTINUOUS, SNAPSHOT]; Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1".to_string())
        );
    }

    #[test]
    fn doubles_are_printed_the_way_java_prints_them() {
        let rows = [
            (101.0, "101.0"),
            (1.25, "1.25"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (100.5, "100.5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (9_999_999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (1.5e-5, "1.5E-5"),
            (-2.5e10, "-2.5E10"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, expected) in rows {
            assert_eq!(java_double(value), expected, "{value:?}");
        }
    }

    #[test]
    fn double_ranges_print_the_value_as_java_and_the_bounds_as_the_model() {
        let m = "x";
        let rows: Vec<(f64, Bounds, Outcome<()>)> = vec![
            (
                101.0,
                (None, Some(100.0)),
                Err(one(clause("101.0", m, &le(100)))),
            ),
            (100.0, (None, Some(100.0)), Ok(())),
            (-5.0, (None, Some(100.0)), Ok(())),
            (
                1.0,
                (Some(1.1), Some(5.0)),
                Err(one(clause("1.0", m, &ge(1.1)))),
            ),
            (
                f64::NAN,
                (Some(1.1), Some(5.0)),
                Err(one(clause("NaN", m, &ge(1.1)))),
            ),
            (
                f64::NAN,
                (None, Some(100.0)),
                Err(one(clause("NaN", m, &le(100)))),
            ),
            (f64::NAN, (None, None), Ok(())),
            (
                f64::INFINITY,
                (Some(1.1), Some(5.0)),
                Err(one(clause("Infinity", m, &le(5)))),
            ),
            (
                f64::NEG_INFINITY,
                (Some(1.1), None),
                Err(one(clause("-Infinity", m, &ge(1.1)))),
            ),
        ];
        for (value, (min, max), expected) in rows {
            let mut v = Violations::new();
            v.range_f64(m, value, min, max);
            assert_eq!(outcome(v.into_result()), expected, "{value:?}");
        }
    }

    #[test]
    fn list_lengths_echo_the_list_size() {
        let rows = [
            (0, Err(one(clause("[]", "l", &len_ge(1))))),
            (1, Ok(())),
            (2, Ok(())),
            (3, Err(one(clause("[3 items]", "l", &len_le(2))))),
        ];
        for (len, expected) in rows {
            let mut v = Violations::new();
            v.list_length("l", len, 1, Some(2));
            assert_eq!(outcome(v.into_result()), expected, "{len}");
        }
    }

    // ------------------------------------------------------------ scalar members

    #[test]
    fn job_ids_are_1_to_64_of_letters_digits_dash_and_underscore() {
        let m = "jobId";
        let p = pat(JOB_ID_PATTERN);
        let huge = "j".repeat(1 << 20);
        member_rows(
            job_id,
            m,
            vec![
                ("a".into(), Ok(())),
                ("Job_1-b".into(), Ok(())),
                ("j".repeat(64), Ok(())),
                (
                    "j".repeat(65),
                    Err(one(clause(&"j".repeat(65), m, &len_le(64)))),
                ),
                (
                    "job.with.dots".into(),
                    Err(one(clause("job.with.dots", m, &p))),
                ),
                ("job:colon".into(), Err(one(clause("job:colon", m, &p)))),
                ("$next".into(), Err(one(clause("$next", m, &p)))),
                ("jöb".into(), Err(one(clause("jöb", m, &p)))),
                (
                    String::new(),
                    Err(many(&[clause("", m, &len_ge(1)), clause("", m, &p)])),
                ),
                (huge.clone(), Err(one(clause(&huge, m, &len_le(64))))),
            ],
        );
    }

    #[test]
    fn a_template_id_with_a_dot_gets_the_captured_message() {
        let mut v = Violations::new();
        job_id(&mut v, "jobTemplateId", "has.dot");
        assert_eq!(
            outcome(v.into_result()),
            Err("1 validation error detected: Value 'has.dot' at 'jobTemplateId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+".to_string())
        );
    }

    #[test]
    fn thing_names_are_1_to_128_and_may_contain_colons() {
        let m = "thingName";
        let p = pat(THING_NAME_PATTERN);
        member_rows(
            thing_name,
            m,
            vec![
                ("thing:1".into(), Ok(())),
                ("jobs".into(), Ok(())),
                ("t".repeat(128), Ok(())),
                (
                    "t".repeat(129),
                    Err(one(clause(&"t".repeat(129), m, &len_le(128)))),
                ),
                ("a b".into(), Err(one(clause("a b", m, &p)))),
                ("a/b".into(), Err(one(clause("a/b", m, &p)))),
            ],
        );
    }

    #[test]
    fn descriptions_are_up_to_2028_characters_without_control_characters() {
        let m = "description";
        let p = pat(DESCRIPTION_PATTERN);
        member_rows(
            description,
            m,
            vec![
                ("Update firmware to 1.2".into(), Ok(())),
                ("café ✓ 日本".into(), Ok(())),
                ("d".repeat(2028), Ok(())),
                ("é".repeat(2028), Ok(())),
                (
                    "d".repeat(2029),
                    Err(one(clause(&"d".repeat(2029), m, &len_le(2028)))),
                ),
                (String::new(), Err(one(clause("", m, &p)))),
                ("bell\u{7}".into(), Err(one(clause("bell\u{7}", m, &p)))),
                ("two\nlines".into(), Err(one(clause("two\nlines", m, &p)))),
                ("tab\t".into(), Err(one(clause("tab\t", m, &p)))),
                (
                    "zero\u{200b}width".into(),
                    Err(one(clause("zero\u{200b}width", m, &p))),
                ),
            ],
        );
    }

    #[test]
    fn reason_codes_are_upper_case_ascii_digits_and_underscores() {
        let m = "reasonCode";
        let p = pat(REASON_CODE_PATTERN);
        member_rows(
            reason_code,
            m,
            vec![
                ("SUPERSEDED_2".into(), Ok(())),
                ("R".repeat(128), Ok(())),
                (
                    "R".repeat(129),
                    Err(one(clause(&"R".repeat(129), m, &len_le(128)))),
                ),
                ("lowercase".into(), Err(one(clause("lowercase", m, &p)))),
                ("É".into(), Err(one(clause("É", m, &p)))),
                ("٣".into(), Err(one(clause("٣", m, &p)))),
                ("A-B".into(), Err(one(clause("A-B", m, &p)))),
            ],
        );
    }

    #[test]
    fn namespace_ids_follow_the_job_id_alphabet() {
        let m = "namespaceId";
        let p = pat(NAMESPACE_ID_PATTERN);
        member_rows(
            namespace_id,
            m,
            vec![
                ("aws-gg-deployment".into(), Ok(())),
                ("n".repeat(1000), Ok(())),
                ("bad ns".into(), Err(one(clause("bad ns", m, &p)))),
                (String::new(), Err(one(clause("", m, &p)))),
            ],
        );
    }

    #[test]
    fn status_details_report_bad_keys_and_bad_values_once_each() {
        let m = "statusDetails";
        let keys = format!(
            "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {DETAILS_KEY_PATTERN}]"
        );
        let values = format!(
            "Map value must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: {DETAILS_VALUE_PATTERN}]"
        );
        let map = |pairs: &[(&str, &str)]| -> StatusDetails {
            pairs
                .iter()
                .map(|&(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let n_pairs = |n: usize| -> StatusDetails {
            (0..n)
                .map(|i| (format!("k{i:02}"), "v".to_string()))
                .collect()
        };
        let long_value = "v".repeat(1025);
        let long_key = "k".repeat(129);
        let eleven = n_pairs(11);
        let rows: Vec<(StatusDetails, Result<(), String>)> = vec![
            (map(&[]), Ok(())),
            (
                map(&[("progress", "50%"), ("step:1", "download ✓")]),
                Ok(()),
            ),
            (map(&[("k", "")]), Err(one(clause("{k=}", m, &values)))),
            (
                map(&[("bad key", "v")]),
                Err(one(clause("{bad key=v}", m, &keys))),
            ),
            (map(&[("", "v")]), Err(one(clause("{=v}", m, &keys)))),
            (
                map(&[("k", "a\nb")]),
                Err(one(clause("{k=a\nb}", m, &values))),
            ),
            (n_pairs(10), Ok(())),
            (
                eleven.clone(),
                Err(one(clause(&java_map(&eleven), m, &len_le(10)))),
            ),
            (map(&[("k", &"v".repeat(1024))]), Ok(())),
            (
                map(&[("k", &long_value)]),
                Err(one(clause(&format!("{{k={long_value}}}"), m, &values))),
            ),
            (map(&[(&"k".repeat(128), "v")]), Ok(())),
            (
                map(&[(&long_key, "v")]),
                Err(one(clause(&format!("{{{long_key}=v}}"), m, &keys))),
            ),
            (
                map(&[("bad key", ""), ("ok", "fine")]),
                Err(many(&[
                    clause("{bad key=, ok=fine}", m, &keys),
                    clause("{bad key=, ok=fine}", m, &values),
                ])),
            ),
        ];
        for (details, expected) in rows {
            let mut v = Violations::new();
            status_details(&mut v, m, &details);
            assert_eq!(outcome(v.into_result()), expected, "{details:?}");
        }
    }

    #[test]
    fn max_results_is_1_to_250_and_defaults_to_250() {
        let m = "maxResults";
        let rows = [
            (None, Ok(250)),
            (Some(1), Ok(1)),
            (Some(100), Ok(100)),
            (Some(250), Ok(250)),
            (Some(0), Err(one(clause("0", m, &ge(1))))),
            (Some(251), Err(one(clause("251", m, &le(250))))),
            (Some(-1), Err(one(clause("-1", m, &ge(1))))),
            (
                Some(i64::MIN),
                Err(one(clause(&i64::MIN.to_string(), m, &ge(1)))),
            ),
            (
                Some(i64::MAX),
                Err(one(clause(&i64::MAX.to_string(), m, &le(250)))),
            ),
        ];
        for (value, expected) in rows {
            assert_eq!(outcome(max_results(value)), expected, "{value:?}");
        }
    }

    #[test]
    fn step_timeouts_are_1_to_10080_and_minus_one_clears_only_on_update() {
        let m = "stepTimeoutInMinutes";
        let rows = [
            (None, false, Ok(StepTimeout::Unchanged)),
            (None, true, Ok(StepTimeout::Unchanged)),
            (Some(1), false, Ok(StepTimeout::Set(1))),
            (Some(10080), true, Ok(StepTimeout::Set(10080))),
            (Some(0), true, Err(one(clause("0", m, &ge(1))))),
            (Some(10081), true, Err(one(clause("10081", m, &le(10080))))),
            (Some(-1), true, Ok(StepTimeout::Clear)),
            (Some(-1), false, Err(one(clause("-1", m, &ge(1))))),
            (Some(-2), true, Err(one(clause("-2", m, &ge(1))))),
            (
                Some(i64::MIN),
                true,
                Err(one(clause(&i64::MIN.to_string(), m, &ge(1)))),
            ),
            (
                Some(i64::MAX),
                true,
                Err(one(clause(&i64::MAX.to_string(), m, &le(10080)))),
            ),
        ];
        for (value, allow_clear, expected) in rows {
            assert_eq!(
                outcome(step_timeout(value, allow_clear)),
                expected,
                "{value:?} allow_clear={allow_clear}"
            );
        }
    }

    // ------------------------------------------------------------ rollout

    fn rollout_of(
        maximum: Option<i64>,
        exponential: Option<ExponentialRolloutRate>,
    ) -> JobExecutionsRolloutConfig {
        JobExecutionsRolloutConfig {
            maximum_per_minute: maximum,
            exponential_rate: exponential,
        }
    }

    fn exponential(
        base: i64,
        factor: f64,
        notified: Option<i64>,
        succeeded: Option<i64>,
    ) -> Option<ExponentialRolloutRate> {
        Some(ExponentialRolloutRate {
            base_rate_per_minute: Some(base),
            increment_factor: Some(factor),
            rate_increase_criteria: Some(RateIncreaseCriteria {
                number_of_notified_things: notified,
                number_of_succeeded_things: succeeded,
            }),
        })
    }

    #[test]
    fn rollout_rules_answer_with_the_services_sentences() {
        let max_at = "jobExecutionsRolloutConfig.maximumPerMinute";
        let exp_at = "jobExecutionsRolloutConfig.exponentialRate";
        let factor_at = format!("{exp_at}.incrementFactor");
        let constant = |m: u32| {
            Ok(RolloutPolicy {
                maximum_per_minute: m,
                exponential: None,
            })
        };
        let rows: Vec<(JobExecutionsRolloutConfig, Result<RolloutPolicy, String>)> = vec![
            (rollout_of(None, None), Err(ROLLOUT_EMPTY.into())),
            (rollout_of(Some(1), None), constant(1)),
            (rollout_of(Some(1000), None), constant(1000)),
            (
                rollout_of(Some(0), None),
                Err(one(clause("0", max_at, &ge(1)))),
            ),
            (
                rollout_of(Some(1001), None),
                Err(one(clause("1001", max_at, &le(1000)))),
            ),
            (
                rollout_of(Some(i64::MIN), None),
                Err(one(clause(&i64::MIN.to_string(), max_at, &ge(1)))),
            ),
            (
                rollout_of(None, exponential(10, 2.0, Some(5), None)),
                Err(ROLLOUT_EXPONENTIAL_NEEDS_MAXIMUM.into()),
            ),
            (
                rollout_of(Some(100), exponential(10, 2.0, Some(50), None)),
                Ok(RolloutPolicy {
                    maximum_per_minute: 100,
                    exponential: Some(ExponentialPolicy {
                        base_per_minute: 10,
                        increment_factor: 2.0,
                        criterion: RateCriterion::Notified(50),
                    }),
                }),
            ),
            (
                rollout_of(Some(100), exponential(99, 1.1, None, Some(1))),
                Ok(RolloutPolicy {
                    maximum_per_minute: 100,
                    exponential: Some(ExponentialPolicy {
                        base_per_minute: 99,
                        increment_factor: 1.1,
                        criterion: RateCriterion::Succeeded(1),
                    }),
                }),
            ),
            (
                rollout_of(Some(10), exponential(10, 2.0, Some(5), None)),
                Err(ROLLOUT_BASE_NOT_BELOW_MAXIMUM.into()),
            ),
            (
                rollout_of(Some(10), exponential(50, 2.0, Some(5), None)),
                Err(ROLLOUT_BASE_NOT_BELOW_MAXIMUM.into()),
            ),
            (
                rollout_of(Some(100), exponential(10, 2.0, None, None)),
                Err(ROLLOUT_CRITERIA_NEITHER.into()),
            ),
            (
                rollout_of(Some(100), exponential(10, 2.0, Some(5), Some(5))),
                Err(ROLLOUT_CRITERIA_BOTH.into()),
            ),
            (
                rollout_of(Some(100), exponential(10, 1.0, Some(5), None)),
                Err(one(clause("1.0", &factor_at, &ge(1.1)))),
            ),
            (
                rollout_of(Some(100), exponential(10, 5.0, Some(5), None)),
                Ok(RolloutPolicy {
                    maximum_per_minute: 100,
                    exponential: Some(ExponentialPolicy {
                        base_per_minute: 10,
                        increment_factor: 5.0,
                        criterion: RateCriterion::Notified(5),
                    }),
                }),
            ),
            (
                rollout_of(Some(100), exponential(10, 5.1, Some(5), None)),
                Err(one(clause("5.1", &factor_at, &le(5)))),
            ),
            (
                rollout_of(Some(100), exponential(10, 1.25, Some(5), None)),
                Err(ROLLOUT_FACTOR_DECIMALS.into()),
            ),
            (
                rollout_of(Some(100), exponential(10, f64::NAN, Some(5), None)),
                Err(one(clause("NaN", &factor_at, &ge(1.1)))),
            ),
            (
                rollout_of(Some(100), exponential(10, f64::INFINITY, Some(5), None)),
                Err(one(clause("Infinity", &factor_at, &le(5)))),
            ),
            (
                rollout_of(Some(100), exponential(10, f64::NEG_INFINITY, Some(5), None)),
                Err(one(clause("-Infinity", &factor_at, &ge(1.1)))),
            ),
            (
                rollout_of(Some(1000), exponential(0, 2.0, Some(0), None)),
                Err(many(&[
                    clause("0", &format!("{exp_at}.baseRatePerMinute"), &ge(1)),
                    clause(
                        "0",
                        &format!("{exp_at}.rateIncreaseCriteria.numberOfNotifiedThings"),
                        &ge(1),
                    ),
                ])),
            ),
            (
                rollout_of(Some(1000), exponential(5, 2.0, None, Some(i64::MAX))),
                Err(one(clause(
                    &i64::MAX.to_string(),
                    &format!("{exp_at}.rateIncreaseCriteria.numberOfSucceededThings"),
                    &le(i32::MAX),
                ))),
            ),
            (
                rollout_of(Some(0), Some(ExponentialRolloutRate::default())),
                Err(many(&[
                    clause("0", max_at, &ge(1)),
                    null(&format!("{exp_at}.baseRatePerMinute")),
                    null(&format!("{exp_at}.incrementFactor")),
                    null(&format!("{exp_at}.rateIncreaseCriteria")),
                ])),
            ),
        ];
        for (raw, expected) in rows {
            assert_eq!(outcome(rollout(&raw)), expected, "{raw:?}");
        }
    }

    // ------------------------------------------------------------ abort

    fn abort_item(failure_type: &str, action: &str, threshold: f64, min: i64) -> AbortCriteria {
        AbortCriteria {
            failure_type: Some(failure_type.into()),
            action: Some(action.into()),
            threshold_percentage: Some(threshold),
            min_number_of_executed_things: Some(min),
        }
    }

    #[test]
    fn abort_criteria_are_checked_member_by_member_with_one_based_paths() {
        let list = |items: Vec<AbortCriteria>| AbortConfig {
            criteria_list: Some(items),
        };
        let at = |i: usize, m: &str| format!("abortConfig.criteriaList.{i}.member.{m}");
        let rule = |failure_type, threshold_percentage, min_executed| AbortRule {
            failure_type,
            threshold_percentage,
            min_executed,
        };
        let rows: Vec<(AbortConfig, Result<Vec<AbortRule>, String>)> = vec![
            (
                AbortConfig::default(),
                Err(one(null("abortConfig.criteriaList"))),
            ),
            (
                list(vec![]),
                Err(one(clause("[]", "abortConfig.criteriaList", &len_ge(1)))),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", 50.0, 10)]),
                Ok(vec![rule(FailureType::Failed, 50.0, 10)]),
            ),
            (
                list(vec![
                    abort_item("ALL", "CANCEL", 100.0, 1),
                    abort_item("TIMED_OUT", "CANCEL", 33.33, 3),
                ]),
                Ok(vec![
                    rule(FailureType::All, 100.0, 1),
                    rule(FailureType::TimedOut, 33.33, 3),
                ]),
            ),
            (
                list(vec![abort_item("SUCCEEDED", "CANCEL", 50.0, 10)]),
                Err(one(clause(
                    "SUCCEEDED",
                    &at(1, "failureType"),
                    "Member must satisfy enum value set: [ALL, TIMED_OUT, FAILED, REJECTED]",
                ))),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", 101.0, 10)]),
                Err(one(clause(
                    "101.0",
                    &at(1, "thresholdPercentage"),
                    &le(100),
                ))),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", f64::NAN, 10)]),
                Err(one(clause("NaN", &at(1, "thresholdPercentage"), &le(100)))),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", 33.333, 10)]),
                Err(ABORT_THRESHOLD_DECIMALS.into()),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", f64::NEG_INFINITY, 10)]),
                Err(ABORT_THRESHOLD_DECIMALS.into()),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", 50.0, 0)]),
                Err(one(clause(
                    "0",
                    &at(1, "minNumberOfExecutedThings"),
                    &ge(1),
                ))),
            ),
            (
                list(vec![abort_item("FAILED", "CANCEL", 50.0, i64::MIN)]),
                Err(one(clause(
                    &i64::MIN.to_string(),
                    &at(1, "minNumberOfExecutedThings"),
                    &ge(1),
                ))),
            ),
            (
                list(vec![abort_item("FAILED", "STOP", 50.0, 1)]),
                Err(one(clause(
                    "STOP",
                    &at(1, "action"),
                    "Member must satisfy enum value set: [CANCEL]",
                ))),
            ),
            (
                list(vec![
                    abort_item("FAILED", "CANCEL", 50.0, 1),
                    AbortCriteria::default(),
                ]),
                Err(many(&[
                    null(&at(2, "failureType")),
                    null(&at(2, "action")),
                    null(&at(2, "thresholdPercentage")),
                    null(&at(2, "minNumberOfExecutedThings")),
                ])),
            ),
        ];
        for (raw, expected) in rows {
            assert_eq!(outcome(abort(&raw)), expected, "{raw:?}");
        }
    }

    // ------------------------------------------------------------ retry

    fn retry_of(items: &[(&str, i64)]) -> JobExecutionsRetryConfig {
        JobExecutionsRetryConfig {
            criteria_list: Some(
                items
                    .iter()
                    .map(|&(t, n)| RetryCriteria {
                        failure_type: Some(t.into()),
                        number_of_retries: Some(n),
                    })
                    .collect(),
            ),
        }
    }

    fn retries(failed: Option<u32>, timed_out: Option<u32>, all: Option<u32>) -> RetryPolicy {
        RetryPolicy {
            failed,
            timed_out,
            all,
        }
    }

    #[test]
    fn retry_criteria_allow_one_or_two_types_and_ten_retries_in_total() {
        let list_at = "jobExecutionsRetryConfig.criteriaList";
        let at = |i: usize, m: &str| format!("{list_at}.{i}.member.{m}");
        let rows: Vec<(JobExecutionsRetryConfig, Result<RetryPolicy, String>)> = vec![
            (JobExecutionsRetryConfig::default(), Err(one(null(list_at)))),
            (retry_of(&[]), Err(one(clause("[]", list_at, &len_ge(1))))),
            (retry_of(&[("FAILED", 2)]), Ok(retries(Some(2), None, None))),
            (retry_of(&[("ALL", 10)]), Ok(retries(None, None, Some(10)))),
            (
                retry_of(&[("FAILED", 5), ("TIMED_OUT", 5)]),
                Ok(retries(Some(5), Some(5), None)),
            ),
            (
                retry_of(&[("TIMED_OUT", 0)]),
                Ok(retries(None, Some(0), None)),
            ),
            (
                retry_of(&[("FAILED", 1), ("TIMED_OUT", 1), ("ALL", 1)]),
                Err(one(clause("[3 items]", list_at, &len_le(2)))),
            ),
            (
                retry_of(&[("REJECTED", 1)]),
                Err(one(clause(
                    "REJECTED",
                    &at(1, "failureType"),
                    "Member must satisfy enum value set: [ALL, TIMED_OUT, FAILED]",
                ))),
            ),
            (
                retry_of(&[("FAILED", 11)]),
                Err(one(clause("11", &at(1, "numberOfRetries"), &le(10)))),
            ),
            (
                retry_of(&[("FAILED", -1)]),
                Err(one(clause("-1", &at(1, "numberOfRetries"), &ge(0)))),
            ),
            (
                retry_of(&[("FAILED", 1), ("TIMED_OUT", i64::MAX)]),
                Err(one(clause(
                    &i64::MAX.to_string(),
                    &at(2, "numberOfRetries"),
                    &le(10),
                ))),
            ),
            (
                retry_of(&[("ALL", 1), ("FAILED", 1)]),
                Err(RETRY_ALL_NOT_ALONE.into()),
            ),
            (
                retry_of(&[("ALL", 1), ("ALL", 1)]),
                Err(RETRY_ALL_NOT_ALONE.into()),
            ),
            (
                retry_of(&[("FAILED", 1), ("FAILED", 2)]),
                Err(RETRY_DUPLICATE_TYPE.into()),
            ),
            (
                retry_of(&[("FAILED", 6), ("TIMED_OUT", 5)]),
                Err(RETRY_TOTAL_TOO_HIGH.into()),
            ),
            (
                JobExecutionsRetryConfig {
                    criteria_list: Some(vec![RetryCriteria::default()]),
                },
                Err(many(&[
                    null(&at(1, "failureType")),
                    null(&at(1, "numberOfRetries")),
                ])),
            ),
        ];
        for (raw, expected) in rows {
            assert_eq!(outcome(retry(&raw)), expected, "{raw:?}");
        }
    }

    #[test]
    fn updating_retries_may_only_lower_existing_types_to_zero() {
        let failed_2 = retries(Some(2), None, None);
        let both = retries(Some(2), Some(3), None);
        let rows: Vec<(
            RetryPolicy,
            JobExecutionsRetryConfig,
            Result<RetryPolicy, String>,
        )> = vec![
            (
                failed_2,
                retry_of(&[("FAILED", 0)]),
                Ok(retries(Some(0), None, None)),
            ),
            (
                failed_2,
                retry_of(&[("FAILED", 3)]),
                Err(RETRY_UPDATE_NONZERO.into()),
            ),
            (
                failed_2,
                retry_of(&[("FAILED", 1)]),
                Err(RETRY_UPDATE_NONZERO.into()),
            ),
            (
                failed_2,
                retry_of(&[("FAILED", 2)]),
                Err(RETRY_UPDATE_NONZERO.into()),
            ),
            (
                failed_2,
                retry_of(&[("TIMED_OUT", 0)]),
                Err(RETRY_UPDATE_TYPES_DIFFER.into()),
            ),
            (
                both,
                retry_of(&[("FAILED", 0)]),
                Err(RETRY_UPDATE_TYPES_DIFFER.into()),
            ),
            (
                both,
                retry_of(&[("TIMED_OUT", 0), ("FAILED", 0)]),
                Ok(retries(Some(0), Some(0), None)),
            ),
            (
                retries(None, None, Some(4)),
                retry_of(&[("ALL", 0)]),
                Ok(retries(None, None, Some(0))),
            ),
            (
                RetryPolicy::default(),
                retry_of(&[("FAILED", 0)]),
                Err(RETRY_UPDATE_NO_CONFIG.into()),
            ),
            (
                failed_2,
                retry_of(&[("ALL", 0), ("FAILED", 0)]),
                Err(RETRY_ALL_NOT_ALONE.into()),
            ),
            (
                RetryPolicy::default(),
                retry_of(&[("FAILED", 11)]),
                Err(one(clause(
                    "11",
                    "jobExecutionsRetryConfig.criteriaList.1.member.numberOfRetries",
                    &le(10),
                ))),
            ),
        ];
        for (existing, raw, expected) in rows {
            assert_eq!(
                outcome(retry_update(&existing, &raw)),
                expected,
                "{existing:?} <- {raw:?}"
            );
        }
    }

    // ------------------------------------------------------------ timeout, presigned

    #[test]
    fn in_progress_timeouts_are_1_to_10080_with_the_services_sentence() {
        let cannot = |v: &str| {
            Err(format!(
                "Provide valid timeout value, inProgressTimeoutInMinutes cannot be {v}."
            ))
        };
        let rows = [
            (None, cannot("null")),
            (Some(0), cannot("0")),
            (Some(1), Ok(Some(1))),
            (Some(10080), Ok(Some(10080))),
            (Some(10081), cannot("10081")),
            (Some(-1), cannot("-1")),
            (Some(i64::MIN), cannot("-9223372036854775808")),
            (Some(i64::MAX), cannot("9223372036854775807")),
        ];
        for (minutes, expected) in rows {
            let raw = TimeoutConfig {
                in_progress_timeout_in_minutes: minutes,
            };
            assert_eq!(outcome(timeout(&raw)), expected, "{minutes:?}");
        }
    }

    #[test]
    fn presigned_urls_live_60_to_3600_seconds_and_default_to_an_hour() {
        let arn_at = "presignedUrlConfig.roleArn";
        let secs_at = "presignedUrlConfig.expiresInSec";
        let arn = |n: usize| Some("r".repeat(n));
        let policy = |s: u64| Ok(PresignedPolicy { expires_in_sec: s });
        let rows = [
            (None, None, policy(3600)),
            (arn(20), Some(60), policy(60)),
            (arn(2048), Some(3600), policy(3600)),
            (
                arn(19),
                None,
                Err(one(clause(&"r".repeat(19), arn_at, &len_ge(20)))),
            ),
            (
                arn(2049),
                None,
                Err(one(clause(&"r".repeat(2049), arn_at, &len_le(2048)))),
            ),
            (None, Some(59), Err(one(clause("59", secs_at, &ge(60))))),
            (
                None,
                Some(3601),
                Err(one(clause("3601", secs_at, &le(3600)))),
            ),
            (
                None,
                Some(i64::MIN),
                Err(one(clause(&i64::MIN.to_string(), secs_at, &ge(60)))),
            ),
            (
                arn(0),
                Some(0),
                Err(many(&[
                    clause("", arn_at, &len_ge(20)),
                    clause("0", secs_at, &ge(60)),
                ])),
            ),
        ];
        for (role_arn, expires_in_sec, expected) in rows {
            let raw = PresignedUrlConfig {
                role_arn,
                expires_in_sec,
            };
            assert_eq!(outcome(presigned(&raw)), expected, "{raw:?}");
        }
    }

    // ------------------------------------------------------------ maintenance windows, scheduling

    const CRON: &str = "cron(0 2 ? * MON *)";

    fn window(cron: Option<&str>, duration: Option<i64>) -> MaintenanceWindow {
        MaintenanceWindow {
            start_time: cron.map(str::to_string),
            duration_in_minutes: duration,
        }
    }

    /// Durations of the windows, or the error message.
    fn durations(r: EngineResult<Vec<WindowPolicy>>) -> Result<Vec<u32>, String> {
        outcome(r).map(|ws| ws.iter().map(|w| w.duration_minutes).collect())
    }

    #[test]
    fn maintenance_windows_need_a_cron_and_1_to_1430_minutes() {
        let at = |i: usize, m: &str| format!("maintenanceWindows.{i}.member.{m}");
        let long_cron = "c".repeat(257);
        let rows: Vec<Row<Vec<MaintenanceWindow>, Vec<u32>>> = vec![
            (vec![], Ok(vec![])),
            (vec![window(Some(CRON), Some(1))], Ok(vec![1])),
            (
                vec![window(Some(CRON), Some(1430)), window(Some(CRON), Some(60))],
                Ok(vec![1430, 60]),
            ),
            (
                vec![window(Some(CRON), Some(0))],
                Err(one(clause("0", &at(1, "durationInMinutes"), &ge(1)))),
            ),
            (
                vec![window(Some(CRON), Some(1431))],
                Err(one(clause("1431", &at(1, "durationInMinutes"), &le(1430)))),
            ),
            (
                vec![window(Some(CRON), Some(i64::MIN))],
                Err(one(clause(
                    &i64::MIN.to_string(),
                    &at(1, "durationInMinutes"),
                    &ge(1),
                ))),
            ),
            (
                vec![window(Some(CRON), Some(60)), window(None, None)],
                Err(many(&[
                    null(&at(2, "startTime")),
                    null(&at(2, "durationInMinutes")),
                ])),
            ),
            (
                vec![window(Some(""), Some(60))],
                Err(one(clause("", &at(1, "startTime"), &len_ge(1)))),
            ),
            (
                vec![window(Some(&long_cron), Some(60))],
                Err(one(clause(&long_cron, &at(1, "startTime"), &len_le(256)))),
            ),
        ];
        for (raw, expected) in rows {
            assert_eq!(durations(maintenance_windows(&raw)), expected, "{raw:?}");
        }
    }

    #[test]
    fn an_unparseable_cron_names_the_member() {
        for bad in ["every tuesday", "cron(0 2 ? * MON)", "cron(", "*"] {
            let message = durations(maintenance_windows(&[window(Some(bad), Some(60))]))
                .expect_err("a bad cron is refused");
            let prefix = format!(
                "The cron expression '{bad}' at 'maintenanceWindows.1.member.startTime' is invalid: "
            );
            assert!(message.starts_with(&prefix), "{message}");
        }
    }

    /// A minute-aligned emulator time, so that formatted times read back exactly.
    const NOW: Timestamp = Timestamp::from_secs(1_700_000_040);

    fn at_minutes(minutes: i64) -> Option<String> {
        Some(format_date_time(NOW.plus_minutes(minutes)))
    }

    const HOUR: i64 = 60;
    const DAY: i64 = 24 * HOUR;

    fn schedule(start: Option<String>, end: Option<String>) -> SchedulingConfig {
        SchedulingConfig {
            start_time: start,
            end_time: end,
            ..SchedulingConfig::default()
        }
    }

    /// (start, end) in minutes after NOW, or the error message.
    fn span(r: EngineResult<SchedulePolicy>) -> Outcome<Minutes> {
        let minutes = |t: Option<Timestamp>| t.map(|t| (t.millis() - NOW.millis()) / MINUTE_MS);
        outcome(r).map(|p| (minutes(p.start), minutes(p.end)))
    }

    #[test]
    fn scheduled_times_keep_the_30_minute_1_year_and_2_year_bounds() {
        let rows: Vec<Row<SchedulingConfig, Minutes>> = vec![
            (SchedulingConfig::default(), Ok((None, None))),
            (
                schedule(at_minutes(10), None),
                Err(SCHEDULE_START_OUT_OF_RANGE.into()),
            ),
            (
                schedule(at_minutes(29), None),
                Err(SCHEDULE_START_OUT_OF_RANGE.into()),
            ),
            (schedule(at_minutes(30), None), Ok((Some(30), None))),
            (schedule(at_minutes(2 * HOUR), None), Ok((Some(120), None))),
            (
                schedule(at_minutes(365 * DAY), None),
                Ok((Some(365 * DAY), None)),
            ),
            (
                schedule(at_minutes(366 * DAY), None),
                Err(SCHEDULE_START_OUT_OF_RANGE.into()),
            ),
            (
                schedule(at_minutes(-HOUR), None),
                Err(SCHEDULE_START_OUT_OF_RANGE.into()),
            ),
            (
                schedule(None, at_minutes(10)),
                Err(SCHEDULE_END_OUT_OF_RANGE.into()),
            ),
            (schedule(None, at_minutes(30)), Ok((None, Some(30)))),
            (
                schedule(None, at_minutes(730 * DAY)),
                Ok((None, Some(730 * DAY))),
            ),
            (
                schedule(None, at_minutes(731 * DAY)),
                Err(SCHEDULE_END_OUT_OF_RANGE.into()),
            ),
            (
                schedule(at_minutes(2 * HOUR), at_minutes(HOUR)),
                Err(SCHEDULE_SPAN_OUT_OF_RANGE.into()),
            ),
            (
                schedule(at_minutes(2 * HOUR), at_minutes(2 * HOUR + 10)),
                Err(SCHEDULE_SPAN_OUT_OF_RANGE.into()),
            ),
            (
                schedule(at_minutes(2 * HOUR), at_minutes(2 * HOUR + 30)),
                Ok((Some(120), Some(150))),
            ),
            (
                schedule(at_minutes(365 * DAY), at_minutes(730 * DAY)),
                Ok((Some(365 * DAY), Some(730 * DAY))),
            ),
        ];
        for (raw, expected) in rows {
            assert_eq!(
                span(scheduling(&raw, NOW, TargetSelection::Snapshot)),
                expected,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn scheduling_members_are_validated_before_the_service_rules() {
        let windows = |ws: Vec<MaintenanceWindow>| SchedulingConfig {
            maintenance_windows: Some(ws),
            ..SchedulingConfig::default()
        };
        let behavior = |b: &str| SchedulingConfig {
            end_time: at_minutes(DAY),
            end_behavior: Some(b.into()),
            ..SchedulingConfig::default()
        };
        let windows_at =
            |i: usize, m: &str| format!("schedulingConfig.maintenanceWindows.{i}.member.{m}");
        let end_behavior_set =
            "Member must satisfy enum value set: [STOP_ROLLOUT, CANCEL, FORCE_CANCEL]";
        use TargetSelection::{Continuous, Snapshot};
        let rows: Vec<(SchedulingConfig, TargetSelection, Result<usize, String>)> = vec![
            (windows(vec![window(Some(CRON), Some(60))]), Continuous, Ok(1)),
            (
                windows(vec![window(Some(CRON), Some(60))]),
                Snapshot,
                Err(WINDOWS_NEED_CONTINUOUS.into()),
            ),
            (windows(vec![]), Snapshot, Ok(0)),
            (
                windows(vec![window(Some(CRON), Some(0))]),
                Continuous,
                Err(one(clause("0", &windows_at(1, "durationInMinutes"), &ge(1)))),
            ),
            (
                windows(vec![window(Some(CRON), Some(1431))]),
                Snapshot,
                Err(one(clause("1431", &windows_at(1, "durationInMinutes"), &le(1430)))),
            ),
            (behavior("CANCEL"), Snapshot, Ok(0)),
            (
                behavior("STOP"),
                Snapshot,
                Err(one(clause("STOP", "schedulingConfig.endBehavior", end_behavior_set))),
            ),
            (
                SchedulingConfig {
                    start_time: Some(String::new()),
                    end_time: Some("9".repeat(65)),
                    end_behavior: Some("cancel".into()),
                    maintenance_windows: Some(vec![window(None, Some(60))]),
                },
                Continuous,
                Err(many(&[
                    clause("", "schedulingConfig.startTime", &len_ge(1)),
                    clause(&"9".repeat(65), "schedulingConfig.endTime", &len_le(64)),
                    clause("cancel", "schedulingConfig.endBehavior", end_behavior_set),
                    null(&windows_at(1, "startTime")),
                ])),
            ),
            (
                schedule(Some("tomorrow".into()), None),
                Snapshot,
                Err("The startTime 'tomorrow' in schedulingConfig is not a valid date-time; use YYYY-MM-DDTHH:MM (UTC).".into()),
            ),
            (
                schedule(None, Some("2024-13-45T99:99".into())),
                Snapshot,
                Err("The endTime '2024-13-45T99:99' in schedulingConfig is not a valid date-time; use YYYY-MM-DDTHH:MM (UTC).".into()),
            ),
        ];
        for (raw, selection, expected) in rows {
            let got = outcome(scheduling(&raw, NOW, selection)).map(|p| p.windows.len());
            assert_eq!(got, expected, "{raw:?} {selection:?}");
        }
    }

    #[test]
    fn a_valid_schedule_keeps_its_end_behavior_and_windows() {
        let raw = SchedulingConfig {
            start_time: at_minutes(HOUR),
            end_time: at_minutes(DAY),
            end_behavior: Some("FORCE_CANCEL".into()),
            maintenance_windows: Some(vec![window(Some(CRON), Some(90))]),
        };
        let policy = scheduling(&raw, NOW, TargetSelection::Continuous).expect("valid schedule");
        assert_eq!(policy.start, Some(NOW.plus_minutes(HOUR)));
        assert_eq!(policy.end, Some(NOW.plus_minutes(DAY)));
        assert_eq!(policy.end_behavior, Some(EndBehavior::ForceCancel));
        assert_eq!(policy.windows.len(), 1);
        assert_eq!(policy.windows[0].duration_minutes, 90);
    }

    #[test]
    fn a_bad_cron_in_a_schedule_names_its_member() {
        let raw = SchedulingConfig {
            maintenance_windows: Some(vec![window(Some("every tuesday"), Some(60))]),
            ..SchedulingConfig::default()
        };
        let message = outcome(scheduling(&raw, NOW, TargetSelection::Continuous))
            .map(|_| ())
            .expect_err("a bad cron is refused");
        assert!(
            message.starts_with("The cron expression 'every tuesday' at 'schedulingConfig.maintenanceWindows.1.member.startTime' is invalid: "),
            "{message}"
        );
    }

    // ------------------------------------------------------------ tags, odd input

    #[test]
    fn tag_keys_are_1_to_128_and_values_0_to_256() {
        let tag = |key: String, value: Option<String>| Tag { key, value };
        let rows = [
            (tag("env".into(), Some("prod".into())), Ok(())),
            (tag("k".repeat(128), Some("v".repeat(256))), Ok(())),
            (tag("env".into(), Some(String::new())), Ok(())),
            (tag("env".into(), None), Ok(())),
            (
                tag(String::new(), None),
                Err(one(clause("", "tags.1.member.Key", &len_ge(1)))),
            ),
            (
                tag("k".repeat(129), None),
                Err(one(clause(
                    &"k".repeat(129),
                    "tags.1.member.Key",
                    &len_le(128),
                ))),
            ),
            (
                tag("env".into(), Some("v".repeat(257))),
                Err(one(clause(
                    &"v".repeat(257),
                    "tags.1.member.Value",
                    &len_le(256),
                ))),
            ),
        ];
        for (t, expected) in rows {
            let mut v = Violations::new();
            tags(&mut v, std::slice::from_ref(&t));
            assert_eq!(outcome(v.into_result()), expected, "{t:?}");
        }
        let mut v = Violations::new();
        tags(&mut v, &[tag("ok".into(), None), tag(String::new(), None)]);
        assert_eq!(
            outcome(v.into_result()),
            Err(one(clause("", "tags.2.member.Key", &len_ge(1))))
        );
    }

    #[test]
    fn extreme_input_is_refused_without_panicking() {
        let huge = "x\u{0}".repeat(1 << 19);
        let mut v = Violations::new();
        job_id(&mut v, "jobId", &huge);
        thing_name(&mut v, "thingName", &huge);
        description(&mut v, "comment", &huge);
        reason_code(&mut v, "reasonCode", &huge);
        namespace_id(&mut v, "namespaceId", &huge);
        let details: StatusDetails = [(huge.clone(), huge.clone())].into_iter().collect();
        status_details(&mut v, "statusDetails", &details);
        tags(
            &mut v,
            &[Tag {
                key: huge.clone(),
                value: Some(huge.clone()),
            }],
        );
        assert!(outcome(v.into_result()).is_err());

        for n in [i64::MIN, i64::MAX, -1, 0] {
            let cfg = JobExecutionsRolloutConfig {
                maximum_per_minute: Some(n),
                exponential_rate: exponential(n, f64::NAN, Some(n), Some(n)),
            };
            assert!(rollout(&cfg).is_err());
            let abort_cfg = AbortConfig {
                criteria_list: Some(vec![abort_item(&huge, &huge, f64::INFINITY, n)]),
            };
            assert!(abort(&abort_cfg).is_err());
            assert!(retry(&retry_of(&[(&huge, n)])).is_err());
            assert!(retry_update(&RetryPolicy::default(), &retry_of(&[("ALL", n)])).is_err());
            assert!(max_results(Some(n)).is_err() || n == 1);
            assert!(step_timeout(Some(n), true).is_err() || n == -1);
            let presigned_cfg = PresignedUrlConfig {
                role_arn: Some(huge.clone()),
                expires_in_sec: Some(n),
            };
            assert!(presigned(&presigned_cfg).is_err());
            assert!(maintenance_windows(&[window(Some(&huge), Some(n))]).is_err());
        }
        for now in [Timestamp(i64::MIN), Timestamp(i64::MAX), Timestamp(0)] {
            let raw = SchedulingConfig {
                start_time: Some(huge.clone()),
                end_time: at_minutes(HOUR),
                ..SchedulingConfig::default()
            };
            assert!(scheduling(&raw, now, TargetSelection::Snapshot).is_err());
            let raw = schedule(at_minutes(HOUR), at_minutes(DAY));
            let _ = scheduling(&raw, now, TargetSelection::Continuous);
        }
    }
}
