//! Which AWS plane a request is for (spec §1.2). The planes share paths, so the choice comes from
//! the SigV4 credential scope, else the Host; unsigned requests to any other host are control
//! plane requests. Signatures are read, never verified.

use axum::http::header::{AUTHORIZATION, HOST};
use axum::http::{HeaderMap, Uri};

use crate::engine::Plane;

/// The plane a request is addressed to, or the signing name jobrig does not serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Plane(Plane),
    /// Signed for a service that is neither `iot` nor `iot-jobs-data`.
    OtherService(String),
}

pub fn target(headers: &HeaderMap, uri: &Uri) -> Target {
    if let Some(service) = signing_name(headers, uri) {
        return match service.as_str() {
            "iot" => Target::Plane(Plane::Control),
            "iot-jobs-data" => Target::Plane(Plane::Data),
            _ => Target::OtherService(service),
        };
    }
    if host(headers, uri).is_some_and(|h| is_jobs_data_host(&h)) {
        Target::Plane(Plane::Data)
    } else {
        Target::Plane(Plane::Control)
    }
}

/// The service of the credential scope `<key>/<date>/<region>/<service>/aws4_request`, from the
/// `Authorization` header or a presigned URL's `X-Amz-Credential`.
fn signing_name(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let from_header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|auth| {
            let start = auth.find("Credential=")? + "Credential=".len();
            let rest = &auth[start..];
            let end = rest
                .find(|c: char| c == ',' || c.is_whitespace())
                .unwrap_or(rest.len());
            Some(rest[..end].to_string())
        });
    let scope = from_header.or_else(|| {
        uri.query()?.split('&').find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.eq_ignore_ascii_case("X-Amz-Credential").then(|| {
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    })?;
    let parts: Vec<&str> = scope.split('/').collect();
    match parts.as_slice() {
        [.., service, "aws4_request"] => Some((*service).to_string()),
        _ => None,
    }
}

fn host(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let raw = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| uri.host().map(str::to_string))?;
    // Strip a port; bracketed IPv6 literals are never jobs hosts, so a naive split is enough.
    let name = raw.rsplit_once(':').map_or(raw.as_str(), |(h, _)| h);
    Some(name.to_ascii_lowercase())
}

/// `data.jobs.iot.<region>.amazonaws.com` and the account form `<prefix>.jobs.iot.<region>...`.
fn is_jobs_data_host(host: &str) -> bool {
    host.starts_with("data.jobs.iot.") || host.contains(".jobs.iot.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            if let Ok(v) = v.parse() {
                h.insert(*k, v);
            }
        }
        h
    }

    const SCOPE_DATA: &str = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iot-jobs-data/aws4_request, SignedHeaders=host, Signature=00";

    // §1.2
    #[test]
    fn the_signing_scope_wins_over_the_host() {
        let uri: Uri = "/things/t/jobs".parse().expect("uri");
        let h = headers(&[("authorization", SCOPE_DATA), ("host", "127.0.0.1:4566")]);
        assert_eq!(target(&h, &uri), Target::Plane(Plane::Data));
        let h = headers(&[
            ("authorization", &SCOPE_DATA.replace("iot-jobs-data", "iot")),
            ("host", "x.jobs.iot.us-east-1.amazonaws.com"),
        ]);
        assert_eq!(target(&h, &uri), Target::Plane(Plane::Control));
    }

    // §1.2
    #[test]
    fn unsigned_requests_follow_the_host() {
        let uri: Uri = "/things/t/jobs".parse().expect("uri");
        let h = headers(&[("host", "data.jobs.iot.us-east-1.amazonaws.com:443")]);
        assert_eq!(target(&h, &uri), Target::Plane(Plane::Data));
        let h = headers(&[("host", "localhost:4566")]);
        assert_eq!(target(&h, &uri), Target::Plane(Plane::Control));
    }

    // §1.2
    #[test]
    fn other_signing_names_are_reported() {
        let uri: Uri = "/things/t/shadow".parse().expect("uri");
        let h = headers(&[(
            "authorization",
            &SCOPE_DATA.replace("iot-jobs-data", "iotdevicegateway"),
        )]);
        assert_eq!(
            target(&h, &uri),
            Target::OtherService("iotdevicegateway".into())
        );
    }
}
