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
    #[cfg(windows)]
    {
        std::fs::create_dir_all(path)?;
        // `icacls` is part of Windows; calling it keeps the code free of `unsafe` ACL APIs. A
        // failure leaves the inherited ACL (under the profile: the user, SYSTEM, administrators)
        // and is logged: the clinician can still work.
        let user = match (std::env::var("USERDOMAIN"), std::env::var("USERNAME")) {
            (Ok(domain), Ok(name)) => Some(format!("{domain}\\{name}")),
            _ => None,
        };
        let outcome = std::process::Command::new("icacls")
            .args(owner_only_acl_args(path, user.as_deref()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
        match outcome {
            Ok(status) if status.success() => {}
            Ok(status) => tracing::warn!(%status, "could not make a data folder owner-only"),
            Err(e) => tracing::warn!(error = %e, "could not make a data folder owner-only"),
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    std::fs::create_dir_all(path)
}

/// `icacls` arguments that give `path` an owner-only ACL: inherited entries removed; full control,
/// inherited by everything inside, for the signed-in Windows `user` (`DOMAIN\\name`), for the
/// owner of each file (the OWNER RIGHTS SID) and for SYSTEM (the operating system itself: backup
/// and antivirus run as it). Administrators and other users lose access, as on Unix with 0700.
#[cfg_attr(not(windows), allow(dead_code))]
fn owner_only_acl_args(path: &Path, user: Option<&str>) -> Vec<std::ffi::OsString> {
    const OWNER_RIGHTS: &str = "*S-1-3-4";
    const SYSTEM: &str = "*S-1-5-18";
    let mut args = vec![path.as_os_str().to_owned(), "/inheritance:r".into()];
    for who in user.into_iter().chain([OWNER_RIGHTS, SYSTEM]) {
        args.push("/grant:r".into());
        args.push(format!("{who}:(OI)(CI)F").into());
    }
    args
}

#[cfg(test)]
mod acl_tests {
    use super::*;

    #[test]
    fn the_windows_acl_keeps_only_the_owner_and_the_system() {
        let args: Vec<String> = owner_only_acl_args(
            Path::new(r"C:\Users\Zoë Ann\AppData\Local\x"),
            Some(r"CLINIC\Zoë Ann"),
        )
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
        assert_eq!(
            args,
            [
                r"C:\Users\Zoë Ann\AppData\Local\x",
                "/inheritance:r",
                "/grant:r",
                r"CLINIC\Zoë Ann:(OI)(CI)F",
                "/grant:r",
                "*S-1-3-4:(OI)(CI)F",
                "/grant:r",
                "*S-1-5-18:(OI)(CI)F",
            ]
        );
    }
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
