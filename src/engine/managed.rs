//! The catalogue of AWS managed job templates (`ListManagedJobTemplates`,
//! `DescribeManagedJobTemplate`, `CreateJob(jobTemplateArn=arn:aws:iot:<region>::jobtemplate/...)`).
//!
//! The real catalogue is controlled by AWS and grows over time; this is the set documented in the
//! developer guide (spec §7.2). Names, versions, environments, parameter keys, regexes and the
//! document shape follow the spec; descriptions and examples are written for jobrig in AWS's style,
//! except the `AWS-Download-File` description, which the CLI example output shows verbatim and
//! which `CreateJob` copies into the job's `description`.
//!
//! Everything here is `'static` data so the engine can hand out references without cloning.

/// One entry of `DescribeManagedJobTemplate.documentParameters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedParameter {
    pub key: &'static str,
    pub description: &'static str,
    /// Un-anchored, as AWS returns it; a value must match it in full.
    pub regex: &'static str,
    pub example: Option<&'static str>,
    pub optional: bool,
}

/// One version of an AWS managed job template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedTemplate {
    pub name: &'static str,
    pub version: &'static str,
    pub description: &'static str,
    pub environments: &'static [&'static str],
    pub parameters: &'static [ManagedParameter],
    /// The job document with `${aws:iot:parameter:<key>}` placeholders, as a JSON string.
    pub document: &'static str,
}

impl ManagedTemplate {
    /// Managed template ARNs carry no account id: they belong to AWS, not to the caller.
    pub fn arn(&self, region: &str) -> String {
        format!(
            "arn:aws:iot:{region}::jobtemplate/{}:{}",
            self.name, self.version
        )
    }

    pub fn parameter(&self, key: &str) -> Option<&'static ManagedParameter> {
        self.parameters.iter().find(|p| p.key == key)
    }
}

/// All managed templates, every version, in the order `ListManagedJobTemplates` returns them.
pub fn catalogue() -> &'static [ManagedTemplate] {
    CATALOGUE
}

/// Looks a template up by name and version; `version: None` picks the default (latest) version.
pub fn find(name: &str, version: Option<&str>) -> Option<&'static ManagedTemplate> {
    let mut candidates = CATALOGUE.iter().filter(|t| t.name == name);
    match version {
        Some(v) => candidates.find(|t| t.version == v),
        None => candidates.max_by_key(|t| version_key(t.version)),
    }
}

/// Resolves `arn:aws:iot:<region>::jobtemplate/<name>:<version>` (any region). An ARN with an
/// account id names a customer template, never a managed one, so it is not resolved here.
pub fn find_by_arn(arn: &str) -> Option<&'static ManagedTemplate> {
    let rest = arn.strip_prefix("arn:")?;
    let mut fields = rest.splitn(5, ':');
    let (_partition, service, _region, account, resource) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if service != "iot" || !account.is_empty() {
        return None;
    }
    let (name, version) = resource.strip_prefix("jobtemplate/")?.rsplit_once(':')?;
    find(name, Some(version))
}

/// `templateVersion` is `^[1-9]+.[0-9]+`; comparing as text would rank "1.10" below "1.9".
fn version_key(version: &str) -> (u64, u64) {
    let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
    (major.parse().unwrap_or(0), minor.parse().unwrap_or(0))
}

const LINUX: &[&str] = &["LINUX"];

/// Regex AWS attaches to every required parameter: anything at all (the length and
/// control-character limits of `ParameterValue` still apply).
const ANY: &str = "(.*?)";

const RUN_AS_USER: ManagedParameter = ManagedParameter {
    key: "runAsUser",
    description: "Optional. The user name on the device that the job handler runs as. When empty, \
                  the handler runs as the user that runs the device client.",
    regex: "(.){0,256}",
    example: None,
    optional: true,
};

const PATH_TO_HANDLER: ManagedParameter = ManagedParameter {
    key: "pathToHandler",
    description: "Optional. The path on the device to the directory that holds the job handler \
                  script. When empty, the device client uses its configured handler directory.",
    regex: "(.){0,4096}",
    example: None,
    optional: true,
};

const PACKAGES: ManagedParameter = ManagedParameter {
    key: "packages",
    description: "A space-separated list of one or more package names.",
    regex: ANY,
    example: Some("nginx curl"),
    optional: false,
};

const SERVICES: ManagedParameter = ManagedParameter {
    key: "services",
    description: "A space-separated list of one or more service names.",
    regex: ANY,
    example: Some("nginx ssh"),
    optional: false,
};

static CATALOGUE: &[ManagedTemplate] = &[
    ManagedTemplate {
        name: "AWS-Download-File",
        version: "1.0",
        description: "A managed job template for downloading a file.",
        environments: LINUX,
        parameters: &[
            ManagedParameter {
                key: "downloadUrl",
                description: "The URL of the file to download. It may be a presigned S3 URL \
                              placeholder, which is expanded when the device fetches the job.",
                regex: ANY,
                example: Some("https://example.com/firmware/app.bin"),
                optional: false,
            },
            ManagedParameter {
                key: "filePath",
                description: "The absolute path on the device where the downloaded file is \
                              written.",
                regex: ANY,
                example: Some("/tmp/app.bin"),
                optional: false,
            },
            RUN_AS_USER,
            PATH_TO_HANDLER,
        ],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Download-File","type":"runHandler","input":{"handler":"download-file.sh","args":["${aws:iot:parameter:downloadUrl}","${aws:iot:parameter:filePath}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
    ManagedTemplate {
        name: "AWS-Install-Application",
        version: "1.0",
        description: "A managed job template for installing one or more applications.",
        environments: LINUX,
        parameters: &[PACKAGES, RUN_AS_USER, PATH_TO_HANDLER],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Install-Application","type":"runHandler","input":{"handler":"install-packages.sh","args":["${aws:iot:parameter:packages}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
    ManagedTemplate {
        name: "AWS-Reboot",
        version: "1.0",
        description: "A managed job template for rebooting a device.",
        environments: LINUX,
        parameters: &[RUN_AS_USER, PATH_TO_HANDLER],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Reboot","type":"runHandler","input":{"handler":"reboot.sh","path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
    ManagedTemplate {
        name: "AWS-Remove-Application",
        version: "1.0",
        description: "A managed job template for removing one or more applications.",
        environments: LINUX,
        parameters: &[PACKAGES, RUN_AS_USER, PATH_TO_HANDLER],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Remove-Application","type":"runHandler","input":{"handler":"remove-packages.sh","args":["${aws:iot:parameter:packages}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
    ManagedTemplate {
        name: "AWS-Restart-Application",
        version: "1.0",
        description: "A managed job template for restarting one or more running services.",
        environments: LINUX,
        parameters: &[SERVICES, RUN_AS_USER, PATH_TO_HANDLER],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Restart-Application","type":"runHandler","input":{"handler":"restart-services.sh","args":["${aws:iot:parameter:services}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
    ManagedTemplate {
        name: "AWS-Start-Application",
        version: "1.0",
        description: "A managed job template for starting one or more services.",
        environments: LINUX,
        parameters: &[SERVICES, RUN_AS_USER, PATH_TO_HANDLER],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Start-Application","type":"runHandler","input":{"handler":"start-services.sh","args":["${aws:iot:parameter:services}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
    ManagedTemplate {
        name: "AWS-Stop-Application",
        version: "1.0",
        description: "A managed job template for stopping one or more running services.",
        environments: LINUX,
        parameters: &[SERVICES, RUN_AS_USER, PATH_TO_HANDLER],
        document: r#"{"version":"1.0","steps":[{"action":{"name":"Stop-Application","type":"runHandler","input":{"handler":"stop-services.sh","args":["${aws:iot:parameter:services}"],"path":"${aws:iot:parameter:pathToHandler}"},"runAsUser":"${aws:iot:parameter:runAsUser}"}}]}"#,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const NAMES: [&str; 7] = [
        "AWS-Reboot",
        "AWS-Download-File",
        "AWS-Install-Application",
        "AWS-Remove-Application",
        "AWS-Start-Application",
        "AWS-Stop-Application",
        "AWS-Restart-Application",
    ];

    fn required(t: &ManagedTemplate) -> Vec<&'static str> {
        t.parameters
            .iter()
            .filter(|p| !p.optional)
            .map(|p| p.key)
            .collect()
    }

    fn optional(t: &ManagedTemplate) -> Vec<&'static str> {
        t.parameters
            .iter()
            .filter(|p| p.optional)
            .map(|p| p.key)
            .collect()
    }

    #[test]
    fn catalogue_has_exactly_the_seven_documented_templates() {
        let names: BTreeSet<&str> = catalogue().iter().map(|t| t.name).collect();
        assert_eq!(catalogue().len(), 7);
        assert_eq!(names, NAMES.into_iter().collect());
    }

    #[test]
    fn every_template_is_version_1_0_for_linux() {
        for t in catalogue() {
            assert_eq!(t.version, "1.0", "{}", t.name);
            assert_eq!(t.environments, ["LINUX"], "{}", t.name);
            assert!(!t.description.is_empty(), "{}", t.name);
        }
    }

    #[test]
    fn required_parameters_match_the_developer_guide() {
        let expect = [
            ("AWS-Reboot", vec![]),
            ("AWS-Download-File", vec!["downloadUrl", "filePath"]),
            ("AWS-Install-Application", vec!["packages"]),
            ("AWS-Remove-Application", vec!["packages"]),
            ("AWS-Start-Application", vec!["services"]),
            ("AWS-Stop-Application", vec!["services"]),
            ("AWS-Restart-Application", vec!["services"]),
        ];
        for (name, keys) in expect {
            let t = find(name, None).unwrap();
            assert_eq!(required(t), keys, "{name}");
        }
    }

    #[test]
    fn every_template_has_optional_run_as_user_and_path_to_handler() {
        for t in catalogue() {
            assert_eq!(optional(t), ["runAsUser", "pathToHandler"], "{}", t.name);
            assert_eq!(t.parameter("runAsUser").unwrap().regex, "(.){0,256}");
            assert_eq!(t.parameter("pathToHandler").unwrap().regex, "(.){0,4096}");
        }
    }

    #[test]
    fn required_parameters_accept_anything_and_carry_an_example() {
        for t in catalogue() {
            for p in t.parameters.iter().filter(|p| !p.optional) {
                assert_eq!(p.regex, "(.*?)", "{}.{}", t.name, p.key);
                assert!(p.example.is_some(), "{}.{}", t.name, p.key);
                assert!(!p.description.is_empty());
            }
        }
    }

    #[test]
    fn download_file_description_is_the_one_create_job_copies() {
        let t = find("AWS-Download-File", None).unwrap();
        assert_eq!(
            t.description,
            "A managed job template for downloading a file."
        );
    }

    #[test]
    fn parameter_keys_are_unique_within_a_template() {
        for t in catalogue() {
            let keys: BTreeSet<&str> = t.parameters.iter().map(|p| p.key).collect();
            assert_eq!(keys.len(), t.parameters.len(), "{}", t.name);
        }
    }

    #[test]
    fn find_without_version_returns_the_default_version() {
        let t = find("AWS-Reboot", None).unwrap();
        assert_eq!((t.name, t.version), ("AWS-Reboot", "1.0"));
    }

    #[test]
    fn find_with_version_matches_exactly() {
        assert_eq!(
            find("AWS-Reboot", Some("1.0")).map(|t| t.name),
            Some("AWS-Reboot")
        );
        assert!(find("AWS-Reboot", Some("2.0")).is_none());
        assert!(find("AWS-Reboot", Some("1")).is_none());
    }

    #[test]
    fn find_unknown_or_miscased_name_is_none() {
        assert!(find("AWS-Nonexistent", None).is_none());
        assert!(find("aws-reboot", None).is_none());
        assert!(find("", None).is_none());
        // The 2022 guide renders names with en-dashes; the API only knows ASCII hyphens.
        assert!(find("AWS\u{2013}Reboot", None).is_none());
    }

    #[test]
    fn version_key_orders_numerically() {
        assert!(version_key("1.10") > version_key("1.9"));
        assert!(version_key("2.0") > version_key("1.99"));
        assert_eq!(version_key("garbage"), (0, 0));
    }

    #[test]
    fn arn_has_region_and_no_account() {
        let t = find("AWS-Reboot", None).unwrap();
        assert_eq!(
            t.arn("us-east-1"),
            "arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:1.0"
        );
    }

    #[test]
    fn find_by_arn_round_trips_every_template() {
        for t in catalogue() {
            assert_eq!(find_by_arn(&t.arn("eu-west-1")), Some(t));
        }
    }

    #[test]
    fn find_by_arn_rejects_customer_and_malformed_arns() {
        for arn in [
            "arn:aws:iot:us-east-1:123456789012:jobtemplate/AWS-Reboot:1.0",
            "arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot",
            "arn:aws:iot:us-east-1::jobtemplate/AWS-Reboot:9.9",
            "arn:aws:s3:us-east-1::jobtemplate/AWS-Reboot:1.0",
            "arn:aws:iot:us-east-1::job/AWS-Reboot:1.0",
            "arn:aws:iot",
            "",
        ] {
            assert!(find_by_arn(arn).is_none(), "{arn}");
        }
    }

    #[test]
    fn every_document_is_a_json_object() {
        for t in catalogue() {
            let v: serde_json::Value =
                serde_json::from_str(t.document).unwrap_or_else(|e| panic!("{}: {e}", t.name));
            assert!(v.is_object(), "{}", t.name);
            assert_eq!(v["version"], "1.0", "{}", t.name);
            let action = &v["steps"][0]["action"];
            assert_eq!(action["type"], "runHandler", "{}", t.name);
            assert!(
                action["input"]["handler"]
                    .as_str()
                    .unwrap()
                    .ends_with(".sh")
            );
        }
    }

    #[test]
    fn documents_reference_exactly_the_declared_parameters() {
        for t in catalogue() {
            let mut used = BTreeSet::new();
            let mut rest = t.document;
            while let Some(i) = rest.find("${aws:iot:parameter:") {
                let after = &rest[i + "${aws:iot:parameter:".len()..];
                let end = after.find('}').unwrap();
                used.insert(&after[..end]);
                rest = &after[end..];
            }
            let declared: BTreeSet<&str> = t.parameters.iter().map(|p| p.key).collect();
            assert_eq!(used, declared, "{}", t.name);
        }
    }

    #[test]
    fn handlers_are_named_after_the_action() {
        let expect = [
            ("AWS-Reboot", "reboot.sh"),
            ("AWS-Download-File", "download-file.sh"),
            ("AWS-Install-Application", "install-packages.sh"),
            ("AWS-Remove-Application", "remove-packages.sh"),
            ("AWS-Start-Application", "start-services.sh"),
            ("AWS-Stop-Application", "stop-services.sh"),
            ("AWS-Restart-Application", "restart-services.sh"),
        ];
        for (name, handler) in expect {
            let v: serde_json::Value =
                serde_json::from_str(find(name, None).unwrap().document).unwrap();
            assert_eq!(
                v["steps"][0]["action"]["input"]["handler"], handler,
                "{name}"
            );
        }
    }
}
