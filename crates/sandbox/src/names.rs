//! Name pools for the seeded patients: common given and family names across the UK's communities, so
//! that search over a patient list behaves like it would in a real clinic. Entries may repeat across
//! the two pools (George, Thomas, Adebayo); each pool has no duplicates (a unit test checks).

#[rustfmt::skip]
pub const GIVEN_NAMES: &[&str] = &[
    // England
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar", "William",
    "James", "Henry", "Leo", "Alfie", "Joshua", "Freddie", "Archie", "Ethan", "Isaac", "Alexander",
    "Joseph", "Edward", "Samuel", "Max", "Daniel", "Arthur", "Lucas", "Mason", "Theo", "Harrison",
    "Benjamin", "Sebastian", "Finley", "Adam", "Dylan", "Zachary", "Riley", "Toby", "Jake",
    "Elliot", "Matthew", "David", "Michael", "Christopher", "Andrew", "Mark", "Paul", "Peter",
    "Stephen", "Richard", "Robert", "John", "Anthony", "Kevin", "Gary", "Ian", "Simon", "Neil",
    "Graham", "Keith", "Colin", "Derek", "Trevor", "Kenneth", "Brian", "Roy", "Leonard", "Stanley",
    "Frank", "Albert", "Ernest", "Harold", "Walter", "Reginald", "Dennis", "Raymond", "Geoffrey",
    "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella", "Lily",
    "Evie", "Isabella", "Sophie", "Ivy", "Freya", "Harper", "Willow", "Florence", "Daisy", "Rosie",
    "Jessica", "Phoebe", "Chloe", "Charlotte", "Lucy", "Alice", "Matilda", "Evelyn", "Hannah",
    "Ruby", "Emma", "Sarah", "Rebecca", "Laura", "Rachel", "Claire", "Helen", "Karen", "Susan",
    "Linda", "Julie", "Joanne", "Nicola", "Michelle", "Deborah", "Gillian", "Patricia", "Margaret",
    "Barbara", "Jean", "Doreen", "Joan", "Dorothy", "Irene", "Pauline", "Sandra", "Wendy",
    "Beverley", "Tracey", "Kirsty", "Gemma", "Hayley", "Leanne", "Natalie", "Victoria", "Katherine",
    "Eleanor", "Beatrice", "Imogen", "Harriet", "Abigail", "Megan", "Bethany",
    // Scotland, Ireland, Wales
    "Hamish", "Callum", "Fraser", "Angus", "Ewan", "Euan", "Lachlan", "Ruaridh", "Morag", "Mhairi",
    "Catriona", "Eilidh", "Ailsa", "Iona", "Kirsteen", "Seamus", "Niamh", "Siobhán", "Aoife",
    "Ciara", "Orla", "Saoirse", "Róisín", "Cormac", "Declan", "Eoin", "Pádraig", "Conor", "Dafydd",
    "Rhys", "Gareth", "Owain", "Iwan", "Gwen", "Cerys", "Bethan", "Ffion", "Rhiannon", "Siân",
    "Carys", "Eleri", "Aled", "Ioan", "Geraint",
    // South Asian
    "Mohammed", "Muhammad", "Ahmed", "Ali", "Hassan", "Imran", "Omar", "Bilal", "Zain", "Ayaan",
    "Arjun", "Rohan", "Aarav", "Vikram", "Rajesh", "Sanjay", "Ravi", "Anil", "Deepak", "Harpreet",
    "Gurpreet", "Manjit", "Jaspreet", "Sukhwinder", "Amrit", "Priya", "Anjali", "Sunita", "Meera",
    "Kavita", "Neha", "Pooja", "Aisha", "Fatima", "Zainab", "Maryam", "Ayesha", "Noor", "Hira",
    "Sana", "Nadia", "Shabana", "Rukhsana", "Farhana", "Tahmina", "Nasreen", "Rahim", "Abdul",
    "Shahid", "Tariq", "Faisal",
    // African and Caribbean
    "Chidi", "Chinedu", "Emeka", "Oluwaseun", "Olumide", "Tunde", "Adebayo", "Folake", "Funmilayo",
    "Ngozi", "Chiamaka", "Adaeze", "Kwame", "Kofi", "Ama", "Akosua", "Yaw", "Abena", "Esi", "Amara",
    "Nia", "Imani", "Zuri", "Kemi", "Tobi", "Femi", "Segun", "Ifeoma", "Abdi", "Hodan", "Hamza",
    "Ayan", "Mahad", "Faduma", "Delroy", "Winston", "Marcia", "Jermaine", "Shanice", "Tyrone",
    "Leroy", "Precious", "Blessing", "Marcus", "Desmond",
    // East and South-East Asian
    "Wei", "Jun", "Mei", "Xin", "Hui", "Jing", "Ming", "Yan", "Lan", "Hiroshi", "Yuki", "Minh",
    "Thanh", "Linh",
    // European
    "Piotr", "Krzysztof", "Tomasz", "Agnieszka", "Katarzyna", "Małgorzata", "Łukasz", "Andrzej",
    "Ewa", "Magdalena", "Ionuț", "Andreea", "Mihai", "Elena", "Ioana", "Giuseppe", "Giulia",
    "Marco", "Francesca", "Luca", "João", "Inês", "Tiago", "Ana", "Maria", "Mehmet", "Emre", "Ayşe",
    "Elif", "Kostas", "Eleni", "Dimitris", "Nikos", "Sofia", "Sven", "Ingrid", "Lars", "Zoë",
    "Chloë", "Noël", "Renée", "Anaïs", "José", "Héloïse", "Ahmet",
    // Middle East
    "Youssef", "Khalid", "Layla", "Yasmin", "Rania", "Samir", "Karim", "Amir", "Leila", "Dariush",
    "Shirin", "Reza",
];

#[rustfmt::skip]
pub const FAMILY_NAMES: &[&str] = &[
    // Britain and Ireland
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Jackson", "Wood", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan",
    "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker", "Price", "Bennett", "Young",
    "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell",
    "Shaw", "Murphy", "Miller", "Cox", "Richards", "Marshall", "Anderson", "Simpson", "Ellis",
    "Adams", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Hunt",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Fletcher", "Walsh", "Gibson", "Howard", "Andrews", "Stewart", "Elliott",
    "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West", "Lawrence",
    "Cole", "Atkinson", "Bradley", "Spencer", "Dawson", "Ball", "Burton", "O'Brien", "Watts",
    "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells", "Armstrong", "Francis", "Rees", "Hayes",
    "Hart", "Hudson", "Newman", "Barrett", "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page",
    "Marsh", "Riley", "Dunn", "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins",
    "Harding", "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
    "Gardner", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop",
    "Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren",
    "Nicholls", "Hamilton", "Byrne", "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis",
    "Hopkins", "O'Connor", "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers",
    "O'Neill", "Griffin", "Sharp", "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon",
    "Doyle", "Wallace", "George", "Jordan", "Hutchinson", "Rowe", "Burke", "May", "Pritchard",
    "Gilbert", "Willis", "Higgins", "Read", "Miles", "Stevenson", "Hammond", "Arnold", "Buckley",
    "Walters", "Hewitt", "Barber", "Nelson", "Slater", "Austin", "Sullivan", "Whitehead", "Mann",
    "Frost", "Lambert", "Blake", "Lynch", "Goodwin", "Barton", "Woodward", "Thomson", "Cunningham",
    "Quinn", "Baxter", "Clayton", "Nash", "Greenwood", "Jennings", "Holt", "Kemp", "Poole",
    "Gallagher", "Bond", "Stokes", "Tucker", "Davidson", "Fowler", "Heath", "Middleton", "Lawson",
    "Banks", "Jarvis", "Ferguson", "Hayward", "Carroll", "MacDonald", "MacLeod", "Fraser",
    "Sinclair", "Buchanan", "Docherty", "McKenzie", "Mackay", "Gunn", "Llewellyn", "Pugh",
    "Vaughan", "Bowen", "Prosser", "Meredith", "O'Sullivan", "O'Reilly", "Fitzgerald", "McAllister",
    // Double-barrelled
    "Smith-Jones", "Hughes-Davies", "Taylor-Brown", "Ashworth-Clarke", "Campbell-Reid",
    // South Asian
    "Patel", "Khan", "Singh", "Begum", "Ali", "Hussain", "Ahmed", "Kaur", "Gill", "Shah", "Akhtar",
    "Bibi", "Rahman", "Islam", "Uddin", "Miah", "Chowdhury", "Hossain", "Sharma", "Gupta", "Kumar",
    "Mistry", "Desai", "Mehta", "Joshi", "Chauhan", "Parmar", "Sandhu", "Dhillon", "Grewal",
    "Bains", "Sidhu", "Iqbal", "Malik", "Qureshi", "Siddiqui", "Butt", "Raza", "Rashid", "D'Souza",
    "Fernandes",
    // African and Caribbean
    "Okafor", "Okonkwo", "Adeyemi", "Adebayo", "Oyelaran", "Eze", "Nwosu", "Okoro", "Mensah",
    "Owusu", "Boateng", "Asante", "Osei", "Appiah", "Agyeman", "Abdullahi", "Mohamed", "Warsame",
    "Farah", "Hassan", "Ibrahim", "Yusuf",
    // East and South-East Asian
    "Nguyen", "Chen", "Wang", "Zhang", "Liu", "Li", "Wong", "Cheung", "Chan", "Lam", "Ng", "Tan",
    "Kim", "Park", "Sato",
    // European
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Lewandowski", "Zielińska", "Popescu",
    "Ionescu", "Rossi", "Russo", "Esposito", "Bianchi", "Romano", "Silva", "Santos", "Ferreira",
    "Pereira", "Costa", "Da Silva", "Yılmaz", "Demir", "Kaya", "Papadopoulos", "Georgiou",
    "Constantinou", "Nielsen", "Jensen", "Müller", "Schmidt", "García", "Fernández", "López",
    "Martínez", "Dubois", "Lefèvre",
];

/// Shown first in every seed, so tests and demos always find the awkward cases: apostrophes,
/// hyphens, non-ASCII letters, a space inside a family name.
pub const SHOWCASE: &[(&str, &str)] = &[
    ("Zoë", "O'Brien"),
    ("Siân", "Smith-Jones"),
    ("Chloë", "D'Souza"),
    ("Łukasz", "Wiśniewski"),
    ("João", "Da Silva"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn pools_are_large_and_without_duplicates() {
        for pool in [GIVEN_NAMES, FAMILY_NAMES] {
            assert!(pool.len() >= 300, "pool has {} names", pool.len());
            let unique: HashSet<_> = pool.iter().collect();
            assert_eq!(unique.len(), pool.len(), "duplicate names in a pool");
        }
    }
}
