//! Folders that hold a clinician's data are readable by their owner only: on a shared computer,
//! other accounts must not list or copy the databases, logs or preferences.

use std::io;
use std::path::Path;

/// Creates `path` and any missing parents, each readable by this user only (0700 on Unix), and
/// takes group and other access away from `path` itself if it already existed (a folder an older
/// version made). Parents that already existed are left as they are: they may be IT's.
pub fn create_dir_all_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)?;
        let permissions = std::fs::metadata(path)?.permissions();
        if permissions.mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    // Windows: folders inherit their parent's ACL; under the user's profile (the default data
    // folder) that already admits only the user, SYSTEM and administrators.
    #[cfg(not(unix))]
    std::fs::create_dir_all(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or_default()
    }

    #[test]
    fn created_folders_are_the_owners_only() -> io::Result<()> {
        let root = tempfile::tempdir()?;
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755))?;
        let data = root.path().join("com.huma.clinician");
        let logs = data.join("logs");

        create_dir_all_private(&logs)?;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&logs), 0o700);
        // Not ours to change.
        assert_eq!(mode(root.path()), 0o755);
        Ok(())
    }

    #[test]
    fn a_folder_an_older_version_left_open_is_closed() -> io::Result<()> {
        let root = tempfile::tempdir()?;
        let data = root.path().join("com.huma.clinician");
        std::fs::create_dir(&data)?;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755))?;

        create_dir_all_private(&data)?;
        assert_eq!(mode(&data), 0o700);
        // Again: nothing to do, no error.
        create_dir_all_private(&data)?;
        assert_eq!(mode(&data), 0o700);
        Ok(())
    }
}
