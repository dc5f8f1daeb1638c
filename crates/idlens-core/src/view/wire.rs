//! Reading a [`ViewAnswer`] back from JSON (the page's side of the worker's answers), and a [`ViewRequest`] (the
//! worker's side of the page's questions).
//!
//! serde's derived `Deserialize` for an internally tagged enum cannot know where the tag is, so it first copies the
//! whole object into a buffer of its own and then reads the variant out of that buffer. In the viewer's wasm that
//! meant a second copy of every answer type's reading code (about a tenth of the module before wasm-opt), and a
//! second pass over every answer. The worker always writes `kind` first (serde writes an internally tagged enum's
//! tag before the fields), so this reads `kind` from the front and gives the rest of the object straight to the
//! variant's own `Deserialize`. Requests are read the same way, in the worker: the page writes them with serde too,
//! and every hand-written request (the worker's script, the tests, the benchmarks) puts `kind` first.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::detail::IdentityDetail;
use super::{ViewAnswer, ViewRequest};
use crate::policy::Waiver;

/// The variants' names as they appear in `kind`.
const KINDS: &[&str] = &[
    "identities",
    "identity",
    "dashboard",
    "dashboard-actions",
    "frameworks",
    "what-if",
    "export",
    "findings",
    "policy",
    "compare",
    "dates",
    "error",
];

#[derive(Deserialize)]
struct IdentityFields {
    detail: Option<Box<IdentityDetail>>,
}

#[derive(Deserialize)]
struct CompareFields {
    compare: Option<Box<super::compare::CompareView>>,
}

#[derive(Deserialize)]
struct DatesFields {
    as_of: Option<String>,
    baseline_as_of: Option<String>,
    baseline_own_date: bool,
}

#[derive(Deserialize)]
struct ErrorFields {
    message: String,
}

impl<'de> Deserialize<'de> for ViewAnswer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KindFirstVisitor(PhantomData))
    }
}

/// A JSON object read kind first: `kind` names the variant, and the rest of the object is the variant's fields.
trait KindFirst: Sized {
    /// What the object is, for messages ("an answer").
    const WHAT: &'static str;

    /// The variant named `kind`, its fields read from `rest`.
    fn variant<'de, A: MapAccess<'de>>(
        kind: &str,
        rest: MapAccessDeserializer<A>,
    ) -> Result<Self, A::Error>;
}

/// The one visitor both readers share: `kind` from the front, then [`KindFirst::variant`].
struct KindFirstVisitor<T>(PhantomData<T>);

impl<'de, T: KindFirst> Visitor<'de> for KindFirstVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: a JSON object whose first key is \"kind\"", T::WHAT)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let kind = match map.next_key::<String>()? {
            Some(key) if key == "kind" => map.next_value::<String>()?,
            Some(key) => {
                return Err(de::Error::custom(format_args!(
                    "{}'s first key must be \"kind\", found \"{key}\"",
                    T::WHAT
                )));
            }
            None => return Err(de::Error::missing_field("kind")),
        };
        T::variant(&kind, MapAccessDeserializer::new(map))
    }
}

impl KindFirst for ViewAnswer {
    const WHAT: &'static str = "an answer";

    fn variant<'de, A: MapAccess<'de>>(
        kind: &str,
        rest: MapAccessDeserializer<A>,
    ) -> Result<Self, A::Error> {
        Ok(match kind {
            "identities" => ViewAnswer::Identities(Deserialize::deserialize(rest)?),
            "identity" => {
                let IdentityFields { detail } = Deserialize::deserialize(rest)?;
                ViewAnswer::Identity { detail }
            }
            "dashboard" => ViewAnswer::Dashboard(Deserialize::deserialize(rest)?),
            "dashboard-actions" => ViewAnswer::DashboardActions(Deserialize::deserialize(rest)?),
            "frameworks" => ViewAnswer::Frameworks(Deserialize::deserialize(rest)?),
            "what-if" => ViewAnswer::WhatIf(Deserialize::deserialize(rest)?),
            "export" => ViewAnswer::Export(Deserialize::deserialize(rest)?),
            "findings" => ViewAnswer::Findings(Deserialize::deserialize(rest)?),
            "policy" => ViewAnswer::Policy(Deserialize::deserialize(rest)?),
            "compare" => {
                let CompareFields { compare } = Deserialize::deserialize(rest)?;
                ViewAnswer::Compare { compare }
            }
            "dates" => {
                let DatesFields {
                    as_of,
                    baseline_as_of,
                    baseline_own_date,
                } = Deserialize::deserialize(rest)?;
                ViewAnswer::Dates {
                    as_of,
                    baseline_as_of,
                    baseline_own_date,
                }
            }
            "error" => {
                let ErrorFields { message } = Deserialize::deserialize(rest)?;
                ViewAnswer::Error { message }
            }
            other => return Err(de::Error::unknown_variant(other, KINDS)),
        })
    }
}

/// The requests' names as they appear in `kind`.
const REQUEST_KINDS: &[&str] = &[
    "identities",
    "identity",
    "dashboard",
    "dashboard-actions",
    "frameworks",
    "what-if",
    "export",
    "findings",
    "policy",
    "waive",
    "unwaive",
    "edit-waiver",
    "set-policy",
    "compare",
    "set-dates",
];

#[derive(Deserialize)]
struct IdentityRequestFields {
    id: String,
    #[serde(default)]
    as_of: Option<i64>,
}

#[derive(Deserialize)]
struct LimitFields {
    #[serde(default)]
    limit: Option<usize>,
}

#[derive(Deserialize)]
struct FrameworkFields {
    #[serde(default)]
    framework: Option<String>,
}

#[derive(Deserialize)]
struct WaiveFields {
    waiver: Waiver,
}

#[derive(Deserialize)]
struct UnwaiveFields {
    index: usize,
    waiver: Waiver,
}

#[derive(Deserialize)]
struct EditWaiverFields {
    index: usize,
    waiver: Waiver,
    edit: super::findings::WaiverEdit,
}

#[derive(Deserialize)]
struct SetPolicyFields {
    json: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
struct SetDatesFields {
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    baseline_as_of: Option<String>,
}

impl<'de> Deserialize<'de> for ViewRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(KindFirstVisitor(PhantomData))
    }
}

impl KindFirst for ViewRequest {
    const WHAT: &'static str = "a request";

    fn variant<'de, A: MapAccess<'de>>(
        kind: &str,
        rest: MapAccessDeserializer<A>,
    ) -> Result<Self, A::Error> {
        // A request without fields ignores any it is given, as serde's derived reader did.
        let unit = |rest, request| de::IgnoredAny::deserialize(rest).map(|_| request);
        Ok(match kind {
            "identities" => ViewRequest::Identities(Deserialize::deserialize(rest)?),
            "identity" => {
                let IdentityRequestFields { id, as_of } = Deserialize::deserialize(rest)?;
                ViewRequest::Identity { id, as_of }
            }
            "dashboard" => unit(rest, ViewRequest::Dashboard)?,
            "dashboard-actions" => {
                let LimitFields { limit } = Deserialize::deserialize(rest)?;
                ViewRequest::DashboardActions { limit }
            }
            "frameworks" => {
                let FrameworkFields { framework } = Deserialize::deserialize(rest)?;
                ViewRequest::Frameworks { framework }
            }
            "what-if" => ViewRequest::WhatIf(Deserialize::deserialize(rest)?),
            "export" => ViewRequest::Export(Deserialize::deserialize(rest)?),
            "findings" => ViewRequest::Findings(Deserialize::deserialize(rest)?),
            "policy" => unit(rest, ViewRequest::Policy)?,
            "waive" => {
                let WaiveFields { waiver } = Deserialize::deserialize(rest)?;
                ViewRequest::Waive { waiver }
            }
            "unwaive" => {
                let UnwaiveFields { index, waiver } = Deserialize::deserialize(rest)?;
                ViewRequest::Unwaive { index, waiver }
            }
            "edit-waiver" => {
                let EditWaiverFields {
                    index,
                    waiver,
                    edit,
                } = Deserialize::deserialize(rest)?;
                ViewRequest::EditWaiver {
                    index,
                    waiver,
                    edit,
                }
            }
            "set-policy" => {
                let SetPolicyFields { json, name } = Deserialize::deserialize(rest)?;
                ViewRequest::SetPolicy { json, name }
            }
            "compare" => unit(rest, ViewRequest::Compare)?,
            "set-dates" => {
                let SetDatesFields {
                    as_of,
                    baseline_as_of,
                } = Deserialize::deserialize(rest)?;
                ViewRequest::SetDates {
                    as_of,
                    baseline_as_of,
                }
            }
            other => return Err(de::Error::unknown_variant(other, REQUEST_KINDS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::artifact::ArtifactKind;
    use crate::generate::{GenerateOptions, generate, generate_previous};
    use crate::policy::Policy;
    use crate::view::compare::tests::ingest;
    use crate::view::workspace::Workspace;
    use crate::view::{ViewRequest, export, findings, whatif};

    /// Each variant's `kind`, by an exhaustive match: a new variant stops this compiling until it is named here, and
    /// the tests below then hold it to `KINDS` and to the reader.
    fn kind_of(answer: &ViewAnswer) -> &'static str {
        match answer {
            ViewAnswer::Identities(_) => "identities",
            ViewAnswer::Identity { .. } => "identity",
            ViewAnswer::Dashboard(_) => "dashboard",
            ViewAnswer::DashboardActions(_) => "dashboard-actions",
            ViewAnswer::Frameworks(_) => "frameworks",
            ViewAnswer::WhatIf(_) => "what-if",
            ViewAnswer::Export(_) => "export",
            ViewAnswer::Findings(_) => "findings",
            ViewAnswer::Policy(_) => "policy",
            ViewAnswer::Compare { .. } => "compare",
            ViewAnswer::Dates { .. } => "dates",
            ViewAnswer::Error { .. } => "error",
        }
    }

    fn round_trip(answer: &ViewAnswer) {
        let json = serde_json::to_string(answer).expect("json");
        // serde writes the same kind, first.
        assert!(
            json.starts_with(&format!(r#"{{"kind":"{}""#, kind_of(answer))),
            "{}",
            &json[..json.len().min(200)]
        );
        let back: ViewAnswer = serde_json::from_str(&json).expect("read back");
        assert_eq!(&back, answer, "{}", &json[..json.len().min(200)]);
    }

    /// Every kind of answer the worker gives on the demo tenant with a baseline reads back equal to itself.
    #[test]
    fn every_answer_reads_back_as_written() {
        let opts = GenerateOptions::demo();
        let mut w = Workspace::new(
            ingest(generate(&opts)),
            Some(opts.as_of_unix),
            Policy::default(),
        );
        w.set_baseline(ingest(generate_previous(&opts)));
        let table = crate::view::IdentityQuery {
            limit: 20,
            ..Default::default()
        };
        let ViewAnswer::Identities(page) = w.answer(&ViewRequest::Identities(table.clone())) else {
            panic!("no table");
        };
        let key = page.rows[0].key.clone();
        let requests = [
            ViewRequest::Identities(table),
            ViewRequest::Identity {
                id: key.clone(),
                as_of: None,
            },
            ViewRequest::Identity {
                id: "no such identity".into(),
                as_of: None,
            },
            ViewRequest::Dashboard,
            ViewRequest::DashboardActions { limit: Some(3) },
            ViewRequest::Frameworks { framework: None },
            ViewRequest::Frameworks {
                framework: Some("owasp-nhi-2025".into()),
            },
            ViewRequest::WhatIf(whatif::WhatIfRequest {
                id: key,
                ..Default::default()
            }),
            ViewRequest::Export(export::ExportRequest {
                artifact: ArtifactKind::Csv,
                key: None,
            }),
            ViewRequest::Findings(findings::FindingsQuery::default()),
            ViewRequest::Policy,
            ViewRequest::Compare,
            ViewRequest::SetDates {
                as_of: None,
                baseline_as_of: None,
            },
        ];
        let mut kinds = std::collections::BTreeSet::new();
        for request in &requests {
            let answer = w.answer(request);
            kinds.insert(kind_of(&answer).to_owned());
            round_trip(&answer);
        }
        round_trip(&ViewAnswer::Error {
            message: "nothing has been loaded yet \"quoted\"".into(),
        });
        round_trip(&ViewAnswer::Compare { compare: None });
        kinds.insert("error".into());
        assert_eq!(
            kinds,
            KINDS.iter().map(|k| (*k).to_owned()).collect(),
            "a request for every kind of answer"
        );
    }

    /// Each request's `kind`, by an exhaustive match (a new variant must be named here and in `REQUEST_KINDS`).
    fn request_kind(request: &ViewRequest) -> &'static str {
        match request {
            ViewRequest::Identities(_) => "identities",
            ViewRequest::Identity { .. } => "identity",
            ViewRequest::Dashboard => "dashboard",
            ViewRequest::DashboardActions { .. } => "dashboard-actions",
            ViewRequest::Frameworks { .. } => "frameworks",
            ViewRequest::WhatIf(_) => "what-if",
            ViewRequest::Export(_) => "export",
            ViewRequest::Findings(_) => "findings",
            ViewRequest::Policy => "policy",
            ViewRequest::Waive { .. } => "waive",
            ViewRequest::Unwaive { .. } => "unwaive",
            ViewRequest::EditWaiver { .. } => "edit-waiver",
            ViewRequest::SetPolicy { .. } => "set-policy",
            ViewRequest::Compare => "compare",
            ViewRequest::SetDates { .. } => "set-dates",
        }
    }

    /// Every kind of request, with its optional fields set, reads back equal to itself.
    #[test]
    fn every_request_reads_back_as_written() {
        let waiver = Waiver {
            check_id: "NHI-I-003".into(),
            identity: "sp-platform-*".into(),
            justification: "vendor \"managed\"".into(),
            approver: "CISO".into(),
            expires: Some("2027-01-31".into()),
        };
        let requests = [
            ViewRequest::Identities(crate::view::IdentityQuery {
                limit: 7,
                offset: 3,
                text: "prod".into(),
                descending: true,
                ..Default::default()
            }),
            ViewRequest::Identity {
                id: "mi:abc".into(),
                as_of: Some(1_790_000_000),
            },
            ViewRequest::Dashboard,
            ViewRequest::DashboardActions { limit: Some(5) },
            ViewRequest::Frameworks {
                framework: Some("nist-csf-2.0".into()),
            },
            ViewRequest::WhatIf(whatif::WhatIfRequest {
                id: "mi:abc".into(),
                ..Default::default()
            }),
            ViewRequest::Export(export::ExportRequest {
                artifact: ArtifactKind::Sarif,
                key: Some("k".repeat(32)),
            }),
            ViewRequest::Findings(findings::FindingsQuery::default()),
            ViewRequest::Policy,
            ViewRequest::Waive {
                waiver: waiver.clone(),
            },
            ViewRequest::Unwaive {
                index: 2,
                waiver: waiver.clone(),
            },
            ViewRequest::EditWaiver {
                index: 0,
                waiver,
                edit: findings::WaiverEdit {
                    justification: "renewed".into(),
                    approver: "CISO".into(),
                    expires: None,
                },
            },
            ViewRequest::SetPolicy {
                json: "{}".into(),
                name: Some("policy.json".into()),
            },
            ViewRequest::Compare,
            ViewRequest::SetDates {
                as_of: Some("2026-12-01".into()),
                baseline_as_of: Some(String::new()),
            },
        ];
        let mut kinds = std::collections::BTreeSet::new();
        for request in &requests {
            let json = serde_json::to_string(request).expect("json");
            let kind = request_kind(request);
            assert!(json.starts_with(&format!(r#"{{"kind":"{kind}""#)), "{json}");
            let back: ViewRequest = serde_json::from_str(&json).expect(&json);
            assert_eq!(&back, request, "{json}");
            kinds.insert(kind);
        }
        assert_eq!(kinds, REQUEST_KINDS.iter().copied().collect());
        // Optional fields may be left out, and a request without fields ignores any it is given.
        assert_eq!(
            serde_json::from_str::<ViewRequest>(r#"{"kind":"identity","id":"x"}"#)
                .expect("identity"),
            ViewRequest::Identity {
                id: "x".into(),
                as_of: None
            }
        );
        assert_eq!(
            serde_json::from_str::<ViewRequest>(r#"{"kind":"dashboard","extra":[1,{"a":2}]}"#)
                .expect("dashboard"),
            ViewRequest::Dashboard
        );
    }

    #[test]
    fn requests_that_do_not_start_with_their_kind_are_refused_by_name() {
        let read = |json: &str| {
            serde_json::from_str::<ViewRequest>(json)
                .expect_err(json)
                .to_string()
        };
        assert!(
            read(r#"{"id":"x","kind":"identity"}"#)
                .contains("a request's first key must be \"kind\", found \"id\"")
        );
        assert!(read(r#"{"kind":"nonsense"}"#).contains("unknown variant `nonsense`"));
        assert!(read("{}").contains("missing field `kind`"));
        assert!(read(r#"{"kind":"identity"}"#).contains("missing field `id`"));
        assert!(read(r#"{"kind":"unwaive","index":"one"}"#).contains("invalid type"));
        assert!(read("\"dashboard\"").contains("expected a request: a JSON object"));
    }

    #[test]
    fn answers_that_do_not_start_with_their_kind_are_refused_by_name() {
        let read = |json: &str| {
            serde_json::from_str::<ViewAnswer>(json)
                .expect_err(json)
                .to_string()
        };
        assert!(
            read(r#"{"message":"x","kind":"error"}"#)
                .contains("first key must be \"kind\", found \"message\""),
        );
        assert!(read(r#"{"kind":"nonsense"}"#).contains("unknown variant `nonsense`"));
        assert!(read("{}").contains("missing field `kind`"));
        assert!(read(r#"{"kind":"error"}"#).contains("missing field `message`"));
        assert!(read("[1]").contains("expected an answer: a JSON object"));
        // The JS side's own error answers are written with `kind` first too.
        assert_eq!(
            serde_json::from_str::<ViewAnswer>(r#"{"kind":"error","message":"The core stopped"}"#)
                .expect("error answer"),
            ViewAnswer::Error {
                message: "The core stopped".into()
            }
        );
    }
}
