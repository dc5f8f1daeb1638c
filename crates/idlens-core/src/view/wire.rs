//! Reading a [`ViewAnswer`] back from JSON (the page's side of the worker's answers).
//!
//! serde's derived `Deserialize` for an internally tagged enum cannot know where the tag is, so it first copies the
//! whole object into a buffer of its own and then reads the variant out of that buffer. In the viewer's wasm that
//! meant a second copy of every answer type's reading code (about a tenth of the module before wasm-opt), and a
//! second pass over every answer. The worker always writes `kind` first (serde writes an internally tagged enum's
//! tag before the fields), so this reads `kind` from the front and gives the rest of the object straight to the
//! variant's own `Deserialize`.

use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::ViewAnswer;
use super::detail::IdentityDetail;

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
        deserializer.deserialize_map(AnswerVisitor)
    }
}

struct AnswerVisitor;

impl<'de> Visitor<'de> for AnswerVisitor {
    type Value = ViewAnswer;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an answer: a JSON object whose first key is \"kind\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ViewAnswer, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == "kind" => {}
            Some(key) => {
                return Err(de::Error::custom(format_args!(
                    "an answer's first key must be \"kind\", found \"{key}\""
                )));
            }
            None => return Err(de::Error::missing_field("kind")),
        }
        let kind: String = map.next_value()?;
        let rest = MapAccessDeserializer::new(map);
        Ok(match kind.as_str() {
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
