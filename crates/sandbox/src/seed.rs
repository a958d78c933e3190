//! The deterministic seed: the same `(seed, patients)` always yields the same rows, byte for byte,
//! because everything is drawn from one SplitMix64 stream (its output is fixed by its definition,
//! unlike `rand`'s `StdRng`, whose algorithm may change between releases).

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use rusqlite::{params, Transaction};

use crate::accounts::{self, password_hash};
use crate::clock;
use crate::former;
use crate::invitation_store::{self, NewInvitation};
use crate::names::{FAMILY_NAMES, GIVEN_NAMES, SHOWCASE};
use crate::nhs;
use crate::text::search_fold;

/// The demo clinician (MFA required). Public demo data: shown on the app's sign-in screen.
pub const DEMO_EMAIL: &str = "amelia.hart@demo.huma.local";
/// The password of both seeded clinicians.
pub const DEMO_PASSWORD: &str = "HumaDemo-2026!";
/// A second clinician without MFA, with access to the first patient list only (for tests).
pub const NO_MFA_EMAIL: &str = "sam.okafor@demo.huma.local";
/// Sam's language: Welsh, so a client that sends a constant `x-hu-locale` visibly overwrites it.
pub const NO_MFA_LANGUAGE: &str = "cy";
/// How long the seeded universal invitations stay pending.
const SEEDED_LINK_LIFETIME_MICROS: i64 = 365 * 24 * 60 * 60 * 1_000_000;
/// The largest patient count the 999 test range comfortably holds (it has ~909,000 valid numbers).
pub const MAX_PATIENTS: usize = 500_000;

const DEPLOYMENT_NAMES: [&str; 3] = [
    "Cardiology follow-up — St Thomas' Hospital",
    "Diabetes clinic — Leeds General Infirmary",
    "Respiratory — Royal Infirmary of Edinburgh",
];
/// Percent of the patients in each list, in `DEPLOYMENT_NAMES` order (the last takes the rest).
const DEPLOYMENT_SHARES: [usize; 2] = [40, 35];
/// Drama-range numbers (+44 7700 900000–900999) the clinicians own; patients never get them, so a
/// clinician's message log only shows what was sent to the clinician.
const CLINICIAN_PHONE_SUFFIXES: [u64; 2] = [123, 456];

pub struct SeedData {
    pub clinicians: Vec<SeedClinician>,
    pub deployments: Vec<SeedDeployment>,
    /// (clinician index, deployment index)
    pub roles: Vec<(usize, usize)>,
    pub patients: Vec<SeedPatient>,
}

pub struct SeedClinician {
    pub id: String,
    pub email: String,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    pub mfa_required: bool,
    pub password_salt: String,
    pub password_hash: String,
}

pub struct SeedDeployment {
    pub id: String,
    pub name: String,
}

pub struct SeedPatient {
    pub id: String,
    pub deployment: usize,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    /// Ten digits, no spaces.
    pub nhs_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// SplitMix64: tiny, fast and fully specified.
struct SeedRng(u64);

impl SeedRng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 for the sizes used here).
    fn below(&mut self, n: u64) -> u64 {
        let wide = u128::from(self.next_u64()) * u128::from(n);
        u64::try_from(wide >> 64).unwrap_or(0)
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    fn percent(&mut self, chance: u64) -> bool {
        self.below(100) < chance
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.index(items.len())]
    }

    /// A MongoDB-ObjectId-shaped id (24 hex digits, as Huma's ids are): time, random, counter. The
    /// counter makes every id unique within a seed.
    fn object_id(&mut self, counter: &mut u32) -> String {
        *counter += 1;
        let time = 0x6590_0000 + self.below(0x0100_0000);
        let random = self.below(1 << 40);
        format!("{time:08x}{random:010x}{counter:06x}")
    }
}

/// Builds the whole seed in memory. `patients` must be at most `MAX_PATIENTS`.
pub fn generate(seed: u64, patients: usize) -> SeedData {
    let mut rng = SeedRng(seed);
    let mut counter = 0u32;
    let deployments: Vec<SeedDeployment> = DEPLOYMENT_NAMES
        .iter()
        .map(|name| SeedDeployment {
            id: rng.object_id(&mut counter),
            name: (*name).to_owned(),
        })
        .collect();
    let clinicians = vec![
        clinician(
            &mut rng,
            &mut counter,
            ("Amelia", "Hart"),
            DEMO_EMAIL,
            123,
            true,
        ),
        clinician(
            &mut rng,
            &mut counter,
            ("Sam", "Okafor"),
            NO_MFA_EMAIL,
            456,
            false,
        ),
    ];
    let roles = vec![(0, 0), (0, 1), (0, 2), (1, 0)];

    let first = patients * DEPLOYMENT_SHARES[0] / 100;
    let second = first + patients * DEPLOYMENT_SHARES[1] / 100;
    let mut used_nhs = HashSet::with_capacity(patients);
    let mut email_bases: HashMap<String, u32> = HashMap::new();
    let patients = (0..patients)
        .map(|index| {
            let (given, family) = match SHOWCASE.get(index) {
                Some(&pair) => pair,
                None => (rng.pick(GIVEN_NAMES), rng.pick(FAMILY_NAMES)),
            };
            let deployment = match index {
                i if i < first => 0,
                i if i < second => 1,
                _ => 2,
            };
            let email = rng
                .percent(75)
                .then(|| unique_email(&mut email_bases, given, family));
            let phone = rng.percent(85).then(|| patient_phone(&mut rng));
            SeedPatient {
                id: rng.object_id(&mut counter),
                deployment,
                given_name: given.to_owned(),
                family_name: family.to_owned(),
                date_of_birth: date_of_birth(&mut rng),
                nhs_id: unique_nhs_number(&mut rng, &mut used_nhs),
                email,
                phone,
            }
        })
        .collect();
    SeedData {
        clinicians,
        deployments,
        roles,
        patients,
    }
}

fn clinician(
    rng: &mut SeedRng,
    counter: &mut u32,
    (given, family): (&str, &str),
    email: &str,
    phone_suffix: u64,
    mfa_required: bool,
) -> SeedClinician {
    let password_salt = format!("{:016x}", rng.next_u64());
    SeedClinician {
        id: rng.object_id(counter),
        email: email.to_owned(),
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        phone: format!("+447700900{phone_suffix:03}"),
        mfa_required,
        password_hash: password_hash(&password_salt, DEMO_PASSWORD),
        password_salt,
    }
}

/// Born 1930-01-01 ..= 2008-12-31.
fn date_of_birth(rng: &mut SeedRng) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(1930, 1, 1).expect("a valid calendar date");
    let end = NaiveDate::from_ymd_opt(2008, 12, 31).expect("a valid calendar date");
    let span = u64::try_from((end - start).num_days()).unwrap_or(0) + 1;
    start + Duration::days(i64::try_from(rng.below(span)).unwrap_or(0))
}

/// `999` + six random digits + check digit, never repeated within a seed.
fn unique_nhs_number(rng: &mut SeedRng, used: &mut HashSet<u32>) -> String {
    loop {
        let middle = u32::try_from(rng.below(1_000_000)).unwrap_or(0);
        let text = format!("999{middle:06}");
        let mut first_nine = [0u8; 9];
        for (slot, byte) in first_nine.iter_mut().zip(text.bytes()) {
            *slot = byte - b'0';
        }
        if let Some(check) = nhs::check_digit(first_nine) {
            if used.insert(middle) {
                return format!("{text}{check}");
            }
        }
    }
}

/// Ofcom's drama range, minus the clinicians' own numbers. Patients may share a number: the range
/// holds only 1,000.
fn patient_phone(rng: &mut SeedRng) -> String {
    loop {
        let suffix = rng.below(1000);
        if !CLINICIAN_PHONE_SUFFIXES.contains(&suffix) {
            return format!("+447700900{suffix:03}");
        }
    }
}

/// `given.family@example.com`, ASCII only, with a number appended to repeats.
fn unique_email(bases: &mut HashMap<String, u32>, given: &str, family: &str) -> String {
    let slug = |name: &str| -> String {
        search_fold(name)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect()
    };
    let base = format!("{}.{}", slug(given), slug(family));
    let seen = bases.entry(base.clone()).or_insert(0);
    *seen += 1;
    match *seen {
        1 => format!("{base}@example.com"),
        n => format!("{base}{n}@example.com"),
    }
}

/// Writes the seed in the caller's transaction, with prepared statements (100,000 patients take
/// about a second).
pub fn insert(tx: &Transaction<'_>, data: &SeedData) -> rusqlite::Result<()> {
    for c in &data.clinicians {
        tx.execute(
            "INSERT INTO clinicians (id, email, given_name, family_name, phone, mfa_required, \
             password_salt, password_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                c.id,
                c.email,
                c.given_name,
                c.family_name,
                c.phone,
                c.mfa_required,
                c.password_salt,
                c.password_hash
            ],
        )?;
    }
    for (position, d) in (0i64..).zip(&data.deployments) {
        tx.execute(
            "INSERT INTO deployments (id, name, position) VALUES (?1, ?2, ?3)",
            params![d.id, d.name, position],
        )?;
    }
    for &(clinician, deployment) in &data.roles {
        tx.execute(
            "INSERT INTO roles (user_id, deployment_id) VALUES (?1, ?2)",
            params![
                data.clinicians[clinician].id,
                data.deployments[deployment].id
            ],
        )?;
    }
    let mut statement = tx.prepare(
        "INSERT INTO patients (id, deployment_id, given_name, family_name, date_of_birth, nhs_id, \
         email, phone, name_key, given_key, family_key) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for p in &data.patients {
        let given_key = search_fold(&p.given_name);
        let family_key = search_fold(&p.family_name);
        statement.execute(params![
            p.id,
            data.deployments[p.deployment].id,
            p.given_name,
            p.family_name,
            p.date_of_birth.format("%Y-%m-%d").to_string(),
            p.nhs_id,
            p.email,
            p.phone,
            format!("{given_key} {family_key}"),
            given_key,
            family_key,
        ])?;
    }
    Ok(())
}

/// What schema version 4 adds to a database, new or old: Sam's language, the users without a role,
/// and one universal invitation per list from its first clinician (so an unfiltered invitation
/// listing shows one), created at the sandbox clock's now.
pub fn add_huma_parity(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE clinicians SET language = ?2 WHERE email = ?1",
        [NO_MFA_EMAIL, NO_MFA_LANGUAGE],
    )?;
    former::seed(tx)?;
    let now = chrono::Utc::now().timestamp_micros() + clock::load_offset(tx)?;
    let lists: Vec<(String, Option<String>)> = tx
        .prepare(
            "SELECT d.id, (SELECT r.user_id FROM roles r JOIN clinicians c ON c.id = r.user_id \
             WHERE r.deployment_id = d.id ORDER BY c.rowid LIMIT 1) \
             FROM deployments d ORDER BY d.position",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (deployment_id, sender) in lists {
        let Some(sender) = sender else { continue };
        let Some(profile) = accounts::profile_of(tx, &sender)? else {
            continue;
        };
        invitation_store::create(
            tx,
            &NewInvitation::universal(
                &deployment_id,
                (now, now + SEEDED_LINK_LIFETIME_MICROS),
                &sender,
                &profile.full_name(),
            ),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_data() {
        let summary = |data: &SeedData| -> Vec<String> {
            data.patients
                .iter()
                .map(|p| {
                    format!(
                        "{} {} {} {} {} {:?} {:?} {}",
                        p.id,
                        p.given_name,
                        p.family_name,
                        p.date_of_birth,
                        p.nhs_id,
                        p.email,
                        p.phone,
                        p.deployment
                    )
                })
                .chain(data.deployments.iter().map(|d| d.id.clone()))
                .chain(
                    data.clinicians
                        .iter()
                        .map(|c| c.id.clone() + &c.password_hash),
                )
                .collect()
        };
        assert_eq!(summary(&generate(7, 500)), summary(&generate(7, 500)));
        assert_ne!(summary(&generate(7, 500)), summary(&generate(8, 500)));
    }

    #[test]
    fn splitmix_matches_reference_output() {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut rng = SeedRng(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn every_nhs_number_is_valid_unique_and_in_the_test_range() {
        let data = generate(42, 20_000);
        let mut seen = HashSet::new();
        for p in &data.patients {
            assert!(nhs::is_valid(&p.nhs_id), "{} is not valid", p.nhs_id);
            assert!(p.nhs_id.starts_with("999"), "{} is outside 999", p.nhs_id);
            assert!(seen.insert(p.nhs_id.clone()), "{} repeats", p.nhs_id);
        }
    }

    #[test]
    fn contacts_are_fictional() {
        let data = generate(42, 5_000);
        let in_drama_range = |phone: &str| {
            phone.len() == 13
                && phone.starts_with("+447700900")
                && phone[10..].bytes().all(|b| b.is_ascii_digit())
        };
        for c in &data.clinicians {
            assert!(in_drama_range(&c.phone));
        }
        let clinician_phones: HashSet<_> = data.clinicians.iter().map(|c| &c.phone).collect();
        let mut emails = HashSet::new();
        for p in &data.patients {
            if let Some(phone) = &p.phone {
                assert!(in_drama_range(phone), "{phone} is outside the drama range");
                assert!(!clinician_phones.contains(phone));
            }
            if let Some(email) = &p.email {
                assert!(
                    email.ends_with("@example.com") && email.is_ascii(),
                    "{email}"
                );
                assert!(emails.insert(email.clone()), "{email} repeats");
            }
        }
        assert!(data.patients.iter().any(|p| p.email.is_none()));
        assert!(data.patients.iter().any(|p| p.phone.is_none()));
    }

    #[test]
    fn patients_are_plausible_and_split_over_three_lists() {
        let data = generate(42, 1500);
        let lo = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap_or_default();
        let hi = NaiveDate::from_ymd_opt(2008, 12, 31).unwrap_or_default();
        assert!(data
            .patients
            .iter()
            .all(|p| (lo..=hi).contains(&p.date_of_birth)));
        let per_list = |d| data.patients.iter().filter(|p| p.deployment == d).count();
        assert_eq!((per_list(0), per_list(1), per_list(2)), (600, 525, 375));
        let ids: HashSet<_> = data.patients.iter().map(|p| &p.id).collect();
        assert_eq!(ids.len(), 1500);
        for (given, family) in SHOWCASE {
            assert!(data
                .patients
                .iter()
                .any(|p| p.given_name == *given && p.family_name == *family));
        }
        let distinct_families: HashSet<_> = data.patients.iter().map(|p| &p.family_name).collect();
        assert!(distinct_families.len() > 250);
    }

    #[test]
    fn tiny_and_empty_seeds_work() {
        assert!(generate(1, 0).patients.is_empty());
        assert_eq!(generate(1, 2).patients.len(), 2);
    }
}
