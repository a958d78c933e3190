//! Patient lists and the profiles listing: scope checks, search, paging, sorting, determinism.

use std::collections::HashSet;

use crate::common::{assert_error, start, start_with, Env};
use huma_sandbox::{nhs, SandboxConfig};
use serde_json::{json, Value};

/// The demo clinician's first list (Sam's only one) and a token that may read it.
async fn first_list(env: &Env) -> (String, String) {
    let sam = env.sign_in_sam().await;
    let (status, config) = env.configuration(&sam).await;
    assert_eq!(status, 200);
    let id = config["id"].as_str().unwrap().to_owned();
    (sam.auth, id)
}

fn ids(users: &[Value]) -> Vec<String> {
    users
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

const LIST_NAMES: [&str; 3] = [
    "Cardiology follow-up — St Thomas' Hospital",
    "Diabetes clinic — Leeds General Infirmary",
    "Respiratory — Royal Infirmary of Edinburgh",
];

#[tokio::test]
async fn the_user_carries_their_lists_roles_and_language() {
    let env = start().await;
    let amelia = env.sign_in_amelia().await;
    let (status, me) = env.user(&amelia, None).await;
    assert_eq!(status, 200, "{me}");
    let lists = env.sandbox.demo().deployment_ids;
    let infos: Vec<Value> = lists
        .iter()
        .zip(LIST_NAMES)
        .map(|(id, name)| json!({"id": id, "name": name, "status": "DEPLOYED"}))
        .collect();
    let roles: Vec<Value> = lists
        .iter()
        .map(|id| json!({"roleId": "Clinician", "resource": format!("deployment/{id}")}))
        .collect();
    assert_eq!(
        me,
        json!({"id": amelia.uid, "email": huma_sandbox::DEMO_EMAIL, "givenName": "Amelia",
               "familyName": "Hart", "language": "en", "roles": roles,
               "deploymentsInfo": infos})
    );
    let sam = env.sign_in_sam().await;
    let (_, his) = env.user(&sam, None).await;
    assert_eq!(his["deploymentsInfo"], json!([infos[0]]));
    assert_eq!(his["roles"], json!([roles[0]]));
    assert_eq!(his["language"], "cy", "seeded Welsh");
}

#[tokio::test]
async fn configuration_is_one_list_the_first_or_the_one_asked_for() {
    let env = start().await;
    let amelia = env.sign_in_amelia().await;
    let lists = env.sandbox.demo().deployment_ids;
    let (status, config) = env.configuration(&amelia).await;
    assert_eq!(status, 200);
    assert_eq!(
        config,
        json!({"id": lists[0], "name": LIST_NAMES[0], "status": "DEPLOYED", "language": "en"})
    );
    let path = format!("/api/extensions/v1beta/user/{}/configuration", amelia.uid);
    let asked = env
        .http
        .get(env.url(&path))
        .bearer_auth(&amelia.auth)
        .header("x-deployment-id", &lists[2])
        .send()
        .await
        .unwrap();
    let asked: Value = asked.json().await.unwrap();
    assert_eq!(
        (&asked["id"], &asked["name"]),
        (&json!(lists[2]), &json!(LIST_NAMES[2]))
    );

    let sam = env.sign_in_sam().await;
    let (_, his) = env.configuration(&sam).await;
    assert_eq!(his["id"], lists[0].as_str());
    let not_his = env
        .http
        .get(env.url(&format!(
            "/api/extensions/v1beta/user/{}/configuration",
            sam.uid
        )))
        .bearer_auth(&sam.auth)
        .header("x-deployment-id", &lists[1])
        .send()
        .await
        .unwrap();
    assert_error(
        &(not_his.status().as_u16(), not_his.json().await.unwrap()),
        403,
        100004,
    );
    // Only one's own configuration.
    assert_error(&env.get(&path, Some(&sam.auth)).await, 403, 100004);
}

#[tokio::test]
async fn user_ids_in_paths_must_be_object_ids() {
    let env = start().await;
    let sam = env.sign_in_sam().await;
    for bad in [
        "me".to_owned(),
        sam.uid.to_uppercase(),
        format!("{}0", sam.uid),
        sam.uid[1..].to_owned(),
    ] {
        for path in [
            format!("/api/extensions/v1beta/user/{bad}"),
            format!("/api/extensions/v1beta/user/{bad}/configuration"),
        ] {
            assert_error(&env.get(&path, Some(&sam.auth)).await, 403, 100050);
        }
    }
    // Authentication still comes first.
    let path = "/api/extensions/v1beta/user/me";
    assert_error(&env.get(path, None).await, 401, 10001);
}

#[tokio::test]
async fn x_hu_locale_overwrites_the_stored_language() {
    let env = start().await;
    let sam = env.sign_in_sam().await;
    assert_eq!(env.user(&sam, None).await.1["language"], "cy");
    // A client sending a constant en-GB overwrites the Welsh for good.
    assert_eq!(env.user(&sam, Some("en-GB")).await.1["language"], "en-GB");
    assert_eq!(env.user(&sam, None).await.1["language"], "en-GB");
    assert_eq!(env.user(&sam, Some("pl")).await.1["language"], "pl");
    // An unsupported language is stored as English; an empty header changes nothing.
    assert_eq!(env.user(&sam, Some("xx-YY")).await.1["language"], "en");
    assert_eq!(env.user(&sam, Some("cy")).await.1["language"], "cy");
    assert_eq!(env.user(&sam, Some("")).await.1["language"], "cy");

    // Any authenticated call applies it, not only the user's own.
    let path = format!("/api/extensions/v1beta/user/{}/configuration", sam.uid);
    let response = env
        .http
        .get(env.url(&path))
        .bearer_auth(&sam.auth)
        .header("x-hu-locale", "ar")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let list = env.sandbox.demo().deployment_ids[0].clone();
    let response = env
        .http
        .post(env.url("/api/extensions/v1/user/profiles"))
        .bearer_auth(&sam.auth)
        .header("x-deployment-id", &list)
        .header("x-hu-locale", "de")
        .json(&json!({"limit": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (_, me) = env.user(&sam, None).await;
    assert_eq!(me["language"], "de");
    // Others are untouched.
    let amelia = env.sign_in_amelia().await;
    assert_eq!(env.user(&amelia, None).await.1["language"], "en");
}

#[tokio::test]
async fn the_deployment_header_is_required_and_checked() {
    let env = start().await;
    let (token, _) = first_list(&env).await;
    assert_error(&env.profiles(&token, None, json!({})).await, 400, 100003);
    assert_error(
        &env.profiles(&token, Some("  "), json!({})).await,
        400,
        100003,
    );
    let second_list = env.sandbox.demo().deployment_ids[1].clone();
    assert_error(
        &env.profiles(&token, Some(&second_list), json!({})).await,
        403,
        100004,
    );
    assert_error(
        &env.profiles(&token, Some("000000000000000000000000"), json!({}))
            .await,
        403,
        100004,
    );
    // Authentication comes first.
    assert_error(
        &env.profiles("bogus", Some(&second_list), json!({})).await,
        401,
        10002,
    );
}

#[tokio::test]
async fn default_listing_shape_and_counts() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let (status, page) = env.profiles(&token, Some(&list), json!({})).await;
    assert_eq!(status, 200, "{page}");
    // 40 % of the default 1,500 patients are in the first list.
    assert_eq!(page["total"], 600);
    assert_eq!(page["filtered"], 600);
    let users = page["users"].as_array().unwrap();
    assert_eq!(users.len(), 20);
    for user in users {
        let object = user.as_object().unwrap();
        for key in object.keys() {
            assert!(
                [
                    "id",
                    "givenName",
                    "familyName",
                    "dateOfBirth",
                    "nhsId",
                    "email",
                    "phoneNumber"
                ]
                .contains(&key.as_str()),
                "unexpected field {key}"
            );
        }
        assert!(nhs::is_valid(user["nhsId"].as_str().unwrap()));
        let dob = user["dateOfBirth"].as_str().unwrap();
        assert!(
            dob.len() == 10 && ("1930".."2009").contains(&&dob[..4]),
            "{dob}"
        );
        if let Some(email) = user.get("email") {
            assert!(email.as_str().unwrap().ends_with("@example.com"));
        }
        if let Some(phone) = user.get("phoneNumber") {
            assert!(phone.as_str().unwrap().starts_with("+447700900"));
        }
    }
}

#[tokio::test]
async fn paging_covers_the_list_once_and_descending_is_the_reverse() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let ascending = env.all_patients(&token, &list, None).await;
    assert_eq!(ascending.len(), 600);
    let unique: HashSet<String> = ids(&ascending).into_iter().collect();
    assert_eq!(unique.len(), 600);

    // Pages of 7 line up with one long listing.
    let mut paged = Vec::new();
    for skip in (0..70).step_by(7) {
        let (_, page) = env
            .profiles(&token, Some(&list), json!({"skip": skip, "limit": 7}))
            .await;
        paged.extend(page["users"].as_array().unwrap().clone());
    }
    assert_eq!(ids(&paged), ids(&ascending[..70]));

    let sort = json!({"fields": ["familyName", "givenName"], "order": "DESCENDING"});
    let mut descending = env.all_patients(&token, &list, Some(sort)).await;
    descending.reverse();
    assert_eq!(ids(&descending), ids(&ascending));

    // Names sort case-insensitively: check the ASCII-only names, whose fold is just lowercase.
    let keys: Vec<(String, String)> = ascending
        .iter()
        .map(|u| {
            (
                u["familyName"].as_str().unwrap().to_lowercase(),
                u["givenName"].as_str().unwrap().to_lowercase(),
            )
        })
        .filter(|(f, g)| f.is_ascii() && g.is_ascii())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn sort_by_date_of_birth() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let sort = json!({"fields": ["dateOfBirth"], "order": "ASCENDING"});
    let users = env.all_patients(&token, &list, Some(sort)).await;
    let dates: Vec<&str> = users
        .iter()
        .map(|u| u["dateOfBirth"].as_str().unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]));
}

#[tokio::test]
async fn paging_edges_and_limits() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let (status, page) = env
        .profiles(&token, Some(&list), json!({"skip": 10_000}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["users"], json!([]));
    assert_eq!(page["total"], 600);
    let (_, page) = env.profiles(&token, Some(&list), json!({"limit": 0})).await;
    assert_eq!(
        (page["users"].clone(), page["filtered"].clone()),
        (json!([]), json!(600))
    );
    let (_, page) = env
        .profiles(&token, Some(&list), json!({"limit": 500}))
        .await;
    assert_eq!(page["users"].as_array().unwrap().len(), 500);

    for body in [
        json!({"limit": 501}),
        json!({"limit": -1}),
        json!({"skip": -1}),
        json!({"limit": "20"}),
        json!({"limit": 2.5}),
        json!({"search": 42}),
        json!({"sort": {"fields": ["password"]}}),
        json!({"sort": {"fields": ["familyName"], "order": "UP"}}),
        json!({"sort": "familyName"}),
    ] {
        assert_error(
            &env.profiles(&token, Some(&list), body.clone()).await,
            403,
            100050,
        );
    }
}

/// Runs a search and returns the ids it found (all pages), checking `filtered` and `total`.
async fn search(env: &Env, token: &str, list: &str, text: &str) -> HashSet<String> {
    let (status, page) = env
        .profiles(token, Some(list), json!({"search": text, "limit": 500}))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 600);
    let found: HashSet<String> = ids(page["users"].as_array().unwrap()).into_iter().collect();
    assert_eq!(page["filtered"].as_u64().unwrap() as usize, found.len());
    found
}

/// The ids `pred` selects, computed client-side from the full list.
fn expected(all: &[Value], pred: impl Fn(&Value) -> bool) -> HashSet<String> {
    all.iter()
        .filter(|u| pred(u))
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect()
}

fn text(user: &Value, key: &str) -> String {
    user[key].as_str().unwrap().to_lowercase()
}

#[tokio::test]
async fn search_matches_names_ids_and_nhs_numbers() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let all = env.all_patients(&token, &list, None).await;

    // Needles whose letters no accent fold can produce, so lowercase is a faithful oracle.
    for needle in ["smith", "SMITH", "o'brien", "Smith-Jones", "'", "-", "ar"] {
        let lower = needle.to_lowercase();
        let want = expected(&all, |u| {
            format!("{} {}", text(u, "givenName"), text(u, "familyName")).contains(&lower)
                || text(u, "id").contains(&lower)
        });
        assert!(!want.is_empty(), "{needle} should match someone");
        assert_eq!(search(&env, &token, &list, needle).await, want, "{needle}");
    }

    // Full name, of a patient with an ASCII name.
    let patient = all
        .iter()
        .find(|u| text(u, "givenName").is_ascii() && text(u, "familyName").is_ascii())
        .unwrap();
    let full = format!(
        "{} {}",
        patient["givenName"].as_str().unwrap(),
        patient["familyName"].as_str().unwrap()
    );
    let found = search(&env, &token, &list, &full).await;
    assert!(found.contains(patient["id"].as_str().unwrap()));
    let lower = full.to_lowercase();
    assert_eq!(
        found,
        expected(&all, |u| format!(
            "{} {}",
            text(u, "givenName"),
            text(u, "familyName")
        )
        .contains(&lower))
    );

    // NHS number with spaces, in full and in part.
    let number = patient["nhsId"].as_str().unwrap();
    let spaced = nhs::format_spaced(number).unwrap();
    let found = search(&env, &token, &list, &spaced).await;
    assert_eq!(found, expected(&all, |u| u["id"] == patient["id"]));
    let part = &spaced[..6]; // "999 12"
    let digits = part.replace(' ', "");
    assert_eq!(
        search(&env, &token, &list, part).await,
        expected(&all, |u| u["nhsId"].as_str().unwrap().contains(&digits))
    );

    // Id, in either case.
    let id = patient["id"].as_str().unwrap();
    assert!(search(&env, &token, &list, id).await.contains(id));
    assert!(search(&env, &token, &list, &id.to_uppercase())
        .await
        .contains(id));
}

#[tokio::test]
async fn search_ignores_accents_and_case() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let all = env.all_patients(&token, &list, None).await;
    let zoe_obrien = expected(&all, |u| {
        u["givenName"] == "Zoë" && u["familyName"] == "O'Brien"
    });
    assert_eq!(zoe_obrien.len(), 1);
    for needle in ["zoë o'brien", "ZOE O'BRIEN", "Zoe O\u{2019}Brien"] {
        assert!(
            search(&env, &token, &list, needle)
                .await
                .is_superset(&zoe_obrien),
            "{needle}"
        );
    }
    let sian = search(&env, &token, &list, "sian smith-jones").await;
    assert!(
        sian.is_superset(&expected(&all, |u| u["givenName"] == "Siân"
            && u["familyName"] == "Smith-Jones"))
    );
}

#[tokio::test]
async fn hostile_searches_are_plain_text() {
    let env = start().await;
    let (token, list) = first_list(&env).await;
    let long = "a".repeat(10_000);
    for needle in [
        "%",
        "_",
        "%%",
        "a%",
        "\"",
        "\\",
        "😀",
        "Zoë😀",
        "' OR 1=1 --",
        long.as_str(),
    ] {
        let found = search(&env, &token, &list, needle).await;
        assert!(found.is_empty(), "{needle:.20} matched {found:?}");
    }
    // Blank searches list everyone.
    for needle in ["", "   "] {
        let (_, page) = env
            .profiles(&token, Some(&list), json!({"search": needle}))
            .await;
        assert_eq!(
            (page["filtered"].clone(), page["total"].clone()),
            (json!(600), json!(600))
        );
    }
}

/// Every patient of every list, as the demo clinician sees them, as one JSON text.
async fn everything(env: &Env) -> String {
    let amelia = env.sign_in_amelia().await;
    let mut all = Vec::new();
    for list in env.sandbox.demo().deployment_ids {
        all.extend(env.all_patients(&amelia.auth, &list, None).await);
    }
    serde_json::to_string(&all).unwrap()
}

#[tokio::test]
async fn same_seed_same_data() {
    let config = SandboxConfig {
        seed: 7,
        patients: 300,
        ..SandboxConfig::default()
    };
    let (a, b) = (start_with(config.clone()).await, start_with(config).await);
    let c = start_with(SandboxConfig {
        seed: 8,
        patients: 300,
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(a.sandbox.demo(), b.sandbox.demo());
    assert_ne!(a.sandbox.demo(), c.sandbox.demo());

    let (la, lb, lc) = (
        everything(&a).await,
        everything(&b).await,
        everything(&c).await,
    );
    assert_eq!(la, lb);
    assert_ne!(la, lc);
    assert_eq!(la.matches("\"nhsId\"").count(), 300);
}

#[tokio::test]
async fn a_hundred_thousand_patients() {
    let env = start_with(SandboxConfig {
        patients: 100_000,
        ..SandboxConfig::default()
    })
    .await;
    let (token, list) = first_list(&env).await;
    let (status, page) = env
        .profiles(
            &token,
            Some(&list),
            json!({"search": "smith", "skip": 100, "limit": 50}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 40_000);
    assert!(page["filtered"].as_u64().unwrap() > 150);
    assert_eq!(page["users"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn a_clinician_reads_their_own_profile_only() {
    let env = start().await;
    let amelia = env.sign_in_amelia().await;
    let path = format!("/api/extensions/v1beta/user/{}", amelia.uid);
    let (status, me) = env.get(&path, Some(&amelia.auth)).await;
    assert_eq!(status, 200);
    assert_eq!(me["givenName"], "Amelia");
    let sam = env.sign_in_sam().await;
    assert_error(&env.get(&path, Some(&sam.auth)).await, 403, 100004);
    assert_error(&env.get(&path, None).await, 401, 10001);
}
