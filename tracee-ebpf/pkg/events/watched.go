package events

// WatchedDirs are the directories whose files the kernel recognises by the
// directory's identity (device and inode), not by the path used:
// security_file_open's watched_dir names the one a file is directly in,
// however it was reached (a bind mount, a second mount, a dirfd). They
// hold what detections watch: the loader's preload file and the loaders,
// sudoers, PAM, shadow, cron, rc scripts, units, SSH keys. Missing ones are
// skipped at start. Directories that are one (a symlink such as /lib ->
// usr/lib) are named by the last listed. Signatures that match files by
// their watched directory may only name these (tracee-rules checks).
var WatchedDirs = []string{
	"/etc", "/etc/sudoers.d", "/etc/pam.d", "/etc/security", "/etc/ssh", "/root/.ssh",
	"/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly",
	"/var/spool/cron", "/var/spool/cron/crontabs", "/var/spool/at", "/var/spool/anacron",
	"/etc/init.d", "/etc/rc.d", "/etc/rc0.d", "/etc/rc1.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d",
	"/etc/rc5.d", "/etc/rc6.d", "/etc/rcS.d",
	"/etc/systemd/system", "/etc/profile.d",
	"/lib", "/lib32", "/lib64", "/lib/x86_64-linux-gnu", "/lib/i386-linux-gnu",
	"/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib/i386-linux-gnu",
}
