//! Patient lists and search, online and from the offline cache, against the real sandbox.

use crate::common;

use common::{query, TestResult, World};
use huma_core::ui_types::DataSource;
use huma_core::ErrorCode;

#[tokio::test]
async fn lists_and_search_come_from_the_server() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    let lists = app.patient_lists().await?;
    assert_eq!(lists.len(), 3);
    let page = app.search_patients(&query(&lists[0].id, "")).await?;
    assert_eq!(page.source, DataSource::Server);
    assert!(page.total > 100, "a seeded list has hundreds of patients");
    assert_eq!(page.patients.len(), 100);
    // Search for the first patient's family name finds them, and fewer patients overall.
    let first = &page.patients[0];
    let found = app
        .search_patients(&query(&lists[0].id, &first.family_name))
        .await?;
    assert!(found.filtered < page.total);
    assert!(found.patients.iter().any(|p| p.id == first.id));
    // And by NHS number, however it is spaced.
    let nhs = first.nhs_number.replace(' ', "");
    let by_nhs = app.search_patients(&query(&lists[0].id, &nhs)).await?;
    assert_eq!(by_nhs.patients.first().map(|p| &p.id), Some(&first.id));
    Ok(())
}

#[tokio::test]
async fn awkward_searches_get_answers_not_crashes() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    let list = app.patient_lists().await?.remove(0).id;
    for search in [
        "%",
        "_",
        "\"quoted\"",
        "O'",
        "😀",
        "'; DROP TABLE users; --",
    ] {
        let page = app.search_patients(&query(&list, search)).await?;
        assert!(page.filtered <= page.total, "{search}");
    }
    let err = app
        .search_patients(&query(&list, &"x".repeat(10_000)))
        .await
        .err()
        .ok_or("a 10,000-character search was sent")?;
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("10000") || err.message.contains("at most"),
        "{}",
        err.message
    );
    Ok(())
}

#[tokio::test]
async fn a_list_opened_online_can_be_browsed_offline() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    let list = app.patient_lists().await?.remove(0).id;
    let online = app.search_patients(&query(&list, "")).await?;
    let copied = app.cache_list(&list).await?;
    assert_eq!(copied as u32, online.total);
    let someone = online.patients[5].clone();

    // The server goes away (the data dir stays: `_data` lives to the end of the test).
    let World {
        sandbox,
        data: _data,
        ..
    } = world;
    sandbox.shutdown().await;
    let offline = app
        .search_patients(&query(&list, &someone.family_name))
        .await?;
    assert_eq!(offline.source, DataSource::Cache);
    assert!(offline.cached_at.is_some());
    assert!(offline.patients.iter().any(|p| p.id == someone.id));
    assert_eq!(offline.total, online.total);
    // The lists themselves are cached too.
    assert_eq!(app.patient_lists().await?.len(), 3);
    Ok(())
}
